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
      config_(config),
      monitor_(std::make_shared<failover::Monitor>(config, topology_)),
      binlog_(std::make_shared<BinlogFollower>(config, topology_)) {
  monitor_->SetTransactionFeed(binlog_->feed());
  admin::AdminHooks hooks;
  hooks.topology = [holder = topology_] { return holder->Get(); };
  hooks.monitor_stats = [this] { return CombinedStats(); };
  hooks.maintenance = [this](const failover::MaintenanceRequest& request) {
    std::shared_ptr<failover::Monitor> monitor;
    conf::MonitorConfig credentials;
    {
      std::lock_guard lk(mu_);
      monitor = monitor_;
      credentials = config_.monitor;
    }
    failover::MaintenanceDeps deps{*topology_, *monitor, in_flight_, credentials.user,
                                   credentials.password,
                                   // STOP SLAVE SQL_THREAD waits for the running event group.
                                   std::max<uint32_t>(credentials.timeout_ms, 10000)};
    return failover::ApplyMaintenance(request, deps);
  };
  hooks.change_master = [this](failover::MasterChangeRequest request) {
    return monitor()->ChangeMaster(std::move(request));
  };
  hooks.binlog_tail = [this] {
    std::shared_ptr<BinlogFollower> binlog;
    {
      std::lock_guard lk(mu_);
      binlog = binlog_;
    }
    return binlog->TailStatus();
  };
  hooks.binlog_lag_exact = [this] {
    std::shared_ptr<BinlogFollower> binlog;
    {
      std::lock_guard lk(mu_);
      binlog = binlog_;
    }
    return binlog->feed()->exact_in_use();
  };
  hooks.reload_config = [this] {
    if (reload_) return reload_();
    admin::ReloadReport report;
    report.errors.push_back("reload is not available");
    return report;
  };
  hooks.connections = std::move(connections);
  hooks.extra_metrics = std::move(extra_metrics);
  admin_ = std::make_unique<admin::AdminServer>(config.admin, std::move(hooks));
}

ControlPlane::~ControlPlane() {
  Stop();
}

std::shared_ptr<failover::Monitor> ControlPlane::monitor() const {
  std::lock_guard lk(mu_);
  return monitor_;
}

failover::MonitorStats ControlPlane::CombinedStats() const {
  std::shared_ptr<failover::Monitor> monitor;
  failover::MonitorStats retired;
  {
    std::lock_guard lk(mu_);
    monitor = monitor_;
    retired = retired_;
  }
  failover::MonitorStats stats = monitor->Stats();
  stats.rounds_total += retired.rounds_total;
  stats.failovers_total += retired.failovers_total;
  stats.switchovers_total += retired.switchovers_total;
  stats.failover_failures_total += retired.failover_failures_total;
  if (stats.last_writes_held_ms == 0) stats.last_writes_held_ms = retired.last_writes_held_ms;
  for (auto& server : stats.servers) {
    for (const auto& old : retired.servers) {
      if (old.name != server.name) continue;
      server.checks_total += old.checks_total;
      server.failures_total += old.failures_total;
    }
  }
  return stats;
}

void ControlPlane::ApplyConfig(const conf::Config& next, bool restart_monitor,
                               bool restart_tailer) {
  std::shared_ptr<failover::Monitor> old;
  std::shared_ptr<BinlogFollower> binlog;
  {
    std::lock_guard lk(mu_);
    config_ = next;
    if (!restart_monitor && !restart_tailer) return;
    old = monitor_;
    binlog = binlog_;
  }
  if (restart_tailer) {
    // A new tailer (new feed) means a new monitor reading it.
    binlog->Stop();
    binlog = std::make_shared<BinlogFollower>(next, topology_);
  }
  // Maintenance and paused replication follow their servers by name.
  std::shared_ptr<const proxy::Topology> before = topology_->Get();
  std::vector<std::pair<std::string, bool>> maintenance;  // name, replication paused
  for (const proxy::ServerView& v : before->servers) {
    if (v.maintenance) maintenance.emplace_back(v.name, old->ReplicationPaused(v.name));
  }
  old->Stop();  // lets a master change in progress finish first
  failover::MonitorStats old_stats = old->Stats();
  topology_->Publish(proxy::RemapTopology(*topology_->Get(), next));
  auto fresh = std::make_shared<failover::Monitor>(next, topology_);
  fresh->SetTransactionFeed(binlog->feed());
  for (const auto& [name, paused] : maintenance) {
    if (fresh->SetMaintenance(name, true) != failover::MaintenanceChange::kApplied) continue;
    if (paused) fresh->SetReplicationPaused(name, true);
  }
  {
    std::lock_guard lk(mu_);
    retired_.rounds_total += old_stats.rounds_total;
    retired_.failovers_total += old_stats.failovers_total;
    retired_.switchovers_total += old_stats.switchovers_total;
    retired_.failover_failures_total += old_stats.failover_failures_total;
    if (old_stats.last_writes_held_ms) retired_.last_writes_held_ms = old_stats.last_writes_held_ms;
    for (const auto& s : old_stats.servers) {
      auto it = std::find_if(retired_.servers.begin(), retired_.servers.end(),
                             [&](const failover::ServerCheckStats& r) { return r.name == s.name; });
      if (it == retired_.servers.end()) {
        retired_.servers.push_back(s);
      } else {
        it->checks_total += s.checks_total;
        it->failures_total += s.failures_total;
      }
    }
    monitor_ = fresh;
    binlog_ = binlog;
  }
  fresh->Start();
  if (restart_tailer) binlog->Start();
}

Status ControlPlane::Start() {
  if (Status st = admin_->Start(); !st) return st;
  monitor()->Start();
  std::shared_ptr<BinlogFollower> binlog;
  {
    std::lock_guard lk(mu_);
    binlog = binlog_;
  }
  binlog->Start();
  return Status::Ok();
}

void ControlPlane::Stop() {
  // Admin first: its hooks call into the monitor and the tailer.
  if (admin_) admin_->Stop();
  std::shared_ptr<BinlogFollower> binlog;
  {
    std::lock_guard lk(mu_);
    binlog = binlog_;
  }
  if (binlog) binlog->Stop();
  if (auto m = monitor()) m->Stop();
}

}  // namespace switchyard::app
