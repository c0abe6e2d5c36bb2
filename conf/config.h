// Typed configuration: the whole YAML schema of DESIGN.md section 3 with its defaults.
// Plain values, copied freely; produced by conf/config_loader.h, validated there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::conf {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool IsLoopback() const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct UserConfig {
  std::string name;
  std::string password;       // plaintext (or from password_env); empty when password_hash is used
  std::string password_hash;  // "*<40 HEX>" mysql_native_password hash, upper-case
  friend bool operator==(const UserConfig&, const UserConfig&) = default;
};

struct AdminConfig {
  Endpoint listen{"127.0.0.1", 6080};
  std::string token;  // empty: no auth (loopback only)
  friend bool operator==(const AdminConfig&, const AdminConfig&) = default;
};

struct TlsConfig {
  std::string cert;
  std::string key;
  bool require = false;
  bool backend = false;  // also use TLS toward backends (and the binlog master) when offered
  bool backend_require = false;  // with backend: a server that does not offer TLS is an error
  bool enabled() const { return !cert.empty(); }
  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct MonitorConfig {
  std::string user = "monitor";
  std::string password;
  uint32_t interval_ms = 250;
  uint32_t timeout_ms = 1000;
  uint32_t failure_threshold = 3;
  friend bool operator==(const MonitorConfig&, const MonitorConfig&) = default;
};

struct ReplicationConfig {
  std::string user = "repl";
  std::string password;
  uint32_t server_id = 9999;
  friend bool operator==(const ReplicationConfig&, const ReplicationConfig&) = default;
};

struct ServerConfig {
  std::string name;
  Endpoint address;
  uint32_t weight = 1;     // relative share of reads; 0 = never a read target
  bool promotable = true;  // may be chosen as the new master
  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

enum class ReadConsistency { kEventual, kSession };
enum class LoadBalance { kLeastConn, kRoundRobin, kRandom };

struct RoutingConfig {
  uint32_t max_lag_ms = 1000;
  ReadConsistency read_consistency = ReadConsistency::kSession;
  LoadBalance load_balance = LoadBalance::kLeastConn;
  uint32_t causal_wait_ms = 50;  // how long a read may wait for a replica to apply the session's last write
  friend bool operator==(const RoutingConfig&, const RoutingConfig&) = default;
};

struct FailoverConfig {
  bool auto_failover = true;  // YAML key: auto
  uint32_t hold_ms = 10000;   // writes are held this long during a failover before failing
  friend bool operator==(const FailoverConfig&, const FailoverConfig&) = default;
};

enum class LogFormat { kText, kJson };

struct LoggingConfig {
  std::string level = "info";  // trace|debug|info|warn|error|critical|off
  LogFormat format = LogFormat::kText;
  friend bool operator==(const LoggingConfig&, const LoggingConfig&) = default;
};

struct LimitsConfig {
  uint32_t max_client_connections = 20000;
  uint32_t handshake_timeout_ms = 10000;
  uint32_t idle_timeout_ms = 28800000;  // like MySQL's wait_timeout
  uint32_t shutdown_grace_ms = 10000;   // SIGTERM: how long in-flight statements may finish
  friend bool operator==(const LimitsConfig&, const LimitsConfig&) = default;
};

struct PoolConfig {
  // Sessions without pinning state share backend connections (borrowed per statement).
  bool multiplexing = true;
  uint32_t max_per_server = 64;  // backend connections per server (all threads together)
  uint32_t idle_min = 0;
  uint32_t idle_timeout_ms = 60000;
  friend bool operator==(const PoolConfig&, const PoolConfig&) = default;
};

struct Config {
  std::string source;  // file it was read from, for messages
  Endpoint listen{"127.0.0.1", 6033};
  uint32_t threads = 0;  // io threads; 0 = number of cores
  AdminConfig admin;
  std::string state_dir = "./var";
  TlsConfig tls;
  std::vector<UserConfig> users;
  MonitorConfig monitor;
  ReplicationConfig replication;
  std::vector<ServerConfig> servers;
  RoutingConfig routing;
  FailoverConfig failover;
  LoggingConfig logging;
  LimitsConfig limits;
  PoolConfig pool;

  const ServerConfig* FindServer(std::string_view name) const;
  const UserConfig* FindUser(std::string_view name) const;
};

const char* ToString(ReadConsistency v);
const char* ToString(LoadBalance v);

}  // namespace switchyard::conf
