// The top-level commands main() dispatches to; each returns the process exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::app {

struct RunOptions {
  std::string config_path;
  std::string log_level;   // empty: from config
  std::string log_format;  // empty: from config
};

struct CtlOptions {
  std::string action;
  std::string admin_url;
  std::string config_path;
  std::string token;
  bool json = false;
  std::string target;
  std::string maintenance_state;
  bool force = false;
  std::string meta_path;
  std::vector<std::string> command;
};

struct BinlogDumpArgs {
  std::string file;
  bool json = false;
  std::optional<uint64_t> start_position;
  std::optional<uint64_t> stop_position;
};

struct BinlogTailArgs {
  std::string master;  // host:port
  std::string user = "repl";
  std::string password = "repl_pw";
  uint32_t server_id = 9998;
  std::string start_position;  // empty or "current": the master's current position
  uint32_t heartbeat_ms = 1000;
  uint64_t count = 0;        // stop after this many transactions (0: never)
  uint64_t duration_ms = 0;  // stop after this long (0: never)
  std::string tls = "off";   // off | prefer (when the master offers it) | require
};

int CheckConfig(const std::string& path);
int RunProxy(const RunOptions& options);
int RunCtl(const CtlOptions& options);
int RunBinlogDumpCommand(const BinlogDumpArgs& args);
int RunBinlogTailCommand(const BinlogTailArgs& args);

}  // namespace switchyard::app
