// The control plane of one switchyard process: the health monitor (own thread, publishes
// topology snapshots into the shared TopologyHolder), the binlog tailer that follows the
// master and times replica lag (own threads) and the HTTP admin API (own io thread).
// Owns all three; the TopologyHolder is shared with the data path, which only reads it.
#pragma once

#include <memory>

#include "admin/admin_server.h"
#include "admin/status_render.h"
#include "app/binlog_follower.h"
#include "base/result.h"
#include "conf/config.h"
#include "failover/monitor.h"
#include "proxy/topology.h"

namespace switchyard::app {

class ControlPlane {
 public:
  // connections: per-server client connection counts for /v1/status (optional).
  // extra_metrics: the data path's Prometheus series, appended to /metrics.
  // in_flight: the proxy's statements running on a server (maintenance drains it).
  ControlPlane(const conf::Config& config, std::shared_ptr<proxy::TopologyHolder> topology,
               admin::ConnectionCounter connections = {},
               std::function<std::string()> extra_metrics = {},
               std::function<int64_t(std::string_view)> in_flight = {});
  ~ControlPlane();  // Stop()
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Starts the admin API first (so a bad admin.listen fails startup), the monitor, then the
  // binlog tailer (once the monitor has published a master).
  Status Start();
  void Stop();

  failover::Monitor& monitor() { return *monitor_; }

 private:
  std::shared_ptr<proxy::TopologyHolder> topology_;
  std::function<int64_t(std::string_view)> in_flight_;  // the proxy's statements per server
  std::unique_ptr<failover::Monitor> monitor_;
  std::unique_ptr<BinlogFollower> binlog_;
  std::unique_ptr<admin::AdminServer> admin_;
};

}  // namespace switchyard::app
