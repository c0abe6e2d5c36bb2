#include "binlog/format_double.h"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace switchyard::binlog {

namespace {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang; -Wpedantic needs __extension__

constexpr int kMaxPow10 = 38;
constexpr auto MakePow10() {
  struct Table {
    u128 v[kMaxPow10 + 1];
  } t{};
  t.v[0] = 1;
  for (int i = 1; i <= kMaxPow10; ++i) t.v[i] = t.v[i - 1] * 10;
  return t;
}
constexpr auto kPow10 = MakePow10();

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Exactly 8 decimal digits of v (v < 10^8) at out[0..8).
inline void Write8Digits(char* out, uint32_t v) {
  const uint32_t hi = v / 10000, lo = v % 10000;
  std::memcpy(out, kDigitPairs + 2 * (hi / 100), 2);
  std::memcpy(out + 2, kDigitPairs + 2 * (hi % 100), 2);
  std::memcpy(out + 4, kDigitPairs + 2 * (lo / 100), 2);
  std::memcpy(out + 6, kDigitPairs + 2 * (lo % 100), 2);
}

// 24 digits of v (v < 10^20), zero-padded, at out[0..24). Three independent 8-digit chunks
// keep the division chains short; 10^16 = 2^16 * 5^16 turns the 128-bit division into a shift
// and a 64-bit division (floor(floor(v / a) / b) == floor(v / (a * b))).
inline void Write24Digits(char* out, u128 v) {
  const uint64_t top = static_cast<uint64_t>(v >> 16) / 152587890625ULL;  // < 10^4
  const uint64_t rest = static_cast<uint64_t>(v - static_cast<u128>(top) * 10000000000000000ULL);
  Write8Digits(out, static_cast<uint32_t>(top));
  Write8Digits(out + 8, static_cast<uint32_t>(rest / 100000000));
  Write8Digits(out + 16, static_cast<uint32_t>(rest % 100000000));
}

char* Fallback(char* out, double value, int precision) {
  return std::to_chars(out, out + kMaxGeneralDoubleChars, value, std::chars_format::general,
                       precision)
      .ptr;
}

}  // namespace

char* FormatDoubleGeneral(char* out, double value, int precision) {
  if (precision < 1 || precision > 20) return Fallback(out, value, precision);
  uint64_t bits;
  std::memcpy(&bits, &value, 8);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  if (biased == 0x7ff || (biased == 0 && fraction != 0)) {
    return Fallback(out, value, precision);  // inf, nan, subnormals
  }
  char* const start = out;  // fallbacks write from here (the sign included)
  if (bits >> 63) *out++ = '-';
  if (biased == 0) {  // +-0
    *out++ = '0';
    return out;
  }
  const uint64_t m = fraction | (uint64_t{1} << 52);
  const int e = biased - 1075;  // |value| = m * 2^e
  // floor(log10(2^(biased-1023))): the decimal exponent X of |value| is k or k + 1.
  const int k = ((biased - 1023) * 78913) >> 18;
  const int p = precision;

  // q = |value| * 10^s rounded half to even, for s = p - 1 - X, so that 10^(p-1) <= q < 10^p.
  u128 q = 0;
  int s = p - 1 - k;
  for (int attempt = 0;; ++attempt) {
    u128 rem = 0, half = 0;  // remainder and half the divisor, to round
    bool has_rem = false;
    if (s >= 0) {
      if (s > 22) return Fallback(start, value, precision);  // m * 10^s must fit in 128 bits
      const u128 n = static_cast<u128>(m) * kPow10.v[s];
      if (e >= 0) {
        if (e > 60) return Fallback(start, value, precision);
        q = n << e;
      } else {
        const int sh = -e;
        if (sh > 127) return Fallback(start, value, precision);
        q = n >> sh;
        rem = n & ((static_cast<u128>(1) << sh) - 1);
        half = static_cast<u128>(1) << (sh - 1);
        has_rem = true;
      }
    } else {
      // Large values: |value| / 10^-s, with |value| an integer that fits in 128 bits.
      if (e < 0 || e > 74 || -s > kMaxPow10) return Fallback(start, value, precision);
      const u128 n = static_cast<u128>(m) << e;
      const u128 d = kPow10.v[-s];
      q = n / d;
      rem = n % d;
      half = d / 2;
      has_rem = true;  // d is an even power of ten, so rem == half is an exact tie
    }
    if (q >= kPow10.v[p]) {  // X was k + 1
      if (attempt) return Fallback(start, value, precision);
      --s;
      continue;
    }
    if (q < kPow10.v[p - 1]) return Fallback(start, value, precision);  // cannot happen
    if (has_rem && (rem > half || (rem == half && (q & 1)))) ++q;
    break;
  }
  int x = p - 1 - s;
  if (q == kPow10.v[p]) {  // rounded up to the next power of ten
    q = kPow10.v[p - 1];
    ++x;
  }

  // q has exactly p digits: digits[0..p) after the 24 - p leading zeros are skipped. The
  // buffers leave room for the fixed-size copies below (no variable-length memcpy: short
  // variable copies cost more than the arithmetic above).
  char buf[56];
  Write24Digits(buf, q);
  const char* digits = buf + (24 - p);
  std::memset(buf + 24, '0', 32);
  int nd = p;  // significant digits left after dropping trailing zeros (%g without '#')
  while (nd > 8 && std::memcmp(digits + nd - 8, "00000000", 8) == 0) nd -= 8;
  while (nd > 1 && digits[nd - 1] == '0') --nd;

  if (x < -4 || x >= p) {  // scientific: d[.ddd]e+XX
    out[0] = digits[0];
    out[1] = '.';
    std::memcpy(out + 2, digits + 1, 20);
    out += nd > 1 ? nd + 1 : 1;
    *out++ = 'e';
    *out++ = x < 0 ? '-' : '+';
    unsigned ax = static_cast<unsigned>(x < 0 ? -x : x);
    if (ax >= 100) {
      *out++ = static_cast<char>('0' + ax / 100);
      ax %= 100;
    }
    std::memcpy(out, kDigitPairs + 2 * ax, 2);
    return out + 2;
  }
  if (x >= 0) {                    // ddd[.ddd]
    const int int_digits = x + 1;  // <= p <= 20
    std::memcpy(out, digits, 20);
    if (nd <= int_digits) return out + int_digits;
    out[int_digits] = '.';
    std::memcpy(out + int_digits + 1, digits + int_digits, 20);
    return out + nd + 1;
  }
  // 0.000ddd (x is -1..-4)
  std::memcpy(out, "0.000", 5);
  out += 1 - x;
  std::memcpy(out, digits, 20);
  return out + nd;
}

}  // namespace switchyard::binlog
