// Hot reload of the config file (SIGHUP and POST /v1/config/reload): re-read and validate it;
// an invalid file is rejected with its errors and the running config stays. A valid one is
// applied live where it can be (users, routing, limits, monitor timings, servers, logging
// level) without touching client connections; startup-only settings are reported as
// "requires restart" and keep their running value. Reloads are serialized. Owns the running
// config; the ProxyServer, ControlPlane and TopologyHolder must outlive it.
#pragma once

#include <mutex>
#include <string>

#include "admin/admin_handler.h"
#include "app/control_plane.h"
#include "conf/config.h"
#include "proxy/proxy_server.h"
#include "proxy/topology.h"

namespace switchyard::app {

class ConfigReloader {
 public:
  ConfigReloader(std::string path, conf::Config running, proxy::ProxyServer& server,
                 ControlPlane& control, proxy::TopologyHolder& topology);

  // Thread-safe. Logs the outcome as well as returning it.
  admin::ReloadReport Reload();

  conf::Config Running() const;

 private:
  mutable std::mutex mu_;
  const std::string path_;
  conf::Config running_;
  proxy::ProxyServer& server_;
  ControlPlane& control_;
  proxy::TopologyHolder& topology_;
};

}  // namespace switchyard::app
