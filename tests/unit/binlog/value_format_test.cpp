// The dump's value renderer (TextWriter, raw pointers, FormatDoubleGeneral, WriteDecimal) must
// print exactly what the original string-based renderer printed: that one is kept here as
// `legacy` (it was checked against mariadb-binlog) and both run on random values of every type.
#include <charconv>
#include <cstring>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "binlog/decimal.h"
#include "binlog/json_binary.h"
#include "binlog/value_format.h"

namespace switchyard::binlog {
namespace legacy {

constexpr uint8_t kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

void DecPadded(std::string& out, uint32_t v, int digits) {
  char buf[10];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, digits);
}
std::string DecimalToString(std::span<const uint8_t> bin, unsigned precision, unsigned scale) {
  size_t size = DecimalBinarySize(precision, scale);
  if (size == 0 || bin.size() < size) return {};
  const unsigned intg = precision - scale;
  const bool negative = !(bin[0] & 0x80);
  const uint8_t mask = negative ? 0xff : 0x00;
  size_t pos = 0;
  auto read = [&](size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      uint8_t b = bin[pos + i] ^ mask;
      if (pos + i == 0) b ^= 0x80;
      v = v << 8 | b;
    }
    pos += n;
    return v;
  };
  std::string digits;  // integer part, with leading zeros
  if (intg % 9) DecPadded(digits, read(kDig2Bytes[intg % 9]), static_cast<int>(intg % 9));
  for (unsigned i = 0; i < intg / 9; ++i) DecPadded(digits, read(4), 9);
  size_t first = digits.find_first_not_of('0');
  std::string out = negative ? "-" : "";
  out += first == std::string::npos ? "0" : digits.substr(first);
  if (scale) {
    out += '.';
    for (unsigned i = 0; i < scale / 9; ++i) DecPadded(out, read(4), 9);
    if (scale % 9) DecPadded(out, read(kDig2Bytes[scale % 9]), static_cast<int>(scale % 9));
  }
  return out;
}

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

void AppendValue(std::string& out, const ColumnValue& value, const ColumnDef& col) {
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
          // to_chars(general, p) prints exactly like printf("%.{p}g") without its locale cost.
          char buf[64];
          auto r = std::to_chars(buf, buf + sizeof buf, static_cast<double>(v),
                                 std::chars_format::general, 6);
          out.append(buf, r.ptr);
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[64];
          auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 20);
          out.append(buf, r.ptr);
        } else if constexpr (std::is_same_v<T, DecimalValue>) {
          out += DecimalToString(v.bin, v.precision, v.scale);
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

}  // namespace legacy

namespace {

using namespace coltype;

std::string Ours(const ColumnValue& v, const ColumnDef& c) {
  return FormatValueMariadbStyle(v, c);
}
std::string Legacy(const ColumnValue& v, const ColumnDef& c) {
  std::string s;
  legacy::AppendValue(s, v, c);
  return s;
}

ColumnDef Col(uint8_t type) {
  ColumnDef c;
  c.type = c.real_type = type;
  return c;
}

class Random {
 public:
  uint64_t U64() { return rng_(); }
  // Small and boundary values are likelier than uniform ones.
  uint64_t Any() {
    switch (rng_() % 4) {
      case 0:
        return rng_() % 16;
      case 1:
        return ~uint64_t{0} - rng_() % 16;
      case 2:
        return rng_() >> (rng_() % 64);
      default:
        return rng_();
    }
  }
  std::string Bytes() {
    std::string s(rng_() % 40, '\0');
    for (auto& c : s) c = static_cast<char>(rng_() % 3 == 0 ? rng_() % 0x30 : rng_());
    return s;
  }

 private:
  std::mt19937_64 rng_{20261130};
};

TEST(ValueFormat, IntegersOfEveryWidthMatchLegacy) {
  Random r;
  for (uint8_t t : {kTiny, kShort, kInt24, kLong, kLongLong}) {
    for (int i = 0; i < 20000; ++i) {
      uint64_t raw = r.Any();
      ColumnDef c = Col(t);
      ASSERT_EQ(Ours(ColumnValue(raw), c), Legacy(ColumnValue(raw), c)) << raw;
      ASSERT_EQ(Ours(ColumnValue(static_cast<int64_t>(raw)), c),
                Legacy(ColumnValue(static_cast<int64_t>(raw)), c))
          << raw;
    }
  }
  EXPECT_EQ(Ours(ColumnValue(int64_t{-1}), Col(kLong)), "-1 (4294967295)");
  EXPECT_EQ(Ours(ColumnValue(~uint64_t{0}), Col(kLongLong)), "-1 (18446744073709551615)");
}

TEST(ValueFormat, FloatsAndDoublesMatchLegacy) {
  Random r;
  for (int i = 0; i < 50000; ++i) {
    uint64_t bits = r.U64();
    double d;
    std::memcpy(&d, &bits, 8);
    float f = static_cast<float>(static_cast<int64_t>(r.Any() % 2000000) - 1000000) / 1024.0f;
    ASSERT_EQ(Ours(ColumnValue(d), Col(kDouble)), Legacy(ColumnValue(d), Col(kDouble)));
    ASSERT_EQ(Ours(ColumnValue(f), Col(kFloat)), Legacy(ColumnValue(f), Col(kFloat)));
    double ratio = static_cast<double>(r.Any() % 100000000) / 3.0;
    ASSERT_EQ(Ours(ColumnValue(ratio), Col(kDouble)), Legacy(ColumnValue(ratio), Col(kDouble)));
  }
}

TEST(ValueFormat, DecimalsMatchLegacy) {
  Random r;
  for (int i = 0; i < 100000; ++i) {
    unsigned precision = 1 + r.U64() % 65;
    unsigned scale = r.U64() % (precision + 1);
    if (i % 10 == 0) scale = precision + 1;  // invalid: both print nothing
    std::vector<uint8_t> bin(40);
    for (auto& b : bin) b = static_cast<uint8_t>(r.U64() % 4 == 0 ? 0 : r.U64());
    if (i % 7 == 0) bin.resize(r.U64() % 8);  // shorter than the type
    DecimalValue v{bin, static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)};
    ASSERT_EQ(Ours(v, Col(kNewDecimal)), Legacy(v, Col(kNewDecimal))) << precision << "," << scale;
    ASSERT_EQ(DecimalToString(bin, precision, scale),
              legacy::DecimalToString(bin, precision, scale));
  }
}

TEST(ValueFormat, TemporalValuesMatchLegacy) {
  Random r;
  for (int i = 0; i < 50000; ++i) {
    const uint64_t a = r.Any(), b = r.U64();
    DateValue d{static_cast<uint16_t>(a), static_cast<uint8_t>(b), static_cast<uint8_t>(b >> 8)};
    ASSERT_EQ(Ours(d, Col(kDate)), Legacy(d, Col(kDate)));
    TimeValue t{(b & 1) != 0,
                static_cast<uint32_t>(a % 5000),
                static_cast<uint8_t>(b >> 16),
                static_cast<uint8_t>(b >> 24),
                static_cast<uint32_t>(b >> 32) % 1000000,
                static_cast<uint8_t>((b >> 8) % 7)};
    ASSERT_EQ(Ours(t, Col(kTime2)), Legacy(t, Col(kTime2)));
    t.hour = static_cast<uint32_t>(a);
    ASSERT_EQ(Ours(t, Col(kTime2)), Legacy(t, Col(kTime2)));
    DateTimeValue dt{static_cast<uint16_t>(a),           static_cast<uint8_t>(b),
                     static_cast<uint8_t>(b >> 8),       static_cast<uint8_t>(b >> 16),
                     static_cast<uint8_t>(b >> 24),      static_cast<uint8_t>(b >> 32),
                     static_cast<uint32_t>(a % 1000000), static_cast<uint8_t>((b >> 40) % 7)};
    ASSERT_EQ(Ours(dt, Col(kDateTime2)), Legacy(dt, Col(kDateTime2)));
    TimestampValue ts{static_cast<uint32_t>(a), static_cast<uint32_t>(b % 1000000),
                      static_cast<uint8_t>((b >> 20) % 7)};
    ASSERT_EQ(Ours(ts, Col(kTimestamp2)), Legacy(ts, Col(kTimestamp2)));
    YearValue y{static_cast<uint16_t>(a % 3 == 0 ? 0 : a)};
    ASSERT_EQ(Ours(y, Col(kYear)), Legacy(y, Col(kYear)));
  }
}

TEST(ValueFormat, StringsBitsSetsAndEnumsMatchLegacy) {
  Random r;
  for (int i = 0; i < 50000; ++i) {
    std::string s = r.Bytes();
    ASSERT_EQ(Ours(StringValue{s}, Col(kVarchar)), Legacy(StringValue{s}, Col(kVarchar)));
    ASSERT_EQ(Ours(GeometryValue{s}, Col(kGeometry)), Legacy(GeometryValue{s}, Col(kGeometry)));
    ASSERT_EQ(Ours(JsonValue{s}, Col(kJson)), Legacy(JsonValue{s}, Col(kJson)));
    const uint64_t a = r.Any();
    SetValue set{a, static_cast<uint8_t>(1 + r.U64() % 8)};
    ASSERT_EQ(Ours(set, Col(kSet)), Legacy(set, Col(kSet)));
    BitValue bit{a, static_cast<uint16_t>(1 + r.U64() % 64)};
    ASSERT_EQ(Ours(bit, Col(kBit)), Legacy(bit, Col(kBit)));
    EnumValue en{static_cast<uint16_t>(a)};
    ASSERT_EQ(Ours(en, Col(kEnum)), Legacy(en, Col(kEnum)));
  }
  EXPECT_EQ(Ours(StringValue{std::string_view("a\nb\x01\x7f\xff", 6)}, Col(kVarchar)),
            "'a\\x0ab\\x01\x7f\xff'");
  EXPECT_EQ(Ours(AbsentValue{}, Col(kLong)), "<absent>");
  EXPECT_EQ(Ours(NullValue{}, Col(kLong)), "NULL");
}

}  // namespace
}  // namespace switchyard::binlog
