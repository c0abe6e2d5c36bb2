#include "failover/topology_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace switchyard::failover {
namespace {

std::string NormalizeHost(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host == "localhost" || host == "::1" || host == "localhost.localdomain" ||
      host.rfind("127.", 0) == 0) {
    return "127.0.0.1";
  }
  return host;
}

const proxy::ServerView* PreviousView(const proxy::Topology* previous, const std::string& name) {
  return previous ? previous->Find(name) : nullptr;
}

std::string ReplicationSource(const ReplicationStatus& r) {
  return r.master_host + ":" + std::to_string(r.master_port);
}

}  // namespace

bool IsDown(const ServerObservation& s, uint32_t failure_threshold) {
  return !s.last_good || s.consecutive_failures >= std::max<uint32_t>(failure_threshold, 1);
}

bool PointsAt(const ReplicationStatus& replication, const ServerObservation& candidate) {
  if (replication.master_port == candidate.config.address.port &&
      NormalizeHost(replication.master_host) == NormalizeHost(candidate.config.address.host)) {
    return true;
  }
  return replication.master_server_id && candidate.last_good &&
         candidate.last_good->server_id != 0 &&
         *replication.master_server_id == candidate.last_good->server_id;
}

RoleDecision DiscoverRoles(const std::vector<ServerObservation>& servers,
                           uint32_t failure_threshold, const proxy::Topology* previous) {
  const size_t n = servers.size();
  RoleDecision out;
  out.roles.assign(n, proxy::ServerRole::kUnknown);
  out.role_details.assign(n, "");
  std::vector<bool> up(n);
  for (size_t i = 0; i < n; ++i) up[i] = !IsDown(servers[i], failure_threshold);

  // Votes: how many live servers replicate from each server.
  std::vector<size_t> votes(n, 0);
  for (size_t j = 0; j < n; ++j) {
    if (!up[j] || !servers[j].last_good->replication) continue;
    for (size_t i = 0; i < n; ++i) {
      if (i != j && PointsAt(*servers[j].last_good->replication, servers[i])) ++votes[i];
    }
  }

  const proxy::ServerView* previous_master = previous ? previous->Master() : nullptr;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < n; ++i) {
    if (up[i]) {
      const ProbeResult& p = *servers[i].last_good;
      bool replicating = p.replication && p.replication->replicating_at_all();
      if (!p.read_only && !replicating) candidates.push_back(i);
    } else if (votes[i] > 0) {
      candidates.push_back(i);  // unreachable, but the replicas still replicate from it
    }
  }
  if (candidates.empty() && previous_master) {
    // Nobody contradicts the previous master (e.g. everything is unreachable): keep it.
    for (size_t i = 0; i < n; ++i) {
      if (!up[i] && servers[i].config.name == previous_master->name) candidates.push_back(i);
    }
  }

  if (candidates.size() == 1) {
    out.master = candidates.front();
  } else if (candidates.size() > 1) {
    size_t best_votes = 0;
    for (size_t i : candidates) best_votes = std::max(best_votes, votes[i]);
    std::vector<size_t> best;
    for (size_t i : candidates) {
      if (votes[i] == best_votes) best.push_back(i);
    }
    if (best.size() == 1) {
      out.master = best.front();
    } else {
      for (size_t i : best) {
        if (previous_master && servers[i].config.name == previous_master->name) out.master = i;
      }
      if (!out.master) {
        std::string names;
        for (size_t i : best) names += (names.empty() ? "" : ", ") + servers[i].config.name;
        out.problem = "several writable servers could be the master: " + names;
      }
    }
  } else {
    out.problem = "no writable server that the replicas replicate from";
  }

  for (size_t i = 0; i < n; ++i) {
    if (out.master == i) {
      out.roles[i] = proxy::ServerRole::kMaster;
      continue;
    }
    if (!up[i]) {
      // Nothing new to go on: a down replica stays a replica.
      const proxy::ServerView* prev = PreviousView(previous, servers[i].config.name);
      if (prev && prev->role != proxy::ServerRole::kMaster) out.roles[i] = prev->role;
      continue;
    }
    const ProbeResult& p = *servers[i].last_good;
    if (p.replication) {
      if (out.master && PointsAt(*p.replication, servers[*out.master])) {
        out.roles[i] = proxy::ServerRole::kReplica;
      } else {
        out.role_details[i] = fmt::format("replicates from {}, which is not the master",
                                          ReplicationSource(*p.replication));
      }
    } else if (!p.read_only) {
      out.role_details[i] = "writable but not the master";
    } else {
      out.role_details[i] = "read-only and not replicating";
    }
  }
  return out;
}

proxy::Topology BuildTopology(const std::vector<ServerObservation>& servers,
                              const RoleDecision& roles, const BuildOptions& options) {
  proxy::Topology t;
  t.master = roles.master;
  for (size_t i = 0; i < servers.size(); ++i) {
    const ServerObservation& s = servers[i];
    proxy::ServerView v;
    v.name = s.config.name;
    v.address = s.config.address;
    v.weight = s.config.weight;
    v.promotable = s.config.promotable;
    v.role = i < roles.roles.size() ? roles.roles[i] : proxy::ServerRole::kUnknown;
    v.maintenance = s.maintenance;
    std::string detail = i < roles.role_details.size() ? roles.role_details[i] : "";

    if (s.last_good) {
      const ProbeResult& p = *s.last_good;
      bool mariadb = p.flavor == Flavor::kMariaDB;
      switch (v.role) {
        case proxy::ServerRole::kMaster:
          v.gtid = mariadb ? p.gtid_binlog_pos : p.gtid_executed;
          break;
        case proxy::ServerRole::kReplica:
          v.gtid = mariadb ? p.gtid_slave_pos : p.gtid_executed;
          break;
        default:
          v.gtid = mariadb ? p.gtid_current_pos : p.gtid_executed;
          break;
      }
    }

    if (IsDown(s, options.failure_threshold)) {
      v.state = proxy::ServerState::kDown;
      if (!s.last_good && s.consecutive_failures == 0) {
        v.detail = "not checked yet";
      } else if (!s.last_good && s.consecutive_failures < options.failure_threshold) {
        v.detail = "not reached yet: " + s.last_error;
      } else {
        v.detail =
            fmt::format("{} consecutive failed checks: {}", s.consecutive_failures, s.last_error);
      }
      t.servers.push_back(std::move(v));
      continue;
    }

    const ProbeResult& p = *s.last_good;
    v.state = proxy::ServerState::kUp;
    if (v.role == proxy::ServerRole::kMaster) {
      v.lag_ms = 0;
    } else if (v.role == proxy::ServerRole::kReplica) {
      v.lag_ms = s.lag_ms;
      const ReplicationStatus& r = *p.replication;
      if (s.maintenance && s.replication_paused && r.io_running() && !r.sql_running()) {
        // Paused for a backup: frozen on purpose, still fetching; not broken replication.
        detail = "SQL thread paused for a backup (IO thread fetching)";
      } else if (!r.running()) {
        // Stopped replication is lagging whatever the lag reads: it will not catch up.
        v.state = proxy::ServerState::kLagging;
        detail = fmt::format("replication stopped: IO thread {}, SQL thread {}", r.io_state,
                             r.sql_state);
        if (!r.last_io_error.empty()) detail += "; IO error: " + r.last_io_error;
        if (!r.last_sql_error.empty()) detail += "; SQL error: " + r.last_sql_error;
      } else if (s.lag_ms && *s.lag_ms > options.max_lag_ms) {
        v.state = proxy::ServerState::kLagging;
        detail = fmt::format("{}lag {} ms > max_lag_ms {}", s.lag_is_lower_bound ? "at least " : "",
                             *s.lag_ms, options.max_lag_ms);
      } else if (!s.lag_ms) {
        detail = "lag unknown";
      }
    }
    if (s.maintenance) {
      v.state = proxy::ServerState::kMaintenance;
      detail = detail.empty() ? "maintenance" : "maintenance; " + detail;
    }
    if (!s.ok_this_round) {
      std::string failing = fmt::format("last check failed ({}/{}): {}", s.consecutive_failures,
                                        options.failure_threshold, s.last_error);
      detail = detail.empty() ? failing : detail + "; " + failing;
    }
    v.detail = std::move(detail);
    t.servers.push_back(std::move(v));
  }
  return t;
}

}  // namespace switchyard::failover
