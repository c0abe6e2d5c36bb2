// Exact printf("%.{precision}g") rendering of a double (what mariadb-binlog prints for FLOAT
// and DOUBLE columns), byte-identical to std::to_chars(general, precision). Values whose exact
// scaled form fits in 128 bits (about 1e-3..1e38 for 20 digits) take a short integer path;
// the rest go through std::to_chars, which is exact but several times slower.
#pragma once

namespace switchyard::binlog {

// Writes at most kMaxGeneralDoubleChars bytes at `out` and returns the end.
// `precision` is the number of significant digits, 1..20.
inline constexpr int kMaxGeneralDoubleChars = 48;
char* FormatDoubleGeneral(char* out, double value, int precision);

}  // namespace switchyard::binlog
