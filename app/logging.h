// Process-wide spdlog setup: text or JSON lines on stderr, level from config or flag.
#pragma once

#include <string>

#include "conf/config.h"

namespace switchyard::app {

// Returns false (and leaves logging untouched) if `level` is not a spdlog level name.
bool SetupLogging(const std::string& level, conf::LogFormat format);

}  // namespace switchyard::app
