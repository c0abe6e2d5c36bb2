// Hot reload: what changes live, what needs a restart, what restarts the monitor.
#include "conf/config_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace switchyard::conf {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Config Base() {
  Config c;
  c.users = {{"app", "app_pw", ""}};
  c.servers = {{"db1", {"127.0.0.1", 3307}, 1, true}, {"db2", {"127.0.0.1", 3308}, 1, true}};
  return c;
}

TEST(DiffConfig, SameConfigChangesNothing) {
  ConfigChanges c = DiffConfig(Base(), Base());
  EXPECT_FALSE(c.any());
  EXPECT_FALSE(c.monitor);
  EXPECT_FALSE(c.users);
}

TEST(DiffConfig, UsersApplyLiveWithoutPrintingSecrets) {
  Config next = Base();
  next.users.push_back({"bob", "s3cret", ""});
  next.users[0].password = "new_pw";
  ConfigChanges c = DiffConfig(Base(), next);
  EXPECT_TRUE(c.users);
  EXPECT_FALSE(c.monitor);
  EXPECT_THAT(c.applied, Contains("users: added bob"));
  EXPECT_THAT(c.applied, Contains("users: app: password changed"));
  for (const auto& line : c.applied) EXPECT_THAT(line, ::testing::Not(HasSubstr("s3cret")));
  EXPECT_THAT(c.requires_restart, IsEmpty());
}

TEST(DiffConfig, RoutingParametersApplyLive) {
  Config next = Base();
  next.routing.causal_wait_ms = 7;
  next.routing.load_balance = LoadBalance::kRoundRobin;
  ConfigChanges c = DiffConfig(Base(), next);
  EXPECT_THAT(c.applied, Contains("routing.causal_wait_ms: 50 -> 7"));
  EXPECT_THAT(c.applied, Contains("routing.load_balance: least_conn -> round_robin"));
  EXPECT_FALSE(c.monitor);  // sessions read these per statement
}

TEST(DiffConfig, MonitorTimingsServersAndMaxLagRestartTheMonitor) {
  Config next = Base();
  next.monitor.interval_ms = 100;
  ConfigChanges c = DiffConfig(Base(), next);
  EXPECT_TRUE(c.monitor);
  EXPECT_THAT(c.applied, Contains("monitor.interval_ms: 250 -> 100"));

  next = Base();
  next.servers.push_back({"db3", {"127.0.0.1", 3309}, 1, true});
  next.servers.erase(next.servers.begin() + 1);
  c = DiffConfig(Base(), next);
  EXPECT_TRUE(c.monitor);
  EXPECT_THAT(c.applied, Contains("servers: added db3 (127.0.0.1:3309)"));
  EXPECT_THAT(c.applied, Contains("servers: removed db2"));

  next = Base();
  next.routing.max_lag_ms = 5;
  EXPECT_TRUE(DiffConfig(Base(), next).monitor);
  EXPECT_FALSE(DiffConfig(Base(), next).replication);

  next = Base();
  next.replication.server_id = 4242;
  c = DiffConfig(Base(), next);
  EXPECT_TRUE(c.monitor);
  EXPECT_TRUE(c.replication);  // the binlog tailer registers with it: restarted too

  next = Base();
  std::swap(next.servers[0], next.servers[1]);
  c = DiffConfig(Base(), next);
  EXPECT_TRUE(c.monitor);
  EXPECT_THAT(c.applied, Contains("servers: order changed"));
}

TEST(DiffConfig, ListenAddressesAndStateDirRequireARestart) {
  Config next = Base();
  next.listen = {"0.0.0.0", 7000};
  next.admin.listen.port = 7001;
  next.admin.token = "secret-token";
  next.state_dir = "/elsewhere";
  ConfigChanges c = DiffConfig(Base(), next);
  EXPECT_THAT(c.requires_restart, Contains("listen: 127.0.0.1:6033 -> 0.0.0.0:7000"));
  EXPECT_THAT(c.requires_restart, Contains("admin.listen: 127.0.0.1:6080 -> 127.0.0.1:7001"));
  EXPECT_THAT(c.requires_restart, Contains("admin.token: changed"));
  EXPECT_THAT(c.requires_restart, Contains("state_dir: ./var -> /elsewhere"));
  EXPECT_THAT(c.applied, IsEmpty());

  // What runs after the reload keeps them as they were.
  Config effective = LiveApplicable(Base(), next);
  EXPECT_EQ(Base().listen, effective.listen);
  EXPECT_EQ(Base().admin.listen, effective.admin.listen);
  EXPECT_EQ("", effective.admin.token);
  EXPECT_EQ("./var", effective.state_dir);
}

TEST(DiffConfig, BackendTlsRequiresARestart) {
  Config next = Base();
  next.tls.backend = true;
  next.tls.backend_require = true;
  ConfigChanges c = DiffConfig(Base(), next);
  EXPECT_THAT(c.requires_restart, Contains("tls.backend: false -> true"));
  EXPECT_THAT(c.requires_restart, Contains("tls.backend_require: false -> true"));
  Config effective = LiveApplicable(Base(), next);
  EXPECT_FALSE(effective.tls.backend_require);  // the running TLS policy stays
}

TEST(DiffConfig, LiveApplicableTakesEverythingElseFromTheNewConfig) {
  Config next = Base();
  next.routing.max_lag_ms = 42;
  next.users.push_back({"bob", "pw", ""});
  next.tls.cert = "new.pem";
  Config effective = LiveApplicable(Base(), next);
  EXPECT_EQ(42u, effective.routing.max_lag_ms);
  EXPECT_EQ(2u, effective.users.size());
  EXPECT_EQ("", effective.tls.cert);
}

}  // namespace
}  // namespace switchyard::conf
