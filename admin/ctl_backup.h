// `switchyard ctl backup NAME [--meta FILE] -- CMD...`: maintenance on with replication
// paused, run CMD (exec'd directly, no shell) with the frozen coordinates in its environment,
// then maintenance off whatever CMD's exit status (also on SIGINT/SIGTERM), and exit with
// CMD's status. The reply parsing, environment and metadata are pure and unit-tested.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"

namespace switchyard::admin {

// What the maintenance POST answered: where the replica's data is frozen.
struct BackupCoordinates {
  std::string server;
  std::string gtid;         // gtid_slave_pos
  std::string binlog_file;  // the master's binlog file the replica executed up to
  uint64_t binlog_pos = 0;
  std::string master;  // host:port the replica replicates from
};

// From the body of a 200 answer to POST /v1/servers/{name}/maintenance with pause_replication.
Result<BackupCoordinates> CoordinatesFromReply(const nlohmann::json& reply);

// SWITCHYARD_BACKUP_SERVER, _GTID, _BINLOG_FILE, _BINLOG_POS as "NAME=value".
std::vector<std::string> BackupEnvironment(const BackupCoordinates& c);

// The --meta document. exit_status < 0: the command has not finished (yet).
nlohmann::ordered_json BackupMeta(const BackupCoordinates& c,
                                  const std::vector<std::string>& command,
                                  const std::string& paused_at, int exit_status,
                                  const std::string& finished_at);

struct CtlBackupOptions {
  std::string url;
  std::string token;
  std::string server;
  std::string meta_path;  // empty: a summary on stderr only
  bool force = false;
  bool json = false;  // print the final meta document on stdout
  std::vector<std::string> command;
  uint32_t drain_timeout_ms = 30000;
  uint32_t rejoin_wait_ms = 60000;  // how long to show the replica catching up afterwards
};

// Exit code: CMD's status (128+signal if it was killed); 1 if the pause failed (CMD not run)
// or resuming failed; 127 if CMD could not be started.
int RunCtlBackup(const CtlBackupOptions& options);

}  // namespace switchyard::admin
