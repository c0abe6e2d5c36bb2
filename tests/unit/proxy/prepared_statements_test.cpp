// Binary prepared statements: client ids, per-backend ids, and the EXECUTE rewriting that lets a
// statement run on a backend that never saw the client's parameter types.
#include "proxy/prepared_statements.h"

#include <gtest/gtest.h>

#include "wire/commands.h"

namespace switchyard::proxy {
namespace {

using wire::Bytes;
using wire::ComStmtExecute;
using wire::ExecuteParam;
using wire::FieldType;
using wire::ValueType;

Bytes Execute(uint32_t id, std::vector<ExecuteParam> params, bool bound, uint8_t flags = 0) {
  ComStmtExecute e;
  e.statement_id = id;
  e.flags = flags;
  e.new_params_bound = bound;
  e.params = std::move(params);
  return e.Encode();
}

std::vector<ExecuteParam> TwoParams() {
  return {ExecuteParam{ValueType{FieldType::kLongLong, false}, int64_t{42}},
          ExecuteParam{ValueType{FieldType::kVarString, false}, std::string("hello")}};
}

TEST(PreparedStatements, ClientIdsAreTheProxysAndDistinct) {
  PreparedStatements s;
  uint32_t a = s.ReserveId();
  s.Add(a, "SELECT 1", ClassifySql("SELECT 1"), 0, 1, /*serial=*/7, /*backend_id=*/1);
  uint32_t b = s.ReserveId();
  s.Add(b, "SELECT 2", ClassifySql("SELECT 2"), 0, 1, 8, 1);  // same backend id elsewhere
  EXPECT_NE(a, b);
  ASSERT_NE(s.Find(a), nullptr);
  EXPECT_EQ(s.Find(a)->sql, "SELECT 1");
  EXPECT_EQ(s.Find(b)->backends.at(8).statement_id, 1u);
  EXPECT_EQ(s.Find(0xFFFFFFFFu), s.Find(b)) << "MariaDB's -1 names the last prepared statement";
  s.Remove(a);
  EXPECT_EQ(s.Find(a), nullptr);
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.Find(12345), nullptr);
}

TEST(PreparedStatements, ForgettingABackendDropsItsIdsAndCursor) {
  PreparedStatements s;
  uint32_t a = s.ReserveId();
  PreparedStatement& ps = s.Add(a, "SELECT ?", ClassifySql("SELECT ?"), 1, 1, 1, 10);
  ps.backends[2] = {20, 0};
  ps.cursor_backend = 2;
  s.ForgetBackend(2);
  EXPECT_EQ(ps.backends.count(2), 0u);
  EXPECT_EQ(ps.backends.at(1).statement_id, 10u);
  EXPECT_FALSE(ps.cursor_backend.has_value());
}

TEST(PreparedStatements, ClassificationIsKeptForRouting) {
  PreparedStatements s;
  uint32_t r = s.ReserveId();
  s.Add(r, "SELECT c FROM t WHERE id = ?", ClassifySql("SELECT c FROM t WHERE id = ?"), 1, 1, 1, 1);
  uint32_t w = s.ReserveId();
  s.Add(w, "UPDATE t SET c = ? WHERE id = ?", ClassifySql("UPDATE t SET c = ? WHERE id = ?"), 2, 0,
        1, 2);
  EXPECT_EQ(s.Find(r)->classification.kind, StatementKind::kRead);
  EXPECT_FALSE(s.Find(r)->classification.must_master);
  EXPECT_EQ(s.Find(w)->classification.kind, StatementKind::kWrite);
}

TEST(ExecuteTypes, FindsBoundTypes) {
  Bytes p = Execute(5, TwoParams(), true);
  auto t = FindExecuteTypes(p, 2);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(t->new_params_bound);
  EXPECT_EQ(t->flag_offset, 11u);  // 10-byte header + 1-byte null bitmap
  ASSERT_EQ(t->types.size(), 4u);
  EXPECT_EQ(t->types[0], static_cast<uint8_t>(FieldType::kLongLong));
  EXPECT_EQ(t->types[2], static_cast<uint8_t>(FieldType::kVarString));
}

TEST(ExecuteTypes, UnboundAndNoParams) {
  auto t = FindExecuteTypes(Execute(5, TwoParams(), false), 2);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->new_params_bound);
  EXPECT_TRUE(t->types.empty());
  auto none = FindExecuteTypes(Execute(5, {}, false), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->new_params_bound);
}

TEST(ExecuteTypes, TruncatedPacketsAreErrorsNotUb) {
  Bytes p = Execute(5, TwoParams(), true);
  for (size_t n = 0; n < 15; ++n) {
    Bytes prefix(p.begin(), p.begin() + n);
    EXPECT_FALSE(FindExecuteTypes(prefix, 2).ok()) << "prefix of " << n << " bytes";
  }
  EXPECT_FALSE(FindExecuteTypes(wire::ToBytes("\x03SELECT 1"), 0).ok()) << "not an execute";
}

TEST(ExecuteForBackend, RewritesTheIdOnly) {
  Bytes p = Execute(5, TwoParams(), true);
  auto out = ExecuteForBackend(p, 2, 77, /*bind_types=*/true, {});
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto e = ComStmtExecute::Decode(*out, 2);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->statement_id, 77u);
  EXPECT_EQ(e->params, TwoParams());
  EXPECT_EQ(out->size(), p.size());
}

TEST(ExecuteForBackend, BindsCachedTypesForABackendThatNeverSawThem) {
  Bytes first = Execute(5, TwoParams(), true);
  auto types = FindExecuteTypes(first, 2);
  ASSERT_TRUE(types.ok());
  Bytes cached(types->types.begin(), types->types.end());
  Bytes again = Execute(5, TwoParams(), false);  // the client relies on the earlier binding
  auto out = ExecuteForBackend(again, 2, 9, true, cached);
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto e = ComStmtExecute::Decode(*out, 2);  // decodes without previous types: they are inline
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_TRUE(e->new_params_bound);
  EXPECT_EQ(e->statement_id, 9u);
  EXPECT_EQ(e->params, TwoParams());
  // Without bind_types the packet keeps relying on the backend's own earlier binding.
  auto plain = ExecuteForBackend(again, 2, 9, false, cached);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->size(), again.size());
  EXPECT_FALSE(ComStmtExecute::Decode(*plain, 2).ok()) << "needs the previous types";
}

TEST(ExecuteForBackend, KeepsValuesSentAsLongData) {
  // Parameter 1 was sent with COM_STMT_SEND_LONG_DATA: not NULL, but no value in the packet.
  Bytes p = {0x17, 5, 0, 0, 0, 0, 1, 0, 0, 0, /*bitmap*/ 0x00, /*bound*/ 0, /*value 0*/ 1, 0, 0, 0};
  Bytes types = {static_cast<uint8_t>(FieldType::kLong), 0, static_cast<uint8_t>(FieldType::kBlob),
                 0};
  auto out = ExecuteForBackend(p, 2, 3, true, types);
  ASSERT_TRUE(out.ok()) << out.error().message;
  Bytes want = {0x17, 3, 0, 0, 0, 0, 1, 0, 0, 0, 0x00, 1};
  want.insert(want.end(), types.begin(), types.end());
  want.insert(want.end(), {1, 0, 0, 0});
  EXPECT_EQ(*out, want);
}

TEST(ExecuteForBackend, WrongCachedTypeCountIsAnError) {
  Bytes again = Execute(5, TwoParams(), false);
  EXPECT_FALSE(ExecuteForBackend(again, 2, 9, true, Bytes{8, 0}).ok());
}

TEST(WithStatementId, RetargetsStatementCommands) {
  wire::ComStmtFetch f;
  f.statement_id = 4;
  f.num_rows = 10;
  auto out = WithStatementId(f.Encode(), 99);
  ASSERT_TRUE(out.ok());
  auto back = wire::ComStmtFetch::Decode(*out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->statement_id, 99u);
  EXPECT_EQ(back->num_rows, 10u);
  EXPECT_FALSE(WithStatementId(wire::ToBytes("\x03SELECT 1"), 1).ok());
}

TEST(Placeholders, AssignmentsFromPlaceholdersAreFound) {
  Classification c = ClassifySql("SET @a = ?, @b = 'x?y', time_zone = ?");
  ASSERT_EQ(c.session.assignments.size(), 3u);
  EXPECT_TRUE(ValueFromPlaceholder(c.session.assignments[0]));
  EXPECT_FALSE(ValueFromPlaceholder(c.session.assignments[1])) << "a ? inside a string literal";
  EXPECT_TRUE(ValueFromPlaceholder(c.session.assignments[2]));
}

TEST(SqlLiteral, ReplaysTheSameValue) {
  EXPECT_EQ(SqlLiteral(std::nullopt), "NULL");
  EXPECT_EQ(SqlLiteral("42"), "42");
  EXPECT_EQ(SqlLiteral("-1.5e3"), "-1.5e3");
  EXPECT_EQ(SqlLiteral("+05:00"), "'+05:00'");
  EXPECT_EQ(SqlLiteral(""), "''");
  EXPECT_EQ(SqlLiteral("1e"), "'1e'");
  EXPECT_EQ(SqlLiteral("it's"), "X'69742773'");
  EXPECT_EQ(SqlLiteral("a\\b"), "X'615C62'");
}

}  // namespace
}  // namespace switchyard::proxy
