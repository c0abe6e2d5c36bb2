// The control plane of one switchyard process: the health monitor (own thread, publishes
// topology snapshots into the shared TopologyHolder), the binlog tailer that follows the
// master and times replica lag (own threads) and the HTTP admin API (own io thread).
// Owns all three; the TopologyHolder is shared with the data path, which only reads it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

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

  // Starts the admin API first (so a bad admin.listen fails startup) then the monitor.
  Status Start();
  void Stop();

  std::shared_ptr<failover::Monitor> monitor() const;

  // Hot reload. `next` is already LiveApplicable (startup-only settings as running). With
  // restart_monitor the monitor is stopped and a new one started on `next` (maintenance and
  // replication pauses carried over by name) after publishing the remapped topology; with
  // restart_tailer the binlog tailer is replaced too (replication settings changed).
  void ApplyConfig(const conf::Config& next, bool restart_monitor, bool restart_tailer);
  // Called by POST /v1/config/reload; set before Start().
  void SetReloadHandler(std::function<admin::ReloadReport()> reload) {
    reload_ = std::move(reload);
  }

 private:
  failover::MonitorStats CombinedStats() const;

  std::shared_ptr<proxy::TopologyHolder> topology_;
  std::function<int64_t(std::string_view)> in_flight_;  // the proxy's statements per server
  std::function<admin::ReloadReport()> reload_;
  mutable std::mutex mu_;  // guards config_, monitor_, retired_
  conf::Config config_;
  std::shared_ptr<failover::Monitor> monitor_;
  failover::MonitorStats retired_;  // counters of monitors replaced by reloads
  std::shared_ptr<BinlogFollower> binlog_;
  std::unique_ptr<admin::AdminServer> admin_;
};

}  // namespace switchyard::app
