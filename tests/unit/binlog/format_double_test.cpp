// FormatDoubleGeneral must print exactly what std::to_chars(general, precision) (= printf %.Ng)
// prints, for every double: the dump's FLOAT/DOUBLE values are compared byte for byte with
// mariadb-binlog's.
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "binlog/format_double.h"

namespace switchyard::binlog {
namespace {

std::string Ours(double v, int p) {
  char buf[kMaxGeneralDoubleChars];
  return std::string(buf, FormatDoubleGeneral(buf, v, p));
}

std::string Reference(double v, int p) {
  char buf[128];
  return std::string(buf,
                     std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, p).ptr);
}

void ExpectSame(double v, int p) {
  ASSERT_EQ(Ours(v, p), Reference(v, p))
      << "precision " << p << " value bits " << std::hexfloat << v;
}

TEST(FormatDouble, KnownValues) {
  EXPECT_EQ(Ours(1.0, 20), "1");
  EXPECT_EQ(Ours(1.0 / 3, 20), "0.33333333333333331483");
  EXPECT_EQ(Ours(-1.5, 20), "-1.5");
  EXPECT_EQ(Ours(0.0, 20), "0");
  EXPECT_EQ(Ours(-0.0, 20), "-0");
  EXPECT_EQ(Ours(1e20, 20), "1e+20");
  EXPECT_EQ(Ours(1e-5, 20), "1.0000000000000000818e-05");
  EXPECT_EQ(Ours(static_cast<double>(0.1f), 6), "0.1");
  EXPECT_EQ(Ours(2.5, 1), "2");  // exact tie: half to even
  EXPECT_EQ(Ours(3.5, 1), "4");
  EXPECT_EQ(Ours(123456789.0, 6), "1.23457e+08");
}

TEST(FormatDouble, SpecialValuesMatchToChars) {
  for (double v : {double{INFINITY},
                   -double{INFINITY},
                   double{NAN},
                   5e-324,
                   -2.2250738585072009e-308,
                   2.2250738585072014e-308,
                   1.7976931348623157e308,
                   9.9999999999999999999e19,
                   99999999999999999999.0,
                   0.001,
                   0.0001,
                   0.00009999999999999999,
                   1e15,
                   1e16,
                   1e17,
                   1e19,
                   1e21,
                   1e22,
                   1e23,
                   1e38,
                   1e39,
                   4503599627370496.0,
                   9007199254740993.0}) {
    for (int p : {1, 6, 17, 20}) ExpectSame(v, p);
  }
}

TEST(FormatDouble, SmallIntegersRatiosAndTies) {
  for (int i = -2000; i <= 2000; ++i) {
    for (double v : {i / 1.0, i / 3.0, i / 7.0, i / 8.0, i * 0.1, i * 1e-3, i * 1e13, i + 0.5}) {
      ExpectSame(v, 20);
      ExpectSame(v, 6);
      ExpectSame(v, 1 + (i & 15));
    }
  }
}

TEST(FormatDouble, RandomBitPatterns) {
  std::mt19937_64 rng(20261130);
  for (int i = 0; i < 300000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, 8);
    ExpectSame(v, 20);
    ExpectSame(v, 6);
    ExpectSame(v, 1 + static_cast<int>(bits % 20));
  }
}

TEST(FormatDouble, RandomValuesInTheFastRange) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> exponent(-6, 40);
  for (int i = 0; i < 300000; ++i) {
    double v = mantissa(rng) * std::pow(10.0, exponent(rng));
    ExpectSame(v, 20);
    ExpectSame(static_cast<double>(static_cast<float>(v)), 6);
  }
}

}  // namespace
}  // namespace switchyard::binlog
