// Router decisions from classification + session state + topology, without any server.
#include "proxy/router.h"

#include <gtest/gtest.h>

#include <map>

#include "wire/capabilities.h"

namespace switchyard::proxy {
namespace {

Topology ThreeServers() {
  Topology t;
  for (int i = 0; i < 3; ++i) {
    ServerView v;
    v.name = "db" + std::to_string(i + 1);
    v.address = {"127.0.0.1", static_cast<uint16_t>(3307 + i)};
    v.role = i == 0 ? ServerRole::kMaster : ServerRole::kReplica;
    v.state = ServerState::kUp;
    v.lag_ms = 0;
    v.gtid = "0-1-100";
    t.servers.push_back(v);
  }
  t.master = 0;
  return t;
}

struct Fixture : ::testing::Test {
  Topology topo = ThreeServers();
  SessionState session;
  conf::RoutingConfig routing;
  LoadBalanceCounters counters;

  RouteDecision R(std::string_view sql, std::optional<std::string_view> current = std::nullopt) {
    Classification c = ClassifySql(sql);
    return Route(RouteInputs{c, session, topo, routing, current, std::nullopt}, counters);
  }
  std::string Where(std::string_view sql) {
    RouteDecision d = R(sql);
    if (d.target == RouteTarget::kMaster) return "master";
    return topo.servers[*d.server].name;
  }
};

TEST_F(Fixture, WritesGoToTheMaster) {
  EXPECT_EQ(Where("INSERT INTO t VALUES (1)"), "master");
  EXPECT_EQ(Where("UPDATE t SET a = 1"), "master");
  EXPECT_EQ(Where("SELECT * FROM t FOR UPDATE"), "master");
  EXPECT_EQ(Where("SELECT GET_LOCK('x', 1)"), "master");
  EXPECT_EQ(Where("CREATE TABLE x (a int)"), "master");
}

TEST_F(Fixture, ReadsGoToAReplica) {
  EXPECT_NE(Where("SELECT 1"), "master");
  EXPECT_NE(Where("SELECT @@server_id"), "master");
  EXPECT_NE(Where("SHOW TABLES"), "master");
}

TEST_F(Fixture, WriteHintedToAReplicaStillGoesToTheMaster) {
  EXPECT_EQ(Where("/* switchyard:route=replica */ INSERT INTO t VALUES (1)"), "master");
  EXPECT_EQ(Where("/* switchyard:route=server:db3 */ DELETE FROM t"), "master");
}

TEST_F(Fixture, HintsOverrideReads) {
  EXPECT_EQ(Where("/* switchyard:route=master */ SELECT 1"), "master");
  EXPECT_EQ(Where("/* switchyard:route=server:db3 */ SELECT 1"), "db3");
  EXPECT_EQ(Where("/* switchyard:route=server:db2 */ SELECT 1"), "db2");
  EXPECT_EQ(Where("/* switchyard:route=server:nope */ SELECT 1"), "master");
}

TEST_F(Fixture, LaggingReplicasGetNoReads) {
  topo.servers[1].lag_ms = 5000;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Where("SELECT 1"), "db3");
  topo.servers[2].lag_ms = std::nullopt;  // stopped replication: unknown lag is not "0 behind"
  EXPECT_EQ(Where("SELECT 1"), "master");
}

TEST_F(Fixture, PerStatementLagBoundNarrowsTheChoice) {
  topo.servers[1].lag_ms = 150;
  topo.servers[2].lag_ms = 600;
  EXPECT_EQ(Where("/* switchyard:max_lag_ms=200 */ SELECT 1"), "db2");
  EXPECT_EQ(Where("/* switchyard:max_lag_ms=100 */ SELECT 1"), "master");
}

TEST_F(Fixture, DownAndMaintenanceReplicasAreSkipped) {
  topo.servers[1].state = ServerState::kDown;
  topo.servers[2].maintenance = true;
  EXPECT_EQ(Where("SELECT 1"), "master");
  topo.servers[2].maintenance = false;
  EXPECT_EQ(Where("SELECT 1"), "db3");
}

TEST_F(Fixture, TransactionsPinToTheMaster) {
  session.OnServerStatus(wire::status::kInTrans | wire::status::kAutocommit);
  EXPECT_EQ(Where("SELECT 1"), "master");
  session.OnServerStatus(wire::status::kAutocommit);
  EXPECT_NE(Where("SELECT 1"), "master");
  session.OnServerStatus(0);  // autocommit=0: every statement opens a transaction
  EXPECT_EQ(Where("SELECT 1"), "master");
}

TEST_F(Fixture, ReadOnlyTransactionRunsOnOneReplica) {
  RouteDecision d = R("START TRANSACTION READ ONLY");
  ASSERT_EQ(d.target, RouteTarget::kReplica);
  session.PinReadOnlyTransaction(topo.servers[*d.server].name);
  session.OnServerStatus(wire::status::kInTrans | wire::status::kAutocommit);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Where("SELECT 1"), topo.servers[*d.server].name);
  session.OnServerStatus(wire::status::kAutocommit);  // COMMIT ended it
  EXPECT_FALSE(session.read_only_txn_replica());
}

TEST_F(Fixture, TemporaryTablesPinTheirStatements) {
  session.OnStatementSucceeded(ClassifySql("CREATE TEMPORARY TABLE tmp1 (a int)"));
  EXPECT_EQ(Where("SELECT * FROM tmp1"), "master");
  EXPECT_EQ(Where("SELECT * FROM TMP1 JOIN other"), "master");
  EXPECT_NE(Where("SELECT * FROM other"), "master");
  session.OnStatementSucceeded(ClassifySql("DROP TEMPORARY TABLE tmp1"));
  EXPECT_NE(Where("SELECT * FROM tmp1"), "master");
}

TEST_F(Fixture, ReadYourWritesPrefersReplicasThatHaveTheWrite) {
  session.OnWriteGtid({0, 1, 101});
  topo.servers[2].gtid = "0-1-101";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Where("SELECT 1"), "db3");
  topo.servers[2].gtid = "0-1-100";  // nobody has it: wait on a replica, or the master
  RouteDecision d = R("SELECT 1");
  EXPECT_EQ(d.target, RouteTarget::kReplica);
  EXPECT_TRUE(d.causal_wait);
  routing.causal_wait_ms = 0;
  EXPECT_EQ(Where("SELECT 1"), "master");
  routing.read_consistency = conf::ReadConsistency::kEventual;
  EXPECT_NE(Where("SELECT 1"), "master");
}

TEST_F(Fixture, UserVariablesFromExpressionsKeepTheirReadsOnTheMaster) {
  session.OnStatementSucceeded(ClassifySql("SET @a = 5"));
  EXPECT_NE(Where("SELECT @a"), "master");
  session.OnStatementSucceeded(ClassifySql("SET @b = NOW()"));
  EXPECT_EQ(Where("SELECT @b"), "master");
}

TEST_F(Fixture, StickyReplicaWhileEligible) {
  EXPECT_EQ(topo.servers[*R("SELECT 1", "db3").server].name, "db3");
  topo.servers[2].lag_ms = 99999;
  EXPECT_EQ(topo.servers[*R("SELECT 1", "db3").server].name, "db2");
}

TEST_F(Fixture, RoundRobinAndLeastConnSpreadSessions) {
  routing.load_balance = conf::LoadBalance::kRoundRobin;
  std::map<std::string, int> hits;
  for (int i = 0; i < 100; ++i) hits[Where("SELECT 1")]++;
  EXPECT_EQ(hits["db2"], 50);
  EXPECT_EQ(hits["db3"], 50);
  routing.load_balance = conf::LoadBalance::kLeastConn;
  counters.replica_sessions[1] = 5;
  EXPECT_EQ(Where("SELECT 1"), "db3");
}

TEST_F(Fixture, NoMasterKnownStillRoutesWritesNowhereElse) {
  topo.master.reset();
  topo.servers[0].role = ServerRole::kUnknown;
  EXPECT_EQ(R("INSERT INTO t VALUES (1)").target, RouteTarget::kMaster);
}

TEST(SessionStateTest, ReplayStatementsCarryTheSession) {
  SessionState s;
  EXPECT_TRUE(s.ReplayStatements().empty());
  s.OnStatementSucceeded(ClassifySql("SET NAMES utf8mb4"));
  s.OnStatementSucceeded(ClassifySql("SET time_zone = '+05:00'"));
  s.OnStatementSucceeded(ClassifySql("SET @x = 5"));
  s.OnStatementSucceeded(ClassifySql("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  auto r = s.ReplayStatements();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], "SET NAMES utf8mb4, @@session.`time_zone`='+05:00', @`x`=5");
  EXPECT_EQ(r[1], "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  uint64_t g = s.generation();
  s.OnDatabaseChanged("app");
  EXPECT_GT(s.generation(), g);
}

TEST(SessionStateTest, SqlModeChangesTokenizerOptions) {
  SessionState s;
  EXPECT_TRUE(s.classify_options().backslash_escapes);
  s.OnStatementSucceeded(ClassifySql("SET sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES'"));
  EXPECT_FALSE(s.classify_options().backslash_escapes);
  EXPECT_TRUE(s.classify_options().ansi_quotes);
}

TEST(GtidPositionTest, ParsesAndCovers) {
  auto p = ParseGtidPosition("0-1-42,1-2-7");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_TRUE(PositionCovers(*p, {0, 1, 42}));
  EXPECT_TRUE(PositionCovers(*p, {0, 3, 41}));
  EXPECT_FALSE(PositionCovers(*p, {0, 1, 43}));
  EXPECT_FALSE(PositionCovers(*p, {5, 1, 1}));
  EXPECT_TRUE(ParseGtidPosition("")->empty());
  EXPECT_FALSE(ParseGtidPosition("0-1"));
  EXPECT_FALSE(ParseGtidPosition("a-b-c"));
  EXPECT_FALSE(ParseGtidPosition("0-1-2,"));
}

}  // namespace
}  // namespace switchyard::proxy
