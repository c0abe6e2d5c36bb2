#include "failover/topology_builder.h"

#include <gtest/gtest.h>

#include "failover/server_probe.h"

namespace switchyard::failover {
namespace {

using proxy::ServerRole;
using proxy::ServerState;

ServerObservation Server(const std::string& name, uint16_t port) {
  ServerObservation s;
  s.config.name = name;
  s.config.address = {"127.0.0.1", port};
  return s;
}

ProbeResult Good(uint32_t server_id, bool read_only) {
  ProbeResult p;
  p.ok = true;
  p.flavor = Flavor::kMariaDB;
  p.version = "10.11.6-MariaDB";
  p.server_id = server_id;
  p.read_only = read_only;
  p.gtid_binlog_pos = "0-1-42";
  p.gtid_current_pos = "0-1-42";
  return p;
}

ServerObservation Master(const std::string& name, uint16_t port, uint32_t id) {
  ServerObservation s = Server(name, port);
  s.last_good = Good(id, false);
  s.ok_this_round = true;
  return s;
}

ServerObservation Replica(const std::string& name, uint16_t port, uint32_t id,
                          const std::string& master_host, uint16_t master_port,
                          const std::string& io = "Yes", const std::string& sql = "Yes") {
  ServerObservation s = Server(name, port);
  s.last_good = Good(id, true);
  s.last_good->gtid_slave_pos = "0-1-40";
  ReplicationStatus r;
  r.master_host = master_host;
  r.master_port = master_port;
  r.io_state = io;
  r.sql_state = sql;
  s.last_good->replication = r;
  s.ok_this_round = true;
  return s;
}

std::vector<ServerObservation> Sandbox() {
  return {Master("db1", 3307, 1), Replica("db2", 3308, 2, "127.0.0.1", 3307),
          Replica("db3", 3309, 3, "localhost", 3307)};
}

TEST(DiscoverRoles, WritableServerReplicasReplicateFromIsMaster) {
  auto servers = Sandbox();
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  ASSERT_EQ(std::optional<size_t>(0), d.master);
  EXPECT_EQ(ServerRole::kMaster, d.roles[0]);
  EXPECT_EQ(ServerRole::kReplica, d.roles[1]);
  EXPECT_EQ(ServerRole::kReplica, d.roles[2]);  // "localhost" is the same loopback address
  EXPECT_TRUE(d.problem.empty());
}

TEST(DiscoverRoles, StoppedReplicationStillMakesAReplica) {
  auto servers = Sandbox();
  servers[2].last_good->replication->sql_state = "No";
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_EQ(ServerRole::kReplica, d.roles[2]);
}

TEST(DiscoverRoles, MatchesMasterByServerIdWhenHostDiffers) {
  auto servers = Sandbox();
  servers[1].last_good->replication->master_host = "db1.internal";
  servers[1].last_good->replication->master_server_id = 1;
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_EQ(ServerRole::kReplica, d.roles[1]);
}

TEST(DiscoverRoles, TwoWritableServersWithoutReplicasIsNoMaster) {
  std::vector<ServerObservation> servers = {Master("a", 1, 1), Master("b", 2, 2)};
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_FALSE(d.master);
  EXPECT_NE(std::string::npos, d.problem.find("a, b"));
  EXPECT_EQ(ServerRole::kUnknown, d.roles[0]);
  EXPECT_EQ("writable but not the master", d.role_details[1]);
}

TEST(DiscoverRoles, MostReplicasWinsOverAnotherWritableServer) {
  auto servers = Sandbox();
  servers.push_back(Master("rogue", 3310, 9));
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  ASSERT_EQ(std::optional<size_t>(0), d.master);
  EXPECT_EQ(ServerRole::kUnknown, d.roles[3]);
}

TEST(DiscoverRoles, TieKeepsThePreviousMaster) {
  std::vector<ServerObservation> servers = {Master("a", 1, 1), Master("b", 2, 2)};
  proxy::Topology previous;
  previous.servers.resize(2);
  previous.servers[0].name = "a";
  previous.servers[1].name = "b";
  previous.master = 1;
  RoleDecision d = DiscoverRoles(servers, 3, &previous);
  EXPECT_EQ(std::optional<size_t>(1), d.master);
}

TEST(DiscoverRoles, DownMasterStaysMasterWhileReplicasPointAtIt) {
  auto servers = Sandbox();
  servers[0].ok_this_round = false;
  servers[0].consecutive_failures = 5;
  servers[1].last_good->replication->io_state = "Connecting";
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_EQ(std::optional<size_t>(0), d.master);
  EXPECT_EQ(ServerRole::kReplica, d.roles[1]);
}

TEST(DiscoverRoles, ReadOnlyServerWithoutReplicationIsUnknown) {
  auto servers = Sandbox();
  servers[2].last_good->replication.reset();
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_EQ(ServerRole::kUnknown, d.roles[2]);
  EXPECT_EQ("read-only and not replicating", d.role_details[2]);
}

TEST(DiscoverRoles, ReplicaOfSomethingElseIsUnknown) {
  auto servers = Sandbox();
  servers[2].last_good->replication->master_host = "10.0.0.9";
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_EQ(ServerRole::kUnknown, d.roles[2]);
  EXPECT_NE(std::string::npos, d.role_details[2].find("10.0.0.9:3307"));
}

TEST(DiscoverRoles, WritableServerThatReplicatesIsNotMaster) {
  auto servers = Sandbox();
  servers[1].last_good->read_only = false;  // misconfigured replica
  RoleDecision d = DiscoverRoles(servers, 3, nullptr);
  EXPECT_EQ(std::optional<size_t>(0), d.master);
  EXPECT_EQ(ServerRole::kReplica, d.roles[1]);
}

TEST(DiscoverRoles, DownReplicaKeepsItsPreviousRole) {
  auto servers = Sandbox();
  servers[2].ok_this_round = false;
  servers[2].consecutive_failures = 3;
  proxy::Topology previous;
  previous.servers.resize(3);
  for (int i = 0; i < 3; ++i) previous.servers[i].name = servers[i].config.name;
  previous.servers[2].role = ServerRole::kReplica;
  EXPECT_EQ(ServerRole::kReplica, DiscoverRoles(servers, 3, &previous).roles[2]);
  EXPECT_EQ(ServerRole::kUnknown, DiscoverRoles(servers, 3, nullptr).roles[2]);
}

BuildOptions Options() {
  return BuildOptions{.failure_threshold = 3, .max_lag_ms = 1000};
}

TEST(BuildTopology, HealthyTopology) {
  auto servers = Sandbox();
  servers[1].lag_ms = 0;
  servers[2].lag_ms = 20;
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  ASSERT_NE(nullptr, t.Master());
  EXPECT_EQ("db1", t.Master()->name);
  EXPECT_EQ(ServerState::kUp, t.servers[0].state);
  EXPECT_EQ("0-1-42", t.servers[0].gtid);  // master: binlog position
  EXPECT_EQ(std::optional<uint64_t>(0), t.servers[0].lag_ms);
  EXPECT_EQ(ServerState::kUp, t.servers[2].state);
  EXPECT_EQ("0-1-40", t.servers[2].gtid);  // replica: applied position
  EXPECT_EQ(std::optional<uint64_t>(20), t.servers[2].lag_ms);
  EXPECT_TRUE(t.ReadEligible(t.servers[2], 1000));
}

TEST(BuildTopology, StoppedSqlThreadIsLaggingWithLagStillReported) {
  auto servers = Sandbox();
  servers[2].last_good->replication->sql_state = "No";
  servers[2].last_good->replication->last_sql_error = "boom";
  servers[2].lag_ms = 0;  // even when the lag reads 0 (idle master) it is not healthy
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kLagging, t.servers[2].state);
  EXPECT_EQ(std::optional<uint64_t>(0), t.servers[2].lag_ms);
  EXPECT_NE(std::string::npos, t.servers[2].detail.find("SQL thread No"));
  EXPECT_NE(std::string::npos, t.servers[2].detail.find("boom"));
  EXPECT_FALSE(t.ReadEligible(t.servers[2], 1000));
}

TEST(BuildTopology, LagAboveMaxIsLagging) {
  auto servers = Sandbox();
  servers[1].lag_ms = 1001;
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kLagging, t.servers[1].state);
  servers[1].lag_ms = 1000;
  t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kUp, t.servers[1].state);
}

TEST(BuildTopology, UnknownLagStaysUpButIsNotReadEligible) {
  auto servers = Sandbox();
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kUp, t.servers[1].state);
  EXPECT_FALSE(t.servers[1].lag_ms);
  EXPECT_FALSE(t.ReadEligible(t.servers[1], 1000));
}

TEST(BuildTopology, DownOnlyAfterFailureThreshold) {
  auto servers = Sandbox();
  servers[2].lag_ms = 0;
  servers[2].ok_this_round = false;
  servers[2].last_error = "refused";
  servers[2].consecutive_failures = 2;
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kUp, t.servers[2].state);
  EXPECT_NE(std::string::npos, t.servers[2].detail.find("last check failed (2/3): refused"));
  servers[2].consecutive_failures = 3;
  t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kDown, t.servers[2].state);
  EXPECT_FALSE(t.servers[2].lag_ms);
  EXPECT_NE(std::string::npos, t.servers[2].detail.find("3 consecutive failed checks: refused"));
}

TEST(BuildTopology, NeverReachedIsDown) {
  auto servers = Sandbox();
  servers[1].last_good.reset();
  servers[1].ok_this_round = false;
  servers[1].consecutive_failures = 1;
  servers[1].last_error = "timeout";
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kDown, t.servers[1].state);
  EXPECT_EQ("not reached yet: timeout", t.servers[1].detail);
}

TEST(BuildTopology, MaintenanceOverridesUpAndLagging) {
  auto servers = Sandbox();
  servers[1].maintenance = true;
  servers[1].lag_ms = 0;
  auto t = BuildTopology(servers, DiscoverRoles(servers, 3, nullptr), Options());
  EXPECT_EQ(ServerState::kMaintenance, t.servers[1].state);
  EXPECT_TRUE(t.servers[1].maintenance);
  EXPECT_FALSE(t.ReadEligible(t.servers[1], 1000));
}

TEST(ReplicationStatusFromRow, MariaDBNames) {
  ResultRow row = {{"Master_Host", "127.0.0.1"},
                   {"Master_Port", "3307"},
                   {"Slave_IO_Running", "Yes"},
                   {"Slave_SQL_Running", "No"},
                   {"Last_SQL_Error", "dup key"},
                   {"Seconds_Behind_Master", std::nullopt},
                   {"SQL_Delay", "0"},
                   {"Exec_Master_Log_Pos", "2328"},
                   {"Relay_Master_Log_File", "db1-bin.000001"},
                   {"Master_Server_Id", "1"},
                   {"Gtid_IO_Pos", "0-1-10"}};
  auto s = ReplicationStatusFromRow(row);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ("127.0.0.1", s->master_host);
  EXPECT_EQ(3307, s->master_port);
  EXPECT_TRUE(s->io_running());
  EXPECT_FALSE(s->sql_running());
  EXPECT_FALSE(s->running());
  EXPECT_FALSE(s->seconds_behind_master);
  EXPECT_EQ(2328u, s->exec_master_log_pos);
  EXPECT_EQ(std::optional<uint32_t>(1), s->master_server_id);
  EXPECT_EQ("0-1-10", s->gtid_io_pos);
  EXPECT_EQ("dup key", s->last_sql_error);
}

TEST(ReplicationStatusFromRow, MySQL8Names) {
  ResultRow row = {{"Source_Host", "10.0.0.1"},          {"Source_Port", "3306"},
                   {"Replica_IO_Running", "Connecting"}, {"Replica_SQL_Running", "Yes"},
                   {"Seconds_Behind_Source", "7"},       {"Source_Server_Id", "0"}};
  auto s = ReplicationStatusFromRow(row);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ("10.0.0.1", s->master_host);
  EXPECT_EQ(std::optional<uint64_t>(7), s->seconds_behind_master);
  EXPECT_FALSE(s->master_server_id);  // 0: never connected
  EXPECT_TRUE(s->replicating_at_all());
}

TEST(ReplicationStatusFromRow, MissingOrBadColumnsAreErrors) {
  EXPECT_FALSE(ReplicationStatusFromRow({}).ok());
  ResultRow bad_port = {{"Master_Host", "h"},
                        {"Master_Port", "x"},
                        {"Slave_IO_Running", "No"},
                        {"Slave_SQL_Running", "No"}};
  auto s = ReplicationStatusFromRow(bad_port);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.error().message.find("Master_Port"));
}

TEST(FlavorFromVersion, Recognises) {
  EXPECT_EQ(Flavor::kMariaDB, FlavorFromVersion("10.11.19-MariaDB-0+deb12u1-log"));
  EXPECT_EQ(Flavor::kMySQL, FlavorFromVersion("8.0.36"));
  EXPECT_EQ(Flavor::kUnknown, FlavorFromVersion(""));
}

}  // namespace
}  // namespace switchyard::failover
