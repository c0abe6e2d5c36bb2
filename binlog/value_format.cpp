#include "binlog/value_format.h"

#include <charconv>

#include <cstdio>

#include <fmt/format.h>

#include "binlog/format_double.h"
#include "binlog/json_binary.h"

namespace switchyard::binlog {

namespace {

using namespace coltype;

// mariadb-binlog's my_b_write_quoted: bytes below 0x20 as \xNN, everything else raw.
void AppendQuoted(std::string& out, std::string_view s) {
  out += '\'';
  // Printable runs are appended whole; only control bytes are escaped one by one.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c > 0x1f) continue;
    out.append(s.data() + run, i - run);
    static constexpr char kHex[] = "0123456789abcdef";
    const char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    out.append(esc, 4);
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
  out += '\'';
}

// Zero-padded decimal of at least `width` digits (all digits if more), like fmt's {:0N}.
void AppendPadded(std::string& out, uint64_t v, int width) {
  for (uint64_t rest = v; width < 20; ++width) {  // widen for values of more digits
    uint64_t limit = 1;
    for (int i = 0; i < width; ++i) limit *= 10;
    if (rest < limit) break;
  }
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// YYYY<sep>MM<sep>DD (mariadb-binlog prints DATE with ':' and DATETIME with '-').
void AppendYmd(std::string& out, uint64_t year, uint64_t month, uint64_t day, char sep) {
  AppendPadded(out, year, 4);
  out += sep;
  AppendPadded(out, month, 2);
  out += sep;
  AppendPadded(out, day, 2);
}

template <class I>
void AppendNumber(std::string& out, I v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendBits(std::string& out, uint64_t value, unsigned nbits) {
  out += "b'";
  for (int i = static_cast<int>(nbits) - 1; i >= 0; --i) out += ((value >> i) & 1) ? '1' : '0';
  out += '\'';
}

// Integer columns print their signed reading, plus the unsigned one when negative.
void AppendInt(std::string& out, uint64_t raw, unsigned bytes) {
  uint64_t mask = bytes == 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
  raw &= mask;
  int64_t s = static_cast<int64_t>(raw);
  if (bytes < 8) {
    uint64_t m = 1ULL << (8 * bytes - 1);
    s = static_cast<int64_t>((raw ^ m) - m);
  }
  AppendNumber(out, s);
  if (s < 0) {
    out += " (";
    AppendNumber(out, raw);
    out += ')';
  }
}

unsigned IntBytes(uint8_t t) {
  switch (t) {
    case kTiny:
      return 1;
    case kShort:
      return 2;
    case kInt24:
      return 3;
    case kLong:
      return 4;
    default:
      return 8;
  }
}

void AppendFraction(std::string& out, uint32_t micros, uint8_t fsp) {
  if (!fsp) return;
  uint32_t v = micros;
  for (int i = fsp; i < 6; ++i) v /= 10;
  out += '.';
  AppendPadded(out, v, fsp);
}

std::string Hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int extra = c < 0x80             ? 0
                : (c & 0xe0) == 0xc0 ? 1
                : (c & 0xf0) == 0xe0 ? 2
                : (c & 0xf8) == 0xf0 ? 3
                                     : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0)) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

void AppendValueMariadbStyle(std::string& out, const ColumnValue& value, const ColumnDef& col) {
  auto it = std::back_inserter(out);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, AbsentValue>) {
          out += "<absent>";
        } else if constexpr (std::is_same_v<T, NullValue>) {
          out += "NULL";
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) {
          AppendInt(out, static_cast<uint64_t>(v), IntBytes(col.real_type));
        } else if constexpr (std::is_same_v<T, float>) {
          // printf("%.6g") / ("%.20g") exactly, as mariadb-binlog prints them.
          char buf[kMaxGeneralDoubleChars];
          out.append(buf, FormatDoubleGeneral(buf, static_cast<double>(v), 6));
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[kMaxGeneralDoubleChars];
          out.append(buf, FormatDoubleGeneral(buf, v, 20));
        } else if constexpr (std::is_same_v<T, DecimalValue>) {
          out += v.ToString();
        } else if constexpr (std::is_same_v<T, DateValue>) {
          out += '\'';
          AppendYmd(out, v.year, v.month, v.day, ':');
          out += '\'';
        } else if constexpr (std::is_same_v<T, TimeValue>) {
          fmt::format_to(it, "'{}{:02}:{:02}:{:02}", v.negative ? "-" : "", v.hour, v.minute,
                         v.second);
          AppendFraction(out, v.micros, v.fsp);
          out += '\'';
        } else if constexpr (std::is_same_v<T, DateTimeValue>) {
          out += '\'';
          AppendYmd(out, v.year, v.month, v.day, '-');
          out += ' ';
          AppendPadded(out, v.hour, 2);
          out += ':';
          AppendPadded(out, v.minute, 2);
          out += ':';
          AppendPadded(out, v.second, 2);
          AppendFraction(out, v.micros, v.fsp);
          out += '\'';
        } else if constexpr (std::is_same_v<T, TimestampValue>) {
          AppendNumber(out, v.seconds);
          AppendFraction(out, v.micros, v.fsp);
        } else if constexpr (std::is_same_v<T, YearValue>) {
          fmt::format_to(it, "{:04}", v.year ? v.year : 1900);
        } else if constexpr (std::is_same_v<T, EnumValue>) {
          fmt::format_to(it, "{}", v.index);
        } else if constexpr (std::is_same_v<T, SetValue>) {
          // Stored little-endian; printed byte by byte in storage order, MSB first.
          out += "b'";
          for (unsigned b = 0; b < v.bytes; ++b) {
            for (int i = 7; i >= 0; --i) out += ((v.bits >> (8 * b + i)) & 1) ? '1' : '0';
          }
          out += '\'';
        } else if constexpr (std::is_same_v<T, BitValue>) {
          AppendBits(out, v.bits, v.nbits);
        } else if constexpr (std::is_same_v<T, JsonValue>) {
          auto text = JsonBinaryToText(v.binary);
          AppendQuoted(out, text.ok() ? *text : std::string(v.binary));
        } else if constexpr (std::is_same_v<T, JsonDiffValue>) {
          auto text = JsonDiffToText(v.diffs);
          AppendQuoted(out, text.ok() ? *text : std::string(v.diffs));
        } else {
          AppendQuoted(out, v.bytes);  // strings, blobs, geometry, vectors, compressed
        }
      },
      value);
}

nlohmann::json ColumnValueToJson(const ColumnValue& value, const ColumnDef& col) {
  return std::visit(
      [&](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, AbsentValue> || std::is_same_v<T, NullValue>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t> ||
                             std::is_same_v<T, float> || std::is_same_v<T, double>) {
          return v;
        } else if constexpr (std::is_same_v<T, DecimalValue>) {
          return v.ToString();
        } else if constexpr (std::is_same_v<T, DateValue>) {
          return fmt::format("{:04}-{:02}-{:02}", v.year, v.month, v.day);
        } else if constexpr (std::is_same_v<T, TimeValue> || std::is_same_v<T, DateTimeValue> ||
                             std::is_same_v<T, TimestampValue>) {
          std::string s = FormatValueMariadbStyle(v, col);
          if (s.size() >= 2 && s.front() == '\'') s = s.substr(1, s.size() - 2);
          return s;
        } else if constexpr (std::is_same_v<T, YearValue>) {
          return v.year;
        } else if constexpr (std::is_same_v<T, EnumValue>) {
          if (v.index >= 1 && v.index <= col.enum_or_set_values.size()) {
            return col.enum_or_set_values[v.index - 1];
          }
          return v.index;
        } else if constexpr (std::is_same_v<T, SetValue>) {
          if (!col.enum_or_set_values.empty()) {
            nlohmann::json arr = nlohmann::json::array();
            for (size_t i = 0; i < col.enum_or_set_values.size() && i < 64; ++i) {
              if ((v.bits >> i) & 1) arr.push_back(col.enum_or_set_values[i]);
            }
            return arr;
          }
          return v.bits;
        } else if constexpr (std::is_same_v<T, BitValue>) {
          return v.bits;
        } else if constexpr (std::is_same_v<T, JsonValue>) {
          auto text = JsonBinaryToText(v.binary);
          if (text.ok()) {
            auto parsed = nlohmann::json::parse(*text, nullptr, false);
            if (!parsed.is_discarded()) return parsed;
          }
          return {{"hex", Hex(v.binary)}};
        } else if constexpr (std::is_same_v<T, JsonDiffValue>) {
          auto text = JsonDiffToText(v.diffs);
          if (text.ok()) return {{"json_diff", *text}};
          return {{"hex", Hex(v.diffs)}};
        } else if constexpr (std::is_same_v<T, StringValue>) {
          bool binary = col.charset == 63;
          if (!binary && IsValidUtf8(v.bytes)) return std::string(v.bytes);
          return {{"hex", Hex(v.bytes)}};
        } else {
          return {{"hex", Hex(v.bytes)}};  // geometry, vectors, compressed
        }
      },
      value);
}

}  // namespace switchyard::binlog
