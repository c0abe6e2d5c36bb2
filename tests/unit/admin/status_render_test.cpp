#include "admin/status_render.h"

#include <gtest/gtest.h>

namespace switchyard::admin {
namespace {

proxy::Topology HandMade() {
  proxy::Topology t;
  t.epoch = 1;
  t.version = 7;
  auto add = [&](std::string name, uint16_t port, proxy::ServerRole role, proxy::ServerState state,
                 std::optional<uint64_t> lag, std::string gtid) {
    proxy::ServerView v;
    v.name = std::move(name);
    v.address = {"127.0.0.1", port};
    v.role = role;
    v.state = state;
    v.lag_ms = lag;
    v.gtid = std::move(gtid);
    t.servers.push_back(std::move(v));
  };
  add("db1", 3307, proxy::ServerRole::kMaster, proxy::ServerState::kUp, 0, "0-1-42");
  add("db2", 3308, proxy::ServerRole::kReplica, proxy::ServerState::kLagging, 1500, "0-1-40");
  add("db3", 3309, proxy::ServerRole::kReplica, proxy::ServerState::kDown, std::nullopt, "");
  t.servers[1].maintenance = true;
  t.master = 0;
  return t;
}

TEST(RenderStatus, ExactDesignShapeAndKeyOrder) {
  ConnectionCounter conns = [](std::string_view s) -> uint64_t { return s == "db1" ? 3 : 0; };
  std::string text = RenderStatus(HandMade(), conns).dump();
  EXPECT_EQ(
      R"({"master":"db1","epoch":1,"failover_in_progress":false,"servers":[)"
      R"({"name":"db1","address":"127.0.0.1:3307","role":"master","state":"up","lag_ms":0,"gtid":"0-1-42","connections":3,"maintenance":false},)"
      R"({"name":"db2","address":"127.0.0.1:3308","role":"replica","state":"lagging","lag_ms":1500,"gtid":"0-1-40","connections":0,"maintenance":true},)"
      R"({"name":"db3","address":"127.0.0.1:3309","role":"replica","state":"down","lag_ms":null,"gtid":"","connections":0,"maintenance":false}]})",
      text);
}

TEST(RenderStatus, NoMasterIsNullAndNoCounterMeansZero) {
  proxy::Topology t = HandMade();
  t.master.reset();
  auto doc = RenderStatus(t, {});
  EXPECT_TRUE(doc["master"].is_null());
  EXPECT_EQ(0u, doc["servers"][0]["connections"].get<uint64_t>());
}

TEST(RenderStatus, DetailOnlyWhenThereIsSomethingToSay) {
  proxy::Topology t = HandMade();
  t.servers[0].detail = "the proxy cannot reach db1 but db2 still replicate from it: no failover";
  auto doc = RenderStatus(t, {});
  EXPECT_EQ(t.servers[0].detail, doc["servers"][0]["detail"].get<std::string>());
  EXPECT_FALSE(doc["servers"][1].contains("detail"));
}

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(RenderMetrics, SeriesPerServer) {
  failover::MonitorStats stats;
  stats.rounds_total = 12;
  stats.servers = {{.name = "db1", .checks_total = 12, .failures_total = 0},
                   {.name = "db2", .checks_total = 12, .failures_total = 1},
                   {.name = "db3", .checks_total = 11, .failures_total = 5}};
  std::string m = RenderMetrics(HandMade(), stats, {});
  EXPECT_TRUE(Has(m, R"(switchyard_server_up{server="db1"} 1)"));
  EXPECT_TRUE(Has(m, R"(switchyard_server_up{server="db2"} 1)"));  // lagging is up
  EXPECT_TRUE(Has(m, R"(switchyard_server_up{server="db3"} 0)"));
  EXPECT_TRUE(Has(m, R"(switchyard_server_lag_ms{server="db2"} 1500)"));
  EXPECT_EQ(std::string::npos, m.find(R"(switchyard_server_lag_ms{server="db3"})"));  // unknown
  EXPECT_TRUE(Has(m, R"(switchyard_server_role{server="db1",role="master"} 1)"));
  EXPECT_TRUE(Has(m, R"(switchyard_server_role{server="db1",role="replica"} 0)"));
  EXPECT_TRUE(Has(m, R"(switchyard_server_state{server="db2",state="lagging"} 1)"));
  EXPECT_TRUE(Has(m, R"(switchyard_server_maintenance{server="db2"} 1)"));
  EXPECT_TRUE(Has(m, R"(switchyard_monitor_checks_total{server="db3"} 11)"));
  EXPECT_TRUE(Has(m, R"(switchyard_monitor_check_failures_total{server="db3"} 5)"));
  EXPECT_TRUE(Has(m, "switchyard_monitor_rounds_total 12"));
  EXPECT_TRUE(Has(m, "switchyard_topology_epoch 1"));
  EXPECT_TRUE(Has(m, "# TYPE switchyard_monitor_checks_total counter"));
  EXPECT_TRUE(Has(m, "# TYPE switchyard_server_lag_ms gauge"));
  EXPECT_EQ('\n', m.back());
}

TEST(RenderMetrics, EscapesLabelValues) {
  proxy::Topology t;
  proxy::ServerView v;
  v.name = "a\"b\\c\nd";
  t.servers.push_back(v);
  std::string m = RenderMetrics(t, {}, {});
  EXPECT_TRUE(Has(m, R"(switchyard_server_up{server="a\"b\\c\nd"} 0)")) << m;
}

TEST(RenderBinlogTail, NullBeforeStartThenTheStreamsPosition) {
  EXPECT_TRUE(RenderBinlogTail(std::nullopt, false).is_null());
  EXPECT_EQ(RenderBinlogMetrics(std::nullopt), "");
  binlog::TailerStatus s;
  s.connected = true;
  s.master = {"127.0.0.1", 3307};
  s.coordinates = {"db1-bin.000002", 4711};
  s.last_gtid = "0-1-42";
  s.bytes_received = 123456;
  s.transactions = 9;
  auto doc = RenderBinlogTail(s, true);
  EXPECT_EQ(doc["master"], "127.0.0.1:3307");
  EXPECT_EQ(doc["file"], "db1-bin.000002");
  EXPECT_EQ(doc["position"], 4711);
  EXPECT_EQ(doc["gtid"], "0-1-42");
  EXPECT_EQ(doc["lag_source"], "binlog");
  EXPECT_EQ(RenderBinlogTail(s, false)["lag_source"], "poll");
  EXPECT_EQ(doc["tls"], false);
  EXPECT_NE(RenderBinlogMetrics(s).find("switchyard_binlog_tls 0\n"), std::string::npos);
  s.tls = true;
  EXPECT_EQ(RenderBinlogTail(s, true)["tls"], true);
  EXPECT_NE(RenderBinlogMetrics(s).find("switchyard_binlog_tls 1\n"), std::string::npos);
  std::string m = RenderBinlogMetrics(s);
  EXPECT_NE(m.find("switchyard_binlog_connected 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("switchyard_binlog_bytes_received_total 123456\n"), std::string::npos);
  EXPECT_NE(m.find("switchyard_binlog_transactions_total 9\n"), std::string::npos);
  EXPECT_NE(m.find("switchyard_binlog_position{file=\"db1-bin.000002\"} 4711\n"),
            std::string::npos);
  s.connected = false;
  EXPECT_NE(RenderBinlogMetrics(s).find("switchyard_binlog_connected 0\n"), std::string::npos);
}

}  // namespace
}  // namespace switchyard::admin
