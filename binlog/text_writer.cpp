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

// Exactly 8 digits of v (v < 10^8): two independent halves, two digit pairs each, so the
// divisions do not form one long dependency chain.
inline void Write8(char* out, uint32_t v) {
  const uint32_t hi = v / 10000, lo = v % 10000;
  std::memcpy(out, TextWriter::kDigitPairs + 2 * (hi / 100), 2);
  std::memcpy(out + 2, TextWriter::kDigitPairs + 2 * (hi % 100), 2);
  std::memcpy(out + 4, TextWriter::kDigitPairs + 2 * (lo / 100), 2);
  std::memcpy(out + 6, TextWriter::kDigitPairs + 2 * (lo % 100), 2);
}

// Digits of v < 10^8 without leading zeros; writes 8 bytes (the tail is overwritten later).
inline char* WriteUpTo8(char* p, uint32_t v) {
  // Digit count from the bit width (log10(2) ~ 1233 / 4096), corrected by one comparison.
  const int t = (static_cast<int>(std::bit_width(v | 1u)) * 1233) >> 12;
  const int digits = t + 1 - ((v | 1u) < kPow10[t]);
  char tmp[16] = {};  // 8 digits, then slack for the fixed-size copy below
  Write8(tmp, v);
  std::memcpy(p, tmp + 8 - digits, 8);
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
