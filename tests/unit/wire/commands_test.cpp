#include "wire/commands.h"

#include <gtest/gtest.h>

#include "captured_mariadb.h"
#include "test_util.h"
#include "wire/column_definition.h"
#include "wire/response_reader.h"
#include "wire/rows.h"

namespace switchyard::wire {
namespace {

using testing::ExpectEveryPrefixFails;
using testing::FramePayloads;

Capabilities CapturedCaps() {
  auto server = HandshakeV10::Decode(FramePayloads(captured::kS1Greeting)[0]);
  auto client = HandshakeResponse41::Decode(FramePayloads(captured::kS1LoginResponse)[0]);
  return server->capabilities & client->capabilities;
}

TEST(ComQuery, RealAndRoundTrip) {
  auto q = ComQuery::Decode(FramePayloads(captured::kS1Select1Query)[0]);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->query, "SELECT 1");
  EXPECT_EQ(q->Encode(), FramePayloads(captured::kS1Select1Query)[0]);
  EXPECT_FALSE(ComQuery::Decode(Bytes{}).ok());
  EXPECT_FALSE(ComQuery::Decode(ComInitDb{"x"}.Encode()).ok());
  EXPECT_EQ(*PeekCommand(q->Encode()), Command::kQuery);
}

TEST(Commands, SimpleRoundTrips) {
  EXPECT_EQ(ComInitDb::Decode(ComInitDb{"shop"}.Encode())->schema, "shop");
  EXPECT_EQ(ComStmtPrepare::Decode(ComStmtPrepare{"SELECT ?"}.Encode())->query, "SELECT ?");
  auto ld = ComStmtSendLongData::Decode(ComStmtSendLongData{7, 2, "blob"}.Encode());
  ASSERT_TRUE(ld.ok());
  EXPECT_EQ(ld->statement_id, 7u);
  EXPECT_EQ(ld->param_id, 2);
  EXPECT_EQ(ld->data, "blob");
  EXPECT_EQ(ComStmtClose::Decode(ComStmtClose{9}.Encode())->statement_id, 9u);
  EXPECT_EQ(ComStmtReset::Decode(ComStmtReset{10}.Encode())->statement_id, 10u);
  auto f = ComStmtFetch::Decode(ComStmtFetch{11, 100}.Encode());
  EXPECT_EQ(f->statement_id, 11u);
  EXPECT_EQ(f->num_rows, 100u);
  EXPECT_EQ(ComProcessKill::Decode(ComProcessKill{42}.Encode())->connection_id, 42u);
  EXPECT_EQ(ComSetOption::Decode(ComSetOption{ComSetOption::kMultiStatementsOff}.Encode())->option,
            1);
  auto fl = ComFieldList::Decode(ComFieldList{"t1", "c%"}.Encode());
  EXPECT_EQ(fl->table, "t1");
  EXPECT_EQ(fl->wildcard, "c%");
  for (Command c :
       {Command::kPing, Command::kQuit, Command::kStatistics, Command::kResetConnection}) {
    EXPECT_TRUE(DecodeSimpleCommand(EncodeSimpleCommand(c), c).ok());
    EXPECT_FALSE(DecodeSimpleCommand(EncodeSimpleCommand(c), Command::kDebug).ok());
  }
  // Truncations of the fixed-size commands all fail.
  ExpectEveryPrefixFails(ComStmtFetch{11, 100}.Encode(),
                         [](BytesView b) { return ComStmtFetch::Decode(b); });
  ExpectEveryPrefixFails(ComStmtSendLongData{7, 2, ""}.Encode(),
                         [](BytesView b) { return ComStmtSendLongData::Decode(b); });
  ExpectEveryPrefixFails(ComSetOption{1}.Encode(),
                         [](BytesView b) { return ComSetOption::Decode(b); });
  ExpectEveryPrefixFails(ComProcessKill{1}.Encode(),
                         [](BytesView b) { return ComProcessKill::Decode(b); });
  ExpectEveryPrefixFails(ComFieldList{"t", ""}.Encode(),
                         [](BytesView b) { return ComFieldList::Decode(b); });
}

TEST(ComStmtExecute, RealExecuteWithCursorAndTypes) {
  auto frames = FramePayloads(captured::kS3ExecuteCursor);
  ASSERT_EQ(frames.size(), 1u);
  auto e = ComStmtExecute::Decode(frames[0], 2);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->statement_id, 1u);
  EXPECT_EQ(e->flags, ComStmtExecute::kCursorReadOnly);
  EXPECT_EQ(e->iteration_count, 1u);
  EXPECT_TRUE(e->new_params_bound);
  ASSERT_EQ(e->params.size(), 2u);
  EXPECT_EQ(e->params[0].type.type, FieldType::kLongLong);
  EXPECT_EQ(std::get<int64_t>(e->params[0].value), 1);
  EXPECT_EQ(e->params[1].type.type, FieldType::kString);
  EXPECT_EQ(std::get<std::string>(e->params[1].value), "zz");
  EXPECT_EQ(e->Encode(), frames[0]);
  ExpectEveryPrefixFails(frames[0], [](BytesView b) { return ComStmtExecute::Decode(b, 2); });
}

TEST(ComStmtExecute, RoundTripAllTypesNullsAndRebind) {
  ComStmtExecute e;
  e.statement_id = 0xDEADBEEF;
  e.params = {
      {{FieldType::kTiny, false}, int64_t{-5}},
      {{FieldType::kShort, true}, uint64_t{65000}},
      {{FieldType::kLong, false}, int64_t{-70000}},
      {{FieldType::kLongLong, true}, uint64_t{1} << 63},
      {{FieldType::kFloat, false}, 1.5f},
      {{FieldType::kDouble, false}, -2.25},
      {{FieldType::kVarString, false}, std::string("text")},
      {{FieldType::kNull, false}, std::monostate{}},
      {{FieldType::kDateTime, false}, MysqlDateTime{2024, 1, 2, 3, 4, 5, 678}},
      {{FieldType::kDate, false}, MysqlDateTime{2024, 2, 29, 0, 0, 0, 0}},
      {{FieldType::kTime, false}, MysqlTime{true, 1, 2, 3, 4, 0}},
      {{FieldType::kBlob, false}, std::string(300, 'b')},
      {{FieldType::kLong, false}, std::monostate{}},
  };
  Bytes enc = e.Encode();
  auto d = ComStmtExecute::Decode(enc, static_cast<uint16_t>(e.params.size()));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->statement_id, e.statement_id);
  EXPECT_EQ(d->params, e.params);
  ExpectEveryPrefixFails(enc, [&](BytesView b) {
    return ComStmtExecute::Decode(b, static_cast<uint16_t>(e.params.size()));
  });

  // Re-execute without rebinding: types come from the previous execute.
  ComStmtExecute again = e;
  again.new_params_bound = false;
  Bytes enc2 = again.Encode();
  EXPECT_FALSE(ComStmtExecute::Decode(enc2, static_cast<uint16_t>(e.params.size())).ok());
  auto types = e.Types();
  auto d2 = ComStmtExecute::Decode(enc2, static_cast<uint16_t>(e.params.size()), types);
  ASSERT_TRUE(d2.ok()) << d2.error().message;
  EXPECT_EQ(d2->params, e.params);
  EXPECT_FALSE(d2->new_params_bound);
}

TEST(StatementId, PeekAndRewriteInPlace) {
  Bytes exec = FramePayloads(captured::kS3ExecuteCursor)[0];
  Bytes original = exec;
  EXPECT_EQ(*PeekStatementId(exec), 1u);
  ASSERT_TRUE(RewriteStatementId(exec, 0x01020304).ok());
  EXPECT_EQ(*PeekStatementId(exec), 0x01020304u);
  EXPECT_TRUE(std::equal(exec.begin() + 5, exec.end(), original.begin() + 5));
  auto d = ComStmtExecute::Decode(exec, 2);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->statement_id, 0x01020304u);

  for (Bytes p : {ComStmtClose{5}.Encode(), ComStmtReset{5}.Encode(), ComStmtFetch{5, 1}.Encode(),
                  ComStmtSendLongData{5, 0, "x"}.Encode()}) {
    EXPECT_EQ(*PeekStatementId(p), 5u);
    ASSERT_TRUE(RewriteStatementId(p, 77).ok());
    EXPECT_EQ(*PeekStatementId(p), 77u);
  }
  Bytes query = ComQuery{"SELECT 1"}.Encode();
  EXPECT_FALSE(RewriteStatementId(query, 1).ok());
  EXPECT_EQ(AsString(query), "\x03SELECT 1");
  Bytes short_close = {0x19, 1, 2};
  EXPECT_FALSE(RewriteStatementId(short_close, 1).ok());
}

TEST(ComChangeUser, RoundTrip) {
  Capabilities caps =
      cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kConnectAttrs;
  ComChangeUser c{"app", Bytes(20, 9), "shop", 45, "mysql_native_password", {{"a", "b"}}};
  Bytes enc = c.Encode(caps);
  auto d = ComChangeUser::Decode(enc, caps);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->user, c.user);
  EXPECT_EQ(d->auth_response, c.auth_response);
  EXPECT_EQ(d->database, c.database);
  EXPECT_EQ(d->charset, c.charset);
  EXPECT_EQ(d->auth_plugin_name, c.auth_plugin_name);
  EXPECT_EQ(d->attributes, c.attributes);
  // Mandatory part: up to and including the database.
  const size_t mandatory = 1 + 4 + 1 + 20 + 5;
  for (size_t n = 0; n < mandatory; ++n) {
    Bytes prefix(enc.begin(), enc.begin() + n);
    EXPECT_FALSE(ComChangeUser::Decode(prefix, caps).ok()) << n;
  }
}

TEST(ColumnDefinition, RealMariadbWithExtendedMetadata) {
  Capabilities caps = CapturedCaps();
  ASSERT_TRUE(Has(caps, cap::kMariadbExtendedMetadata));
  auto frames = FramePayloads(captured::kS3PrepareResponse);
  // OK, 2 param defs, EOF, 3 column defs, EOF.
  ASSERT_EQ(frames.size(), 8u);
  auto id = ColumnDefinition41::Decode(frames[4], caps);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->schema, "t");
  EXPECT_EQ(id->table, "x");
  EXPECT_EQ(id->name, "id");
  EXPECT_EQ(id->type, FieldType::kLong);
  EXPECT_TRUE(id->flags & column_flag::kPrimaryKey);
  auto s = ColumnDefinition41::Decode(frames[5], caps);
  EXPECT_EQ(s->type, FieldType::kVarString);
  auto d = ColumnDefinition41::Decode(frames[6], caps);
  EXPECT_EQ(d->type, FieldType::kDateTime);
  for (size_t i : {1u, 2u, 4u, 5u, 6u}) {
    auto c = ColumnDefinition41::Decode(frames[i], caps);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->Encode(caps), frames[i]);
    ExpectEveryPrefixFails(frames[i],
                           [&](BytesView b) { return ColumnDefinition41::Decode(b, caps); });
  }
}

TEST(ColumnDefinition, FieldListDefaultsRoundTrip) {
  ColumnDefinition41 c;
  c.schema = "db";
  c.table = c.org_table = "t";
  c.name = c.org_name = "c";
  c.type = FieldType::kLongLong;
  c.flags = column_flag::kUnsigned | column_flag::kNotNull;
  c.default_values = "0";
  auto d = ColumnDefinition41::Decode(c.Encode(cap::kProtocol41), cap::kProtocol41, true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, c);
  EXPECT_TRUE(d->value_type().is_unsigned);
}

TEST(Rows, RealTextRows) {
  auto frames = FramePayloads(captured::kS1SelectResult);
  auto r1 = DecodeTextRow(frames[5], 3);
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(*(*r1)[0], "1");
  EXPECT_EQ(*(*r1)[1], "a");
  EXPECT_EQ(*(*r1)[2], "2024-01-02 03:04:05");
  auto r2 = DecodeTextRow(frames[6], 3);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*(*r2)[0], "2");
  EXPECT_FALSE((*r2)[1].has_value());
  EXPECT_FALSE((*r2)[2].has_value());
  EXPECT_FALSE(DecodeTextRow(frames[5], 2).ok());  // trailing column
  EXPECT_FALSE(DecodeTextRow(frames[5], 4).ok());  // missing column
  ExpectEveryPrefixFails(frames[5], [](BytesView b) { return DecodeTextRow(b, 3); });
  std::vector<std::optional<std::string>> values = {"1", "a", "2024-01-02 03:04:05"};
  EXPECT_EQ(EncodeTextRow(values), frames[5]);
}

TEST(Rows, RealBinaryRowsFromCursorFetch) {
  Capabilities caps = CapturedCaps();
  auto defs = FramePayloads(captured::kS3PrepareResponse);
  std::vector<ValueType> types;
  for (size_t i : {4u, 5u, 6u})
    types.push_back(ColumnDefinition41::Decode(defs[i], caps)->value_type());
  auto frames = FramePayloads(captured::kS3Fetch1Rows);
  ASSERT_EQ(frames.size(), 3u);  // 2 rows + EOF
  auto row = DecodeBinaryRow(frames[0], types);
  ASSERT_TRUE(row.ok()) << row.error().message;
  EXPECT_EQ(std::get<int64_t>((*row)[0]), 1);
  EXPECT_EQ(std::get<std::string>((*row)[1]), "a");
  EXPECT_EQ(std::get<MysqlDateTime>((*row)[2]), (MysqlDateTime{2024, 1, 2, 3, 4, 5, 0}));
  EXPECT_EQ(EncodeBinaryRow(types, *row), frames[0]);
  auto row2 = DecodeBinaryRow(frames[1], types);
  ASSERT_TRUE(row2.ok());
  EXPECT_EQ(std::get<int64_t>((*row2)[0]), 3);
  EXPECT_TRUE(std::holds_alternative<std::monostate>((*row2)[2]));
  ExpectEveryPrefixFails(frames[0], [&](BytesView b) { return DecodeBinaryRow(b, types); });
  Bytes bad_len = frames[0];
  bad_len[bad_len.size() - 8] = 5;  // DATETIME length byte 7 -> 5
  EXPECT_FALSE(DecodeBinaryRow(bad_len, types).ok());
}

TEST(ResponseReaderOnRealPreparedStatements, CursorFetchAndCachedMetadata) {
  Capabilities caps = CapturedCaps();
  ResponseReader r(caps);
  auto feed = [&](const char* hex) {
    auto frames = FramePayloads(hex);
    ResponseStep last = ResponseStep::kNeedMore;
    for (size_t i = 0; i < frames.size(); ++i) {
      auto s = r.OnServerFrame(frames[i]);
      EXPECT_TRUE(s.ok()) << i << ": " << s.error().message;
      if (!s.ok()) return ResponseStep::kNeedMore;
      if (i + 1 < frames.size()) {
        EXPECT_EQ(*s, ResponseStep::kNeedMore) << i;
      }
      last = *s;
    }
    return last;
  };
  ASSERT_EQ(*r.StartFromCommand(FramePayloads(captured::kS3Prepare)[0]), ResponseStep::kNeedMore);
  EXPECT_EQ(feed(captured::kS3PrepareResponse), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().prepare->statement_id, 1u);
  EXPECT_EQ(r.outcome().prepare->num_params, 2);
  EXPECT_EQ(r.outcome().prepare->num_columns, 3);

  ASSERT_EQ(*r.StartFromCommand(FramePayloads(captured::kS3ExecuteCursor)[0]),
            ResponseStep::kNeedMore);
  EXPECT_EQ(feed(captured::kS3ExecuteCursorResponse), ResponseStep::kComplete);
  EXPECT_TRUE(r.outcome().cursor_opened);

  ASSERT_EQ(*r.StartFromCommand(FramePayloads(captured::kS3Fetch1)[0]), ResponseStep::kNeedMore);
  EXPECT_EQ(feed(captured::kS3Fetch1Rows), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().rows, 2u);
  EXPECT_FALSE(*r.outcome().status_flags & status::kLastRowSent);
  ASSERT_EQ(*r.StartFromCommand(FramePayloads(captured::kS3Fetch2)[0]), ResponseStep::kNeedMore);
  EXPECT_EQ(feed(captured::kS3Fetch2End), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().rows, 0u);
  EXPECT_TRUE(*r.outcome().status_flags & status::kLastRowSent);

  // COM_STMT_CLOSE (no response) and the next PREPARE came in one TCP read.
  auto close_and_prepare = FramePayloads(captured::kS3CloseAndPrepare2);
  ASSERT_EQ(close_and_prepare.size(), 2u);
  EXPECT_EQ(*r.StartFromCommand(close_and_prepare[0]), ResponseStep::kComplete);
  ASSERT_EQ(*r.StartFromCommand(close_and_prepare[1]), ResponseStep::kNeedMore);
  EXPECT_EQ(feed(captured::kS3Prepare2Response), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().prepare->statement_id, 2u);

  // Execute without cursor; MariaDB omits the cached column definitions (metadata_follows = 0).
  ASSERT_EQ(*r.StartFromCommand(FramePayloads(captured::kS3Execute2)[0]), ResponseStep::kNeedMore);
  EXPECT_EQ(feed(captured::kS3Execute2Result), ResponseStep::kComplete);
  EXPECT_EQ(r.outcome().rows, 3u);
  EXPECT_FALSE(r.outcome().cursor_opened);
}

}  // namespace
}  // namespace switchyard::wire
