#include "binlog/text_writer.h"

#include <bit>
#include <cstdint>

namespace switchyard::binlog {

static_assert(std::endian::native == std::endian::little, "digits are stored as words");

const char TextWriter::kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

TextWriter::TextWriter(Sink sink, size_t flush_at) : sink_(std::move(sink)), flush_at_(flush_at) {
  // With a sink: room for one more event past the flush threshold; without: a scratch buffer.
  cap_ = sink_ ? flush_at_ + (size_t{64} << 10) : 256;
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
}

void TextWriter::Grow(size_t n) {
  size_t cap = cap_ * 2;
  while (cap - size_ < n) cap *= 2;
  auto bigger = std::make_unique_for_overwrite<char[]>(cap);
  std::memcpy(bigger.get(), buf_.get(), size_);
  buf_ = std::move(bigger);
  cap_ = cap;
}

void TextWriter::Flush() {
  if (size_ && sink_) sink_(view());
  size_ = 0;
}

namespace {

constexpr uint64_t kPow10[20] = {1ULL,
                                 10ULL,
                                 100ULL,
                                 1000ULL,
                                 10000ULL,
                                 100000ULL,
                                 1000000ULL,
                                 10000000ULL,
                                 100000000ULL,
                                 1000000000ULL,
                                 10000000000ULL,
                                 100000000000ULL,
                                 1000000000000ULL,
                                 10000000000000ULL,
                                 100000000000000ULL,
                                 1000000000000000ULL,
                                 10000000000000000ULL,
                                 100000000000000000ULL,
                                 1000000000000000000ULL,
                                 10000000000000000000ULL};

// The 8 ASCII digits of v (v < 10^8) in one register, first digit in the low byte, by SWAR:
// the two 4-digit halves, then four 2-digit quarters, then eight digits are split in parallel
// lanes with multiply-shift divisions (exact for these ranges: 10486 / 2^20 ~ 1 / 100 for
// values < 10^4, 103 / 2^10 ~ 1 / 10 for values < 100), so nothing goes through memory (no
// table, no store-forwarding stall when the digits are re-read).
inline uint64_t Digits8(uint32_t v) {
  const uint64_t halves = (v / 10000) | static_cast<uint64_t>(v % 10000) << 32;
  const uint64_t hundreds_hi = ((halves * 10486) >> 20) & 0x0000007F0000007FULL;
  const uint64_t quarters = ((halves - 100 * hundreds_hi) << 16) + hundreds_hi;
  uint64_t tens = ((quarters * 103) >> 10) & 0x000F000F000F000FULL;
  tens += (quarters - 10 * tens) << 8;
  return tens + 0x3030303030303030ULL;
}

inline void Write8(char* out, uint32_t v) {
  const uint64_t d = Digits8(v);
  std::memcpy(out, &d, 8);
}

// Digits of v < 10^8 without leading zeros; stores 8 bytes (the tail is overwritten later).
inline char* WriteUpTo8(char* p, uint32_t v) {
  // Digit count from the bit width (log10(2) ~ 1233 / 4096), corrected by one comparison.
  const int t = (static_cast<int>(std::bit_width(v | 1u)) * 1233) >> 12;
  const int digits = t + 1 - ((v | 1u) < kPow10[t]);
  const uint64_t d = Digits8(v) >> (8 * (8 - digits));  // drop the leading zeros
  std::memcpy(p, &d, 8);
  return p + digits;
}

}  // namespace

char* TextWriter::WriteUnsigned(char* p, uint64_t v) {
  if (v < 10) {
    *p = static_cast<char>('0' + v);
    return p + 1;
  }
  if (v < 100000000) return WriteUpTo8(p, static_cast<uint32_t>(v));
  if (v < 10000000000000000ULL) {
    const uint64_t hi = v / 100000000;
    p = WriteUpTo8(p, static_cast<uint32_t>(hi));
    Write8(p, static_cast<uint32_t>(v - hi * 100000000));
    return p + 8;
  }
  const uint64_t top = v / 10000000000000000ULL, rest = v % 10000000000000000ULL;
  p = WriteUpTo8(p, static_cast<uint32_t>(top));
  Write8(p, static_cast<uint32_t>(rest / 100000000));
  Write8(p + 8, static_cast<uint32_t>(rest % 100000000));
  return p + 16;
}

char* TextWriter::WritePadded(char* p, uint32_t v, int width) {
  if (width == 4 && v < 10000) {
    std::memcpy(p, kDigitPairs + 2 * (v / 100), 2);
    std::memcpy(p + 2, kDigitPairs + 2 * (v % 100), 2);
    return p + 4;
  }
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace switchyard::binlog
