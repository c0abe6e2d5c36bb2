#include "binlog/text_writer.h"

#include <bit>

namespace switchyard::binlog {

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

inline uint64_t Pair(uint32_t v) {  // two ASCII digits of v < 100, first in the low byte
  uint16_t two;
  std::memcpy(&two, TextWriter::kDigitPairs + 2 * v, 2);
  return two;
}

// The 8 ASCII digits of v (v < 10^8) in one register, first digit in the low byte. Built in a
// register, not in memory: re-reading digit pairs just stored as one 8-byte load stalls store
// forwarding. The two halves are independent, so the divisions do not form one long chain.
inline uint64_t Digits8(uint32_t v) {
  const uint32_t hi = v / 10000, lo = v % 10000;
  return Pair(hi / 100) | Pair(hi % 100) << 16 | Pair(lo / 100) << 32 | Pair(lo % 100) << 48;
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
