#include <iostream>
#include <nlohmann/json.hpp>

#include "admin/ctl_backup.h"
#include "admin/ctl_client.h"
#include "app/commands.h"

namespace switchyard::app {

int RunCtl(const CtlOptions& options) {
  auto endpoint = admin::ResolveCtlEndpoint(options.admin_url, options.config_path, options.token);
  if (!endpoint) {
    std::cerr << "switchyard ctl: " << endpoint.error().message << "\n";
    return 2;
  }
  if (options.action == "status")
    return admin::RunCtlStatus(endpoint->url, endpoint->token, options.json);
  if (options.action == "maintenance") {
    return admin::RunCtlMaintenance(endpoint->url, endpoint->token, options.target,
                                    options.maintenance_state == "on", options.json, options.force);
  }
  if (options.action == "backup") {
    admin::CtlBackupOptions backup;
    backup.url = endpoint->url;
    backup.token = endpoint->token;
    backup.server = options.target;
    backup.meta_path = options.meta_path;
    backup.force = options.force;
    backup.json = options.json;
    backup.command = options.command;
    return admin::RunCtlBackup(backup);
  }
  if (options.action == "switchover" || options.action == "failover") {
    nlohmann::json body = nlohmann::json::object();
    if (!options.target.empty()) body["to"] = options.target;
    // A switchover waits for the candidate to catch up: allow it more than the usual 5 s.
    auto reply = admin::AdminRequest(endpoint->url, "POST", "/v1/" + options.action,
                                     endpoint->token, body.dump(), 60000);
    if (!reply) {
      std::cerr << "switchyard ctl " << options.action << ": " << reply.error().message << "\n";
      return 1;
    }
    auto json = nlohmann::json::parse(reply->body, nullptr, false);
    if (reply->status != 200) {
      std::cerr << "switchyard ctl " << options.action << ": HTTP " << reply->status << ": "
                << (json.is_object() && json.contains("detail") ? json["detail"].dump()
                                                                : reply->body)
                << "\n";
      return 1;
    }
    if (options.json || !json.is_object()) {
      std::cout << reply->body;
    } else {
      std::cout << options.action << ": " << json.value("old_master", "") << " -> "
                << json.value("new_master", "") << " (epoch " << json.value("epoch", 0)
                << ", writes held " << json.value("writes_held_ms", 0) << " ms)\n";
      if (json.contains("status")) std::cout << admin::FormatStatusTable(json["status"]);
    }
    return 0;
  }
  std::cerr << "switchyard ctl " << options.action << ": not implemented yet\n";
  return 1;
}

}  // namespace switchyard::app
