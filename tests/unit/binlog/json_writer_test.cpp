// The --json writer must print exactly what nlohmann::json::dump(-1, ' ', false, replace)
// printed for the same values (the dump's JSON schema predates it): compared on random
// strings (controls, quotes, valid and invalid UTF-8), doubles and column values.
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "binlog/json_writer.h"
#include "binlog/value_format.h"

namespace switchyard::binlog {
namespace {

using namespace coltype;

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string OursString(std::string_view s) {
  TextWriter w;
  WriteJsonString(w, s);
  return std::string(w.view());
}

std::string OursValue(const ColumnValue& v, const ColumnDef& c) {
  TextWriter w;
  WriteValueJson(w, v, c);
  return std::string(w.view());
}

ColumnDef Col(uint8_t type) {
  ColumnDef c;
  c.type = c.real_type = type;
  c.charset = 45;
  return c;
}

std::string RandomBytes(std::mt19937_64& rng) {
  static const char* const kPieces[] = {"a",
                                        "\"",
                                        "\\",
                                        "\n",
                                        "\x01",
                                        "\x1f",
                                        "\x7f",
                                        "é",
                                        "€",
                                        "😀",
                                        "\xc3",
                                        "\xe2\x82",
                                        "\xed\xa0\x80",
                                        "\xc0\xaf",
                                        "\xf4\x90\x80\x80",
                                        "\xff",
                                        "abcdefghij"};
  std::string s;
  size_t n = rng() % 24;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 3 == 0) {
      s += static_cast<char>(rng());
    } else {
      s += kPieces[rng() % (sizeof kPieces / sizeof kPieces[0])];
    }
  }
  return s;
}

TEST(JsonWriter, StringsMatchNlohmann) {
  EXPECT_EQ(OursString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(OursString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200000; ++i) {
    std::string s = RandomBytes(rng);
    ASSERT_EQ(OursString(s), Dump(nlohmann::json(s))) << i;
  }
}

TEST(JsonWriter, DoublesMatchNlohmann) {
  std::mt19937_64 rng(6);
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, 8);
    for (double v : {d, static_cast<double>(static_cast<int64_t>(bits % 100000)) / 3.0,
                     static_cast<double>(static_cast<float>(bits % 1000) / 7.0f)}) {
      TextWriter w;
      WriteJsonDouble(w, v);
      ASSERT_EQ(std::string(w.view()), Dump(nlohmann::json(v)));
    }
  }
}

TEST(JsonWriter, ColumnValuesMatchColumnValueToJson) {
  std::mt19937_64 rng(7);
  ColumnDef en = Col(kEnum), set = Col(kSet), bin = Col(kBlob);
  en.enum_or_set_values = {"a", "b\"", "\xff"};
  set.enum_or_set_values = {"x", "y", "z"};
  bin.charset = 63;
  for (int i = 0; i < 50000; ++i) {
    const uint64_t a = rng(), b = rng();
    std::string s = RandomBytes(rng);
    std::vector<uint8_t> dec(30);
    for (auto& x : dec) x = static_cast<uint8_t>(rng());
    const std::pair<ColumnValue, ColumnDef> cases[] = {
        {NullValue{}, Col(kLong)},
        {static_cast<int64_t>(a), Col(kLongLong)},
        {a, Col(kLongLong)},
        {static_cast<float>(static_cast<int32_t>(a)) / 9.0f, Col(kFloat)},
        {static_cast<double>(static_cast<int64_t>(a)) / 7.0, Col(kDouble)},
        {DecimalValue{dec, 30, static_cast<uint8_t>(b % 31)}, Col(kNewDecimal)},
        {DateValue{static_cast<uint16_t>(a), static_cast<uint8_t>(b), static_cast<uint8_t>(b >> 8)},
         Col(kDate)},
        {TimeValue{(b & 1) != 0, static_cast<uint32_t>(a % 900), static_cast<uint8_t>(b >> 8),
                   static_cast<uint8_t>(b >> 16), static_cast<uint32_t>(a % 1000000),
                   static_cast<uint8_t>(b % 7)},
         Col(kTime2)},
        {DateTimeValue{static_cast<uint16_t>(a), static_cast<uint8_t>(b),
                       static_cast<uint8_t>(b >> 8), static_cast<uint8_t>(b >> 16),
                       static_cast<uint8_t>(b >> 24), static_cast<uint8_t>(b >> 32),
                       static_cast<uint32_t>(a % 1000000), static_cast<uint8_t>(b % 7)},
         Col(kDateTime2)},
        {TimestampValue{static_cast<uint32_t>(a), static_cast<uint32_t>(b % 1000000),
                        static_cast<uint8_t>(b % 7)},
         Col(kTimestamp2)},
        {YearValue{static_cast<uint16_t>(a % 2200)}, Col(kYear)},
        {EnumValue{static_cast<uint16_t>(a % 5)}, en},
        {SetValue{a, 1}, set},
        {SetValue{a, 8}, Col(kSet)},
        {BitValue{a, 64}, Col(kBit)},
        {StringValue{s}, Col(kVarchar)},
        {StringValue{s}, bin},
        {GeometryValue{s}, Col(kGeometry)},
        {JsonDiffValue{s}, Col(kJson)},
    };
    for (const auto& [v, c] : cases) {
      ASSERT_EQ(OursValue(v, c), Dump(ColumnValueToJson(v, c))) << "type index " << v.index();
    }
  }
}

}  // namespace
}  // namespace switchyard::binlog
