#include "failover/server_probe.h"

#include <charconv>
#include <chrono>

#include "failover/sql_session.h"

namespace switchyard::failover {
namespace {

uint64_t WallClockMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

const std::optional<std::string>* FindColumn(const ResultRow& row,
                                             std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    for (const auto& [column, value] : row) {
      if (column == name) return &value;
    }
  }
  return nullptr;
}

template <class T>
bool ParseUnsigned(const std::string& text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

const char* ToString(Flavor flavor) {
  switch (flavor) {
    case Flavor::kMariaDB:
      return "mariadb";
    case Flavor::kMySQL:
      return "mysql";
    case Flavor::kUnknown:
      break;
  }
  return "unknown";
}

LagMethod MasterLagMethod(const ProbeResult& master) {
  if (master.flavor == Flavor::kMariaDB) return LagMethod::kMariadbGtid;
  if (master.flavor == Flavor::kMySQL && !master.gtid_executed.empty()) {
    return LagMethod::kMysqlGtid;
  }
  return LagMethod::kSecondsBehindMaster;
}

LagMethod ReplicaLagMethod(const ProbeResult& master, const ProbeResult& replica) {
  const LagMethod method = MasterLagMethod(master);
  const bool same_flavour =
      (method == LagMethod::kMariadbGtid && replica.flavor == Flavor::kMariaDB) ||
      (method == LagMethod::kMysqlGtid && replica.flavor == Flavor::kMySQL);
  return same_flavour ? method : LagMethod::kSecondsBehindMaster;
}

Flavor FlavorFromVersion(std::string_view version) {
  if (version.empty()) return Flavor::kUnknown;
  if (version.find("MariaDB") != std::string_view::npos) return Flavor::kMariaDB;
  return Flavor::kMySQL;
}

Result<ReplicationStatus> ReplicationStatusFromRow(const ResultRow& row) {
  ReplicationStatus s;
  auto text = [&](std::initializer_list<std::string_view> names, std::string& out) -> Status {
    const auto* v = FindColumn(row, names);
    if (!v) return MakeError("replication status: no column " + std::string(*names.begin()));
    out = v->value_or("");
    return Status::Ok();
  };
  auto number = [&](std::initializer_list<std::string_view> names, auto& out,
                    bool required) -> Status {
    const auto* v = FindColumn(row, names);
    if (!v) {
      if (!required) return Status::Ok();
      return MakeError("replication status: no column " + std::string(*names.begin()));
    }
    if (!v->has_value() || (*v)->empty()) return Status::Ok();
    if (!ParseUnsigned(**v, out)) {
      return MakeError("replication status: " + std::string(*names.begin()) +
                       " is not a number: '" + **v + "'");
    }
    return Status::Ok();
  };
  for (Status st : {text({"Master_Host", "Source_Host"}, s.master_host),
                    text({"Slave_IO_Running", "Replica_IO_Running"}, s.io_state),
                    text({"Slave_SQL_Running", "Replica_SQL_Running"}, s.sql_state),
                    number({"Master_Port", "Source_Port"}, s.master_port, true)}) {
    if (!st) return st.error();
  }
  // Optional on some versions; present on MariaDB 10.x and MySQL 5.7+.
  (void)text({"Last_IO_Error"}, s.last_io_error);
  (void)text({"Last_SQL_Error"}, s.last_sql_error);
  (void)text({"Relay_Master_Log_File", "Relay_Source_Log_File"}, s.relay_master_log_file);
  (void)text({"Gtid_IO_Pos", "Retrieved_Gtid_Set"}, s.gtid_io_pos);
  uint32_t master_id = 0;
  uint64_t behind = 0;
  const auto* behind_col = FindColumn(row, {"Seconds_Behind_Master", "Seconds_Behind_Source"});
  for (Status st :
       {number({"SQL_Delay"}, s.sql_delay, false),
        number({"Exec_Master_Log_Pos", "Exec_Source_Log_Pos"}, s.exec_master_log_pos, false),
        number({"Master_Server_Id", "Source_Server_Id"}, master_id, false),
        number({"Seconds_Behind_Master", "Seconds_Behind_Source"}, behind, false)}) {
    if (!st) return st.error();
  }
  if (master_id != 0) s.master_server_id = master_id;
  if (behind_col && behind_col->has_value() && !(*behind_col)->empty()) {
    s.seconds_behind_master = behind;
  }
  return s;
}

ServerProbe::ServerProbe(conf::Endpoint address, ProbeSettings settings)
    : address_(address),
      session_(std::make_unique<SqlSession>(std::move(address), std::move(settings.user),
                                            std::move(settings.password), settings.timeout_ms)) {}

ServerProbe::~ServerProbe() = default;

Status ServerProbe::ReadVariables(ProbeResult& out) {
  const char* sql = out.flavor == Flavor::kMariaDB
                        ? "SELECT @@global.read_only, @@global.server_id, "
                          "@@global.gtid_binlog_pos, @@global.gtid_slave_pos, "
                          "@@global.gtid_current_pos"
                        : "SELECT @@global.read_only, @@global.server_id, @@global.gtid_executed";
  auto rows = session_->Query(sql);
  if (!rows) return rows.error();
  if (rows->size() != 1 || rows->front().size() < 3) {
    return MakeError("variables query returned an unexpected shape");
  }
  const ResultRow& row = rows->front();
  auto at = [&](size_t i) { return row[i].second.value_or(""); };
  out.read_only = at(0) != "0";
  if (!ParseUnsigned(at(1), out.server_id)) {
    return MakeError("@@server_id is not a number: '" + at(1) + "'");
  }
  if (out.flavor == Flavor::kMariaDB) {
    if (row.size() < 5) return MakeError("variables query returned an unexpected shape");
    out.gtid_binlog_pos = at(2);
    out.gtid_slave_pos = at(3);
    out.gtid_current_pos = at(4);
  } else {
    out.gtid_executed = at(2);
    // MySQL prints long sets over several lines.
    std::erase(out.gtid_executed, '\n');
  }
  return Status::Ok();
}

Status ServerProbe::ReadReplication(ProbeResult& out) {
  // MySQL 8.0.22 renamed the statement and its columns; MariaDB keeps SHOW SLAVE STATUS.
  bool replica_syntax = out.flavor == Flavor::kMySQL && session_->ServerVersion() >= 80022;
  const char* sql = replica_syntax ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
  auto rows = session_->Query(sql);
  if (!rows) return rows.error();
  if (rows->empty()) {
    out.replication.reset();
    return Status::Ok();
  }
  // Several rows only with MySQL channels: the default channel comes first.
  auto status = ReplicationStatusFromRow(rows->front());
  if (!status) return status.error();
  out.replication = std::move(*status);
  return Status::Ok();
}

ProbeResult ServerProbe::Check() {
  ProbeResult out;
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](Status st) {
    out.duration_ms = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - start)
                                                .count());
    out.checked_at_ms = WallClockMs();
    out.ok = st.ok();
    if (!st) {
      out.error = st.error().message;
      session_->Close();  // whatever went wrong, the next check reconnects
    }
    return out;
  };
  if (Status st = session_->Connect(); !st) return finish(st);
  out.version = session_->ServerInfo();
  out.flavor = FlavorFromVersion(out.version);
  if (Status st = ReadVariables(out); !st) return finish(st);
  if (Status st = ReadReplication(out); !st) return finish(st);
  return finish(Status::Ok());
}

}  // namespace switchyard::failover
