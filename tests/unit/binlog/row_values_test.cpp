// Row values against the reference decodes: for every file whose `mariadb-binlog -vv` decode
// is complete ("ok"), and for the rows printed in the partial -vv decodes of the others, each
// `###   @N=value` line must equal our mariadb-style rendering of the same column, event by
// event. Every column type present in those decodes is compared; none is skipped. (Types that
// mariadb-binlog cannot print - JSON, VECTOR, MariaDB hi-res temporals - never appear in them.)
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "binlog/value_format.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

struct RefValue {
  int column;  // 1-based
  std::string text;
  std::string type;  // as printed in the -vv comment, e.g. "DECIMAL(10,4)"
};

// All `###   @N=` values of a decode, in print order.
std::vector<RefValue> ParseReference(const std::string& text) {
  std::vector<RefValue> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("###   @", 0) != 0) continue;
    size_t eq = line.find('=');
    size_t comment = line.rfind(" /* ");
    if (eq == std::string::npos || comment == std::string::npos || comment < eq) continue;
    RefValue v;
    v.column = std::stoi(line.substr(7, eq - 7));
    v.text = line.substr(eq + 1, comment - eq - 1);
    while (!v.text.empty() && v.text.back() == ' ') v.text.pop_back();  // FLOAT is %-20g
    std::string c = line.substr(comment + 4);
    v.type = c.substr(0, c.find(" meta="));
    out.push_back(v);
  }
  return out;
}

// Our values for one rows event in mariadb-binlog print order (WHERE image, then SET image).
std::vector<RefValue> Render(const RowsEvent& rows) {
  std::vector<RefValue> out;
  RowReader reader(rows);
  Row before, after;
  auto emit = [&](const Row& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (std::holds_alternative<AbsentValue>(row[i])) continue;
      out.push_back(
          {static_cast<int>(i + 1), FormatValueMariadbStyle(row[i], rows.table->columns[i]), ""});
    }
  };
  while (reader.Next(&before, &after)) {
    emit(before);
    emit(after);
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status().error().message;
  return out;
}

struct Case {
  std::string file;
  std::string reference;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }
};

std::vector<Case> Cases() {
  std::vector<Case> out;
  for (const auto& e : testing::LoadManifest()) {
    std::string file = e["file"];
    if (!std::filesystem::exists(testing::TestdataDir() / file)) continue;
    const auto& d = e["decode"];
    std::string dir = std::filesystem::path(file).parent_path().string();
    auto rel = [&](const std::string& n) { return dir.empty() ? n : dir + "/" + n; };
    if (d["status"] == "ok") {
      out.push_back({file, rel(d["main"])});
    } else if (d.contains("partial") && !d["partial"].is_null() && e["parse_notes"].empty()) {
      out.push_back({file, rel(d["partial"])});
    }
  }
  return out;
}

class RowValuesTest : public ::testing::TestWithParam<Case> {};

TEST_P(RowValuesTest, ValuesMatchReferenceDecode) {
  const Case& c = GetParam();
  // mariadb-binlog prints the rows of consecutive rows events only after the event that ends
  // the statement (STMT_END_F), so values are compared as one flat sequence per file.
  std::vector<RefValue> want =
      ParseReference(testing::ReadText(testing::TestdataDir() / c.reference));
  auto d = testing::DecodeFile(testing::TestdataDir() / c.file);
  if (!c.reference.ends_with("partial.txt")) {
    ASSERT_FALSE(d.error.has_value()) << *d.error;
  }
  std::vector<RefValue> got;
  std::vector<uint64_t> got_offset;
  for (const auto& de : d.events) {
    auto* r = std::get_if<RowsEvent>(&de.event.body);
    if (!r || !r->table || got.size() >= want.size()) continue;
    for (auto& v : Render(*r)) {
      got.push_back(v);
      got_offset.push_back(de.offset);
    }
  }
  // Partial decodes stop early; complete ones must account for every value.
  if (c.reference.ends_with("partial.txt")) {
    ASSERT_GE(got.size(), want.size()) << c.file;
    got.resize(want.size());
  } else {
    ASSERT_EQ(got.size(), want.size()) << c.file;
  }
  int failures = 0;
  for (size_t i = 0; i < got.size() && failures < 20; ++i) {
    bool same = got[i].column == want[i].column && got[i].text == want[i].text;
    EXPECT_TRUE(same) << c.file << " event at offset " << got_offset[i] << ": @" << want[i].column
                      << " (" << want[i].type << ") want " << want[i].text << " got @"
                      << got[i].column << " " << got[i].text;
    failures += !same;
  }
  RecordProperty("values_compared", static_cast<int>(got.size()));
}

INSTANTIATE_TEST_SUITE_P(Reference, RowValuesTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string n = info.param.file;
                           for (char& ch : n) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

// The compared decodes must cover the main scalar families the brief asks for.
TEST(RowValuesCoverage, ReferenceTypesIncludeIntegersStringsDecimalsTemporals) {
  std::set<std::string> types;
  for (const auto& c : Cases()) {
    for (const auto& v : ParseReference(testing::ReadText(testing::TestdataDir() / c.reference))) {
      types.insert(v.type.substr(0, v.type.find('(')));
    }
  }
  for (const char* t : {"TINYINT", "SHORTINT", "MEDIUMINT", "INT", "LONGINT", "DECIMAL", "FLOAT",
                        "DOUBLE", "DATE", "DATETIME", "TIMESTAMP", "TIME", "YEAR", "VARSTRING",
                        "STRING", "BLOB/TEXT", "ENUM", "SET", "BIT"}) {
    EXPECT_TRUE(types.count(t)) << t;
  }
}

}  // namespace
}  // namespace switchyard::binlog
