// TextWriter: digits of every magnitude, padding, growth past the initial capacity, flushing
// to the sink in chunks; and the event CRC32 (now zlib's) against its check value.
#include <charconv>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "binlog/event_header.h"
#include "binlog/text_writer.h"

namespace switchyard::binlog {
namespace {

std::string Unsigned(uint64_t v) {
  char buf[24];
  return std::string(buf, TextWriter::WriteUnsigned(buf, v));
}

std::string Reference(uint64_t v) {
  char buf[24];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

TEST(TextWriter, UnsignedDigitsAtEveryMagnitude) {
  uint64_t p = 1;
  for (int d = 0; d < 20; ++d, p *= 10) {
    for (uint64_t v : {p - 1, p, p + 1, p * 2 - 1, p * 9}) {
      ASSERT_EQ(Unsigned(v), Reference(v)) << v;
    }
  }
  EXPECT_EQ(Unsigned(~uint64_t{0}), "18446744073709551615");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    ASSERT_EQ(Unsigned(v), Reference(v));
  }
}

TEST(TextWriter, SignedAndPadded) {
  char buf[24];
  EXPECT_EQ(std::string(buf, TextWriter::WriteSigned(buf, INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(std::string(buf, TextWriter::WriteSigned(buf, -5)), "-5");
  EXPECT_EQ(std::string(buf, TextWriter::WritePadded(buf, 42, 6)), "000042");
  EXPECT_EQ(std::string(buf, TextWriter::WritePadded(buf, 1234567, 3)), "567");  // low digits
  EXPECT_EQ(std::string(buf, TextWriter::Write2(buf, 7)), "07");
}

TEST(TextWriter, GrowsAndFlushesInChunks) {
  std::string sink;
  int flushes = 0;
  TextWriter w(
      [&](std::string_view s) {
        sink += s;
        ++flushes;
      },
      1000);
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    w.AppendUnsigned(static_cast<uint64_t>(i));
    w.Put(',');
    expected += std::to_string(i) + ",";
    w.FlushIfFull();
  }
  w.Append(std::string(300000, 'x'));  // larger than the whole buffer
  expected += std::string(300000, 'x');
  w.Flush();
  EXPECT_EQ(sink, expected);
  EXPECT_GT(flushes, 10);
  EXPECT_LT(flushes, 40);  // chunks of about 1000 bytes, not one call per value
}

TEST(Crc32, CheckValueAndChaining) {
  const std::string s = "123456789";
  std::span<const uint8_t> b(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  EXPECT_EQ(Crc32(b), 0xCBF43926u);
  EXPECT_EQ(Crc32(b.subspan(4), Crc32(b.first(4))), 0xCBF43926u);
  EXPECT_EQ(Crc32({}), 0u);
}

TEST(Crc32, MatchesZlibAtEveryLengthAndAlignment) {
  // The carry-less multiplication path (blocks of 16 from 64 bytes on) against zlib's tables.
  std::mt19937_64 rng(11);
  std::vector<uint8_t> data(4096 + 64);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t len = 0; len < 600; ++len) {
    for (size_t align : {0, 1, 7}) {
      const uint32_t seed = static_cast<uint32_t>(rng());
      std::span<const uint8_t> b(data.data() + align, len);
      ASSERT_EQ(Crc32(b, seed), crc32_z(seed, b.data(), b.size())) << len << " " << align;
    }
  }
  std::span<const uint8_t> all(data.data(), 4096 + 13);
  EXPECT_EQ(Crc32(all), crc32_z(0, all.data(), all.size()));
}

}  // namespace
}  // namespace switchyard::binlog
