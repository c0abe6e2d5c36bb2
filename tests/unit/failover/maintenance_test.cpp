#include "failover/maintenance.h"

#include <gtest/gtest.h>

#include "failover/failover_decision.h"
#include "failover/topology_builder.h"

namespace switchyard::failover {
namespace {

using proxy::ServerRole;
using proxy::ServerState;

proxy::Topology ThreeServers() {
  proxy::Topology t;
  for (const char* name : {"db1", "db2", "db3"}) {
    proxy::ServerView v;
    v.name = name;
    v.role = ServerRole::kReplica;
    v.state = ServerState::kUp;
    t.servers.push_back(v);
  }
  t.servers[0].role = ServerRole::kMaster;
  t.master = 0;
  return t;
}

TEST(MaintenanceRefusal, ReplicaWithAnotherHealthyReplicaIsAllowed) {
  EXPECT_EQ("", MaintenanceRefusal(ThreeServers(), 2, false));
}

TEST(MaintenanceRefusal, MasterIsRefusedEvenWhenForced) {
  EXPECT_NE(std::string::npos, MaintenanceRefusal(ThreeServers(), 0, true).find("master"));
}

TEST(MaintenanceRefusal, LastHealthyReplicaNeedsForce) {
  proxy::Topology t = ThreeServers();
  t.servers[1].state = ServerState::kLagging;
  std::string why = MaintenanceRefusal(t, 2, false);
  EXPECT_NE(std::string::npos, why.find("last healthy replica")) << why;
  EXPECT_EQ("", MaintenanceRefusal(t, 2, true));
  // The other one in maintenance does not serve reads either.
  t = ThreeServers();
  t.servers[1].maintenance = true;
  t.servers[1].state = ServerState::kMaintenance;
  EXPECT_NE("", MaintenanceRefusal(t, 2, false));
}

TEST(MaintenanceRefusal, UnhealthyReplicaMayAlwaysGo) {
  proxy::Topology t = ThreeServers();
  t.servers[1].state = ServerState::kDown;
  t.servers[2].state = ServerState::kLagging;  // serves no reads: taking it out changes nothing
  EXPECT_EQ("", MaintenanceRefusal(t, 2, false));
}

TEST(MaintenanceRefusal, RefusedDuringAFailover) {
  proxy::Topology t = ThreeServers();
  t.failover_in_progress = true;
  EXPECT_NE(std::string::npos, MaintenanceRefusal(t, 2, true).find("in progress"));
}

// A replica paused for a backup: IO thread running, SQL thread stopped on purpose.
std::vector<ServerObservation> WithPausedDb3() {
  std::vector<ServerObservation> servers;
  for (uint16_t i = 0; i < 3; ++i) {
    ServerObservation s;
    s.config.name = "db" + std::to_string(i + 1);
    s.config.address = {"127.0.0.1", static_cast<uint16_t>(3307 + i)};
    s.ok_this_round = true;
    ProbeResult p;
    p.ok = true;
    p.flavor = Flavor::kMariaDB;
    p.server_id = i + 1;
    p.read_only = i != 0;
    p.gtid_binlog_pos = i == 0 ? "0-1-50" : "";
    p.gtid_slave_pos = i == 2 ? "0-1-40" : "0-1-50";
    if (i != 0) {
      ReplicationStatus r;
      r.master_host = "127.0.0.1";
      r.master_port = 3307;
      r.io_state = "Yes";
      r.sql_state = i == 2 ? "No" : "Yes";
      r.gtid_io_pos = "0-1-50";
      p.replication = r;
    }
    s.last_good = p;
    servers.push_back(std::move(s));
  }
  servers[2].maintenance = true;
  servers[2].replication_paused = true;
  servers[1].lag_ms = 0;
  servers[2].lag_ms = 5000;
  return servers;
}

TEST(PausedReplica, IsInMaintenanceNotBrokenReplication) {
  auto servers = WithPausedDb3();
  RoleDecision roles = DiscoverRoles(servers, 3, nullptr);
  ASSERT_EQ(0u, roles.master);
  EXPECT_EQ(ServerRole::kReplica, roles.roles[2]);
  proxy::Topology t = BuildTopology(servers, roles, BuildOptions{3, 1000});
  EXPECT_EQ(ServerState::kMaintenance, t.servers[2].state);
  EXPECT_NE(std::string::npos, t.servers[2].detail.find("paused for a backup"))
      << t.servers[2].detail;
  EXPECT_EQ(std::string::npos, t.servers[2].detail.find("replication stopped"));
  EXPECT_FALSE(t.ReadEligible(t.servers[2], 1000000));
  EXPECT_TRUE(t.ReadEligible(t.servers[1], 1000));
}

TEST(PausedReplica, StoppedSqlThreadWithoutPauseIsStillReportedAsStopped) {
  auto servers = WithPausedDb3();
  servers[2].replication_paused = false;
  servers[2].maintenance = false;
  RoleDecision roles = DiscoverRoles(servers, 3, nullptr);
  proxy::Topology t = BuildTopology(servers, roles, BuildOptions{3, 1000});
  EXPECT_EQ(ServerState::kLagging, t.servers[2].state);
  EXPECT_NE(std::string::npos, t.servers[2].detail.find("replication stopped"));
}

TEST(PausedReplica, StillConfirmsTheMasterIsAliveAndIsNeverAFailoverCandidate) {
  auto servers = WithPausedDb3();
  servers[0].ok_this_round = false;
  servers[0].consecutive_failures = 5;
  servers[0].last_error = "timeout";
  servers[1].ok_this_round = false;  // db2 unreachable too: only paused db3 has an opinion
  servers[1].last_error = "timeout";
  // db3's IO thread still fetches from db1: the master is alive, not dead.
  EXPECT_EQ(MasterVerdict::kUnreachable, JudgeMaster(servers, 0, 3).verdict);

  servers[1].ok_this_round = true;
  auto master = GtidPosition::Parse("0-1-50");
  ASSERT_TRUE(master);
  CandidateChoice choice = ChooseCandidate(servers, 0, *master, 1);
  ASSERT_TRUE(choice.chosen);
  EXPECT_EQ(1u, *choice.chosen);  // db2, never the frozen db3 (its relay log would be applied)
  ASSERT_EQ(1u, choice.rejected.size());
  EXPECT_NE(std::string::npos, choice.rejected[0].find("db3: in maintenance"));
}

}  // namespace
}  // namespace switchyard::failover
