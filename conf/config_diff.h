// What a hot reload would change: the running config against a newly loaded one, as lines an
// operator can read ("routing.max_lag_ms: 1000 -> 500"), split into what applies live and
// what needs a restart. Pure; the caller applies and reports.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"

namespace switchyard::conf {

struct ConfigChanges {
  std::vector<std::string> applied;           // take effect on reload
  std::vector<std::string> requires_restart;  // kept at their running value until a restart
  bool users = false;
  bool monitor = false;      // the monitor restarts with the new settings (servers, timings, ...)
  bool replication = false;  // replication.*: the binlog tailer restarts too
  bool logging_level = false;
  bool any() const { return !applied.empty() || !requires_restart.empty(); }
};

ConfigChanges DiffConfig(const Config& running, const Config& next);

// `next` with every startup-only setting (listen, threads, admin, state_dir, tls,
// logging.format) taken from `running`: what a reload actually runs with.
Config LiveApplicable(const Config& running, const Config& next);

}  // namespace switchyard::conf
