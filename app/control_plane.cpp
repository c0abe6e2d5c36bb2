#include "app/control_plane.h"

#include <algorithm>

namespace switchyard::app {

ControlPlane::ControlPlane(const conf::Config& config,
                           std::shared_ptr<proxy::TopologyHolder> topology,
                           admin::ConnectionCounter connections,
                           std::function<std::string()> extra_metrics,
                           std::function<int64_t(std::string_view)> in_flight)
    : topology_(std::move(topology)),
      in_flight_(std::move(in_flight)),
      monitor_(std::make_unique<failover::Monitor>(config, topology_)),
      binlog_(std::make_unique<BinlogFollower>(config, topology_)) {
  monitor_->SetTransactionFeed(binlog_->feed());
  admin::AdminHooks hooks;
  hooks.topology = [holder = topology_] { return holder->Get(); };
  hooks.monitor_stats = [monitor = monitor_.get()] { return monitor->Stats(); };
  hooks.maintenance = [this, holder = topology_,
                       config](const failover::MaintenanceRequest& request) {
    failover::MaintenanceDeps deps{*holder, *monitor_, in_flight_, config.monitor.user,
                                   config.monitor.password,
                                   // STOP SLAVE SQL_THREAD waits for the running event group.
                                   std::max<uint32_t>(config.monitor.timeout_ms, 10000)};
    return failover::ApplyMaintenance(request, deps);
  };
  hooks.change_master = [monitor = monitor_.get()](failover::MasterChangeRequest request) {
    return monitor->ChangeMaster(std::move(request));
  };
  hooks.binlog_tail = [binlog = binlog_.get()] { return binlog->TailStatus(); };
  hooks.binlog_lag_exact = [feed = binlog_->feed()] { return feed->exact_in_use(); };
  hooks.connections = std::move(connections);
  hooks.extra_metrics = std::move(extra_metrics);
  admin_ = std::make_unique<admin::AdminServer>(config.admin, std::move(hooks));
}

ControlPlane::~ControlPlane() {
  Stop();
}

Status ControlPlane::Start() {
  if (Status st = admin_->Start(); !st) return st;
  monitor_->Start();
  binlog_->Start();
  return Status::Ok();
}

void ControlPlane::Stop() {
  // Admin first: its hooks call into the monitor and the tailer.
  if (admin_) admin_->Stop();
  if (binlog_) binlog_->Stop();
  if (monitor_) monitor_->Stop();
}

}  // namespace switchyard::app
