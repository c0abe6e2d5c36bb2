#include "binlog/value_format.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "binlog/decimal.h"
#include "binlog/format_double.h"
#include "binlog/json_binary.h"
#include "binlog/utf8.h"

namespace switchyard::binlog {

namespace {

using namespace coltype;

// One byte of my_b_write_quoted's output: below 0x20 as \xNN, anything else raw.
inline char* PutQuotedByte(char* out, unsigned char c) {
  if (c > 0x1f) {
    *out = static_cast<char>(c);
    return out + 1;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out[0] = '\\';
  out[1] = 'x';
  out[2] = kHex[c >> 4];
  out[3] = kHex[c & 15];
  return out + 4;
}

// mariadb-binlog's my_b_write_quoted: bytes below 0x20 as \xNN, everything else raw.
// Eight bytes at a time: words without a control byte are copied whole.
void WriteQuoted(TextWriter& w, std::string_view s) {
  char* out = w.Reserve(s.size() * 4 + 2);
  *out++ = '\'';
  const char* p = s.data();
  const char* const end = p + s.size();
#if defined(__SSE2__)
  // Sixteen bytes at a time: copied whole unless one of them is below 0x20 (unsigned).
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), x);
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, space), x)) != 0xffff) break;
    p += 16;
    out += 16;
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    std::memcpy(out, p, 8);
    // Exact "some byte < 0x20" test (bit-twiddling hacks' hasless(x, 0x20)).
    if (((word - kOnes * 0x20) & ~word & kOnes * 0x80) == 0) {
      p += 8;
      out += 8;
      continue;
    }
    for (int i = 0; i < 8; ++i) out = PutQuotedByte(out, static_cast<unsigned char>(*p++));
  }
  while (p < end) out = PutQuotedByte(out, static_cast<unsigned char>(*p++));
  *out++ = '\'';
  w.Commit(out);
}

// Decimal of v with at least `width` digits (zero-padded; all digits when v has more), like
// fmt's {:0N}. width <= 10.
inline char* WriteMinWidth(char* p, uint64_t v, int width) {
  static constexpr uint64_t kLimit[11] = {
      1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000};
  if (v >= kLimit[width]) return TextWriter::WriteUnsigned(p, v);
  if (width == 2) return TextWriter::Write2(p, static_cast<unsigned>(v));
  return TextWriter::WritePadded(p, static_cast<uint32_t>(v), width);
}

// YYYY<sep>MM<sep>DD (mariadb-binlog prints DATE with ':' and DATETIME with '-').
inline char* WriteYmd(char* p, uint64_t year, uint64_t month, uint64_t day, char sep) {
  p = WriteMinWidth(p, year, 4);
  *p++ = sep;
  p = WriteMinWidth(p, month, 2);
  *p++ = sep;
  return WriteMinWidth(p, day, 2);
}

// Fraction of a second with the column's declared digits (none when fsp is 0). Writes at most
// 11 + fsp bytes.
inline char* WriteFraction(char* p, uint32_t micros, uint8_t fsp) {
  if (!fsp) return p;
  uint32_t v = micros;
  for (int i = fsp; i < 6; ++i) v /= 10;
  *p++ = '.';
  if (fsp > 10) {  // the decoder never makes these (fsp <= 6); v < 10^10 needs 10 digits at most
    for (int i = 10; i < fsp; ++i) *p++ = '0';
    return TextWriter::WritePadded(p, v, 10);
  }
  return WriteMinWidth(p, v, fsp);
}

// HH:MM:SS[.fraction] of TIME and DATETIME (hours may take more than two digits in TIME).
inline char* WriteHms(char* p, uint32_t hour, uint8_t minute, uint8_t second, uint32_t micros,
                      uint8_t fsp) {
  p = WriteMinWidth(p, hour, 2);
  *p++ = ':';
  p = WriteMinWidth(p, minute, 2);
  *p++ = ':';
  p = WriteMinWidth(p, second, 2);
  return WriteFraction(p, micros, fsp);
}

// Integer columns print their signed reading, plus the unsigned one when negative.
inline char* WriteInt(char* p, uint64_t raw, unsigned bytes) {
  uint64_t mask = bytes == 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
  raw &= mask;
  int64_t s = static_cast<int64_t>(raw);
  if (bytes < 8) {
    uint64_t m = 1ULL << (8 * bytes - 1);
    s = static_cast<int64_t>((raw ^ m) - m);
  }
  if (s >= 0) return TextWriter::WriteUnsigned(p, raw);
  p = TextWriter::WriteSigned(p, s);
  *p++ = ' ';
  *p++ = '(';
  p = TextWriter::WriteUnsigned(p, raw);
  *p++ = ')';
  return p;
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

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(s.size() * 2, '\0');
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out[2 * i] = kHex[c >> 4];
    out[2 * i + 1] = kHex[c & 15];
  }
  return out;
}

}  // namespace

static_assert(std::variant_size_v<ColumnValue> == 21, "one case per alternative below");

void WriteValueMariadbStyle(TextWriter& w, const ColumnValue& value, const ColumnDef& col) {
  // The rest, one case each (a single jump table: no std::visit on top of this switch).
  auto render = [&](const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, AbsentValue> || std::is_same_v<T, NullValue> ||
                  std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t> ||
                  std::is_same_v<T, float> || std::is_same_v<T, double>) {
      // handled above
    } else if constexpr (std::is_same_v<T, DecimalValue>) {
      w.Commit(WriteDecimal(w.Reserve(kMaxDecimalChars), v.bin, v.precision, v.scale));
    } else if constexpr (std::is_same_v<T, DateValue>) {
      char* p = w.Reserve(64);
      *p++ = '\'';
      p = WriteYmd(p, v.year, v.month, v.day, ':');
      *p++ = '\'';
      w.Commit(p);
    } else if constexpr (std::is_same_v<T, TimeValue>) {
      char* p = w.Reserve(64 + size_t{v.fsp});
      *p++ = '\'';
      if (v.negative) *p++ = '-';
      p = WriteHms(p, v.hour, v.minute, v.second, v.micros, v.fsp);
      *p++ = '\'';
      w.Commit(p);
    } else if constexpr (std::is_same_v<T, DateTimeValue>) {
      char* p = w.Reserve(64 + size_t{v.fsp});
      *p++ = '\'';
      p = WriteYmd(p, v.year, v.month, v.day, '-');
      *p++ = ' ';
      p = WriteHms(p, v.hour, v.minute, v.second, v.micros, v.fsp);
      *p++ = '\'';
      w.Commit(p);
    } else if constexpr (std::is_same_v<T, TimestampValue>) {
      char* p = w.Reserve(64 + size_t{v.fsp});
      p = TextWriter::WriteUnsigned(p, v.seconds);
      w.Commit(WriteFraction(p, v.micros, v.fsp));
    } else if constexpr (std::is_same_v<T, YearValue>) {
      w.Commit(WriteMinWidth(w.Reserve(64), v.year ? v.year : 1900, 4));
    } else if constexpr (std::is_same_v<T, EnumValue>) {
      w.AppendUnsigned(v.index);
    } else if constexpr (std::is_same_v<T, SetValue>) {
      // Stored little-endian; printed byte by byte in storage order, MSB first.
      char* p = w.Reserve(3 + 8 * size_t{v.bytes});
      *p++ = 'b';
      *p++ = '\'';
      for (unsigned b = 0; b < v.bytes; ++b) {
        for (int i = 7; i >= 0; --i) *p++ = ((v.bits >> (8 * b + i)) & 1) ? '1' : '0';
      }
      *p++ = '\'';
      w.Commit(p);
    } else if constexpr (std::is_same_v<T, BitValue>) {
      char* p = w.Reserve(3 + size_t{v.nbits});
      *p++ = 'b';
      *p++ = '\'';
      for (int i = static_cast<int>(v.nbits) - 1; i >= 0; --i) {
        *p++ = ((v.bits >> i) & 1) ? '1' : '0';
      }
      *p++ = '\'';
      w.Commit(p);
    } else if constexpr (std::is_same_v<T, JsonValue>) {
      auto text = JsonBinaryToText(v.binary);
      WriteQuoted(w, text.ok() ? std::string_view(*text) : v.binary);
    } else if constexpr (std::is_same_v<T, JsonDiffValue>) {
      auto text = JsonDiffToText(v.diffs);
      WriteQuoted(w, text.ok() ? std::string_view(*text) : v.diffs);
    } else {
      WriteQuoted(w, v.bytes);  // strings, blobs, geometry, vectors, compressed
    }
  };
  // Fixed-size renderings reserve their worst case (64 bytes covers every one of them).
  switch (value.index()) {
    case 0:  // AbsentValue
      w.Append("<absent>");
      return;
    case 1:  // NullValue
      w.Append("NULL");
      return;
    case 2:    // int64_t
    case 3: {  // uint64_t
      const uint64_t raw = value.index() == 2 ? static_cast<uint64_t>(*std::get_if<int64_t>(&value))
                                              : *std::get_if<uint64_t>(&value);
      w.Commit(WriteInt(w.Reserve(64), raw, IntBytes(col.real_type)));
      return;
    }
    case 4:  // float: printf("%.6g"), as mariadb-binlog
      w.Commit(FormatDoubleGeneral(w.Reserve(kMaxGeneralDoubleChars),
                                   static_cast<double>(*std::get_if<float>(&value)), 6));
      return;
    case 5:  // double: printf("%.20g")
      w.Commit(
          FormatDoubleGeneral(w.Reserve(kMaxGeneralDoubleChars), *std::get_if<double>(&value), 20));
      return;
    case 6:
      return render(*std::get_if<6>(&value));
    case 7:
      return render(*std::get_if<7>(&value));
    case 8:
      return render(*std::get_if<8>(&value));
    case 9:
      return render(*std::get_if<9>(&value));
    case 10:
      return render(*std::get_if<10>(&value));
    case 11:
      return render(*std::get_if<11>(&value));
    case 12:
      return render(*std::get_if<12>(&value));
    case 13:
      return render(*std::get_if<13>(&value));
    case 14:
      return render(*std::get_if<14>(&value));
    case 15:
      return render(*std::get_if<15>(&value));
    case 16:
      return render(*std::get_if<16>(&value));
    case 17:
      return render(*std::get_if<17>(&value));
    case 18:
      return render(*std::get_if<18>(&value));
    case 19:
      return render(*std::get_if<19>(&value));
    case 20:
      return render(*std::get_if<20>(&value));
  }
}

void AppendValueMariadbStyle(std::string& out, const ColumnValue& value, const ColumnDef& col) {
  TextWriter w;
  WriteValueMariadbStyle(w, value, col);
  out += w.view();
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
          if (!binary && IsValidUtf8Lenient(v.bytes)) return std::string(v.bytes);
          return {{"hex", Hex(v.bytes)}};
        } else {
          return {{"hex", Hex(v.bytes)}};  // geometry, vectors, compressed
        }
      },
      value);
}

}  // namespace switchyard::binlog
