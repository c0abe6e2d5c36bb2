// MySQL binary DECIMAL(precision, scale) -> exact decimal text ("-123.4500").
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace switchyard::binlog {

// Number of bytes a DECIMAL(precision, scale) value occupies (0 if the type is invalid).
size_t DecimalBinarySize(unsigned precision, unsigned scale);

// Formats like MySQL's decimal2string: no leading zeros, exactly `scale` fraction digits.
// Returns an empty string when `bin` is shorter than DecimalBinarySize().
std::string DecimalToString(std::span<const uint8_t> bin, unsigned precision, unsigned scale);

// The same text written at `out` (at most kMaxDecimalChars bytes); returns the end, which is
// `out` itself when DecimalToString would return an empty string.
inline constexpr size_t kMaxDecimalChars = 80;
char* WriteDecimal(char* out, std::span<const uint8_t> bin, unsigned precision, unsigned scale);

}  // namespace switchyard::binlog
