// Replica maintenance for consistent backups: take a replica out of the read pool, wait
// (bounded) for the statements the proxy still runs there, stop its SQL thread only (the IO
// thread keeps fetching) and report the exact position its data is frozen at. The refusal
// rules are a pure function; the SQL steps run over a SqlSession on the caller's thread
// (the admin API's worker thread, never an io thread). Owns nothing; the Monitor and the
// TopologyHolder passed in must outlive the call.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "failover/sql_session.h"
#include "proxy/topology.h"

namespace switchyard::failover {

class Monitor;

struct MaintenanceRequest {
  std::string server;
  bool on = true;  // POST (true) or DELETE (false)
  std::string reason;
  bool pause_replication = false;  // stop the SQL thread once drained
  bool force = false;              // allow taking the last healthy replica out of the pool
  uint32_t drain_timeout_ms = 10000;
};

// Where a paused replica's data is frozen: what its SQL thread has executed.
struct FrozenPosition {
  std::string gtid_slave_pos;   // MariaDB @@gtid_slave_pos after STOP SLAVE SQL_THREAD
  std::string master_log_file;  // Relay_Master_Log_File
  uint64_t master_log_pos = 0;  // Exec_Master_Log_Pos
  std::string master_host;      // the master it replicates from (Master_Host:Master_Port)
  uint16_t master_port = 0;
  std::string io_state;  // the IO thread keeps fetching: "Yes" expected
};

struct MaintenanceOutcome {
  enum class Kind { kApplied, kUnknownServer, kConflict, kFailed };
  Kind kind = Kind::kFailed;
  std::string detail;  // why refused or failed; a note (e.g. drain timed out) when applied
  bool maintenance = false;
  bool replication_paused = false;
  bool replication_resumed = false;
  // Drain of the proxy's own statements on the server (on only).
  uint64_t drain_waited_ms = 0;
  int64_t in_flight_left = 0;
  std::optional<FrozenPosition> frozen;  // set when replication is paused
};

// Why maintenance on `server` must be refused ("" = allowed): the master (a switchover takes
// it out of service), a failover in progress, or the last replica serving reads unless forced.
std::string MaintenanceRefusal(const proxy::Topology& topology, size_t server, bool force);

// STOP SLAVE SQL_THREAD (unless already stopped), then reads the executed position.
Result<FrozenPosition> PauseSqlThread(SqlSession& replica, const std::string& name);
// START SLAVE SQL_THREAD.
Status ResumeSqlThread(SqlSession& replica, const std::string& name);

struct MaintenanceDeps {
  proxy::TopologyHolder& topology;
  Monitor& monitor;
  // The proxy's statements running (or about to run) on a server now.
  std::function<int64_t(std::string_view server)> in_flight;
  std::string user;  // control-plane credentials (monitor.user/password)
  std::string password;
  uint32_t timeout_ms = 1000;
};

// The whole POST/DELETE .../maintenance. Blocks for up to the drain timeout plus the SQL.
MaintenanceOutcome ApplyMaintenance(const MaintenanceRequest& request, const MaintenanceDeps& deps);

}  // namespace switchyard::failover
