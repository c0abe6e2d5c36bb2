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

char* TextWriter::WriteUnsigned(char* p, uint64_t v) {
  static constexpr uint64_t kPow10[20] = {1ULL,
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
  // Digit count from the bit width (log10(2) ~ 1233 / 4096), corrected by one comparison;
  // then the digits are written backwards two at a time.
  const int t = (static_cast<int>(std::bit_width(v | 1)) * 1233) >> 12;
  const int digits = t + 1 - ((v | 1) < kPow10[t]);
  char* q = p + digits;
  while (v >= 100) {
    q -= 2;
    std::memcpy(q, kDigitPairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10) {
    std::memcpy(q - 2, kDigitPairs + 2 * v, 2);
  } else {
    q[-1] = static_cast<char>('0' + v);
  }
  return p + digits;
}

char* TextWriter::WritePadded(char* p, uint32_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace switchyard::binlog
