#include "failover/maintenance.h"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "failover/monitor.h"

namespace switchyard::failover {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool ServesReads(const proxy::ServerView& s) {
  return s.role == proxy::ServerRole::kReplica && s.state == proxy::ServerState::kUp &&
         !s.maintenance;
}

}  // namespace

std::string MaintenanceRefusal(const proxy::Topology& topology, size_t server, bool force) {
  if (server >= topology.servers.size()) return "unknown server";
  const proxy::ServerView& target = topology.servers[server];
  if (topology.failover_in_progress) {
    return "a failover or switchover is in progress; try again when it is done";
  }
  if (topology.master == server) {
    return target.name + " is the master; use a switchover to take it out of service";
  }
  if (force || target.maintenance || !ServesReads(target)) return "";
  for (size_t i = 0; i < topology.servers.size(); ++i) {
    if (i != server && ServesReads(topology.servers[i])) return "";
  }
  return target.name +
         " is the last healthy replica: reads would all go to the master (use \"force\":true "
         "to do it anyway)";
}

Result<FrozenPosition> PauseSqlThread(SqlSession& replica, const std::string& name) {
  auto before = replica.SlaveStatus();
  if (!before) return before.error();
  if (!*before)
    return MakeError(name + " has no replication configured (SHOW SLAVE STATUS is empty)");
  if ((*before)->sql_running()) {
    if (Status st = replica.Execute("STOP SLAVE SQL_THREAD"); !st) {
      return MakeError(name + ": STOP SLAVE SQL_THREAD failed: " + st.error().message);
    }
  }
  // Read after the stop: the SQL thread no longer moves, so these agree with the data.
  auto after = replica.SlaveStatus();
  if (!after) return after.error();
  if (!*after) return MakeError(name + ": replication vanished while pausing");
  if ((*after)->sql_running()) return MakeError(name + ": the SQL thread is still running");
  auto gtid = replica.QueryValue("SELECT @@global.gtid_slave_pos");
  if (!gtid) return gtid.error();
  FrozenPosition out;
  out.gtid_slave_pos = *gtid;
  out.master_log_file = (*after)->relay_master_log_file;
  out.master_log_pos = (*after)->exec_master_log_pos;
  out.master_host = (*after)->master_host;
  out.master_port = (*after)->master_port;
  out.io_state = (*after)->io_state;
  spdlog::info("maintenance: {}: SQL thread stopped at gtid_slave_pos '{}' ({}:{}), IO thread {}",
               name, out.gtid_slave_pos, out.master_log_file, out.master_log_pos, out.io_state);
  return out;
}

Status ResumeSqlThread(SqlSession& replica, const std::string& name) {
  if (Status st = replica.Execute("START SLAVE SQL_THREAD"); !st) {
    return MakeError(name + ": START SLAVE SQL_THREAD failed: " + st.error().message);
  }
  spdlog::info("maintenance: {}: SQL thread started", name);
  return Status::Ok();
}

MaintenanceOutcome ApplyMaintenance(const MaintenanceRequest& request,
                                    const MaintenanceDeps& deps) {
  using Kind = MaintenanceOutcome::Kind;
  MaintenanceOutcome out;
  std::shared_ptr<const proxy::Topology> topo = deps.topology.Get();
  auto index = topo->IndexOf(request.server);
  if (!index) {
    out.kind = Kind::kUnknownServer;
    out.detail = "no server named '" + request.server + "' in the configuration";
    return out;
  }
  const proxy::ServerView& view = topo->servers[*index];
  SqlSession session(view.address, deps.user, deps.password, deps.timeout_ms);

  if (!request.on) {
    if (deps.monitor.ReplicationPaused(request.server)) {
      if (Status st = ResumeSqlThread(session, request.server); !st) {
        // Still paused and still out of the pool: the operator sees why and may retry.
        out.kind = Kind::kFailed;
        out.detail = st.error().message;
        out.maintenance = true;
        out.replication_paused = true;
        return out;
      }
      deps.monitor.SetReplicationPaused(request.server, false);
      out.replication_resumed = true;
    }
    if (deps.monitor.SetMaintenance(request.server, false) == MaintenanceChange::kUnknownServer) {
      out.kind = Kind::kUnknownServer;
      out.detail = "no server named '" + request.server + "' in the configuration";
      return out;
    }
    out.kind = Kind::kApplied;
    out.detail = "back in the read pool once healthy and within max_lag_ms";
    return out;
  }

  if (std::string why = MaintenanceRefusal(*topo, *index, request.force); !why.empty()) {
    out.kind = Kind::kConflict;
    out.detail = std::move(why);
    return out;
  }
  switch (deps.monitor.SetMaintenance(request.server, true)) {
    case MaintenanceChange::kUnknownServer:
      out.kind = Kind::kUnknownServer;
      out.detail = "no server named '" + request.server + "' in the configuration";
      return out;
    case MaintenanceChange::kRefusedMaster:
      out.kind = Kind::kConflict;
      out.detail = request.server + " is the master; use a switchover to take it out of service";
      return out;
    case MaintenanceChange::kApplied:
      break;
  }
  out.maintenance = true;
  // New statements no longer go there (the snapshot is published); let running ones end.
  const auto started = SteadyClock::now();
  const auto deadline = started + std::chrono::milliseconds(request.drain_timeout_ms);
  int64_t left = deps.in_flight ? deps.in_flight(request.server) : 0;
  while (left > 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = deps.in_flight(request.server);
  }
  out.in_flight_left = left;
  out.drain_waited_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count());
  if (left > 0) {
    out.detail =
        fmt::format("{} statement(s) still running after {} ms", left, request.drain_timeout_ms);
    spdlog::warn("maintenance: {}: {}", request.server, out.detail);
  }
  if (request.pause_replication) {
    auto frozen = PauseSqlThread(session, request.server);
    if (!frozen) {
      // Nothing was paused: maintenance stays on (the operator asked for it), say why.
      out.kind = Kind::kFailed;
      out.detail = "pausing replication failed: " + frozen.error().message;
      spdlog::error("maintenance: {}: {}", request.server, out.detail);
      return out;
    }
    deps.monitor.SetReplicationPaused(request.server, true);
    out.replication_paused = true;
    out.frozen = std::move(*frozen);
  }
  out.kind = Kind::kApplied;
  return out;
}

}  // namespace switchyard::failover
