#include "conf/config_diff.h"

#include <fmt/format.h>

#include <algorithm>

namespace switchyard::conf {
namespace {

template <class T>
void Compare(std::vector<std::string>& out, const char* key, const T& was, const T& now) {
  if (!(was == now)) out.push_back(fmt::format("{}: {} -> {}", key, was, now));
}

void CompareSecret(std::vector<std::string>& out, const char* key, const std::string& was,
                   const std::string& now) {
  if (was != now) out.push_back(fmt::format("{}: changed", key));
}

std::string Bool(bool b) {
  return b ? "true" : "false";
}

}  // namespace

ConfigChanges DiffConfig(const Config& running, const Config& next) {
  ConfigChanges c;
  auto& restart = c.requires_restart;
  Compare(restart, "listen", running.listen.ToString(), next.listen.ToString());
  Compare(restart, "threads", running.threads, next.threads);
  Compare(restart, "admin.listen", running.admin.listen.ToString(), next.admin.listen.ToString());
  CompareSecret(restart, "admin.token", running.admin.token, next.admin.token);
  Compare(restart, "state_dir", running.state_dir, next.state_dir);
  Compare(restart, "tls.cert", running.tls.cert, next.tls.cert);
  Compare(restart, "tls.key", running.tls.key, next.tls.key);
  Compare(restart, "tls.require", Bool(running.tls.require), Bool(next.tls.require));
  Compare(restart, "tls.backend", Bool(running.tls.backend), Bool(next.tls.backend));
  Compare(restart, "tls.backend_require", Bool(running.tls.backend_require),
          Bool(next.tls.backend_require));
  Compare(restart, "logging.format",
          std::string(running.logging.format == LogFormat::kJson ? "json" : "text"),
          std::string(next.logging.format == LogFormat::kJson ? "json" : "text"));

  auto& live = c.applied;
  // Users: by name, secrets never printed.
  for (const UserConfig& u : next.users) {
    const UserConfig* old = running.FindUser(u.name);
    if (!old) {
      live.push_back("users: added " + u.name);
    } else if (!(*old == u)) {
      live.push_back("users: " + u.name + ": password changed");
    }
  }
  for (const UserConfig& u : running.users) {
    if (!next.FindUser(u.name)) live.push_back("users: removed " + u.name);
  }
  c.users = running.users != next.users;

  const size_t before_monitor = live.size();
  Compare(live, "monitor.user", running.monitor.user, next.monitor.user);
  CompareSecret(live, "monitor.password", running.monitor.password, next.monitor.password);
  Compare(live, "monitor.interval_ms", running.monitor.interval_ms, next.monitor.interval_ms);
  Compare(live, "monitor.timeout_ms", running.monitor.timeout_ms, next.monitor.timeout_ms);
  Compare(live, "monitor.failure_threshold", running.monitor.failure_threshold,
          next.monitor.failure_threshold);
  Compare(live, "replication.user", running.replication.user, next.replication.user);
  CompareSecret(live, "replication.password", running.replication.password,
                next.replication.password);
  Compare(live, "replication.server_id", running.replication.server_id, next.replication.server_id);
  c.replication = !(running.replication == next.replication);
  for (const ServerConfig& s : next.servers) {
    const ServerConfig* old = running.FindServer(s.name);
    if (!old) {
      live.push_back(fmt::format("servers: added {} ({})", s.name, s.address.ToString()));
      continue;
    }
    std::string key = "servers." + s.name;
    Compare(live, (key + ".address").c_str(), old->address.ToString(), s.address.ToString());
    Compare(live, (key + ".weight").c_str(), old->weight, s.weight);
    Compare(live, (key + ".promotable").c_str(), Bool(old->promotable), Bool(s.promotable));
  }
  for (const ServerConfig& s : running.servers) {
    if (!next.FindServer(s.name)) live.push_back("servers: removed " + s.name);
  }
  {
    std::vector<std::string> was, now;
    for (const auto& s : running.servers) was.push_back(s.name);
    for (const auto& s : next.servers) now.push_back(s.name);
    if (was != now && live.size() == before_monitor) live.push_back("servers: order changed");
  }
  Compare(live, "failover.auto", Bool(running.failover.auto_failover),
          Bool(next.failover.auto_failover));
  Compare(live, "failover.hold_ms", running.failover.hold_ms, next.failover.hold_ms);
  Compare(live, "routing.max_lag_ms", running.routing.max_lag_ms, next.routing.max_lag_ms);
  // Everything above is read by the monitor (max_lag_ms decides "lagging", hold_ms bounds the
  // candidate's catch-up): it restarts with the new settings.
  c.monitor = live.size() > before_monitor;

  Compare(live, "routing.read_consistency", std::string(ToString(running.routing.read_consistency)),
          std::string(ToString(next.routing.read_consistency)));
  Compare(live, "routing.load_balance", std::string(ToString(running.routing.load_balance)),
          std::string(ToString(next.routing.load_balance)));
  Compare(live, "routing.causal_wait_ms", running.routing.causal_wait_ms,
          next.routing.causal_wait_ms);
  Compare(live, "limits.max_client_connections", running.limits.max_client_connections,
          next.limits.max_client_connections);
  Compare(live, "limits.handshake_timeout_ms", running.limits.handshake_timeout_ms,
          next.limits.handshake_timeout_ms);
  Compare(live, "limits.idle_timeout_ms", running.limits.idle_timeout_ms,
          next.limits.idle_timeout_ms);
  Compare(live, "limits.shutdown_grace_ms", running.limits.shutdown_grace_ms,
          next.limits.shutdown_grace_ms);
  Compare(live, "pool.multiplexing", Bool(running.pool.multiplexing), Bool(next.pool.multiplexing));
  Compare(live, "pool.max_per_server", running.pool.max_per_server, next.pool.max_per_server);
  Compare(live, "pool.idle_min", running.pool.idle_min, next.pool.idle_min);
  Compare(live, "pool.idle_timeout_ms", running.pool.idle_timeout_ms, next.pool.idle_timeout_ms);
  c.logging_level = running.logging.level != next.logging.level;
  Compare(live, "logging.level", running.logging.level, next.logging.level);
  return c;
}

Config LiveApplicable(const Config& running, const Config& next) {
  Config out = next;
  out.listen = running.listen;
  out.threads = running.threads;
  out.admin = running.admin;
  out.state_dir = running.state_dir;
  out.tls = running.tls;
  out.logging.format = running.logging.format;
  return out;
}

}  // namespace switchyard::conf
