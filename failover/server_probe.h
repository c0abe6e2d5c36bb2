// One control-plane connection to one database server (libmariadb), reused across health
// checks and reopened after any failure. Check() blocks for at most about the configured
// timeout (libmariadb's timeouts are whole seconds), so call it from a monitor thread, never
// from an io thread. ProbeResult is a plain value; the parsing helpers below are pure.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "conf/config.h"

namespace switchyard::failover {

class SqlSession;

enum class Flavor { kUnknown, kMariaDB, kMySQL };
const char* ToString(Flavor flavor);
// "10.11.6-MariaDB-0+deb12u1" -> kMariaDB; "8.0.36" -> kMySQL.
Flavor FlavorFromVersion(std::string_view version);

// What SHOW SLAVE STATUS (MariaDB) / SHOW REPLICA STATUS (MySQL) says about replication.
struct ReplicationStatus {
  std::string master_host;
  uint16_t master_port = 0;
  std::optional<uint32_t> master_server_id;  // known once the IO thread has connected
  std::string io_state;                      // "Yes" | "No" | "Connecting" (raw)
  std::string sql_state;                     // "Yes" | "No"
  std::string last_io_error;
  std::string last_sql_error;
  std::optional<uint64_t> seconds_behind_master;  // NULL when a thread is stopped
  uint64_t sql_delay = 0;
  std::string relay_master_log_file;
  uint64_t exec_master_log_pos = 0;
  std::string gtid_io_pos;  // MariaDB Gtid_IO_Pos; MySQL Retrieved_Gtid_Set

  bool io_running() const { return io_state == "Yes"; }
  bool sql_running() const { return sql_state == "Yes"; }
  bool running() const { return io_running() && sql_running(); }
  bool replicating_at_all() const {
    return io_running() || sql_running() || io_state == "Connecting";
  }
};

// One row of a result set: column name -> value (nullopt for SQL NULL).
using ResultRow = std::vector<std::pair<std::string, std::optional<std::string>>>;

// Accepts both MariaDB/MySQL 5.7 names (Master_Host, Slave_IO_Running, ...) and MySQL 8.0.22+
// names (Source_Host, Replica_IO_Running, ...). Error names the column that is missing or bad.
Result<ReplicationStatus> ReplicationStatusFromRow(const ResultRow& row);

struct ProbeResult {
  bool ok = false;             // the whole check succeeded; when false only `error` is meaningful
  std::string error;           // why the check failed (connect, timeout, query, permission)
  uint64_t checked_at_ms = 0;  // system clock, when the answers were read
  uint32_t duration_ms = 0;

  Flavor flavor = Flavor::kUnknown;
  std::string version;
  bool read_only = true;
  uint32_t server_id = 0;
  // MariaDB positions ("domain-server-seq,...").
  std::string gtid_binlog_pos;
  std::string gtid_slave_pos;
  std::string gtid_current_pos;
  // MySQL position (UUID set).
  std::string gtid_executed;
  std::optional<ReplicationStatus> replication;  // nullopt: no replication configured
};

// How replica lag is measured under a master: by GTID against the master's tracked history
// (MariaDB: gtid_slave_pos vs gtid_binlog_pos; MySQL with gtid_mode on, i.e. a non-empty
// gtid_executed: gtid_executed vs gtid_executed), else by Seconds_Behind_Master.
enum class LagMethod { kMariadbGtid, kMysqlGtid, kSecondsBehindMaster };
// What the master's history can be tracked by.
LagMethod MasterLagMethod(const ProbeResult& master);
// For one replica: the master's GTID method when the replica has the same flavour.
LagMethod ReplicaLagMethod(const ProbeResult& master, const ProbeResult& replica);

struct ProbeSettings {
  std::string user;
  std::string password;
  uint32_t timeout_ms = 1000;
};

class ServerProbe {
 public:
  ServerProbe(conf::Endpoint address, ProbeSettings settings);
  ~ServerProbe();
  ServerProbe(const ServerProbe&) = delete;
  ServerProbe& operator=(const ServerProbe&) = delete;

  // Connects if needed, then reads the server's role-relevant state. Never throws; on any
  // failure the connection is closed so the next check starts clean.
  ProbeResult Check();

  const conf::Endpoint& address() const { return address_; }

 private:
  Status ReadVariables(ProbeResult& out);
  Status ReadReplication(ProbeResult& out);

  conf::Endpoint address_;
  std::unique_ptr<SqlSession> session_;
};

}  // namespace switchyard::failover
