// ClassifySql details the router relies on besides the route: transaction operations, hints,
// session changes, tables, prepared statements, multi-statement summaries, robustness.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "proxy/sql/sql_classifier.h"

namespace switchyard::proxy {

void PrintTo(const TableRef& t, std::ostream* os) {
  *os << (t.schema.empty() ? "" : t.schema + ".") << t.name;
}
void PrintTo(StatementKind kind, std::ostream* os) {
  *os << ToString(kind);
}
void PrintTo(TxnOp op, std::ostream* os) {
  *os << ToString(op);
}
void PrintTo(Verb verb, std::ostream* os) {
  *os << ToString(verb);
}

namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using Scope = VariableAssignment::Scope;

// --- transaction operations -----------------------------------------------------------------

struct TxnCase {
  std::string sql;
  TxnOp txn;
  bool chain;
  bool release;
  bool implicit_commit;
};
void PrintTo(const TxnCase& c, std::ostream* os) {
  *os << "\"" << c.sql << "\"";
}

class TxnOpTest : public ::testing::TestWithParam<TxnCase> {};

TEST_P(TxnOpTest, ReportsOperation) {
  const TxnCase& c = GetParam();
  const Classification r = ClassifySql(c.sql);
  EXPECT_EQ(ToString(r.txn), ToString(c.txn));
  EXPECT_EQ(r.txn_chain, c.chain);
  EXPECT_EQ(r.txn_release, c.release);
  EXPECT_EQ(r.implicit_commit, c.implicit_commit);
}

const TxnCase kTxnCases[] = {
    {"BEGIN", TxnOp::kBegin, false, false, true},
    {"BEGIN WORK", TxnOp::kBegin, false, false, true},
    {"START TRANSACTION", TxnOp::kBegin, false, false, true},
    {"start transaction read write", TxnOp::kBegin, false, false, true},
    {"START TRANSACTION READ ONLY", TxnOp::kBeginReadOnly, false, false, true},
    {"START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT", TxnOp::kBeginReadOnly, false, false,
     true},
    {"START TRANSACTION WITH CONSISTENT SNAPSHOT", TxnOp::kBegin, false, false, true},
    {"COMMIT", TxnOp::kCommit, false, false, false},
    {"COMMIT AND CHAIN", TxnOp::kCommit, true, false, false},
    {"COMMIT WORK AND NO CHAIN", TxnOp::kCommit, false, false, false},
    {"COMMIT RELEASE", TxnOp::kCommit, false, true, false},
    {"COMMIT AND CHAIN NO RELEASE", TxnOp::kCommit, true, false, false},
    {"ROLLBACK", TxnOp::kRollback, false, false, false},
    {"ROLLBACK AND CHAIN", TxnOp::kRollback, true, false, false},
    {"ROLLBACK WORK RELEASE", TxnOp::kRollback, false, true, false},
    {"ROLLBACK TO SAVEPOINT sp1", TxnOp::kRollbackToSavepoint, false, false, false},
    {"ROLLBACK WORK TO sp1", TxnOp::kRollbackToSavepoint, false, false, false},
    {"SAVEPOINT sp1", TxnOp::kSavepoint, false, false, false},
    {"RELEASE SAVEPOINT sp1", TxnOp::kReleaseSavepoint, false, false, false},
    {"XA START 'trx1'", TxnOp::kXaStart, false, false, true},
    {"XA END 'trx1'", TxnOp::kXaEnd, false, false, false},
    {"XA PREPARE 'trx1'", TxnOp::kXaPrepare, false, false, false},
    {"XA COMMIT 'trx1'", TxnOp::kXaCommit, false, false, false},
    {"XA ROLLBACK 'trx1'", TxnOp::kXaRollback, false, false, false},
    {"XA RECOVER", TxnOp::kXaRecover, false, false, false},
    {"SELECT 1", TxnOp::kNone, false, false, false},
    {"CREATE TABLE t (a INT)", TxnOp::kNone, false, false, true},
    {"CREATE TEMPORARY TABLE t (a INT)", TxnOp::kNone, false, false, false},
    {"DROP TEMPORARY TABLE t", TxnOp::kNone, false, false, false},
    {"LOCK TABLES t WRITE", TxnOp::kNone, false, false, true},
    {"SET autocommit = 1", TxnOp::kNone, false, false, true},
    {"SET autocommit = 0", TxnOp::kNone, false, false, false},
    {"GRANT ALL ON db.* TO u", TxnOp::kNone, false, false, true},
    {"BEGIN; SELECT 1; COMMIT", TxnOp::kCommit, false, false, true},
    {"INSERT INTO t VALUES (1); COMMIT; BEGIN", TxnOp::kBegin, false, false, true},
};
INSTANTIATE_TEST_SUITE_P(Txn, TxnOpTest, ::testing::ValuesIn(kTxnCases));

// --- hints ---------------------------------------------------------------------------------

struct HintCase {
  std::string sql;
  RouteHint::Target target;
  std::string server;
  std::optional<uint32_t> max_lag_ms;
  bool malformed;
};
void PrintTo(const HintCase& c, std::ostream* os) {
  *os << "\"" << c.sql << "\"";
}

class HintTest : public ::testing::TestWithParam<HintCase> {};

TEST_P(HintTest, ParsesHint) {
  const HintCase& c = GetParam();
  const Classification r = ClassifySql(c.sql);
  EXPECT_EQ(ToString(r.hint.target), ToString(c.target));
  EXPECT_EQ(r.hint.server, c.server);
  EXPECT_EQ(r.hint.max_lag_ms, c.max_lag_ms);
  EXPECT_EQ(r.hint.malformed, c.malformed);
}

constexpr auto kNoTarget = RouteHint::Target::kNone;
constexpr auto kMaster = RouteHint::Target::kMaster;
constexpr auto kReplica = RouteHint::Target::kReplica;
constexpr auto kServer = RouteHint::Target::kServer;

const HintCase kHintCases[] = {
    {"/* switchyard:route=master */ SELECT 1", kMaster, "", std::nullopt, false},
    {"/* switchyard:route=replica */ SELECT 1", kReplica, "", std::nullopt, false},
    {"/* switchyard:route=server:db2 */ SELECT 1", kServer, "db2", std::nullopt, false},
    {"/* switchyard:max_lag_ms=200 */ SELECT 1", kNoTarget, "", 200u, false},
    {"/*switchyard:route=replica*/SELECT 1", kReplica, "", std::nullopt, false},
    {"/* switchyard:route=replica switchyard:max_lag_ms=50 */ SELECT 1", kReplica, "", 50u, false},
    {"/* switchyard:route=replica, switchyard:max_lag_ms=50 */ SELECT 1", kReplica, "", 50u, false},
    {"/* switchyard:route=replica,max_lag_ms=50 */ SELECT 1", kReplica, "", 50u, false},
    {"/* switchyard:route=server:db3 max_lag_ms=0 */ SELECT 1", kServer, "db3", 0u, false},
    {"SELECT 1 /* switchyard:route=master */", kMaster, "", std::nullopt, false},
    {"SELECT /* switchyard:route=master */ 1 FROM t", kMaster, "", std::nullopt, false},
    {"SELECT 1 -- switchyard:route=master", kMaster, "", std::nullopt, false},
    {"SELECT 1 # switchyard:route=replica", kReplica, "", std::nullopt, false},
    {"SELECT /*+ switchyard:route=replica */ 1", kReplica, "", std::nullopt, false},
    {"/* SWITCHYARD:ROUTE=MASTER */ SELECT 1", kMaster, "", std::nullopt, false},
    {"/* app=foo switchyard:route=replica */ SELECT 1", kReplica, "", std::nullopt, false},
    {"/* switchyard:route=replica because reports are slow */ SELECT 1", kReplica, "", std::nullopt,
     false},
    {"/* switchyard:route=master */ /* switchyard:route=replica */ SELECT 1", kReplica, "",
     std::nullopt, false},
    {"SELECT '/* switchyard:route=master */'", kNoTarget, "", std::nullopt, false},
    {"SELECT \"-- switchyard:route=master\"", kNoTarget, "", std::nullopt, false},
    {"SELECT `/* switchyard:route=master */`", kNoTarget, "", std::nullopt, false},
    {"SELECT 1 /*! switchyard:route=master */", kNoTarget, "", std::nullopt, false},
    {"/* route=master */ SELECT 1", kNoTarget, "", std::nullopt, false},
    {"/* switchyard:route=elsewhere */ SELECT 1", kNoTarget, "", std::nullopt, true},
    {"/* switchyard:route=server: */ SELECT 1", kNoTarget, "", std::nullopt, true},
    {"/* switchyard:max_lag_ms=abc */ SELECT 1", kNoTarget, "", std::nullopt, true},
    {"/* switchyard:max_lag_ms=-5 */ SELECT 1", kNoTarget, "", std::nullopt, true},
    {"/* switchyard:max_lag_ms=99999999999 */ SELECT 1", kNoTarget, "", std::nullopt, true},
    {"/* switchyard:colour=blue */ SELECT 1", kNoTarget, "", std::nullopt, true},
    {"SELECT 1", kNoTarget, "", std::nullopt, false},
    {"/* switchyard:route=replica */ SELECT 1; SELECT 2", kReplica, "", std::nullopt, false},
    {"INSERT INTO t VALUES ('/* switchyard:route=replica */')", kNoTarget, "", std::nullopt, false},
};
INSTANTIATE_TEST_SUITE_P(Hints, HintTest, ::testing::ValuesIn(kHintCases));

TEST(RouteHint, HintDoesNotChangeTheClassifierVerdict) {
  // The router applies hints; the classifier still says what the SQL requires.
  const Classification r = ClassifySql("/* switchyard:route=replica */ DELETE FROM t");
  EXPECT_TRUE(r.must_master);
  EXPECT_EQ(r.hint.target, RouteHint::Target::kReplica);
}

TEST(RouteHint, ParseHintCommentDirectly) {
  RouteHint hint;
  EXPECT_FALSE(ParseHintComment("/* nothing here */", hint));
  EXPECT_TRUE(hint.empty());
  EXPECT_TRUE(ParseHintComment("-- switchyard:route=server:db9", hint));
  EXPECT_EQ(hint.target, RouteHint::Target::kServer);
  EXPECT_EQ(hint.server, "db9");
  EXPECT_TRUE(ParseHintComment("# switchyard:route=master", hint));
  EXPECT_EQ(hint.target, RouteHint::Target::kMaster);
  EXPECT_TRUE(hint.server.empty());
}

// --- session changes -------------------------------------------------------------------------

TEST(SessionChange, SetNames) {
  Classification r = ClassifySql("SET NAMES utf8mb4");
  EXPECT_EQ(r.session.names_charset, "utf8mb4");
  EXPECT_FALSE(r.session.names_collation.has_value());
  EXPECT_THAT(r.session.assignments, IsEmpty());

  r = ClassifySql("SET NAMES 'utf8' COLLATE 'utf8_general_ci'");
  EXPECT_EQ(r.session.names_charset, "utf8");
  EXPECT_EQ(r.session.names_collation, "utf8_general_ci");

  r = ClassifySql("SET NAMES `latin1` COLLATE latin1_swedish_ci");
  EXPECT_EQ(r.session.names_charset, "latin1");
  EXPECT_EQ(r.session.names_collation, "latin1_swedish_ci");
}

TEST(SessionChange, SetCharacterSet) {
  Classification r = ClassifySql("SET CHARACTER SET utf8");
  EXPECT_EQ(r.session.character_set, "utf8");
  EXPECT_FALSE(r.session.names_charset.has_value());
  r = ClassifySql("SET CHARSET 'latin1'");
  EXPECT_EQ(r.session.character_set, "latin1");
}

struct AutocommitCase {
  std::string sql;
  std::optional<bool> autocommit;
};
void PrintTo(const AutocommitCase& c, std::ostream* os) {
  *os << "\"" << c.sql << "\"";
}
class AutocommitTest : public ::testing::TestWithParam<AutocommitCase> {};
TEST_P(AutocommitTest, ParsesValue) {
  const Classification r = ClassifySql(GetParam().sql);
  EXPECT_EQ(r.session.autocommit, GetParam().autocommit);
}
const AutocommitCase kAutocommitCases[] = {
    {"SET autocommit = 0", false},
    {"SET autocommit=1", true},
    {"SET AUTOCOMMIT = ON", true},
    {"SET autocommit = off", false},
    {"SET autocommit = TRUE", true},
    {"SET autocommit = false", false},
    {"SET @@autocommit = 0", false},
    {"SET @@session.autocommit = 1", true},
    {"SET SESSION autocommit = 0", false},
    {"SET LOCAL autocommit = 1", true},
    {"SET autocommit = '0'", false},
    {"SET autocommit = 'ON'", true},
    {"SET autocommit := 0", false},
    {"SET `autocommit` = 0", false},
    {"SET @autocommit = 0", std::nullopt},
    {"SET autocommit = @v", std::nullopt},
    {"SET time_zone = '+00:00'", std::nullopt},
    {"SET NAMES utf8, autocommit = 0", false},
};
INSTANTIATE_TEST_SUITE_P(Autocommit, AutocommitTest, ::testing::ValuesIn(kAutocommitCases));

TEST(SessionChange, AssignmentsKeepValueTextAsWritten) {
  const Classification r = ClassifySql(
      "SET time_zone='+05:00', SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE', @x = 5, "
      "@@session.wait_timeout = 100, @@SQL_SELECT_LIMIT=DEFAULT");
  EXPECT_EQ(r.kind, StatementKind::kSessionState);
  EXPECT_THAT(
      r.session.assignments,
      ElementsAre(VariableAssignment{Scope::kSession, "time_zone", "'+05:00'", true},
                  VariableAssignment{Scope::kSession, "sql_mode",
                                     "'STRICT_TRANS_TABLES,NO_ZERO_DATE'", true},
                  VariableAssignment{Scope::kUser, "x", "5", true},
                  VariableAssignment{Scope::kSession, "wait_timeout", "100", true},
                  VariableAssignment{Scope::kSession, "sql_select_limit", "DEFAULT", true}));
}

TEST(SessionChange, NonConstantValuesAreMarked) {
  const Classification r = ClassifySql(
      "SET @a = (SELECT MAX(id) FROM t), @b = @a + 1, @c = -5, @d = _utf8mb4'x', @e = NOW(), "
      "sql_mode = CONCAT(@@sql_mode, ',ANSI'), @f := 'v'");
  ASSERT_EQ(r.session.assignments.size(), 7u);
  EXPECT_EQ(r.session.assignments[0].value, "(SELECT MAX(id) FROM t)");
  EXPECT_FALSE(r.session.assignments[0].value_is_constant);
  EXPECT_EQ(r.session.assignments[1].value, "@a + 1");
  EXPECT_FALSE(r.session.assignments[1].value_is_constant);
  EXPECT_TRUE(r.session.assignments[2].value_is_constant);
  EXPECT_EQ(r.session.assignments[2].value, "-5");
  EXPECT_TRUE(r.session.assignments[3].value_is_constant);
  EXPECT_FALSE(r.session.assignments[4].value_is_constant);
  EXPECT_EQ(r.session.assignments[5].value, "CONCAT(@@sql_mode, ',ANSI')");
  EXPECT_FALSE(r.session.assignments[5].value_is_constant);
  EXPECT_EQ(r.session.assignments[6].name, "f");
  EXPECT_EQ(r.session.assignments[6].value, "'v'");
  EXPECT_TRUE(r.reads_user_vars);  // @b = @a + 1 reads @a
}

TEST(SessionChange, ScopesAndNames) {
  Classification r = ClassifySql("SET GLOBAL a = 1, b = 2, SESSION c = 3, @@global.D = 4");
  ASSERT_EQ(r.session.assignments.size(), 4u);
  EXPECT_EQ(r.session.assignments[0].scope, Scope::kGlobal);
  EXPECT_EQ(r.session.assignments[1].scope, Scope::kGlobal);  // the modifier carries over
  EXPECT_EQ(r.session.assignments[2].scope, Scope::kSession);
  EXPECT_EQ(r.session.assignments[3].scope, Scope::kGlobal);
  EXPECT_EQ(r.session.assignments[3].name, "d");
  EXPECT_TRUE(r.must_master);

  r = ClassifySql("SET @`My Var` = 1, @'q' = 2, @\"dq\" = 3, @UPPER = 4");
  ASSERT_EQ(r.session.assignments.size(), 4u);
  EXPECT_EQ(r.session.assignments[0].name, "my var");
  EXPECT_EQ(r.session.assignments[1].name, "q");
  EXPECT_EQ(r.session.assignments[2].name, "dq");
  EXPECT_EQ(r.session.assignments[3].name, "upper");
  for (const auto& a : r.session.assignments) EXPECT_EQ(a.scope, Scope::kUser);
  EXPECT_FALSE(r.reads_user_vars);  // assignment targets are not reads

  r = ClassifySql("SET PERSIST_ONLY x = 1");
  ASSERT_EQ(r.session.assignments.size(), 1u);
  EXPECT_EQ(r.session.assignments[0].scope, Scope::kPersistOnly);

  r = ClassifySql("SET @@persist.x = 1");
  ASSERT_EQ(r.session.assignments.size(), 1u);
  EXPECT_EQ(r.session.assignments[0].scope, Scope::kPersist);

  r = ClassifySql("SET default.key_buffer_size = 1024");
  ASSERT_EQ(r.session.assignments.size(), 1u);
  EXPECT_EQ(r.session.assignments[0].name, "default.key_buffer_size");
}

TEST(SessionChange, SetTransaction) {
  using TScope = TransactionCharacteristics::Scope;
  Classification r = ClassifySql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
  ASSERT_TRUE(r.session.transaction.has_value());
  EXPECT_EQ(r.session.transaction->scope, TScope::kNextTransaction);
  EXPECT_EQ(r.session.transaction->isolation_level, "READ COMMITTED");
  EXPECT_FALSE(r.session.transaction->read_only.has_value());

  r = ClassifySql("SET SESSION TRANSACTION READ ONLY");
  ASSERT_TRUE(r.session.transaction.has_value());
  EXPECT_EQ(r.session.transaction->scope, TScope::kSession);
  EXPECT_EQ(r.session.transaction->read_only, true);

  r = ClassifySql("set session transaction isolation level repeatable read, read write");
  ASSERT_TRUE(r.session.transaction.has_value());
  EXPECT_EQ(r.session.transaction->isolation_level, "REPEATABLE READ");
  EXPECT_EQ(r.session.transaction->read_only, false);

  r = ClassifySql("SET TRANSACTION ISOLATION LEVEL read uncommitted");
  EXPECT_EQ(r.session.transaction->isolation_level, "READ UNCOMMITTED");
  r = ClassifySql("SET LOCAL TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(r.session.transaction->scope, TScope::kSession);
  EXPECT_EQ(r.session.transaction->isolation_level, "SERIALIZABLE");

  r = ClassifySql("SET GLOBAL TRANSACTION READ ONLY");
  EXPECT_EQ(r.session.transaction->scope, TScope::kGlobal);
  EXPECT_TRUE(r.must_master);
}

TEST(SessionChange, UseAndRole) {
  Classification r = ClassifySql("USE `my``db`");
  EXPECT_EQ(r.session.use_database, "my`db");
  EXPECT_EQ(r.verb, Verb::kUse);
  r = ClassifySql("use Sales");
  EXPECT_EQ(r.session.use_database, "Sales");
  r = ClassifySql("SET ROLE r1, r2");
  EXPECT_EQ(r.session.role, "r1, r2");
  EXPECT_EQ(r.kind, StatementKind::kSessionState);
}

TEST(SessionChange, SetStatementReportsOverridesNotSessionState) {
  const Classification r = ClassifySql(
      "SET STATEMENT max_statement_time=10, sort_buffer_size = 1024 FOR SELECT * FROM t");
  EXPECT_EQ(r.kind, StatementKind::kRead);
  EXPECT_FALSE(r.must_master);
  EXPECT_EQ(r.verb, Verb::kSelect);
  EXPECT_TRUE(r.session.empty());
  EXPECT_THAT(r.statement_overrides,
              ElementsAre(VariableAssignment{Scope::kSession, "max_statement_time", "10", true},
                          VariableAssignment{Scope::kSession, "sort_buffer_size", "1024", true}));
  EXPECT_THAT(r.tables, ElementsAre(TableRef{"", "t"}));

  const Classification locked =
      ClassifySql("SET STATEMENT lock_wait_timeout=1 FOR SELECT * FROM t FOR UPDATE");
  EXPECT_TRUE(locked.must_master);
  EXPECT_EQ(locked.reason, "for_update");
}

TEST(SessionChange, MultiStatementMergesInOrder) {
  const Classification r =
      ClassifySql("SET NAMES latin1; SET autocommit = 0; USE a; SET autocommit = 1; USE b");
  EXPECT_EQ(r.kind, StatementKind::kSessionState);
  EXPECT_FALSE(r.must_master);
  EXPECT_EQ(r.session.names_charset, "latin1");
  EXPECT_EQ(r.session.autocommit, true);
  EXPECT_EQ(r.session.use_database, "b");
  EXPECT_EQ(r.session.assignments.size(), 2u);
}

// --- tables ----------------------------------------------------------------------------------

struct TablesCase {
  std::string sql;
  std::vector<TableRef> tables;
};
void PrintTo(const TablesCase& c, std::ostream* os) {
  *os << "\"" << c.sql << "\"";
}
class TablesTest : public ::testing::TestWithParam<TablesCase> {};
TEST_P(TablesTest, FindsTables) {
  const Classification r = ClassifySql(GetParam().sql);
  EXPECT_THAT(r.tables, ElementsAreArray(GetParam().tables));
  EXPECT_TRUE(r.tables_complete);
}

const TablesCase kTablesCases[] = {
    {"SELECT 1", {}},
    {"SELECT * FROM t", {{"", "t"}}},
    {"SELECT * FROM db.t", {{"db", "t"}}},
    {"SELECT * FROM `my db`.`my``table`", {{"my db", "my`table"}}},
    {"SELECT * FROM T1 a, t2 AS b, t3 c WHERE 1", {{"", "T1"}, {"", "t2"}, {"", "t3"}}},
    {"SELECT * FROM t1 JOIN t2 ON t1.a = t2.a LEFT OUTER JOIN db.t3 USING (b)",
     {{"", "t1"}, {"", "t2"}, {"db", "t3"}}},
    {"SELECT * FROM t1 STRAIGHT_JOIN t2", {{"", "t1"}, {"", "t2"}}},
    {"SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE c IN (SELECT d FROM v))",
     {{"", "t"}, {"", "u"}, {"", "v"}}},
    {"SELECT * FROM (SELECT a FROM t) AS d, u", {{"", "t"}, {"", "u"}}},
    {"SELECT * FROM (t1, t2) JOIN t3", {{"", "t1"}, {"", "t2"}, {"", "t3"}}},
    {"SELECT * FROM t USE INDEX (i1), u IGNORE INDEX FOR JOIN (i2) JOIN v",
     {{"", "t"}, {"", "u"}, {"", "v"}}},
    {"SELECT * FROM t PARTITION (p0, p1) AS x, u", {{"", "t"}, {"", "u"}}},
    {"SELECT EXTRACT(YEAR FROM d), TRIM(LEADING 'x' FROM s) FROM t", {{"", "t"}}},
    {"SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (a INT PATH '$')) jt, t", {{"", "t"}}},
    {"SELECT * FROM tmp, tmp x", {{"", "tmp"}}},
    {"SELECT * FROM t FOR UPDATE", {{"", "t"}}},
    {"SELECT * FROM t LOCK IN SHARE MODE", {{"", "t"}}},
    {"SELECT * FROM dual", {}},
    {"SELECT a INTO @x FROM t", {{"", "t"}}},
    {"WITH c AS (SELECT * FROM base) SELECT * FROM c", {{"", "base"}, {"", "c"}}},
    {"TABLE t", {{"", "t"}}},
    {"INSERT INTO t VALUES (1)", {{"", "t"}}},
    {"INSERT INTO db.t (a, b) VALUES (1, 2)", {{"db", "t"}}},
    {"INSERT t(a) VALUES (1)", {{"", "t"}}},
    {"INSERT IGNORE INTO t SELECT * FROM u", {{"", "t"}, {"", "u"}}},
    {"INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 2", {{"", "t"}}},
    {"REPLACE INTO t SET a = 1", {{"", "t"}}},
    {"UPDATE t SET a = 1", {{"", "t"}}},
    {"UPDATE LOW_PRIORITY t1, t2 SET t1.a = t2.a", {{"", "t1"}, {"", "t2"}}},
    {"UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = 1", {{"", "t1"}, {"", "t2"}}},
    {"DELETE FROM t WHERE a = 1", {{"", "t"}}},
    {"DELETE t1, t2 FROM t1 JOIN t2 JOIN t3", {{"", "t1"}, {"", "t2"}, {"", "t3"}}},
    {"DELETE FROM t WHERE id IN (SELECT id FROM u)", {{"", "t"}, {"", "u"}}},
    {"CREATE TABLE t (a INT)", {{"", "t"}}},
    {"CREATE TEMPORARY TABLE IF NOT EXISTS tmp (a INT)", {{"", "tmp"}}},
    {"CREATE TEMPORARY TABLE tmp SELECT * FROM t", {{"", "tmp"}, {"", "t"}}},
    {"DROP TABLE IF EXISTS t1, db.t2", {{"", "t1"}, {"db", "t2"}}},
    {"ALTER TABLE t ADD COLUMN b INT", {{"", "t"}}},
    {"TRUNCATE TABLE t", {{"", "t"}}},
    {"TRUNCATE t", {{"", "t"}}},
    {"RENAME TABLE a TO b, c TO d", {{"", "a"}, {"", "b"}, {"", "c"}, {"", "d"}}},
    {"LOCK TABLES t1 READ, t2 AS x WRITE, t3 LOW_PRIORITY WRITE",
     {{"", "t1"}, {"", "t2"}, {"", "t3"}}},
    {"DESCRIBE t", {{"", "t"}}},
    {"DESC db.t col", {{"db", "t"}}},
    {"EXPLAIN SELECT * FROM t", {{"", "t"}}},
    {"EXPLAIN FORMAT=JSON SELECT * FROM t", {{"", "t"}}},
    {"SHOW CREATE TABLE tmp", {{"", "tmp"}}},
    {"SHOW COLUMNS FROM tmp", {{"", "tmp"}}},
    {"SHOW TABLE STATUS", {}},
    {"SHOW TABLES", {}},
    {"HANDLER t OPEN", {{"", "t"}}},
    {"ANALYZE TABLE t1, t2", {{"", "t1"}, {"", "t2"}}},
    {"SELECT 'FROM x' FROM t /* FROM y */", {{"", "t"}}},
    {"SELECT * FROM t1; SELECT * FROM t2", {{"", "t1"}, {"", "t2"}}},
    {"select * from \xc3\xa9t\xc3\xa9", {{"", "\xc3\xa9t\xc3\xa9"}}},
};
INSTANTIATE_TEST_SUITE_P(Tables, TablesTest, ::testing::ValuesIn(kTablesCases));

TEST(Tables, CreatedAndDroppedTemporaryTables) {
  Classification r = ClassifySql("CREATE TEMPORARY TABLE IF NOT EXISTS `Db`.`Tmp` (a INT)");
  EXPECT_THAT(r.created_temp_tables, ElementsAre(TableRef{"Db", "Tmp"}));
  EXPECT_THAT(r.dropped_tables, IsEmpty());

  r = ClassifySql("DROP TEMPORARY TABLE IF EXISTS tmp1, db.tmp2");
  EXPECT_THAT(r.dropped_tables, ElementsAre(TableRef{"", "tmp1"}, TableRef{"db", "tmp2"}));
  EXPECT_EQ(r.kind, StatementKind::kTempTableDdl);

  r = ClassifySql("DROP TABLE t1, t2 RESTRICT");
  EXPECT_THAT(r.dropped_tables, ElementsAre(TableRef{"", "t1"}, TableRef{"", "t2"}));
  EXPECT_EQ(r.kind, StatementKind::kWrite);

  r = ClassifySql("CREATE TABLE t (a INT)");
  EXPECT_THAT(r.created_temp_tables, IsEmpty());
}

TEST(Tables, DeepNestingIsReportedIncomplete) {
  std::string sql = "SELECT * FROM t WHERE a IN ";
  for (int i = 0; i < 100; ++i) sql += "(";
  sql += "SELECT b FROM hidden";
  for (int i = 0; i < 100; ++i) sql += ")";
  const Classification r = ClassifySql(sql);
  EXPECT_EQ(r.kind, StatementKind::kRead);
  EXPECT_FALSE(r.tables_complete);
}

// --- flags ----------------------------------------------------------------------------------

TEST(Flags, UserVariablesLastInsertIdLocksAndDiagnostics) {
  EXPECT_TRUE(ClassifySql("SELECT @x").reads_user_vars);
  EXPECT_TRUE(ClassifySql("SELECT * FROM t WHERE a = @x").reads_user_vars);
  EXPECT_TRUE(ClassifySql("EXECUTE s USING @a").reads_user_vars);
  EXPECT_FALSE(ClassifySql("SELECT @@x").reads_user_vars);
  EXPECT_FALSE(ClassifySql("SELECT '@x'").reads_user_vars);
  EXPECT_TRUE(ClassifySql("SELECT LAST_INSERT_ID()").uses_last_insert_id);
  EXPECT_TRUE(ClassifySql("INSERT INTO t VALUES (LAST_INSERT_ID())").uses_last_insert_id);
  EXPECT_TRUE(ClassifySql("SELECT @@identity").uses_last_insert_id);
  EXPECT_FALSE(ClassifySql("SELECT 1").uses_last_insert_id);
  EXPECT_TRUE(ClassifySql("SELECT GET_LOCK('a', 1)").uses_named_lock);
  EXPECT_FALSE(ClassifySql("SELECT 'GET_LOCK(1)'").uses_named_lock);
  EXPECT_TRUE(ClassifySql("SHOW WARNINGS").depends_on_previous_statement);
  EXPECT_TRUE(ClassifySql("SHOW COUNT(*) ERRORS").depends_on_previous_statement);
  EXPECT_TRUE(ClassifySql("SELECT @@warning_count").depends_on_previous_statement);
  EXPECT_TRUE(ClassifySql("SELECT FOUND_ROWS()").depends_on_previous_statement);
  EXPECT_TRUE(ClassifySql("GET DIAGNOSTICS @n = NUMBER").depends_on_previous_statement);
  EXPECT_FALSE(ClassifySql("SHOW TABLES").depends_on_previous_statement);
}

TEST(Flags, LockOps) {
  EXPECT_EQ(ClassifySql("LOCK TABLES t READ").lock, LockOp::kLockTables);
  EXPECT_EQ(ClassifySql("lock table t write").lock, LockOp::kLockTables);
  EXPECT_EQ(ClassifySql("UNLOCK TABLES").lock, LockOp::kUnlockTables);
  EXPECT_EQ(ClassifySql("FLUSH TABLES WITH READ LOCK").lock, LockOp::kLockTables);
  EXPECT_EQ(ClassifySql("FLUSH TABLES t FOR EXPORT").lock, LockOp::kLockTables);
  EXPECT_EQ(ClassifySql("FLUSH LOGS").lock, LockOp::kNone);
  EXPECT_EQ(ClassifySql("SELECT * FROM t FOR UPDATE").lock, LockOp::kNone);
}

TEST(Flags, Verbs) {
  EXPECT_EQ(ClassifySql("KILL 5").verb, Verb::kKill);
  EXPECT_EQ(ClassifySql("EXECUTE s").verb, Verb::kExecute);
  EXPECT_EQ(ClassifySql("WITH c AS (SELECT 1) DELETE FROM t").verb, Verb::kDelete);
  EXPECT_EQ(ClassifySql("EXPLAIN DELETE FROM t").verb, Verb::kExplain);
  EXPECT_EQ(ClassifySql("(SELECT 1)").verb, Verb::kSelect);
  EXPECT_EQ(ClassifySql("SHOW TABLES").verb, Verb::kShow);
  EXPECT_EQ(ClassifySql("").verb, Verb::kNone);
  EXPECT_EQ(ToString(Verb::kTableAdmin), "table_admin");
  EXPECT_EQ(ToString(StatementKind::kTempTableDdl), "temp_table_ddl");
}

// --- prepared statements -----------------------------------------------------------------------

TEST(Prepare, ReportsTheInnerClassification) {
  Classification r = ClassifySql("PREPARE Stmt1 FROM 'SELECT * FROM t WHERE id = ?'");
  EXPECT_EQ(r.kind, StatementKind::kSessionState);
  EXPECT_EQ(r.verb, Verb::kPrepare);
  EXPECT_EQ(r.prepare_name, "stmt1");
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->kind, StatementKind::kRead);
  EXPECT_FALSE(r.prepared->must_master);
  EXPECT_THAT(r.prepared->tables, ElementsAre(TableRef{"", "t"}));
  EXPECT_THAT(r.tables, IsEmpty());  // the outer statement touches no table itself

  r = ClassifySql("PREPARE s FROM 'DELETE FROM t WHERE id = ?'");
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->kind, StatementKind::kWrite);
  EXPECT_TRUE(r.prepared->must_master);

  r = ClassifySql("PREPARE s FROM 'SELECT * FROM t FOR UPDATE'");
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->reason, "for_update");
}

TEST(Prepare, InnerTextIsUnescapedAndConcatenated) {
  Classification r = ClassifySql("PREPARE s FROM 'SELECT ''it''''s'' FROM t' ' FOR UPDATE'");
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->reason, "for_update");

  r = ClassifySql(R"(PREPARE s FROM "SELECT 'a\\\\'")");
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->kind, StatementKind::kRead);

  r = ClassifySql("PREPARE s FROM 'SELECT \\'x'");
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->kind, StatementKind::kUnknown);  // inner text is 'SELECT 'x'
}

TEST(Prepare, HintsInsideThePreparedTextBelongToIt) {
  const Classification r =
      ClassifySql("PREPARE s FROM '/* switchyard:route=master */ SELECT * FROM t'");
  EXPECT_TRUE(r.hint.empty());
  ASSERT_NE(r.prepared, nullptr);
  EXPECT_EQ(r.prepared->hint.target, RouteHint::Target::kMaster);
}

TEST(Prepare, FromVariableHasNoInnerClassification) {
  const Classification r = ClassifySql("PREPARE s FROM @sql");
  EXPECT_EQ(r.prepare_name, "s");
  EXPECT_EQ(r.prepared, nullptr);
  EXPECT_TRUE(r.reads_user_vars);
}

TEST(Prepare, ExecuteAndDeallocateNames) {
  Classification r = ClassifySql("EXECUTE `S1` USING @a, @b");
  EXPECT_EQ(r.execute_name, "s1");
  EXPECT_EQ(r.verb, Verb::kExecute);
  EXPECT_TRUE(r.must_master);  // until the router looks the prepared statement up

  r = ClassifySql("DEALLOCATE PREPARE S1");
  EXPECT_EQ(r.deallocate_name, "s1");
  r = ClassifySql("DROP PREPARE s2");
  EXPECT_EQ(r.deallocate_name, "s2");
  EXPECT_EQ(r.kind, StatementKind::kSessionState);
}

TEST(Prepare, ExecuteImmediateClassifiesItsText) {
  Classification r = ClassifySql("EXECUTE IMMEDIATE 'SELECT 1'");
  EXPECT_EQ(r.kind, StatementKind::kRead);
  EXPECT_FALSE(r.must_master);
  r = ClassifySql("EXECUTE IMMEDIATE 'DELETE FROM t'");
  EXPECT_EQ(r.kind, StatementKind::kWrite);
  EXPECT_TRUE(r.must_master);
  r = ClassifySql("EXECUTE IMMEDIATE 'SET @a = 1'");
  EXPECT_EQ(r.kind, StatementKind::kUnknown);
}

// --- multi-statements ------------------------------------------------------------------------

TEST(MultiStatement, SummariesWithOffsets) {
  const std::string sql = "SELECT 1; INSERT INTO t VALUES (';'); BEGIN";
  const Classification r = ClassifySql(sql);
  EXPECT_TRUE(r.multi_statement);
  EXPECT_EQ(r.statement_count, 3u);
  ASSERT_EQ(r.statements.size(), 3u);
  EXPECT_EQ(r.statements[0].kind, StatementKind::kRead);
  EXPECT_EQ(sql.substr(r.statements[0].offset, r.statements[0].length), "SELECT 1");
  EXPECT_EQ(r.statements[1].kind, StatementKind::kWrite);
  EXPECT_EQ(sql.substr(r.statements[1].offset, r.statements[1].length),
            "INSERT INTO t VALUES (';')");
  EXPECT_EQ(r.statements[2].txn, TxnOp::kBegin);
  EXPECT_EQ(r.kind, StatementKind::kWrite);
  EXPECT_TRUE(r.must_master);
  EXPECT_EQ(r.txn, TxnOp::kBegin);
}

TEST(MultiStatement, SingleStatementHasNoSummaries) {
  const Classification r = ClassifySql("SELECT 1;");
  EXPECT_FALSE(r.multi_statement);
  EXPECT_EQ(r.statement_count, 1u);
  EXPECT_THAT(r.statements, IsEmpty());
}

TEST(MultiStatement, StoredProgramBodiesAreNotSplit) {
  const Classification r = ClassifySql(
      "CREATE PROCEDURE p(IN x INT)\n"
      "BEGIN\n"
      "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; END;\n"
      "  IF x > 0 THEN SET @y = 1; ELSEIF x < 0 THEN SET @y = 2; ELSE SET @y = 3; END IF;\n"
      "  lbl: LOOP LEAVE lbl; END LOOP lbl;\n"
      "  WHILE x > 0 DO SET x = x - 1; END WHILE;\n"
      "  REPEAT SET x = x + 1; UNTIL x > 5 END REPEAT;\n"
      "  CASE x WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE;\n"
      "  SELECT CASE WHEN x THEN 1 END, REPEAT('a', 2), IF(x, 1, 2);\n"
      "END;\n"
      "SET @after = 1");
  EXPECT_EQ(r.statement_count, 2u);
  EXPECT_EQ(r.kind, StatementKind::kWrite);
  // Only the trailing SET is session state: the SETs inside the body are not.
  ASSERT_EQ(r.session.assignments.size(), 1u);
  EXPECT_EQ(r.session.assignments[0].name, "after");
}

TEST(MultiStatement, TriggersAndEventsSplitAfterTheirBody) {
  Classification r = ClassifySql(
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = IF(NEW.b, 1, 2); SELECT 1");
  EXPECT_EQ(r.statement_count, 2u);
  r = ClassifySql("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END; SET @z = 1");
  EXPECT_EQ(r.statement_count, 2u);
  EXPECT_EQ(r.session.assignments.size(), 1u);
}

// --- options ----------------------------------------------------------------------------------

TEST(Options, NoBackslashEscapes) {
  ClassifyOptions options;
  options.backslash_escapes = false;
  // With NO_BACKSLASH_ESCAPES, 'a\' is a complete string and the DELETE is real.
  Classification r = ClassifySql("SELECT 'a\\'; DELETE FROM t", options);
  EXPECT_EQ(r.kind, StatementKind::kWrite);
  EXPECT_EQ(r.statement_count, 2u);
  // With the default mode the same text is one unterminated string.
  r = ClassifySql("SELECT 'a\\'; DELETE FROM t");
  EXPECT_EQ(r.kind, StatementKind::kUnknown);
  EXPECT_EQ(r.reason, "malformed");
}

TEST(Options, AnsiQuotes) {
  ClassifyOptions options;
  options.ansi_quotes = true;
  const Classification r = ClassifySql("SELECT * FROM \"My Table\"", options);
  EXPECT_EQ(r.kind, StatementKind::kRead);
  EXPECT_THAT(r.tables, ElementsAre(TableRef{"", "My Table"}));
}

// --- robustness -------------------------------------------------------------------------------

TEST(Robustness, HugeStatementsDoNotExhaustMemoryOrCrash) {
  std::string sql = "INSERT INTO t VALUES ";
  for (int i = 0; i < 200000; ++i) sql += "(1, 'abc', 2.5),";
  sql += "(0, '', 0)";
  const Classification r = ClassifySql(sql);
  EXPECT_EQ(r.kind, StatementKind::kWrite);
  EXPECT_THAT(r.tables, ElementsAre(TableRef{"", "t"}));

  std::string select = "SELECT ";
  for (int i = 0; i < 100000; ++i) select += "a, ";
  select += "b FROM t FOR UPDATE";  // the lock at the very end still counts
  const Classification s = ClassifySql(select);
  EXPECT_EQ(s.kind, StatementKind::kRead);
  EXPECT_EQ(s.reason, "for_update");
}

TEST(Robustness, LongSetIsUnknownNotTruncated) {
  std::string sql = "SET @a0 = 0";
  for (int i = 1; i < 200; ++i) sql += ", @a" + std::to_string(i) + " = " + std::to_string(i);
  const Classification r = ClassifySql(sql);
  EXPECT_EQ(r.kind, StatementKind::kUnknown);  // beyond the head buffer: master, not half-tracked
  EXPECT_TRUE(r.must_master);
}

TEST(Robustness, HugeStringAndComment) {
  const std::string big(1 << 20, 'x');
  EXPECT_EQ(ClassifySql("SELECT '" + big + "'").kind, StatementKind::kRead);
  EXPECT_EQ(ClassifySql("/*" + big + "*/ SELECT 1").kind, StatementKind::kRead);
  EXPECT_EQ(ClassifySql("SELECT '" + big).reason, "malformed");
  EXPECT_EQ(ClassifySql(std::string(100000, '(')).kind, StatementKind::kUnknown);
  EXPECT_EQ(ClassifySql(std::string(100000, ')')).kind, StatementKind::kUnknown);
  EXPECT_EQ(ClassifySql(std::string(100000, ';')).reason, "empty");
}

TEST(Robustness, RandomBytesNeverCrashAndAreDeterministic) {
  std::mt19937 rng(12345);
  const std::string alphabet = "SELECT FROM WHERE UPDATE FOR ;'\"`/*!-#@:=()., \\\n\x80\xff";
  for (int n = 0; n < 3000; ++n) {
    std::string sql;
    const size_t len = rng() % 80;
    for (size_t i = 0; i < len; ++i) {
      sql.push_back(rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                   : alphabet[rng() % alphabet.size()]);
    }
    const Classification a = ClassifySql(sql);
    const Classification b = ClassifySql(sql);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.reason, b.reason);
    if (a.kind == StatementKind::kUnknown || a.kind == StatementKind::kWrite) {
      EXPECT_TRUE(a.must_master) << sql;
    }
  }
}

}  // namespace
}  // namespace switchyard::proxy
