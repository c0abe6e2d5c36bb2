// Decodes every file of the binlog testdata folder and checks it against manifest.json (an
// independent walk: event counts, GTIDs, PREVIOUS_GTIDS/GTID_LIST, table maps) and against the
// `# at N` positions of the reference mariadb-binlog decodes.
#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

using testing::DecodedFile;
using testing::DecodeFile;
using testing::TestdataDir;

// Files listed in manifest.json but not shipped in the folder (checked by MissingFiles).
const std::set<std::string> kKnownMissing = {
    "derived/mysql80-transaction-payload-update.000001.payload-expanded"};

std::vector<nlohmann::json> Entries() {
  auto m = testing::LoadManifest();
  return {m.begin(), m.end()};
}

std::vector<std::string> FileNames() {
  std::vector<std::string> out;
  for (const auto& e : Entries()) out.push_back(e["file"]);
  return out;
}

nlohmann::json EntryFor(const std::string& file) {
  for (const auto& e : Entries()) {
    if (e["file"] == file) return e;
  }
  return {};
}

std::string OptionalMetadataName(uint8_t kind) {
  static const char* kNames[] = {"",
                                 "SIGNEDNESS",
                                 "DEFAULT_CHARSET",
                                 "COLUMN_CHARSET",
                                 "COLUMN_NAME",
                                 "SET_STR_VALUE",
                                 "ENUM_STR_VALUE",
                                 "GEOMETRY_TYPE",
                                 "SIMPLE_PRIMARY_KEY",
                                 "PRIMARY_KEY_WITH_PREFIX",
                                 "ENUM_AND_SET_DEFAULT_CHARSET",
                                 "ENUM_AND_SET_COLUMN_CHARSET",
                                 "COLUMN_VISIBILITY",
                                 "VECTOR_DIMENSIONALITY"};
  return kind < 14 ? kNames[kind] : "KIND_" + std::to_string(kind);
}

class ManifestTest : public ::testing::TestWithParam<std::string> {};

TEST(ManifestFiles, MissingFilesAreOnlyTheKnownOnes) {
  std::set<std::string> missing;
  for (const auto& e : Entries()) {
    if (!std::filesystem::exists(TestdataDir() / e["file"].get<std::string>())) {
      missing.insert(e["file"]);
    }
  }
  EXPECT_EQ(missing, kKnownMissing);
  EXPECT_GE(Entries().size(), 50u);
}

TEST_P(ManifestTest, MatchesManifestAndReferencePositions) {
  const nlohmann::json m = EntryFor(GetParam());
  const std::string file = m["file"];
  const auto path = TestdataDir() / file;
  if (kKnownMissing.count(file)) GTEST_SKIP() << file << " is listed but not shipped";
  DecodedFile d = DecodeFile(path);
  ASSERT_TRUE(d.bytes) << *d.error;

  const std::string status = m["decode"]["status"];
  const bool truncated_edge = !m["parse_notes"].empty();
  if (truncated_edge) {
    // "trailing bytes: stopped at 120 of 129": the decoder must fail naming that offset.
    std::smatch sm;
    std::string note = m["parse_notes"][0];
    ASSERT_TRUE(std::regex_search(note, sm, std::regex("stopped at (\\d+)")));
    ASSERT_TRUE(d.error.has_value()) << file << " decoded without error";
    EXPECT_NE(d.error->find("offset " + sm[1].str()), std::string::npos) << *d.error;
  } else {
    ASSERT_FALSE(d.error.has_value()) << file << ": " << *d.error;
  }

  // Event type counts, top level and inside TRANSACTION_PAYLOADs.
  std::map<std::string, int> counts, inner_counts;
  std::set<std::string> tables, metadata_kinds;
  std::set<int> column_types;
  std::vector<const Event*> all;
  for (const auto& de : d.events) {
    counts[EventTypeName(de.event.header.type)]++;
    all.push_back(&de.event);
    for (const auto& in : de.inner) {
      inner_counts[EventTypeName(in.header.type)]++;
      all.push_back(&in);
    }
  }
  std::map<std::string, int> want_counts = m["event_counts"].get<std::map<std::string, int>>();
  EXPECT_EQ(counts, want_counts) << file;
  if (!m["transaction_payload_inner_event_counts"].is_null()) {
    EXPECT_EQ(inner_counts,
              (m["transaction_payload_inner_event_counts"].get<std::map<std::string, int>>()));
  }

  // Table maps: names, column type codes, optional metadata kinds.
  for (const Event* ev : all) {
    if (auto* tm = std::get_if<TableMapEvent>(&ev->body)) {
      tables.insert(tm->table->database + "." + tm->table->table);
      for (const auto& c : tm->table->columns) column_types.insert(c.type);
      for (uint8_t k : tm->table->optional_metadata_kinds) {
        metadata_kinds.insert(OptionalMetadataName(k));
      }
    }
  }
  EXPECT_EQ(tables, (m["tables"].get<std::set<std::string>>())) << file;
  EXPECT_EQ(column_types, (m["column_type_codes"].get<std::set<int>>())) << file;
  EXPECT_EQ(metadata_kinds, (m["table_map_optional_metadata"].get<std::set<std::string>>()))
      << file;

  // GTIDs. The manifest walk does not parse GTID_TAGGED (type 42): gtid_set_test.cpp checks
  // every field of the one in mysql96-gtid-tagged.000001, tagged_gtid_test.cpp hand-built ones.
  std::vector<std::tuple<std::string, std::optional<uint64_t>, std::optional<uint64_t>>> gtids;
  for (const Event* ev : all) {
    if (ev->header.type == static_cast<uint8_t>(EventType::kGtidTagged)) continue;
    if (auto* g = std::get_if<MysqlGtidEvent>(&ev->body)) {
      gtids.emplace_back(g->GtidText(), g->last_committed, g->sequence_number);
    } else if (auto* mg = std::get_if<MariadbGtidEvent>(&ev->body)) {
      gtids.emplace_back(mg->gtid.ToString(), std::nullopt, std::nullopt);
    }
  }
  ASSERT_EQ(gtids.size(), m["gtid_count"].get<size_t>()) << file;
  // Long lists are elided in the middle with a "..." string: compare head and tail.
  const auto& want_list = m["gtids"];
  size_t n_want = want_list.is_null() ? 0 : want_list.size();
  size_t elided = n_want;
  for (size_t i = 0; i < n_want; ++i) {
    if (want_list[i].is_string()) elided = i;
  }
  for (size_t k = 0; k < n_want; ++k) {
    if (k == elided) continue;
    size_t i = k < elided ? k : gtids.size() - (n_want - k);
    const auto& want = want_list[k];
    EXPECT_EQ(std::get<0>(gtids[i]), want["gtid"].get<std::string>()) << file << " #" << i;
    if (!want["last_committed"].is_null()) {
      EXPECT_EQ(std::get<1>(gtids[i]), want["last_committed"].get<uint64_t>()) << file;
      EXPECT_EQ(std::get<2>(gtids[i]), want["sequence_number"].get<uint64_t>()) << file;
    }
  }

  // PREVIOUS_GTIDS / GTID_LIST content.
  std::vector<std::string> prev;
  for (const Event* ev : all) {
    if (auto* p = std::get_if<PreviousGtidsEvent>(&ev->body)) {
      bool tagged = false;
      for (const auto& [sid, ivs] : p->gtids.sets()) tagged |= !sid.second.empty();
      // The manifest walk leaves tagged sets unparsed; gtid_set_test.cpp checks their content.
      prev.push_back(tagged ? "(tagged/other encoding, not parsed)" : p->gtids.ToString());
    } else if (auto* l = std::get_if<MariadbGtidListEvent>(&ev->body)) {
      std::string s = "MariaDB GTID_LIST [";
      for (size_t i = 0; i < l->gtids.size(); ++i) s += (i ? "," : "") + l->gtids[i].ToString();
      prev.push_back(s + "]");
    }
  }
  if (m["previous_gtids_or_gtid_list"].is_null()) {
    EXPECT_TRUE(prev.empty()) << file;
  } else {
    auto want = m["previous_gtids_or_gtid_list"].get<std::vector<std::string>>();
    EXPECT_EQ(prev, want) << file;
  }

  // Positions: every `# at N` of the reference decode, in order (dumps were decoded with the
  // magic prefixed, so N = offset + 4). Truncated edge files have no complete decode.
  if (!truncated_edge && m["decode"].contains("main") && !m["decode"]["main"].is_null()) {
    auto ref_path = path.parent_path() / m["decode"]["main"].get<std::string>();
    std::string text = testing::ReadText(ref_path);
    std::vector<uint64_t> want;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("# at ", 0) != 0) continue;
      uint64_t n = std::stoull(line.substr(5));
      if (want.empty() || want.back() != n) want.push_back(n);
    }
    std::vector<uint64_t> got;
    for (const auto& de : d.events) got.push_back(de.offset + (d.has_magic ? 0 : 4));
    EXPECT_EQ(got, want) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFiles, ManifestTest, ::testing::ValuesIn(FileNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace switchyard::binlog
