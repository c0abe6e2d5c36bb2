// `switchyard ctl`: a small blocking HTTP client for the admin API (Beast, one request per
// connection, bounded by a timeout) and the commands built on it. Prints to stdout/stderr
// and returns process exit codes (0 ok, 1 runtime error, 2 usage).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"

namespace switchyard::admin {

struct AdminUrl {
  std::string host;
  std::string port;
  std::string base_path;  // without trailing slash, usually empty
};
// "http://127.0.0.1:6080", "127.0.0.1:6080", "http://[::1]:6080/prefix"; https is refused.
Result<AdminUrl> ParseAdminUrl(std::string_view url);

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

// One request; Error when the server cannot be reached or does not answer within timeout_ms.
Result<HttpReply> AdminRequest(std::string_view url, std::string_view method, std::string_view path,
                               std::string_view token, std::string_view body = {},
                               uint32_t timeout_ms = 5000);

// Where ctl talks to: --admin URL wins, else admin.listen (and admin.token) of --config, else
// http://127.0.0.1:6080. An explicit --token always wins.
struct CtlEndpoint {
  std::string url;
  std::string token;
};
Result<CtlEndpoint> ResolveCtlEndpoint(const std::string& admin_url, const std::string& config_path,
                                       const std::string& token);

// The /v1/status document as a table (pure; unit-tested).
std::string FormatStatusTable(const nlohmann::json& status);

int RunCtlStatus(const std::string& url, const std::string& token, bool json);
int RunCtlMaintenance(const std::string& url, const std::string& token, const std::string& server,
                      bool on, bool json, bool force = false);

}  // namespace switchyard::admin
