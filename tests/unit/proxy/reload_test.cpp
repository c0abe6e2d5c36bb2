// Hot reload on the data path: the user table swaps whole, topology follows servers by name,
// per-server counters stay with their server, live config snapshots.
#include <gtest/gtest.h>

#include "proxy/live_config.h"
#include "proxy/proxy_stats.h"
#include "proxy/topology.h"
#include "proxy/user_directory.h"

namespace switchyard::proxy {
namespace {

conf::Config TwoServers() {
  conf::Config c;
  c.servers = {{"db1", {"127.0.0.1", 3307}, 1, true}, {"db2", {"127.0.0.1", 3308}, 1, true}};
  return c;
}

TEST(UserDirectoryReload, ReplaceAddsAndRemovesUsers) {
  UserDirectory users({{"app", "app_pw", ""}});
  EXPECT_TRUE(users.Has("app"));
  EXPECT_FALSE(users.Has("bob"));
  users.Replace({{"bob", "bob_pw", ""}});
  EXPECT_TRUE(users.Has("bob"));
  EXPECT_FALSE(users.Has("app"));
  ASSERT_TRUE(users.Lookup("bob"));
  EXPECT_EQ("bob_pw", users.CredentialsFor("bob", std::nullopt).password.value_or(""));
}

TEST(RemapTopology, KeepsKnownServersByNameAndAddsNewOnes) {
  Topology current = TopologyFromConfig(TwoServers());
  current.master = 0;
  current.epoch = 3;
  current.servers[0].role = ServerRole::kMaster;
  current.servers[0].state = ServerState::kUp;
  current.servers[1].role = ServerRole::kReplica;
  current.servers[1].state = ServerState::kUp;
  current.servers[1].lag_ms = 5;

  conf::Config next = TwoServers();
  next.servers.insert(next.servers.begin(), {"db3", {"127.0.0.1", 3309}, 1, true});
  next.servers[2].weight = 4;  // db2
  Topology t = RemapTopology(current, next);
  ASSERT_EQ(3u, t.servers.size());
  EXPECT_EQ("db3", t.servers[0].name);
  EXPECT_EQ(ServerState::kDown, t.servers[0].state);
  EXPECT_EQ("not checked yet", t.servers[0].detail);
  ASSERT_TRUE(t.master);
  EXPECT_EQ(1u, *t.master);  // db1 moved to index 1
  EXPECT_EQ(ServerRole::kMaster, t.servers[1].role);
  EXPECT_EQ(ServerState::kUp, t.servers[2].state);
  EXPECT_EQ(5u, t.servers[2].lag_ms.value_or(0));
  EXPECT_EQ(4u, t.servers[2].weight);
  EXPECT_EQ(3u, t.epoch);
}

TEST(RemapTopology, RemovedMasterOrMovedServerIsForgotten) {
  Topology current = TopologyFromConfig(TwoServers());
  current.master = 0;
  current.servers[1].state = ServerState::kUp;
  conf::Config next = TwoServers();
  next.servers.erase(next.servers.begin());
  next.servers[0].address.port = 4000;  // db2 moved: nothing known about the new address
  Topology t = RemapTopology(current, next);
  EXPECT_FALSE(t.master);
  ASSERT_EQ(1u, t.servers.size());
  EXPECT_EQ(ServerState::kDown, t.servers[0].state);
}

TEST(ProxyStatsSlots, CountersFollowTheServerNameNotItsIndex) {
  ProxyStats stats;
  Topology before = TopologyFromConfig(TwoServers());
  stats.CountQuery(before, 1);  // db2
  stats.CountQuery(before, 1);
  conf::Config reordered = TwoServers();
  std::swap(reordered.servers[0], reordered.servers[1]);
  Topology after = RemapTopology(before, reordered);
  stats.CountQuery(after, 0);  // db2 again, now first
  auto slot = stats.SlotOf("db2");
  ASSERT_TRUE(slot);
  EXPECT_EQ(3u, stats.server_queries[*slot].load());
  EXPECT_EQ(0u, stats.server_queries[*stats.SlotOf("db1")].load());
  std::string metrics = RenderProxyMetrics(stats, after);
  EXPECT_NE(std::string::npos, metrics.find("switchyard_server_queries_total{server=\"db2\"} 3"));
  {
    ProxyStats::InFlight running(stats, "db2");
    EXPECT_EQ(1, stats.InFlightOn("db2"));
  }
  EXPECT_EQ(0, stats.InFlightOn("db2"));
}

TEST(LiveConfig, ReadersSeeThePublishedSnapshot) {
  LiveConfig live(TwoServers());
  auto held = live.Get();
  conf::Config next = TwoServers();
  next.routing.max_lag_ms = 9;
  live.Publish(next);
  EXPECT_EQ(9u, live->routing.max_lag_ms);
  EXPECT_EQ(1000u, held->routing.max_lag_ms);  // a snapshot in use is not changed under it
}

}  // namespace
}  // namespace switchyard::proxy
