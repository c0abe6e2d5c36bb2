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

int CheckConfig(const std::string& path);
int RunProxy(const RunOptions& options);
int RunCtl(const CtlOptions& options);
int RunBinlogDumpCommand(const BinlogDumpArgs& args);

}  // namespace switchyard::app
