// Replica commands checked byte for byte (hand-assembled from the protocol documentation),
// round-tripped, and their decoders fed garbage.
#include <gtest/gtest.h>

#include "binlog/binlog_file.h"
#include "binlog/replication_commands.h"
#include "testdata_util.h"
#include "wire/bytes.h"

namespace switchyard::binlog {
namespace {

using wire::FromHex;
using wire::ToHex;

TEST(ComRegisterSlave, EncodesEveryFieldLittleEndianWithShortStrings) {
  ComRegisterSlave c;
  c.server_id = 9999;  // 0x270f
  c.host = "sy";
  c.user = "r";
  c.password = "";
  c.port = 3306;  // 0x0cea
  c.master_id = 1;
  auto bytes = c.Encode();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes),
            "15"        // COM_REGISTER_SLAVE
            "0f270000"  // server_id
            "02"
            "7379"  // hostname
            "01"
            "72"          // user
            "00"          // password
            "ea0c"        // port
            "00000000"    // replication rank
            "01000000");  // master id
  auto back = ComRegisterSlave::Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->host, "sy");
  EXPECT_EQ(back->port, 3306);
  EXPECT_EQ(back->master_id, 1u);
}

TEST(ComRegisterSlave, RefusesStringsLongerThanALengthByte) {
  ComRegisterSlave c;
  c.host = std::string(256, 'h');
  EXPECT_FALSE(c.Encode().ok());
}

TEST(ComRegisterSlave, DecodeNamesTheTruncatedField) {
  auto r = ComRegisterSlave::Decode(FromHex("15 0f270000 05 7379"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("hostname"), std::string::npos) << r.error().message;
}

TEST(ComBinlogDump, MariadbGtidModeAsksForPosition4OfNoFile) {
  ComBinlogDump d;
  d.server_id = 9999;
  EXPECT_EQ(ToHex(d.Encode()),
            "12"
            "04000000"
            "0000"
            "0f270000");
  d.file = "db1-bin.000002";
  d.position = 0x1234;
  d.flags = ComBinlogDump::kNonBlock;
  auto back = ComBinlogDump::Decode(d.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->file, "db1-bin.000002");
  EXPECT_EQ(back->position, 0x1234u);
  EXPECT_EQ(back->flags, ComBinlogDump::kNonBlock);
  EXPECT_FALSE(ComBinlogDump::Decode(FromHex("03 04000000")).ok());  // COM_QUERY byte
}

TEST(ComBinlogDumpGtid, EncodesTheSidBlockWithHalfOpenIntervals) {
  auto set = MysqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7");
  ASSERT_TRUE(set.ok());
  ComBinlogDumpGtid d;
  d.server_id = 2;
  d.executed = *set;
  auto bytes = d.Encode();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(ToHex(*bytes),
            "1e"                                // COM_BINLOG_DUMP_GTID
            "0400"                              // flags: BINLOG_THROUGH_GTID
            "02000000"                          // server_id
            "00000000"                          // binlog name size, no name
            "0400000000000000"                  // position 4
            "40000000"                          // data size: 8 + 16 + 8 + 2 * 16 = 64
            "0100000000000000"                  // one sid
            "3e11fa4771ca11e19e33c80aa9429562"  // uuid
            "0200000000000000"                  // two intervals
            "0100000000000000"
            "0600000000000000"  // [1, 6)
            "0700000000000000"
            "0800000000000000");  // [7, 8)
  auto back = ComBinlogDumpGtid::Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->executed, *set);
  EXPECT_EQ(back->server_id, 2u);
}

TEST(ComBinlogDumpGtid, EmptySetIsAZeroSidCount) {
  ComBinlogDumpGtid d;
  auto bytes = d.Encode();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ToHex(*bytes).substr(ToHex(*bytes).size() - 24),
            "08000000"
            "0000000000000000");
}

TEST(ComBinlogDumpGtid, TaggedSetsUseTheTaggedEncodingTheServerWrites) {
  // MySQL 9.6 wrote this set into the PREVIOUS_GTIDS event of mysql96-gtid-tagged.000001 with
  // Gtid_set::encode, the same function that reads COM_BINLOG_DUMP_GTID's block: byte equality
  // with the server's own bytes (event body at file offset 127 + 19, 95 bytes).
  auto file = ReadWholeFile((testing::TestdataDir() / "mysql96-gtid-tagged.000001").string());
  ASSERT_TRUE(file.ok());
  ASSERT_GE(file->size(), 146u + 95u);
  const wire::Bytes server_bytes(file->begin() + 146, file->begin() + 146 + 95);
  auto set = MysqlGtidSet::Parse("55778904-0299-11F1-B1B8-4EF0C4956FEB:1-13:MyTag:1-2");
  ASSERT_TRUE(set.ok());
  ComBinlogDumpGtid d;
  d.executed = *set;
  auto bytes = d.Encode();
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  const std::string hex = ToHex(*bytes);
  EXPECT_EQ(hex.substr(hex.size() - 2 * 95), ToHex(server_bytes));
  EXPECT_EQ(hex.substr(hex.size() - 2 * 99, 8), "5f000000");  // data size 95
  // Spelled out: format 1 in the top and low bytes around the entry count 2, and a tag
  // length byte (varlen: 5 << 1) before "mytag"; the untagged entry has length 0.
  EXPECT_EQ(ToHex(server_bytes).substr(0, 16), "0102000000000001");
  auto back = ComBinlogDumpGtid::Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->executed, *set);
}

TEST(ComBinlogDumpGtid, UntaggedSetsKeepTheClassicEncodingOlderServersRead) {
  auto set = MysqlGtidSet::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3");
  ASSERT_TRUE(set.ok());
  auto block = EncodeGtidSetBlock(*set);
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(ToHex(*block).substr(0, 16), "0100000000000000");
  EXPECT_EQ(block->size(), 8u + 16 + 8 + 16);
}

TEST(GtidSetBlock, TaggedGarbageIsAnErrorWithItsOffset) {
  const std::string uuid = "3e11fa4771ca11e19e33c80aa9429562";
  // Unknown format byte 2.
  auto r = DecodeGtidSetBlock(FromHex("0000000000000002"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown format 2"), std::string::npos) << r.error().message;
  // Tagged entry whose tag is not a tag ("9x").
  auto bad_tag = DecodeGtidSetBlock(FromHex("0101000000000001" + uuid + "04" + "3978" +
                                            "0100000000000000"
                                            "0100000000000000"
                                            "0200000000000000"));
  ASSERT_FALSE(bad_tag.ok());
  EXPECT_NE(bad_tag.error().message.find("offset 24"), std::string::npos)
      << bad_tag.error().message;
  // A tag length running past the block.
  auto cut = DecodeGtidSetBlock(
      FromHex("0101000000000001" + uuid + "40" + "6162" + "000000000000000000000000"));
  ASSERT_FALSE(cut.ok());
  // Intervals out of order.
  auto unordered = DecodeGtidSetBlock(FromHex("0100000000000000" + uuid +
                                              "0200000000000000"
                                              "0500000000000000"
                                              "0600000000000000"
                                              "0100000000000000"
                                              "0200000000000000"));
  ASSERT_FALSE(unordered.ok());
  EXPECT_NE(unordered.error().message.find("bad interval [1, 2)"), std::string::npos);
  // Trailing bytes after a complete set.
  auto trailing = DecodeGtidSetBlock(FromHex("0000000000000000ff"));
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.error().message.find("trailing"), std::string::npos);
}

TEST(GtidSetBlock, GarbageCountsAreErrorsNotAllocations) {
  // 2^60 sids in a 8-byte block.
  auto r = DecodeGtidSetBlock(FromHex("0000000000000010"));
  ASSERT_FALSE(r.ok());
  // An interval whose end is not after its start.
  auto bad =
      DecodeGtidSetBlock(FromHex("0100000000000000"
                                 "3e11fa4771ca11e19e33c80aa9429562"
                                 "0100000000000000"
                                 "0500000000000000"
                                 "0500000000000000"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("bad interval"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::binlog
