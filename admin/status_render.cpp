#include "admin/status_render.h"

#include <fmt/format.h>

namespace switchyard::admin {
namespace {

uint64_t Count(const ConnectionCounter& connections, std::string_view server) {
  return connections ? connections(server) : 0;
}

// Label values escape backslash, double quote and newline (exposition format rules).
std::string Label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

nlohmann::ordered_json RenderStatus(const proxy::Topology& topology,
                                    const ConnectionCounter& connections) {
  nlohmann::ordered_json doc;
  const proxy::ServerView* master = topology.Master();
  doc["master"] = master ? nlohmann::ordered_json(master->name) : nlohmann::ordered_json(nullptr);
  doc["epoch"] = topology.epoch;
  doc["failover_in_progress"] = topology.failover_in_progress;
  doc["servers"] = nlohmann::ordered_json::array();
  for (const proxy::ServerView& s : topology.servers) {
    nlohmann::ordered_json server;
    server["name"] = s.name;
    server["address"] = s.address.ToString();
    server["role"] = proxy::ToString(s.role);
    server["state"] = proxy::ToString(s.state);
    server["lag_ms"] =
        s.lag_ms ? nlohmann::ordered_json(*s.lag_ms) : nlohmann::ordered_json(nullptr);
    server["gtid"] = s.gtid;
    server["connections"] = Count(connections, s.name);
    server["maintenance"] = s.maintenance;
    // Why the role/state is what it is (a master the proxy cannot reach but the replicas
    // still replicate from, fenced, diverged with its errant GTIDs, ...); only when there is
    // something to say, so a healthy topology keeps DESIGN.md's exact shape.
    if (!s.detail.empty()) server["detail"] = s.detail;
    doc["servers"].push_back(std::move(server));
  }
  return doc;
}

std::string RenderMetrics(const proxy::Topology& topology, const failover::MonitorStats& stats,
                          const ConnectionCounter& connections) {
  static constexpr proxy::ServerRole kRoles[] = {
      proxy::ServerRole::kMaster, proxy::ServerRole::kReplica, proxy::ServerRole::kUnknown,
      proxy::ServerRole::kFenced};
  static constexpr proxy::ServerState kStates[] = {
      proxy::ServerState::kUp, proxy::ServerState::kDown, proxy::ServerState::kLagging,
      proxy::ServerState::kMaintenance, proxy::ServerState::kDiverged};
  std::string out;

  Header(out, "switchyard_server_up", "gauge",
         "1 when the server answers health checks (state is not down), else 0.");
  for (const auto& s : topology.servers) {
    out += fmt::format("switchyard_server_up{{server=\"{}\"}} {}\n", Label(s.name),
                       s.state == proxy::ServerState::kDown ? 0 : 1);
  }
  Header(out, "switchyard_server_lag_ms", "gauge",
         "Age in ms of the oldest master transaction the server has not applied (absent when "
         "unknown).");
  for (const auto& s : topology.servers) {
    if (s.lag_ms) {
      out +=
          fmt::format("switchyard_server_lag_ms{{server=\"{}\"}} {}\n", Label(s.name), *s.lag_ms);
    }
  }
  Header(out, "switchyard_server_role", "gauge", "1 for the server's current role, 0 otherwise.");
  for (const auto& s : topology.servers) {
    for (proxy::ServerRole role : kRoles) {
      out += fmt::format("switchyard_server_role{{server=\"{}\",role=\"{}\"}} {}\n", Label(s.name),
                         proxy::ToString(role), s.role == role ? 1 : 0);
    }
  }
  Header(out, "switchyard_server_state", "gauge", "1 for the server's current state, 0 otherwise.");
  for (const auto& s : topology.servers) {
    for (proxy::ServerState state : kStates) {
      out += fmt::format("switchyard_server_state{{server=\"{}\",state=\"{}\"}} {}\n",
                         Label(s.name), proxy::ToString(state), s.state == state ? 1 : 0);
    }
  }
  Header(out, "switchyard_server_maintenance", "gauge", "1 when the server is in maintenance.");
  for (const auto& s : topology.servers) {
    out += fmt::format("switchyard_server_maintenance{{server=\"{}\"}} {}\n", Label(s.name),
                       s.maintenance ? 1 : 0);
  }
  Header(out, "switchyard_server_connections", "gauge",
         "Client connections currently using the server.");
  for (const auto& s : topology.servers) {
    out += fmt::format("switchyard_server_connections{{server=\"{}\"}} {}\n", Label(s.name),
                       Count(connections, s.name));
  }
  Header(out, "switchyard_monitor_checks_total", "counter", "Health checks run per server.");
  for (const auto& s : stats.servers) {
    out += fmt::format("switchyard_monitor_checks_total{{server=\"{}\"}} {}\n", Label(s.name),
                       s.checks_total);
  }
  Header(out, "switchyard_monitor_check_failures_total", "counter",
         "Health checks that failed (connect, timeout, query), per server.");
  for (const auto& s : stats.servers) {
    out += fmt::format("switchyard_monitor_check_failures_total{{server=\"{}\"}} {}\n",
                       Label(s.name), s.failures_total);
  }
  Header(out, "switchyard_monitor_rounds_total", "counter", "Monitor rounds completed.");
  out += fmt::format("switchyard_monitor_rounds_total {}\n", stats.rounds_total);
  Header(out, "switchyard_topology_epoch", "gauge", "Topology epoch (bumped by each failover).");
  out += fmt::format("switchyard_topology_epoch {}\n", topology.epoch);
  Header(out, "switchyard_topology_version", "gauge", "Topology snapshots published so far.");
  out += fmt::format("switchyard_topology_version {}\n", topology.version);
  Header(out, "switchyard_failover_in_progress", "gauge", "1 while a failover is running.");
  out += fmt::format("switchyard_failover_in_progress {}\n", topology.failover_in_progress ? 1 : 0);
  return out;
}

nlohmann::ordered_json RenderBinlogTail(const std::optional<binlog::TailerStatus>& tail,
                                        bool exact_lag) {
  if (!tail) return nullptr;
  nlohmann::ordered_json doc;
  doc["connected"] = tail->connected;
  doc["master"] = tail->master.ToString();
  doc["tls"] = tail->tls;
  doc["file"] = tail->coordinates.file;
  doc["position"] = tail->coordinates.position;
  doc["gtid"] = tail->last_gtid;
  doc["resume_position"] = tail->resume_position;
  doc["bytes_received"] = tail->bytes_received;
  doc["events"] = tail->events_received;
  doc["transactions"] = tail->transactions;
  doc["disconnects"] = tail->disconnects;
  doc["lag_source"] = exact_lag ? "binlog" : "poll";
  doc["last_error"] = tail->last_error;
  return doc;
}

std::string RenderBinlogMetrics(const std::optional<binlog::TailerStatus>& tail) {
  if (!tail) return {};
  std::string out;
  Header(out, "switchyard_binlog_connected", "gauge",
         "1 while the binlog tailer streams from the master.");
  out += fmt::format("switchyard_binlog_connected {}\n", tail->connected ? 1 : 0);
  Header(out, "switchyard_binlog_tls", "gauge",
         "1 while the binlog stream from the master is encrypted (TLS).");
  out += fmt::format("switchyard_binlog_tls {}\n", tail->tls ? 1 : 0);
  Header(out, "switchyard_binlog_bytes_received_total", "counter",
         "Bytes received from the master's binlog stream.");
  out += fmt::format("switchyard_binlog_bytes_received_total {}\n", tail->bytes_received);
  Header(out, "switchyard_binlog_events_total", "counter", "Binlog events received.");
  out += fmt::format("switchyard_binlog_events_total {}\n", tail->events_received);
  Header(out, "switchyard_binlog_transactions_total", "counter",
         "Complete transactions seen on the binlog stream.");
  out += fmt::format("switchyard_binlog_transactions_total {}\n", tail->transactions);
  Header(out, "switchyard_binlog_disconnects_total", "counter",
         "Binlog streams lost (each is resumed after the last complete transaction).");
  out += fmt::format("switchyard_binlog_disconnects_total {}\n", tail->disconnects);
  Header(out, "switchyard_binlog_position", "gauge",
         "Master binlog position of the latest event received, by file.");
  out += fmt::format("switchyard_binlog_position{{file=\"{}\"}} {}\n",
                     Label(tail->coordinates.file), tail->coordinates.position);
  return out;
}

}  // namespace switchyard::admin
