#include "wire/response_reader.h"

#include <gtest/gtest.h>

#include "captured_mariadb.h"
#include "test_util.h"
#include "wire/handshake.h"
#include "wire/packet_framing.h"
#include "wire/payload_writer.h"

namespace switchyard::wire {
namespace {

using testing::FramePayloads;

// Capabilities negotiated in the captured session (client's flags & server's flags).
Capabilities CapturedCaps() {
  auto server = HandshakeV10::Decode(FramePayloads(captured::kS1Greeting)[0]);
  auto client = HandshakeResponse41::Decode(FramePayloads(captured::kS1LoginResponse)[0]);
  return server->capabilities & client->capabilities;
}

constexpr Capabilities kModern = cap::kProtocol41 | cap::kSessionTrack | cap::kDeprecateEof |
                                 cap::kTransactions | cap::kMultiResults | cap::kPsMultiResults;
constexpr Capabilities kClassic = cap::kProtocol41 | cap::kSessionTrack | cap::kTransactions |
                                  cap::kMultiResults | cap::kPsMultiResults;

Bytes ColumnCount(uint64_t n) {
  Bytes b;
  PutLenenc(b, n);
  return b;
}
Bytes ColumnDef(std::string_view name) {
  Bytes b;
  for (std::string_view s : {std::string_view("def"), std::string_view("db"), std::string_view("t"),
                             std::string_view("t"), name, name}) {
    PutLenencString(b, s);
  }
  PutLenenc(b, 0x0c);
  PutU16(b, 45);
  PutU32(b, 11);
  PutU8(b, 3);
  PutU16(b, 0);
  PutU8(b, 0);
  PutU16(b, 0);
  return b;
}
Bytes TextRow(std::string_view v) {
  Bytes b;
  PutLenencString(b, v);
  return b;
}
Bytes Eof(uint16_t status_flags) {
  return EofPacket{0, status_flags}.Encode();
}
Bytes OkEof(uint16_t status_flags, Capabilities caps) {
  OkPacket ok;
  ok.header = 0xFE;
  ok.status_flags = status_flags;
  return ok.Encode(caps);
}
Bytes Ok(uint16_t status_flags, Capabilities caps, uint64_t affected = 0) {
  OkPacket ok;
  ok.affected_rows = affected;
  ok.status_flags = status_flags;
  return ok.Encode(caps);
}

// Feeds packets; expects kNeedMore for all but the last, and returns the last step.
ResponseStep FeedAll(ResponseReader& r, const std::vector<Bytes>& packets) {
  for (size_t i = 0; i < packets.size(); ++i) {
    auto step = r.OnServerFrame(packets[i]);
    EXPECT_TRUE(step.ok()) << "packet " << i << ": " << step.error().message;
    if (!step.ok()) return ResponseStep::kNeedMore;
    if (i + 1 < packets.size()) {
      EXPECT_EQ(step.value(), ResponseStep::kNeedMore) << "packet " << i;
    } else {
      return step.value();
    }
  }
  return ResponseStep::kNeedMore;
}

TEST(ResponseReader, RealOkWithLastGtid) {
  ResponseReader r(CapturedCaps());
  auto start = r.StartFromCommand(FramePayloads(captured::kS1InsertQuery)[0]);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(*start, ResponseStep::kNeedMore);
  EXPECT_EQ(FeedAll(r, FramePayloads(captured::kS1InsertOk)), ResponseStep::kComplete);
  EXPECT_TRUE(r.complete());
  ASSERT_TRUE(r.outcome().ok);
  EXPECT_EQ(r.outcome().ok->affected_rows, 1u);
  EXPECT_EQ(*r.outcome().LastGtid(), "0-1-4");
  EXPECT_FALSE(r.outcome().failed());
  // Anything after completion is a protocol error.
  EXPECT_FALSE(r.OnServerFrame(Ok(0, CapturedCaps())).ok());
}

TEST(ResponseReader, RealErr) {
  ResponseReader r(CapturedCaps());
  r.Start(Command::kQuery);
  EXPECT_EQ(FeedAll(r, FramePayloads(captured::kS2BadQueryErr)), ResponseStep::kComplete);
  ASSERT_TRUE(r.outcome().err);
  EXPECT_EQ(r.outcome().err->error_code, 1054);
}

TEST(ResponseReader, RealTextResultSetClassicEof) {
  ResponseReader r(CapturedCaps());
  ASSERT_FALSE(Has(CapturedCaps(), cap::kDeprecateEof));
  r.Start(Command::kQuery);
  auto frames = FramePayloads(captured::kS1SelectResult);
  EXPECT_EQ(frames.size(), 9u);  // count, 3 defs, EOF, 3 rows, EOF
  EXPECT_EQ(FeedAll(r, frames), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().rows, 3u);
  EXPECT_EQ(r.outcome().result_sets, 1u);
  EXPECT_EQ(*r.outcome().status_flags, status::kAutocommit | status::kNoIndexUsed);
}

TEST(ResponseReader, RealMultiStatementResults) {
  // "SELECT 1; DO 2; SELECT 3": result set, OK, result set; MORE_RESULTS_EXISTS until the last.
  ResponseReader r(CapturedCaps());
  r.Start(Command::kQuery);
  EXPECT_EQ(FeedAll(r, FramePayloads(captured::kS2MultiResult)), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().result_sets, 2u);
  EXPECT_EQ(r.outcome().rows, 2u);
  EXPECT_EQ(*r.outcome().status_flags, status::kAutocommit);
}

TEST(ResponseReader, RealLocalInfileWithProgressReport) {
  ResponseReader r(CapturedCaps());
  r.Start(Command::kQuery);
  auto step = r.OnServerFrame(FramePayloads(captured::kS2InfileRequest)[0]);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(*step, ResponseStep::kNeedClientData);
  EXPECT_EQ(r.local_infile_name(), "/tmp/wirecap/in.csv");
  // Server data while the client owes the file is an error, checked on a copy.
  ResponseReader copy = r;
  EXPECT_FALSE(copy.OnServerFrame(Ok(0, CapturedCaps())).ok());
  auto client = FramePayloads(captured::kS2InfileData);
  ASSERT_EQ(client.size(), 2u);
  EXPECT_EQ(*r.OnClientFrame(client[0]), ResponseStep::kNeedClientData);
  EXPECT_EQ(*r.OnClientFrame(client[1]), ResponseStep::kNeedMore);  // empty packet: end of file
  EXPECT_EQ(*r.OnServerFrame(FramePayloads(captured::kS2Progress)[0]), ResponseStep::kNeedMore);
  EXPECT_EQ(*r.OnServerFrame(FramePayloads(captured::kS2LoadDataOk)[0]), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().ok->affected_rows, 2u);
}

TEST(ResponseReader, DeprecateEofResultSetAndMultiResults) {
  ResponseReader r(kModern);
  r.Start(Command::kQuery);
  std::vector<Bytes> packets = {ColumnCount(2),
                                ColumnDef("a"),
                                ColumnDef("b"),
                                TextRow("1"),
                                TextRow("2"),
                                OkEof(status::kAutocommit | status::kMoreResultsExists, kModern),
                                Ok(status::kAutocommit | status::kMoreResultsExists, kModern, 5),
                                ColumnCount(1),
                                ColumnDef("c"),
                                OkEof(status::kAutocommit, kModern)};
  EXPECT_EQ(FeedAll(r, packets), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().result_sets, 2u);
  EXPECT_EQ(r.outcome().rows, 2u);
  EXPECT_EQ(r.outcome().ok->header, 0xFE);
}

TEST(ResponseReader, ErrInsideRowsEndsResponse) {
  ResponseReader r(kClassic);
  r.Start(Command::kQuery);
  ErrPacket err{1317, "70100", "Query execution was interrupted"};
  std::vector<Bytes> packets = {ColumnCount(1), ColumnDef("a"), Eof(status::kAutocommit),
                                TextRow("x"), err.Encode()};
  EXPECT_EQ(FeedAll(r, packets), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().err->error_code, 1317);
  EXPECT_EQ(r.outcome().rows, 1u);
}

TEST(ResponseReader, BigRowSpanningFramesIsNotMistakenForEof) {
  for (Capabilities caps : {kModern, kClassic}) {
    ResponseReader r(caps);
    r.Start(Command::kQuery);
    std::vector<Bytes> head = {ColumnCount(1), ColumnDef("blob")};
    if (!Has(caps, cap::kDeprecateEof)) head.push_back(Eof(0));
    for (auto& p : head) ASSERT_EQ(*r.OnServerFrame(p), ResponseStep::kNeedMore);
    // A row whose first column is 16 MiB: lenenc prefix 0xFE, frames of 0xFFFFFF then a tail
    // that itself starts with 0xFE and is short, like an EOF would be.
    Bytes frame1(kMaxFramePayload, 'x');
    frame1[0] = 0xFE;
    Bytes tail = {0xFE, 0, 0, 2, 0};
    EXPECT_EQ(*r.OnServerFrame(frame1), ResponseStep::kNeedMore);
    EXPECT_EQ(*r.OnServerFrame(tail), ResponseStep::kNeedMore);
    EXPECT_EQ(r.outcome().rows, 1u);
    Bytes end = Has(caps, cap::kDeprecateEof) ? OkEof(2, caps) : Eof(2);
    EXPECT_EQ(*r.OnServerFrame(end), ResponseStep::kComplete);
  }
}

TEST(ResponseReader, LargeFramesStreamOnlyWhereTheyCanBeRows) {
  ResponseReader r(kModern);
  r.Start(Command::kQuery);
  // Before the rows (column count, definitions) a large frame must be seen whole.
  EXPECT_FALSE(r.OnLargeServerFrame(300000, 0x01));
  ASSERT_EQ(*r.OnServerFrame(ColumnCount(1)), ResponseStep::kNeedMore);
  EXPECT_FALSE(r.OnLargeServerFrame(300000, 0x01));
  ASSERT_EQ(*r.OnServerFrame(ColumnDef("blob")), ResponseStep::kNeedMore);
  // In the rows: an ERR (0xFF) or a possible OK-as-EOF (0xFE under 1 MiB) must be seen whole.
  EXPECT_FALSE(r.OnLargeServerFrame(300000, 0xFF));
  EXPECT_FALSE(r.OnLargeServerFrame(300000, 0xFE));
  EXPECT_EQ(r.outcome().frames, 2u) << "a refused frame is not counted";
  // A 300 KB row streams; so does a 16 MiB row starting 0xFE and its continuation frames.
  EXPECT_EQ(r.OnLargeServerFrame(300000, 0xFC), ResponseStep::kNeedMore);
  EXPECT_EQ(r.OnLargeServerFrame(kMaxFramePayload, 0xFE), ResponseStep::kNeedMore);
  EXPECT_EQ(r.OnLargeServerFrame(kMaxFramePayload, 0x00), ResponseStep::kNeedMore);  // continuation
  Bytes tail = {0xFE, 0, 0, 2, 0};  // the row's last frame: short, like an EOF, but a continuation
  EXPECT_EQ(*r.OnServerFrame(tail), ResponseStep::kNeedMore);
  EXPECT_EQ(r.outcome().rows, 2u);
  EXPECT_EQ(*r.OnServerFrame(OkEof(2, kModern)), ResponseStep::kComplete);
  EXPECT_FALSE(r.OnLargeServerFrame(300000, 0x01)) << "nothing streams after the response";
}

TEST(ResponseReader, PrepareResponseClassicAndDeprecateEof) {
  for (Capabilities caps : {kClassic, kModern}) {
    ResponseReader r(caps);
    r.Start(Command::kStmtPrepare);
    Bytes ok = {0x00};
    PutU32(ok, 7);
    PutU16(ok, 2);  // columns
    PutU16(ok, 1);  // params
    PutU8(ok, 0);
    PutU16(ok, 0);
    std::vector<Bytes> packets = {ok, ColumnDef("?")};
    if (!Has(caps, cap::kDeprecateEof)) packets.push_back(Eof(status::kAutocommit));
    packets.push_back(ColumnDef("a"));
    packets.push_back(ColumnDef("b"));
    if (!Has(caps, cap::kDeprecateEof)) packets.push_back(Eof(status::kAutocommit));
    EXPECT_EQ(FeedAll(r, packets), ResponseStep::kComplete);
    ASSERT_TRUE(r.outcome().prepare);
    EXPECT_EQ(r.outcome().prepare->statement_id, 7u);
    EXPECT_EQ(r.outcome().prepare->num_columns, 2);
    EXPECT_EQ(r.outcome().prepare->num_params, 1);
  }
}

TEST(ResponseReader, PrepareWithoutParamsOrColumnsAndError) {
  ResponseReader r(kClassic);
  r.Start(Command::kStmtPrepare);
  Bytes ok = {0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(*r.OnServerFrame(ok), ResponseStep::kComplete);
  r.Start(Command::kStmtPrepare);
  EXPECT_EQ(*r.OnServerFrame(ErrPacket{1064, "42000", "syntax"}.Encode()), ResponseStep::kComplete);
  EXPECT_TRUE(r.outcome().failed());
  EXPECT_FALSE(r.outcome().prepare);
}

TEST(ResponseReader, ExecuteBinaryRowsStartingWithZero) {
  ResponseReader r(kModern);
  Bytes exec = {0x17, 1, 0, 0, 0, 0x00, 1, 0, 0, 0};
  ASSERT_EQ(*r.StartFromCommand(exec), ResponseStep::kNeedMore);
  Bytes binary_row = {0x00, 0x00, 0x2A, 0, 0, 0};  // header, null bitmap, int 42
  std::vector<Bytes> packets = {ColumnCount(1), ColumnDef("a"), binary_row, binary_row,
                                OkEof(status::kAutocommit, kModern)};
  EXPECT_EQ(FeedAll(r, packets), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().rows, 2u);
  EXPECT_FALSE(r.outcome().cursor_opened);
}

TEST(ResponseReader, ExecuteWithCursorThenFetch) {
  for (Capabilities caps : {kClassic, kModern}) {
    ResponseReader r(caps);
    Bytes exec = {0x17, 1, 0, 0, 0, 0x01, 1, 0, 0, 0};  // CURSOR_TYPE_READ_ONLY
    ASSERT_EQ(*r.StartFromCommand(exec), ResponseStep::kNeedMore);
    uint16_t st = status::kAutocommit | status::kCursorExists;
    Bytes end = Has(caps, cap::kDeprecateEof) ? OkEof(st, caps) : Eof(st);
    EXPECT_EQ(FeedAll(r, {ColumnCount(1), ColumnDef("a"), end}), ResponseStep::kComplete);
    EXPECT_TRUE(r.outcome().cursor_opened);
    EXPECT_EQ(r.outcome().rows, 0u);

    r.Start(Command::kStmtFetch);
    Bytes row = {0x00, 0x00, 1, 0, 0, 0};
    uint16_t st2 = status::kAutocommit | status::kCursorExists | status::kLastRowSent;
    Bytes last = Has(caps, cap::kDeprecateEof) ? OkEof(st2, caps) : Eof(st2);
    EXPECT_EQ(FeedAll(r, {row, row, row, last}), ResponseStep::kComplete);
    EXPECT_EQ(r.outcome().rows, 3u);
    EXPECT_TRUE(*r.outcome().status_flags & status::kLastRowSent);
  }
}

TEST(ResponseReader, CursorRequestedButNotOpenedStreamsRows) {
  ResponseReader r(kModern);
  r.Start(Command::kStmtExecute, {.cursor_requested = true});
  Bytes row = {0x00, 0x00, 1, 0, 0, 0};
  EXPECT_EQ(FeedAll(r, {ColumnCount(1), ColumnDef("a"), row, OkEof(status::kAutocommit, kModern)}),
            ResponseStep::kComplete);
  EXPECT_FALSE(r.outcome().cursor_opened);
  EXPECT_EQ(r.outcome().rows, 1u);
}

TEST(ResponseReader, SimpleCommands) {
  ResponseReader r(kModern);
  for (Command c : {Command::kStmtClose, Command::kStmtSendLongData, Command::kQuit}) {
    EXPECT_EQ(r.Start(c), ResponseStep::kComplete);
    EXPECT_TRUE(r.complete());
  }
  for (Command c : {Command::kPing, Command::kInitDb, Command::kResetConnection,
                    Command::kSetOption, Command::kStmtReset}) {
    EXPECT_EQ(r.Start(c), ResponseStep::kNeedMore);
    EXPECT_EQ(*r.OnServerFrame(Ok(status::kAutocommit, kModern)), ResponseStep::kComplete);
    r.Start(c);
    EXPECT_FALSE(r.OnServerFrame(ColumnCount(1)).ok());  // a result set is not allowed here
  }
  r.Start(Command::kStatistics);
  EXPECT_EQ(*r.OnServerFrame(ToBytes("Uptime: 10  Threads: 1")), ResponseStep::kComplete);
  r.Start(Command::kFieldList);
  EXPECT_EQ(FeedAll(r, {ColumnDef("a"), ColumnDef("b"), OkEof(0, kModern)}),
            ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().rows, 2u);
}

TEST(ResponseReader, ChangeUserAuthExchange) {
  ResponseReader r(kModern);
  r.Start(Command::kChangeUser);
  AuthSwitchRequest sw{"mysql_native_password", Bytes(21, 'a')};
  EXPECT_EQ(*r.OnServerFrame(sw.Encode()), ResponseStep::kNeedClientData);
  EXPECT_EQ(*r.OnClientFrame(Bytes(20, 1)), ResponseStep::kNeedMore);
  EXPECT_EQ(*r.OnServerFrame(Bytes{0x01, 0x03}), ResponseStep::kNeedMore);  // fast auth ok
  EXPECT_EQ(*r.OnServerFrame(Ok(status::kAutocommit, kModern)), ResponseStep::kComplete);
}

TEST(ResponseReader, GarbageIsAnError) {
  ResponseReader r(kModern);
  r.Start(Command::kQuery);
  EXPECT_FALSE(r.OnServerFrame(Bytes{}).ok());
  r.Start(Command::kQuery);
  EXPECT_FALSE(r.OnServerFrame(Bytes{0xFC, 1}).ok());  // truncated column count
  r.Start(Command::kQuery);
  EXPECT_FALSE(r.OnServerFrame(Bytes{0x02, 0x00}).ok());  // trailing bytes after count
  r.Start(Command::kQuery);
  EXPECT_FALSE(r.OnClientFrame(Bytes{1}).ok());  // not waiting for the client
  EXPECT_FALSE(r.StartFromCommand(Bytes{}).ok());
}

}  // namespace
}  // namespace switchyard::wire

namespace switchyard::wire {
namespace {

// Session 4 (real MariaDB 10.11, DEPRECATE_EOF): every response completes exactly at its end.
TEST(ResponseReaderOnRealDeprecateEof, AllResponsesCompleteAtTheirLastFrame) {
  const Capabilities caps =
      cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb | cap::kLocalFiles |
      cap::kIgnoreSpace | cap::kProtocol41 | cap::kInteractive | cap::kTransactions |
      cap::kSecureConnection | cap::kMultiStatements | cap::kMultiResults | cap::kPsMultiResults |
      cap::kPluginAuth | cap::kPluginAuthLenencClientData | cap::kSessionTrack | cap::kDeprecateEof;
  struct Case {
    const char* command;
    const char* response;
    uint64_t rows;
    size_t result_sets;
    bool cursor;
  };
  const Case cases[] = {
      {captured::kDeofSelectCommand, captured::kDeofSelectResponse, 3, 1, false},
      {captured::kDeofMultiCommand, captured::kDeofMultiResponse, 2, 2, false},
      {captured::kDeofEmptyCommand, captured::kDeofEmptyResponse, 0, 1, false},
      {captured::kDeofPrepareCommand, captured::kDeofPrepareResponse, 0, 0, false},
      {captured::kDeofExecuteCursorCommand, captured::kDeofExecuteCursorResponse, 0, 1, true},
      {captured::kDeofFetchCommand, captured::kDeofFetchResponse, 2, 0, false},
      {captured::kDeofFetchEndCommand, captured::kDeofFetchEndResponse, 1, 0, false},
      {captured::kDeofExecuteCommand, captured::kDeofExecuteResponse, 3, 1, false},
      {captured::kDeofPingCommand, captured::kDeofPingResponse, 0, 0, false},
  };
  ResponseReader r(caps);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.command);
    ASSERT_EQ(*r.StartFromCommand(testing::FramePayloads(c.command)[0]), ResponseStep::kNeedMore);
    EXPECT_EQ(FeedAll(r, testing::FramePayloads(c.response)), ResponseStep::kComplete);
    EXPECT_EQ(r.outcome().rows, c.rows);
    EXPECT_EQ(r.outcome().result_sets, c.result_sets);
    EXPECT_EQ(r.outcome().cursor_opened, c.cursor);
    EXPECT_FALSE(r.outcome().failed());
  }
}

}  // namespace
}  // namespace switchyard::wire
