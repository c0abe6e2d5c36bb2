#include "failover/promoter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace switchyard::failover {
namespace {

Status Step(SqlSession& server, const std::string& name, const std::string& sql,
            bool log_sql = true) {
  Status st = server.Execute(sql);
  if (!st) {
    spdlog::error("failover: {}: {} failed: {}", name, log_sql ? sql : "statement",
                  st.error().message);
    return st;
  }
  spdlog::info("failover: {}: {}", name, log_sql ? sql : "done");
  return st;
}

}  // namespace

Status WaitApplied(SqlSession& server, const std::string& name, const std::string& position,
                   uint32_t timeout_ms) {
  if (position.empty()) return Status::Ok();
  const auto started = std::chrono::steady_clock::now();
  auto result = server.QueryValue(
      fmt::format("SELECT MASTER_GTID_WAIT({}, {:.3f})", SqlQuote(position), timeout_ms / 1000.0));
  if (!result) return result.error();
  if (*result != "0") {
    auto applied = server.QueryValue("SELECT @@global.gtid_slave_pos");
    return MakeError(fmt::format("{} did not apply {} within {} ms (applied: {})", name, position,
                                 timeout_ms, applied ? *applied : applied.error().message));
  }
  spdlog::info("failover: {}: applied everything up to {} (waited {} ms)", name, position,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  return Status::Ok();
}

Result<std::string> PromoteReplica(SqlSession& candidate, const std::string& name,
                                   uint32_t wait_ms) {
  auto status = candidate.SlaveStatus();
  if (!status) return status.error();
  if (*status) {
    // Stop fetching first so "everything received" is a fixed target, then let the SQL
    // thread apply the relay log up to it.
    if (Status st = Step(candidate, name, "STOP SLAVE IO_THREAD"); !st) return st.error();
    auto received = candidate.SlaveStatus();
    if (!received) return received.error();
    std::string target =
        *received && !(*received)->gtid_io_pos.empty() ? (*received)->gtid_io_pos : std::string();
    if (*received && !(*received)->sql_running()) {
      // Stopped by hand (or by an error): it must apply what it received before it is
      // writable, whatever stopped it. An error stops it again and the wait below fails.
      spdlog::warn("failover: {}: the SQL thread is stopped{}{}: starting it", name,
                   (*received)->last_sql_error.empty() ? "" : " after an error: ",
                   (*received)->last_sql_error);
      if (Status st = Step(candidate, name, "START SLAVE SQL_THREAD"); !st) return st.error();
    }
    spdlog::info("failover: {}: received up to '{}', waiting up to {} ms for the SQL thread", name,
                 target, wait_ms);
    if (Status st = WaitApplied(candidate, name, target, wait_ms); !st) {
      spdlog::error("failover: {}: {}", name, st.error().message);
      // Left as it was: still a replica, fetching again, for the next attempt.
      (void)Step(candidate, name, "START SLAVE IO_THREAD");
      return st.error();
    }
    if (Status st = Step(candidate, name, "STOP SLAVE"); !st) return st.error();
    if (Status st = Step(candidate, name, "RESET SLAVE ALL"); !st) return st.error();
  }
  if (Status st = Step(candidate, name, "SET GLOBAL read_only=0"); !st) return st.error();
  auto position = candidate.QueryValue("SELECT @@global.gtid_binlog_pos");
  if (!position) return position.error();
  spdlog::info("failover: {}: promoted at gtid_binlog_pos '{}'", name, *position);
  return *position;
}

Status RepointReplica(SqlSession& replica, const std::string& name, const conf::Endpoint& master,
                      const ReplicationCredentials& credentials, bool from_own_binlog,
                      bool start_sql_thread) {
  if (Status st = Step(replica, name, "STOP SLAVE"); !st) return st;
  if (from_own_binlog) {
    // A former master: what it has is in its binlog, not in gtid_slave_pos.
    if (Status st = Step(replica, name, "SET GLOBAL gtid_slave_pos = @@global.gtid_binlog_pos");
        !st) {
      return st;
    }
  }
  std::string change = fmt::format(
      "CHANGE MASTER TO MASTER_HOST={}, MASTER_PORT={}, MASTER_USER={}, MASTER_PASSWORD={}, "
      "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
      SqlQuote(master.host), master.port, SqlQuote(credentials.user),
      SqlQuote(credentials.password));
  Status st = replica.Execute(change);
  if (!st) {
    spdlog::error("failover: {}: CHANGE MASTER TO {} failed: {}", name, master.ToString(),
                  st.error().message);
    return st;
  }
  spdlog::info("failover: {}: CHANGE MASTER TO {} (user {}, MASTER_USE_GTID=slave_pos)", name,
               master.ToString(), credentials.user);
  return Step(replica, name, start_sql_thread ? "START SLAVE" : "START SLAVE IO_THREAD");
}

Status SetReadOnly(SqlSession& server, const std::string& name, bool read_only) {
  return Step(server, name, read_only ? "SET GLOBAL read_only=1" : "SET GLOBAL read_only=0");
}

}  // namespace switchyard::failover
