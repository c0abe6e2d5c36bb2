// Reads YAML into a validated conf::Config. Every problem is reported as
// "FILE:LINE: key.path: what is wrong", all of them at once, never as an exception.
#pragma once

#include <functional>
#include <variant>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "conf/config.h"

namespace switchyard::conf {

// Looks up environment variables for `password_env`; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnvironment();

struct ConfigErrors {
  std::vector<std::string> errors;  // one "file:line: key: message" per problem
  std::string Joined() const;
};

// Parses and validates; on failure every error found is returned.
std::variant<Config, ConfigErrors> ParseConfig(std::string_view yaml, std::string_view file_name,
                                               const EnvLookup& env = ProcessEnvironment());
std::variant<Config, ConfigErrors> LoadConfigFile(const std::string& path,
                                                  const EnvLookup& env = ProcessEnvironment());

// A one-screen human summary (used by --check-config).
std::string Summarize(const Config& config);

}  // namespace switchyard::conf
