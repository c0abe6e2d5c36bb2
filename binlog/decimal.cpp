#include "binlog/decimal.h"

#include "binlog/column_value.h"

namespace switchyard::binlog {

namespace {
constexpr uint8_t kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

void AppendPadded(std::string& out, uint32_t v, int digits) {
  char buf[10];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, digits);
}
}  // namespace

size_t DecimalBinarySize(unsigned precision, unsigned scale) {
  if (scale > precision || precision > 65 || precision == 0) return 0;
  unsigned intg = precision - scale;
  return (intg / 9) * 4 + kDig2Bytes[intg % 9] + (scale / 9) * 4 + kDig2Bytes[scale % 9];
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
  if (intg % 9) AppendPadded(digits, read(kDig2Bytes[intg % 9]), static_cast<int>(intg % 9));
  for (unsigned i = 0; i < intg / 9; ++i) AppendPadded(digits, read(4), 9);
  size_t first = digits.find_first_not_of('0');
  std::string out = negative ? "-" : "";
  out += first == std::string::npos ? "0" : digits.substr(first);
  if (scale) {
    out += '.';
    for (unsigned i = 0; i < scale / 9; ++i) AppendPadded(out, read(4), 9);
    if (scale % 9) AppendPadded(out, read(kDig2Bytes[scale % 9]), static_cast<int>(scale % 9));
  }
  return out;
}

std::string DecimalValue::ToString() const {
  return DecimalToString(bin, precision, scale);
}

}  // namespace switchyard::binlog
