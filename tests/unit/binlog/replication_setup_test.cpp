// The replica's setup conversation driven with server packets built by the wire codecs:
// statements, command bytes, both EOF dialects, server errors, and dump-stream packets.
#include <gtest/gtest.h>

#include "binlog/replication_commands.h"
#include "binlog/replication_setup.h"
#include "wire/bytes.h"
#include "wire/column_definition.h"
#include "wire/commands.h"
#include "wire/ok_err_eof.h"
#include "wire/packet_framing.h"
#include "wire/rows.h"

namespace switchyard::binlog {
namespace {

using wire::Bytes;

// The single packet inside a framed output (header stripped; asserts seq 0).
Bytes Unframe(const Bytes& framed) {
  wire::PacketReader r;
  r.Feed(framed);
  auto p = r.NextPacket();
  EXPECT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->seq, 0);
  return Bytes((*p)->payload.begin(), (*p)->payload.end());
}

std::string QueryOf(const Bytes& framed) {
  auto q = wire::ComQuery::Decode(Unframe(framed));
  EXPECT_TRUE(q.ok());
  return q.ok() ? q->query : "";
}

ReplicationSetupOptions Opts(bool mariadb, wire::Capabilities caps, uint32_t server_id = 9999) {
  ReplicationSetupOptions o;
  o.mariadb = mariadb;
  o.capabilities = caps;
  o.server_id = server_id;
  return o;
}

Bytes Ok() {
  return wire::OkPacket{}.Encode(wire::cap::kProtocol41);
}

// Plays the server's answer to the variables SELECT: 3 columns, one row.
SetupStep AnswerVariables(ReplicationSetup& s, wire::Capabilities caps,
                          std::vector<std::optional<std::string>> row) {
  SetupStep step = s.OnPacket(Bytes{3});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(step, SetupStep::kRead);
    wire::ColumnDefinition41 col;
    col.name = "c";
    step = s.OnPacket(col.Encode(caps));
  }
  if (!(caps & wire::cap::kDeprecateEof)) {
    EXPECT_EQ(step, SetupStep::kRead);
    step = s.OnPacket(wire::EofPacket{}.Encode());
  }
  EXPECT_EQ(step, SetupStep::kRead);
  step = s.OnPacket(wire::EncodeTextRow(row));
  EXPECT_EQ(step, SetupStep::kRead);
  if (caps & wire::cap::kDeprecateEof) {
    wire::OkPacket end;
    end.header = 0xFE;
    return s.OnPacket(end.Encode(caps));
  }
  return s.OnPacket(wire::EofPacket{}.Encode());
}

TEST(ReplicationSetup, MariadbStartsAtTheMastersCurrentPositionWithGtidCapability) {
  const auto caps = wire::cap::kProtocol41 | wire::cap::kDeprecateEof;
  ReplicationSetup s({.mariadb = true,
                      .capabilities = caps,
                      .server_id = 9999,
                      .report_host = "sy",
                      .heartbeat_period_ms = 500,
                      .start_position = {}});
  ASSERT_EQ(s.Start(), SetupStep::kWriteThenRead);
  EXPECT_EQ(QueryOf(s.output()),
            "SELECT @@global.binlog_checksum, @@global.gtid_binlog_pos, @@global.server_id");

  ASSERT_EQ(AnswerVariables(s, caps, {"CRC32", "0-1-42,1-2-7", "1"}), SetupStep::kWriteThenRead);
  EXPECT_EQ(s.checksum(), ChecksumAlg::kCrc32);
  EXPECT_EQ(s.master_server_id(), 1u);
  EXPECT_EQ(s.start_position(), "0-1-42,1-2-7");
  EXPECT_EQ(QueryOf(s.output()),
            "SET @master_binlog_checksum='CRC32', @master_heartbeat_period=500000000, "
            "@mariadb_slave_capability=4, @slave_connect_state='0-1-42,1-2-7', "
            "@slave_gtid_strict_mode=1, @slave_gtid_ignore_duplicates=0");

  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenRead);
  auto reg = ComRegisterSlave::Decode(Unframe(s.output()));
  ASSERT_TRUE(reg.ok()) << reg.error().message;
  EXPECT_EQ(reg->server_id, 9999u);
  EXPECT_EQ(reg->host, "sy");

  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenStream);
  auto dump = ComBinlogDump::Decode(Unframe(s.output()));
  ASSERT_TRUE(dump.ok()) << dump.error().message;
  EXPECT_EQ(dump->server_id, 9999u);
  EXPECT_EQ(dump->position, 4u);
  EXPECT_EQ(dump->file, "");
}

TEST(ReplicationSetup, AGivenPositionWinsAndIsNormalised) {
  const auto caps = wire::cap::kProtocol41;  // classic EOFs
  ReplicationSetup s(
      {.mariadb = true, .capabilities = caps, .server_id = 7, .start_position = " 1-2-7 , 0-1-40"});
  ASSERT_EQ(s.Start(), SetupStep::kWriteThenRead);
  ASSERT_EQ(AnswerVariables(s, caps, {"NONE", "0-1-99", "1"}), SetupStep::kWriteThenRead);
  EXPECT_EQ(s.checksum(), ChecksumAlg::kOff);
  EXPECT_EQ(s.start_position(), "0-1-40,1-2-7");
  EXPECT_NE(QueryOf(s.output()).find("@slave_connect_state='0-1-40,1-2-7'"), std::string::npos);
  EXPECT_NE(QueryOf(s.output()).find("@master_binlog_checksum='NONE'"), std::string::npos);
}

TEST(ReplicationSetup, APositionThatIsNotAGtidListNeverReachesTheSql) {
  ReplicationSetup s({.mariadb = true, .start_position = "0-1-1'; DROP TABLE x; --"});
  EXPECT_EQ(s.Start(), SetupStep::kFail);
  EXPECT_NE(s.error().find("start position"), std::string::npos);
}

TEST(ReplicationSetup, MysqlSendsDumpGtidWithTheExecutedSet) {
  const auto caps = wire::cap::kProtocol41 | wire::cap::kDeprecateEof;
  ReplicationSetup s(Opts(false, caps, 5));
  ASSERT_EQ(s.Start(), SetupStep::kWriteThenRead);
  EXPECT_NE(QueryOf(s.output()).find("@@global.gtid_executed"), std::string::npos);
  ASSERT_EQ(AnswerVariables(s, caps, {"CRC32", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10", "1"}),
            SetupStep::kWriteThenRead);
  const std::string set_stmt = QueryOf(s.output());
  EXPECT_NE(set_stmt.find("@source_binlog_checksum='CRC32'"), std::string::npos);
  EXPECT_EQ(set_stmt.find("slave_connect_state"), std::string::npos);
  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenRead);
  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenStream);
  auto dump = ComBinlogDumpGtid::Decode(Unframe(s.output()));
  ASSERT_TRUE(dump.ok()) << dump.error().message;
  EXPECT_EQ(dump->executed.ToString(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10");
  EXPECT_EQ(dump->flags, ComBinlogDumpGtid::kThroughGtid);
}

TEST(ReplicationSetup, MysqlWithTaggedGtidsAsksForThemInTheTaggedEncoding) {
  // MySQL 8.4+ prints gtid_executed with tags (and a newline after each comma).
  const auto caps = wire::cap::kProtocol41 | wire::cap::kDeprecateEof;
  ReplicationSetup s(Opts(false, caps, 5));
  ASSERT_EQ(s.Start(), SetupStep::kWriteThenRead);
  ASSERT_EQ(AnswerVariables(s, caps,
                            {"CRC32",
                             "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10:Nightly:1-3,\n"
                             "4e11fa47-71ca-11e1-9e33-c80aa9429562:1",
                             "1"}),
            SetupStep::kWriteThenRead);
  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenRead);
  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenStream);
  const Bytes payload = Unframe(s.output());
  auto dump = ComBinlogDumpGtid::Decode(payload);
  ASSERT_TRUE(dump.ok()) << dump.error().message;
  EXPECT_EQ(dump->executed.ToString(),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10:nightly:1-3,"
            "4e11fa47-71ca-11e1-9e33-c80aa9429562:1");
  // The block after command(1) flags(2) server_id(4) name_size(4) position(8) data_size(4)
  // opens with the tagged format marker around the entry count 3.
  ASSERT_GT(payload.size(), 23u + 8);
  EXPECT_EQ(wire::ToHex(Bytes(payload.begin() + 23, payload.begin() + 31)), "0103000000000001");
}

TEST(ReplicationSetup, ServerErrorsStopTheSetupWithTheStep) {
  const auto caps = wire::cap::kProtocol41 | wire::cap::kDeprecateEof;
  ReplicationSetup s(Opts(true, caps));
  ASSERT_EQ(s.Start(), SetupStep::kWriteThenRead);
  ASSERT_EQ(AnswerVariables(s, caps, {"CRC32", "", "1"}), SetupStep::kWriteThenRead);
  EXPECT_EQ(s.start_position(), "");
  ASSERT_EQ(s.OnPacket(Ok()), SetupStep::kWriteThenRead);
  wire::ErrPacket denied{1045, "28000", "Access denied"};
  EXPECT_EQ(s.OnPacket(denied.Encode()), SetupStep::kFail);
  ASSERT_TRUE(s.server_error().has_value());
  EXPECT_EQ(s.server_error()->error_code, 1045);
  EXPECT_NE(s.error().find("COM_REGISTER_SLAVE"), std::string::npos);
}

TEST(ReplicationSetup, UnsupportedChecksumOrShapeFails) {
  const auto caps = wire::cap::kProtocol41 | wire::cap::kDeprecateEof;
  ReplicationSetup s(Opts(true, caps));
  ASSERT_EQ(s.Start(), SetupStep::kWriteThenRead);
  EXPECT_EQ(AnswerVariables(s, caps, {"XXH3", "", "1"}), SetupStep::kFail);
  ReplicationSetup t(Opts(true, caps));
  ASSERT_EQ(t.Start(), SetupStep::kWriteThenRead);
  EXPECT_EQ(t.OnPacket(Bytes{2}), SetupStep::kFail);  // two columns
  ReplicationSetup u(Opts(true, caps));
  ASSERT_EQ(u.Start(), SetupStep::kWriteThenRead);
  EXPECT_EQ(u.OnPacket(Ok()), SetupStep::kFail);  // no result set
}

TEST(DumpPacket, EventEofAndError) {
  auto ev = ClassifyDumpPacket(Bytes{0x00, 1, 2, 3});
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->kind, DumpPacket::Kind::kEvent);
  EXPECT_EQ(ev->event.size(), 3u);
  auto eof = ClassifyDumpPacket(wire::EofPacket{}.Encode());
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(eof->kind, DumpPacket::Kind::kEof);
  wire::ErrPacket lost{1236, "HY000", "Could not find GTID state requested by slave"};
  auto err = ClassifyDumpPacket(lost.Encode());
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->kind, DumpPacket::Kind::kError);
  EXPECT_EQ(err->error.error_code, 1236);
  EXPECT_FALSE(ClassifyDumpPacket(Bytes{}).ok());
  EXPECT_FALSE(ClassifyDumpPacket(Bytes{0x42, 0}).ok());
}

}  // namespace
}  // namespace switchyard::binlog
