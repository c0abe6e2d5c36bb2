#include "binlog/json_binary.h"

#include <cstring>

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/column_value.h"
#include "binlog/decimal.h"

namespace switchyard::binlog {

namespace {

constexpr int kMaxDepth = 100;

enum : uint8_t {
  kSmallObject = 0,
  kLargeObject = 1,
  kSmallArray = 2,
  kLargeArray = 3,
  kLiteral = 4,
  kInt16 = 5,
  kUint16 = 6,
  kInt32 = 7,
  kUint32 = 8,
  kInt64 = 9,
  kUint64 = 10,
  kDouble = 11,
  kString = 12,
  kOpaque = 15,
};

void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

bool ReadVarLength(std::string_view d, size_t* pos, uint64_t* len) {
  *len = 0;
  for (int i = 0; i < 5; ++i) {
    if (*pos >= d.size()) return false;
    uint8_t b = static_cast<uint8_t>(d[(*pos)++]);
    *len |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return true;
  }
  return false;
}

uint64_t Le(std::string_view d, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(d[pos + i])) << (8 * i);
  return v;
}

std::string Base64(std::string_view s) {
  static constexpr char kTab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = uint8_t(s[i]) << 16 | uint8_t(s[i + 1]) << 8 | uint8_t(s[i + 2]);
    for (int k = 3; k >= 0; --k) out += kTab[(v >> (6 * k)) & 63];
  }
  if (i < s.size()) {
    uint32_t v = uint8_t(s[i]) << 16 | (i + 1 < s.size() ? uint8_t(s[i + 1]) << 8 : 0);
    out += kTab[(v >> 18) & 63];
    out += kTab[(v >> 12) & 63];
    out += i + 1 < s.size() ? kTab[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// MySQL "packed" temporal int64 (used by JSON opaque DATE/TIME/DATETIME/TIMESTAMP values).
std::string PackedTemporal(uint8_t field_type, int64_t packed) {
  bool neg = packed < 0;
  uint64_t v = neg ? -static_cast<uint64_t>(packed) : packed;
  uint64_t frac = v & 0xffffff, intpart = v >> 24;
  if (field_type == coltype::kTime) {
    uint64_t hms = intpart;
    return fmt::format("{}{:02}:{:02}:{:02}.{:06}", neg ? "-" : "", (hms >> 12) & 0x3ff,
                       (hms >> 6) & 63, hms & 63, frac);
  }
  uint64_t ymd = intpart >> 17, ym = ymd >> 5, hms = intpart & 0x1ffff;
  if (field_type == coltype::kDate || field_type == coltype::kNewDate) {
    return fmt::format("{:04}-{:02}-{:02}", ym / 13, ym % 13, ymd & 31);
  }
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", ym / 13, ym % 13, ymd & 31,
                     hms >> 12, (hms >> 6) & 63, hms & 63, frac);
}

class Renderer {
 public:
  explicit Renderer(std::string& out) : out_(out) {}

  Status Value(uint8_t type, std::string_view d, int depth) {
    if (depth > kMaxDepth) return MakeError("JSON nested too deeply");
    switch (type) {
      case kSmallObject:
      case kLargeObject:
      case kSmallArray:
      case kLargeArray:
        return Container(type, d, depth);
      case kLiteral:
        if (d.empty()) return MakeError("JSON literal truncated");
        return Literal(static_cast<uint8_t>(d[0]));
      case kInt16:
      case kUint16:
      case kInt32:
      case kUint32:
      case kInt64:
      case kUint64: {
        size_t n = (type <= kUint16) ? 2 : (type <= kUint32) ? 4 : 8;
        if (d.size() < n) return MakeError("JSON integer truncated");
        uint64_t v = Le(d, 0, n);
        bool is_signed = type == kInt16 || type == kInt32 || type == kInt64;
        if (is_signed && n < 8) {
          uint64_t m = 1ULL << (8 * n - 1);
          out_ += fmt::format("{}", static_cast<int64_t>((v ^ m) - m));
        } else if (is_signed) {
          out_ += fmt::format("{}", static_cast<int64_t>(v));
        } else {
          out_ += fmt::format("{}", v);
        }
        return Status::Ok();
      }
      case kDouble: {
        if (d.size() < 8) return MakeError("JSON double truncated");
        double x;
        std::memcpy(&x, d.data(), 8);
        out_ += fmt::format("{}", x);
        return Status::Ok();
      }
      case kString: {
        size_t pos = 0;
        uint64_t len;
        if (!ReadVarLength(d, &pos, &len) || len > d.size() - pos) {
          return MakeError("JSON string truncated");
        }
        AppendQuoted(out_, d.substr(pos, len));
        return Status::Ok();
      }
      case kOpaque: {
        if (d.empty()) return MakeError("JSON opaque truncated");
        uint8_t field_type = static_cast<uint8_t>(d[0]);
        size_t pos = 1;
        uint64_t len;
        if (!ReadVarLength(d, &pos, &len) || len > d.size() - pos) {
          return MakeError("JSON opaque value truncated");
        }
        std::string_view data = d.substr(pos, len);
        return Opaque(field_type, data);
      }
      default:
        return MakeError(fmt::format("unknown JSON value type {}", type));
    }
  }

 private:
  Status Literal(uint8_t v) {
    if (v == 0) {
      out_ += "null";
    } else if (v == 1) {
      out_ += "true";
    } else if (v == 2) {
      out_ += "false";
    } else {
      return MakeError(fmt::format("unknown JSON literal {}", v));
    }
    return Status::Ok();
  }

  Status Opaque(uint8_t field_type, std::string_view data) {
    using namespace coltype;
    if (field_type == kNewDecimal && data.size() >= 2) {
      unsigned precision = static_cast<uint8_t>(data[0]), scale = static_cast<uint8_t>(data[1]);
      auto bin = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()) + 2,
                                          data.size() - 2);
      std::string s = DecimalToString(bin, precision, scale);
      if (!s.empty()) {
        out_ += s;
        return Status::Ok();
      }
    }
    if ((field_type == kDate || field_type == kTime || field_type == kDateTime ||
         field_type == kTimestamp || field_type == kTimestamp2 || field_type == kDateTime2 ||
         field_type == kNewDate) &&
        data.size() >= 8) {
      AppendQuoted(out_, PackedTemporal(field_type, static_cast<int64_t>(Le(data, 0, 8))));
      return Status::Ok();
    }
    AppendQuoted(out_, fmt::format("base64:type{}:{}", field_type, Base64(data)));
    return Status::Ok();
  }

  Status Container(uint8_t type, std::string_view d, int depth) {
    const bool large = type == kLargeObject || type == kLargeArray;
    const bool object = type == kSmallObject || type == kLargeObject;
    const size_t w = large ? 4 : 2;
    if (d.size() < 2 * w) return MakeError("JSON container header truncated");
    uint64_t count = Le(d, 0, w);
    uint64_t size = Le(d, w, w);
    if (size > d.size() || size < 2 * w) return MakeError("JSON container size out of range");
    d = d.substr(0, size);
    size_t key_entries = object ? count * (w + 2) : 0;
    size_t value_entries = count * (1 + w);
    if (count > size || 2 * w + key_entries + value_entries > size) {
      return MakeError("JSON container entries exceed its size");
    }
    out_ += object ? '{' : '[';
    for (uint64_t i = 0; i < count; ++i) {
      if (i) out_ += ", ";
      if (object) {
        size_t ke = 2 * w + i * (w + 2);
        uint64_t koff = Le(d, ke, w), klen = Le(d, ke + w, 2);
        if (koff > size || klen > size - koff) return MakeError("JSON key out of range");
        AppendQuoted(out_, d.substr(koff, klen));
        out_ += ": ";
      }
      size_t ve = 2 * w + key_entries + i * (1 + w);
      uint8_t vt = static_cast<uint8_t>(d[ve]);
      bool inlined = vt == kLiteral || vt == kInt16 || vt == kUint16 ||
                     (large && (vt == kInt32 || vt == kUint32));
      Status st;
      if (inlined) {
        st = Value(vt, d.substr(ve + 1, w), depth + 1);
      } else {
        uint64_t off = Le(d, ve + 1, w);
        if (off >= size) return MakeError("JSON value offset out of range");
        st = Value(vt, d.substr(off), depth + 1);
      }
      if (!st.ok()) return st;
    }
    out_ += object ? '}' : ']';
    return Status::Ok();
  }

  std::string& out_;
};

}  // namespace

Result<std::string> JsonBinaryToText(std::string_view binary) {
  if (binary.empty()) return std::string("null");
  std::string out;
  Renderer r(out);
  Status st = r.Value(static_cast<uint8_t>(binary[0]), binary.substr(1), 0);
  if (!st.ok()) return st.error();
  return out;
}

Result<std::string> JsonDiffToText(std::string_view diffs) {
  ByteReader r(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(diffs.data()), diffs.size()));
  std::string out;
  while (r.ok() && r.remaining() > 0) {
    uint8_t op = r.U8();
    if (op > 2) return MakeError(fmt::format("unknown JSON diff operation {}", op));
    std::string_view path = r.String(r.PackedInt());
    if (!out.empty()) out += "; ";
    out += op == 0 ? "REPLACE " : op == 1 ? "INSERT " : "REMOVE ";
    out += path;
    if (op != 2) {
      std::string_view value = r.String(r.PackedInt());
      if (!r.ok()) break;
      auto text = JsonBinaryToText(value);
      if (!text.ok()) return text.error();
      out += ' ';
      out += *text;
    }
  }
  if (!r.ok()) return MakeError(fmt::format("JSON diff truncated at byte {}", r.failed_at()));
  return out;
}

}  // namespace switchyard::binlog
