// Config loading: defaults, the example file, secrets from the environment, and one
// exact "file:line: key: message" per broken config.
#include "conf/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace switchyard::conf {
namespace {

using ::testing::HasSubstr;

const char* kMinimal = R"(servers:
  - name: db1
    address: 127.0.0.1:3307
users:
  - name: app
    password: app_pw
)";

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> Errors(const std::string& yaml, EnvLookup env = FakeEnv({})) {
  auto r = ParseConfig(yaml, "conf.yaml", env);
  if (auto* e = std::get_if<ConfigErrors>(&r)) return e->errors;
  return {};
}

Config Parse(const std::string& yaml, EnvLookup env = FakeEnv({})) {
  auto r = ParseConfig(yaml, "conf.yaml", env);
  if (auto* e = std::get_if<ConfigErrors>(&r)) ADD_FAILURE() << e->Joined();
  return std::holds_alternative<Config>(r) ? std::get<Config>(r) : Config{};
}

TEST(ConfigLoader, MinimalConfigGetsDocumentedDefaults) {
  Config c = Parse(kMinimal);
  EXPECT_EQ(c.listen.ToString(), "127.0.0.1:6033");
  EXPECT_EQ(c.admin.listen.ToString(), "127.0.0.1:6080");
  EXPECT_EQ(c.state_dir, "./var");
  EXPECT_EQ(c.monitor.interval_ms, 250u);
  EXPECT_EQ(c.monitor.timeout_ms, 1000u);
  EXPECT_EQ(c.monitor.failure_threshold, 3u);
  EXPECT_EQ(c.replication.server_id, 9999u);
  EXPECT_EQ(c.routing.max_lag_ms, 1000u);
  EXPECT_EQ(c.routing.read_consistency, ReadConsistency::kSession);
  EXPECT_EQ(c.routing.load_balance, LoadBalance::kLeastConn);
  EXPECT_TRUE(c.failover.auto_failover);
  EXPECT_EQ(c.failover.hold_ms, 10000u);
  ASSERT_EQ(c.servers.size(), 1u);
  EXPECT_EQ(c.servers[0].weight, 1u);
  EXPECT_TRUE(c.servers[0].promotable);
  ASSERT_NE(c.FindUser("app"), nullptr);
  EXPECT_EQ(c.FindUser("app")->password, "app_pw");
  EXPECT_EQ(c.FindServer("nope"), nullptr);
}

TEST(ConfigLoader, ExampleFileLoadsAndMatchesTheSandbox) {
  auto r = LoadConfigFile(std::string(SWITCHYARD_SOURCE_DIR) + "/conf/switchyard.example.yaml");
  ASSERT_TRUE(std::holds_alternative<Config>(r)) << std::get<ConfigErrors>(r).Joined();
  const Config& c = std::get<Config>(r);
  ASSERT_EQ(c.servers.size(), 3u);
  EXPECT_EQ(c.servers[0].address.ToString(), "127.0.0.1:3307");
  EXPECT_EQ(c.servers[1].address.ToString(), "127.0.0.1:3308");
  EXPECT_EQ(c.servers[2].address.ToString(), "127.0.0.1:3309");
  EXPECT_EQ(c.monitor.password, "monitor_pw");
  EXPECT_EQ(c.replication.password, "repl_pw");
  EXPECT_THAT(Summarize(c), HasSubstr("db3"));
}

TEST(ConfigLoader, PasswordEnvReadsTheEnvironment) {
  Config c = Parse(R"(servers: [{name: db1, address: "127.0.0.1:3307"}]
users:
  - name: app
    password_env: APP_PW
monitor:
  password_env: MON_PW
)", FakeEnv({{"APP_PW", "s3cret"}, {"MON_PW", "m0n"}}));
  EXPECT_EQ(c.users[0].password, "s3cret");
  EXPECT_EQ(c.monitor.password, "m0n");
}

TEST(ConfigLoader, PasswordHashIsNormalisedToUpperCase) {
  Config c = Parse(R"(servers: [{name: db1, address: "127.0.0.1:3307"}]
users:
  - name: app
    password_hash: "*e0ac2c4c1f2d4b4e0b2b11c3a2b0e8f6b5a1d2c3"
)");
  EXPECT_EQ(c.users[0].password_hash, "*E0AC2C4C1F2D4B4E0B2B11C3A2B0E8F6B5A1D2C3");
  EXPECT_TRUE(c.users[0].password.empty());
}

struct BrokenCase {
  const char* name;
  std::string yaml;
  std::string expected;  // the exact error line
};

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

std::string WithMinimal(const std::string& extra) { return std::string(kMinimal) + extra; }

class BrokenConfig : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenConfig, NamesFileLineAndKey) {
  auto errors = Errors(GetParam().yaml, FakeEnv({}));
  ASSERT_FALSE(errors.empty()) << "config was accepted";
  EXPECT_THAT(errors, ::testing::Contains(GetParam().expected))
      << "got: " << ::testing::PrintToString(errors);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BrokenConfig,
    ::testing::Values(
        BrokenCase{"unknown_top_key", WithMinimal("colour: blue\n"), "conf.yaml:7: colour: unknown key"},
        BrokenCase{"bad_address",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:3307\n  - name: db2\n    address: nowhere\n"
                   "users: [{name: app, password: x}]\n",
                   "conf.yaml:5: servers[1].address: expected host:port (port 1-65535)"},
        BrokenCase{"port_out_of_range",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:70000\nusers: [{name: app, password: x}]\n",
                   "conf.yaml:3: servers[0].address: expected host:port (port 1-65535)"},
        BrokenCase{"duplicate_server",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:3307\n  - name: db1\n    address: 127.0.0.1:3308\n"
                   "users: [{name: app, password: x}]\n",
                   "conf.yaml:4: servers[1].name: duplicate server name 'db1'"},
        BrokenCase{"duplicate_address",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:3307\n  - name: db2\n    address: 127.0.0.1:3307\n"
                   "users: [{name: app, password: x}]\n",
                   "conf.yaml:5: servers[1].address: duplicate address 127.0.0.1:3307"},
        BrokenCase{"unknown_server_key",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:3307\n    wieght: 2\nusers: [{name: app, password: x}]\n",
                   "conf.yaml:4: servers[0].wieght: unknown key"},
        BrokenCase{"weight_not_integer",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:3307\n    weight: heavy\nusers: [{name: app, password: x}]\n",
                   "conf.yaml:4: servers[0].weight: expected an integer in [0, 1000000]"},
        BrokenCase{"promotable_not_bool",
                   "servers:\n  - name: db1\n    address: 127.0.0.1:3307\n    promotable: maybe\nusers: [{name: app, password: x}]\n",
                   "conf.yaml:4: servers[0].promotable: expected true or false"},
        BrokenCase{"no_servers", "users: [{name: app, password: x}]\n",
                   "conf.yaml:1: servers: at least one server is required"},
        BrokenCase{"no_users", "servers: [{name: db1, address: \"127.0.0.1:3307\"}]\n",
                   "conf.yaml:1: users: at least one user is required"},
        BrokenCase{"password_and_hash",
                   WithMinimal("").replace(WithMinimal("").find("    password: app_pw\n"), 21,
                                           "    password: app_pw\n    password_hash: \"*E0AC2C4C1F2D4B4E0B2B11C3A2B0E8F6B5A1D2C3\"\n"),
                   "conf.yaml:7: users[0].password_hash: give password or password_hash, not both"},
        BrokenCase{"bad_hash",
                   "servers: [{name: db1, address: \"127.0.0.1:3307\"}]\nusers:\n  - name: app\n    password_hash: \"abc\"\n",
                   "conf.yaml:4: users[0].password_hash: expected \"*\" followed by 40 hex digits"},
        BrokenCase{"missing_env",
                   "servers: [{name: db1, address: \"127.0.0.1:3307\"}]\nusers:\n  - name: app\n    password_env: NOT_SET_ANYWHERE\n",
                   "conf.yaml:4: users[0].password_env: environment variable NOT_SET_ANYWHERE is not set"},
        BrokenCase{"bad_read_consistency", WithMinimal("routing:\n  read_consistency: strong\n"),
                   "conf.yaml:8: routing.read_consistency: expected one of eventual | session"},
        BrokenCase{"bad_load_balance", WithMinimal("routing:\n  load_balance: fastest\n"),
                   "conf.yaml:8: routing.load_balance: expected one of least_conn | round_robin | random"},
        BrokenCase{"negative_lag", WithMinimal("routing:\n  max_lag_ms: -5\n"),
                   "conf.yaml:8: routing.max_lag_ms: expected an integer in [0, 604800000]"},
        BrokenCase{"zero_threshold", WithMinimal("monitor:\n  failure_threshold: 0\n"),
                   "conf.yaml:8: monitor.failure_threshold: 0 is out of range, expected [1, 1000]"},
        BrokenCase{"interval_too_small", WithMinimal("monitor:\n  interval_ms: 1\n"),
                   "conf.yaml:8: monitor.interval_ms: 1 is out of range, expected [10, 600000]"},
        BrokenCase{"admin_public_without_token", WithMinimal("admin:\n  listen: 0.0.0.0:6080\n"),
                   "conf.yaml:8: admin.listen: a non-loopback admin address needs admin.token"},
        BrokenCase{"tls_cert_without_key", WithMinimal("tls:\n  cert: server.pem\n"),
                   "conf.yaml:8: tls: cert and key must be given together"},
        BrokenCase{"tls_backend_require_without_backend",
                   WithMinimal("tls:\n  backend_require: true\n"),
                   "conf.yaml:8: tls.backend_require: needs tls.backend: true"},
        BrokenCase{"servers_not_list", "servers: db1\nusers: [{name: app, password: x}]\n",
                   "conf.yaml:1: servers: expected a non-empty list of {name, address}"},
        BrokenCase{"routing_not_map", WithMinimal("routing: fast\n"),
                   "conf.yaml:7: routing: expected a mapping"},
        BrokenCase{"listen_equals_admin", WithMinimal("listen: 127.0.0.1:6080\n"),
                   "conf.yaml:7: listen: must differ from admin.listen"},
        BrokenCase{"failover_auto_not_bool", WithMinimal("failover:\n  auto: sometimes\n"),
                   "conf.yaml:8: failover.auto: expected true or false"},
        BrokenCase{"yaml_syntax", "servers:\n  - name: db1\n  address: x\n - bad\n", "conf.yaml:3: (syntax): end of map not found"},
        BrokenCase{"idle_min_above_max", WithMinimal("pool:\n  max_per_server: 4\n  idle_min: 8\n"),
                   "conf.yaml:9: pool.idle_min: must not exceed pool.max_per_server"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigLoader, PoolKeys) {
  Config d = Parse(kMinimal);
  EXPECT_TRUE(d.pool.multiplexing);
  EXPECT_EQ(d.pool.max_per_server, 64u);
  EXPECT_EQ(d.pool.idle_min, 0u);
  EXPECT_EQ(d.pool.idle_timeout_ms, 60000u);
  Config c = Parse(WithMinimal("pool:\n  multiplexing: false\n  max_per_server: 8\n  idle_min: 2\n"
                               "  idle_timeout_ms: 5000\n"));
  EXPECT_FALSE(c.pool.multiplexing);
  EXPECT_EQ(c.pool.max_per_server, 8u);
  EXPECT_EQ(c.pool.idle_min, 2u);
  EXPECT_EQ(c.pool.idle_timeout_ms, 5000u);
  auto errors = Errors(WithMinimal("pool:\n  multiplexing: maybe\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("pool.multiplexing: expected true or false"));
  errors = Errors(WithMinimal("pool:\n  max_per_server: 0\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("pool.max_per_server"));
  errors = Errors(WithMinimal("pool:\n  idle_timeout_ms: 10\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("pool.idle_timeout_ms"));
}

TEST(ConfigLoader, BackendTlsKeys) {
  Config d = Parse(kMinimal);
  EXPECT_FALSE(d.tls.backend);
  EXPECT_FALSE(d.tls.backend_require);
  Config preferred = Parse(WithMinimal("tls:\n  backend: true\n"));
  EXPECT_TRUE(preferred.tls.backend);
  EXPECT_FALSE(preferred.tls.backend_require);
  EXPECT_FALSE(preferred.tls.enabled());  // toward backends only: no client-side certificate
  Config required = Parse(WithMinimal("tls:\n  backend: true\n  backend_require: true\n"));
  EXPECT_TRUE(required.tls.backend);
  EXPECT_TRUE(required.tls.backend_require);
  EXPECT_THAT(Summarize(required), HasSubstr("toward servers: required"));
  EXPECT_THAT(Summarize(preferred), HasSubstr("toward servers: when offered"));
}

TEST(ConfigLoader, SyntaxErrorNamesTheLine) {
  auto errors = Errors("servers:\n  - name: db1\n    address: [unclosed\nusers: x\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("conf.yaml:"));
  EXPECT_THAT(errors[0], HasSubstr("(syntax)"));
}

TEST(ConfigLoader, ReportsEveryErrorAtOnce) {
  auto errors = Errors(WithMinimal("routing:\n  max_lag_ms: x\n  load_balance: y\nbogus: 1\n"));
  EXPECT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
}

TEST(ConfigLoader, MissingFileIsAnError) {
  auto r = LoadConfigFile("/nonexistent/switchyard.yaml");
  ASSERT_TRUE(std::holds_alternative<ConfigErrors>(r));
  EXPECT_THAT(std::get<ConfigErrors>(r).errors[0], HasSubstr("/nonexistent/switchyard.yaml: cannot open"));
}

TEST(ConfigLoader, EmptyFileIsAnError) {
  auto errors = Errors("");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("empty"));
}

}  // namespace
}  // namespace switchyard::conf
