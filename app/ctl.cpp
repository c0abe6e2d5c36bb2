#include <iostream>

#include "admin/ctl_client.h"
#include "app/commands.h"

namespace switchyard::app {

int RunCtl(const CtlOptions& options) {
  auto endpoint = admin::ResolveCtlEndpoint(options.admin_url, options.config_path, options.token);
  if (!endpoint) {
    std::cerr << "switchyard ctl: " << endpoint.error().message << "\n";
    return 2;
  }
  if (options.action == "status") return admin::RunCtlStatus(endpoint->url, endpoint->token, options.json);
  if (options.action == "maintenance") {
    return admin::RunCtlMaintenance(endpoint->url, endpoint->token, options.target,
                                    options.maintenance_state == "on", options.json);
  }
  std::cerr << "switchyard ctl " << options.action << ": not implemented yet\n";
  return 1;
}

}  // namespace switchyard::app
