#include "binlog/decimal.h"

#include "binlog/column_value.h"
#include "binlog/text_writer.h"

namespace switchyard::binlog {

namespace {
constexpr uint8_t kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};
}  // namespace

size_t DecimalBinarySize(unsigned precision, unsigned scale) {
  if (scale > precision || precision > 65 || precision == 0) return 0;
  unsigned intg = precision - scale;
  return (intg / 9) * 4 + kDig2Bytes[intg % 9] + (scale / 9) * 4 + kDig2Bytes[scale % 9];
}

char* WriteDecimal(char* out, std::span<const uint8_t> bin, unsigned precision, unsigned scale) {
  size_t size = DecimalBinarySize(precision, scale);
  if (size == 0 || bin.size() < size) return out;
  const unsigned intg = precision - scale;
  const bool negative = !(bin[0] & 0x80);
  const uint8_t mask = negative ? 0xff : 0x00;
  size_t pos = 0;
  // Big-endian groups of up to 9 digits; the first byte has its sign bit flipped.
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
  if (negative) *out++ = '-';
  // Integer part: groups print zero-padded to their width (a group of a corrupt value that
  // exceeds its width shows its low digits), then leading zeros are dropped; all zero -> "0".
  bool leading = true;
  auto integer_group = [&](uint32_t v, unsigned width) {
    v %= kPow10[width];
    if (leading) {
      if (v == 0) return;
      out = TextWriter::WriteUnsigned(out, v);
      leading = false;
    } else {
      out = TextWriter::WritePadded(out, v, static_cast<int>(width));
    }
  };
  if (intg % 9) integer_group(read(kDig2Bytes[intg % 9]), intg % 9);
  for (unsigned i = 0; i < intg / 9; ++i) integer_group(read(4), 9);
  if (leading) *out++ = '0';
  if (scale) {
    *out++ = '.';
    for (unsigned i = 0; i < scale / 9; ++i)
      out = TextWriter::WritePadded(out, read(4) % kPow10[9], 9);
    if (scale % 9) {
      out = TextWriter::WritePadded(out, read(kDig2Bytes[scale % 9]) % kPow10[scale % 9],
                                    static_cast<int>(scale % 9));
    }
  }
  return out;
}

std::string DecimalToString(std::span<const uint8_t> bin, unsigned precision, unsigned scale) {
  char buf[kMaxDecimalChars];
  return std::string(buf, WriteDecimal(buf, bin, precision, scale));
}

std::string DecimalValue::ToString() const {
  return DecimalToString(bin, precision, scale);
}

}  // namespace switchyard::binlog
