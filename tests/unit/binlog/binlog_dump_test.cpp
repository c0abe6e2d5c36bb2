// The offline `binlog dump` command: text and JSON output, position ranges, raw dumps, and the
// exit codes for decode errors (with the offset) and IO/usage errors.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "binlog/binlog_dump.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

struct DumpResult {
  int code;
  std::string out, err;
};

DumpResult Dump(BinlogDumpOptions o) {
  std::ostringstream out, err;
  int code = RunBinlogDump(o, out, err);
  return {code, out.str(), err.str()};
}

std::string Path(const char* name) {
  return (testing::TestdataDir() / name).string();
}

BinlogDumpOptions Opts(std::string path) {
  BinlogDumpOptions o;
  o.path = std::move(path);
  return o;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(BinlogDump, TextHasEventLinesAndRowValues) {
  auto r = Dump(Opts(Path("mysql80-gtid-rows.000002")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("#4 FORMAT_DESCRIPTION "), std::string::npos);
  EXPECT_NE(r.out.find("#197 GTID ts=1773162714 server_id=1 size=79 log_pos=276 "
                       "gtid=396e294c-1ca4-11f1-9ae7-00155da79c6b:5"),
            std::string::npos);
  EXPECT_NE(r.out.find("#408 UPDATE_ROWS_V2 "), std::string::npos);
  EXPECT_NE(r.out.find("### UPDATE `test`.`t1`\n### WHERE\n###   @1=1\n### SET\n###   @1=101\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("### DELETE FROM `test`.`t1`\n### WHERE\n###   @1=4\n"), std::string::npos);
  EXPECT_NE(r.out.find("#824 STOP"), std::string::npos);
  EXPECT_TRUE(r.err.empty());
}

TEST(BinlogDump, JsonOneObjectPerEvent) {
  BinlogDumpOptions o = Opts(Path("mysql80-gtid-rows.000002"));
  o.json = true;
  auto r = Dump(o);
  ASSERT_EQ(r.code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 13u);  // the 13 events of the file
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["pos"], 4);
  EXPECT_EQ(first["type"], "FORMAT_DESCRIPTION");
  bool saw_update = false;
  for (const auto& l : lines) {
    auto j = nlohmann::json::parse(l);
    if (j["type"] == "UPDATE_ROWS_V2") {
      saw_update = true;
      ASSERT_EQ(j["rows"].size(), 3u);
      EXPECT_EQ(j["rows"][0]["before"]["@1"], 1);
      EXPECT_EQ(j["rows"][0]["after"]["@1"], 101);
    }
  }
  EXPECT_TRUE(saw_update);
}

TEST(BinlogDump, JsonUsesColumnNamesAndTypedValues) {
  BinlogDumpOptions o = Opts(Path("mysql84-dumpstream-alltypes-full-metadata.events"));
  o.json = true;
  auto r = Dump(o);
  ASSERT_EQ(r.code, 0) << r.err;
  bool found = false;
  for (const auto& l : Lines(r.out)) {
    auto j = nlohmann::json::parse(l);
    if (j["type"] != "WRITE_ROWS_V2" || j["rows"].empty()) continue;
    const auto& after = j["rows"][0]["after"];
    if (!after.contains("js") || after["js"].is_null()) continue;
    found = true;
    EXPECT_TRUE(after["js"].is_object()) << after.dump();
    EXPECT_EQ(after["js"]["big"], 9223372036854775807LL);
    EXPECT_EQ(after["dec_col"], "-12345678901234567.0123456789");
    EXPECT_EQ(after["e"], "b");  // enum label from ENUM_STR_VALUE metadata
  }
  EXPECT_TRUE(found);
}

TEST(BinlogDump, StartAndStopPositions) {
  BinlogDumpOptions o = Opts(Path("mysql80-gtid-rows.000002"));
  o.start_position = 408;
  o.stop_position = 529;
  auto r = Dump(o);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> events;
  for (const auto& l : Lines(r.out)) {
    if (l.rfind("#", 0) == 0 && l.rfind("###", 0) != 0) events.push_back(l.substr(0, l.find(' ')));
  }
  EXPECT_EQ(events, (std::vector<std::string>{"#408", "#498"}));
  o.stop_position = 100;  // before start
  EXPECT_EQ(Dump(o).code, 2);
}

TEST(BinlogDump, RawEventDumpWithoutMagic) {
  auto r = Dump(Opts(Path("mysql84-dumpstream-alltypes.events")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# raw event dump", 0), 0u);
  EXPECT_NE(r.out.find("#0 ROTATE ts=0"), std::string::npos);
}

// MariaDB 5.3 hi-res temporal columns (capture_hires) have no fraction width in the TABLE_MAP:
// their rows cannot be sized. The dump reports that event, continues, and exits with 1.
TEST(BinlogDump, MariadbHiresTemporalRowsAreReportedNotFatal) {
  auto r = Dump(Opts(Path("mariadb118-dumpstream-alltypes-compressed.events")));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("rows event at offset 5419"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hi-res"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.rfind("# raw event dump", 0), 0u);
  EXPECT_NE(r.out.find("#0 ROTATE ts=0"), std::string::npos);
  EXPECT_NE(r.out.find("MARIA_WRITE_ROWS_COMPRESSED_V1"), std::string::npos);
  EXPECT_NE(r.out.find("gtid_list=0-1-16"), std::string::npos);
}

TEST(BinlogDump, TruncatedFileIsDecodeErrorWithOffset) {
  auto r = Dump(Opts(Path("edge-mysql57-truncated-previous-gtids.000001")));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("offset 120"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("#4 FORMAT_DESCRIPTION"), std::string::npos);  // printed before the error
}

TEST(BinlogDump, CrcMismatchNamesTheOffset) {
  auto data = ReadWholeFile(Path("mysql80-gtid-rows.000002"));
  ASSERT_TRUE(data.ok());
  (*data)[300] ^= 0x40;  // inside the QUERY event at 276
  auto tmp = std::filesystem::temp_directory_path() / "switchyard_binlog_dump_crc.bin";
  std::ofstream(tmp, std::ios::binary)
      .write(reinterpret_cast<const char*>(data->data()),
             static_cast<std::streamsize>(data->size()));
  auto r = Dump(Opts(tmp.string()));
  std::filesystem::remove(tmp);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("CRC32 mismatch in QUERY event at offset 276"), std::string::npos) << r.err;
}

TEST(BinlogDump, UsageAndIoErrors) {
  EXPECT_EQ(Dump(Opts("")).code, 2);
  auto r = Dump(Opts("/nonexistent/binlog.000001"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/nonexistent/binlog.000001"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::binlog
