#include "failover/monitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace switchyard::failover {
namespace {

using SteadyClock = std::chrono::steady_clock;

uint64_t WallClockMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

ProbeResult FailedProbe(std::string error) {
  ProbeResult r;
  r.ok = false;
  r.error = std::move(error);
  r.checked_at_ms = WallClockMs();
  return r;
}

}  // namespace

struct Monitor::Worker {
  Worker(const conf::Endpoint& address, ProbeSettings settings)
      : probe(address, std::move(settings)) {}
  ServerProbe probe;  // used only by `thread`
  std::thread thread;
  // Guarded by Monitor::mu_.
  bool requested = false;  // a check is asked for and not yet picked up
  bool busy = false;       // a check is running
  SteadyClock::time_point asked_at;
  bool has_result = false;  // a finished check the monitor has not consumed yet
  ProbeResult result;
  // Monitor-thread only: wait for this server in the next round? Only if its last check
  // succeeded; a failing or hung server is checked in the background instead.
  bool wait_for = true;
};

Monitor::Monitor(const conf::Config& config, std::shared_ptr<proxy::TopologyHolder> topology)
    : config_(config), topology_(std::move(topology)) {
  ProbeSettings settings{config_.monitor.user, config_.monitor.password,
                         config_.monitor.timeout_ms};
  for (const auto& server : config_.servers) {
    workers_.push_back(std::make_unique<Worker>(server.address, settings));
    ServerObservation obs;
    obs.config = server;
    observations_.push_back(std::move(obs));
    stats_.servers.push_back(ServerCheckStats{.name = server.name});
  }
  maintenance_.assign(config_.servers.size(), false);
}

Monitor::~Monitor() {
  Stop();
}

void Monitor::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lk(stop_mu_);
    stop_requested_ = false;
  }
  {
    std::lock_guard lk(mu_);
    stopping_ = false;
  }
  for (auto& w : workers_) {
    Worker& worker = *w;
    worker.thread = std::thread([this, &worker] { WorkerLoop(worker); });
  }
  thread_ = std::thread([this] { MonitorLoop(); });
  spdlog::info("monitor: checking {} servers every {} ms (timeout {} ms, failure threshold {})",
               config_.servers.size(), config_.monitor.interval_ms, config_.monitor.timeout_ms,
               config_.monitor.failure_threshold);
}

void Monitor::Stop() {
  {
    std::lock_guard lk(stop_mu_);
    stop_requested_ = true;
  }
  stop_cv_.notify_all();
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  done_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void Monitor::MonitorLoop() {
  const auto interval =
      std::chrono::milliseconds(std::max<uint32_t>(config_.monitor.interval_ms, 1));
  auto next = SteadyClock::now();
  while (true) {
    RunRound();
    next += interval;
    auto now = SteadyClock::now();
    if (next < now) next = now;  // a slow round is not followed by a burst of catch-up rounds
    std::unique_lock lk(stop_mu_);
    if (stop_cv_.wait_until(lk, next, [&] { return stop_requested_; })) return;
  }
}

void Monitor::WorkerLoop(Worker& worker) {
  std::unique_lock lk(mu_);
  while (true) {
    work_cv_.wait(lk, [&] { return stopping_ || worker.requested; });
    if (stopping_) return;
    worker.requested = false;
    worker.busy = true;
    lk.unlock();
    ProbeResult result = worker.probe.Check();
    lk.lock();
    worker.busy = false;
    worker.result = std::move(result);
    worker.has_result = true;
    done_cv_.notify_all();
  }
}

std::vector<std::optional<ProbeResult>> Monitor::ProbeAll() {
  const auto timeout = std::chrono::milliseconds(config_.monitor.timeout_ms);
  std::vector<std::optional<ProbeResult>> outcomes(workers_.size());
  std::unique_lock lk(mu_);
  const auto start = SteadyClock::now();
  std::vector<bool> wait(workers_.size(), false);
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = *workers_[i];
    if (w.has_result) continue;  // a late answer from an earlier round: taken below
    if (!w.busy && !w.requested) {
      w.requested = true;
      w.asked_at = start;
      wait[i] = w.wait_for;
    }
  }
  work_cv_.notify_all();
  // Only servers that answered last time are waited for, and for at most one timeout, so a
  // hung server never slows down the checks of the others.
  done_cv_.wait_until(lk, start + timeout, [&] {
    if (stopping_) return true;
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (wait[i] && !workers_[i]->has_result) return false;
    }
    return true;
  });
  const auto now = SteadyClock::now();
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker& w = *workers_[i];
    if (w.has_result) {
      outcomes[i] = std::move(w.result);
      w.has_result = false;
    } else if (now - w.asked_at >= timeout) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.asked_at);
      outcomes[i] = FailedProbe("no answer within " + std::to_string(waited.count()) + " ms");
    }
    // else: still running within its timeout: no outcome this round.
    if (outcomes[i]) w.wait_for = outcomes[i]->ok;
  }
  return outcomes;
}

void Monitor::RunRound() {
  const auto started = SteadyClock::now();
  auto results = ProbeAll();
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
  }

  for (size_t i = 0; i < observations_.size(); ++i) {
    ServerObservation& obs = observations_[i];
    obs.lag_ms.reset();
    obs.lag_is_lower_bound = false;
    if (!results[i]) continue;  // check still running: nothing new about this server
    ProbeResult& r = *results[i];
    if (r.ok) {
      obs.ok_this_round = true;
      obs.consecutive_failures = 0;
      obs.last_good = std::move(r);
    } else {
      obs.ok_this_round = false;
      ++obs.consecutive_failures;
      obs.last_error = r.error;
    }
  }

  std::shared_ptr<const proxy::Topology> before = topology_->Get();
  RoleDecision roles =
      DiscoverRoles(observations_, config_.monitor.failure_threshold, before.get());
  MeasureLag(observations_, roles);

  std::shared_ptr<const proxy::Topology> published;
  {
    std::lock_guard lk(publish_mu_);
    for (size_t i = 0; i < observations_.size(); ++i) {
      observations_[i].maintenance = maintenance_[i];
    }
    proxy::Topology next =
        BuildTopology(observations_, roles,
                      BuildOptions{config_.monitor.failure_threshold, config_.routing.max_lag_ms});
    next.epoch = before->epoch;  // failover owns the epoch (later work)
    PublishLocked(std::move(next));
    published = topology_->Get();

    ++stats_.rounds_total;
    stats_.last_round_ms = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started)
            .count());
    for (size_t i = 0; i < observations_.size(); ++i) {
      ServerCheckStats& s = stats_.servers[i];
      s.consecutive_failures = observations_[i].consecutive_failures;
      if (!results[i]) continue;
      ++s.checks_total;
      if (!results[i]->ok) ++s.failures_total;
      if (results[i]->ok) s.last_duration_ms = observations_[i].last_good->duration_ms;
    }
  }
  ReportTransitions(*before, *published, roles);
}

void Monitor::MeasureLag(std::vector<ServerObservation>& observations, const RoleDecision& roles) {
  if (!roles.master) return;
  const ServerObservation& master = observations[*roles.master];
  if (master.config.name != tracked_master_) {
    lag_tracker_.Reset();
    tracker_fed_ = false;
    tracked_master_ = master.config.name;
  }
  const bool master_mariadb = master.last_good && master.last_good->flavor == Flavor::kMariaDB;
  if (master.ok_this_round && master_mariadb) {
    Status st = lag_tracker_.ObserveMasterPosition(master.last_good->gtid_binlog_pos,
                                                   master.last_good->checked_at_ms);
    if (st) {
      tracker_fed_ = true;
    } else {
      spdlog::warn("monitor: {}: cannot track gtid_binlog_pos: {}", master.config.name,
                   st.error().message);
    }
  }
  for (size_t i = 0; i < observations.size(); ++i) {
    ServerObservation& obs = observations[i];
    if (roles.roles[i] != proxy::ServerRole::kReplica || !obs.last_good) continue;
    const ProbeResult& p = *obs.last_good;
    if (p.flavor == Flavor::kMariaDB && master_mariadb) {
      if (!tracker_fed_) continue;  // no master history yet: unknown, not "caught up"
      // Measured at the replica's own sampling time: transactions the master revealed
      // after that moment are not yet late.
      auto lag = lag_tracker_.Lag(p.gtid_slave_pos, p.checked_at_ms);
      if (lag) {
        obs.lag_ms = lag->lag_ms;
        obs.lag_is_lower_bound = lag->lower_bound;
      }
    } else if (p.replication && p.replication->seconds_behind_master) {
      // MySQL (no domain GTIDs to track yet): second granularity, running threads only.
      obs.lag_ms = *p.replication->seconds_behind_master * 1000;
    }
  }
}

void Monitor::PublishLocked(proxy::Topology next) {
  topology_->Publish(std::move(next));
}

MaintenanceChange Monitor::SetMaintenance(std::string_view server, bool on) {
  std::lock_guard lk(publish_mu_);
  auto it = std::find_if(config_.servers.begin(), config_.servers.end(),
                         [&](const conf::ServerConfig& s) { return s.name == server; });
  if (it == config_.servers.end()) return MaintenanceChange::kUnknownServer;
  const size_t index = static_cast<size_t>(it - config_.servers.begin());
  std::shared_ptr<const proxy::Topology> current = topology_->Get();
  if (on && current->master == index) return MaintenanceChange::kRefusedMaster;
  if (maintenance_[index] == on) return MaintenanceChange::kApplied;
  maintenance_[index] = on;

  // Drain (or announce) now instead of at the next round.
  proxy::Topology next = *current;
  if (index < next.servers.size()) {
    proxy::ServerView& v = next.servers[index];
    v.maintenance = on;
    if (on && v.state != proxy::ServerState::kDown) {
      v.state = proxy::ServerState::kMaintenance;
      v.detail = "maintenance";
    } else if (!on && v.state == proxy::ServerState::kMaintenance) {
      // Back in the pool only once the next check confirms it is healthy and caught up.
      v.state = proxy::ServerState::kLagging;
      v.detail = "leaving maintenance: waiting for the next check";
    }
  }
  PublishLocked(std::move(next));
  spdlog::info("monitor: {}: maintenance {}", server, on ? "on" : "off");
  return MaintenanceChange::kApplied;
}

MonitorStats Monitor::Stats() const {
  std::lock_guard lk(publish_mu_);
  return stats_;
}

void Monitor::ReportTransitions(const proxy::Topology& before, const proxy::Topology& after,
                                const RoleDecision& roles) {
  for (const proxy::ServerView& now : after.servers) {
    const proxy::ServerView* was = before.Find(now.name);
    if (reported_once_ && was && was->role == now.role && was->state == now.state) continue;
    auto level = now.state == proxy::ServerState::kUp ? spdlog::level::info : spdlog::level::warn;
    spdlog::log(level, "monitor: {}: {}/{} -> {}/{}{}{}", now.name,
                was ? proxy::ToString(was->role) : "-", was ? proxy::ToString(was->state) : "-",
                proxy::ToString(now.role), proxy::ToString(now.state),
                now.detail.empty() ? "" : ": ", now.detail);
  }

  reported_once_ = true;
  if (roles.problem != last_problem_) {
    last_problem_ = roles.problem;
    if (!roles.problem.empty()) OnNoMaster(roles.problem);
  }
  if (roles.master) {
    const ServerObservation& master = observations_[*roles.master];
    bool suspected = master.consecutive_failures >= config_.monitor.failure_threshold;
    if (suspected && !master_suspected_) OnMasterSuspected(master);
    if (!suspected && master_suspected_) OnMasterRecovered(master);
    master_suspected_ = suspected;
  } else {
    master_suspected_ = false;
  }
}

void Monitor::OnMasterSuspected(const ServerObservation& master) {
  // Failover (later work) starts here: confirm with the replicas that they lost the master
  // too, then hold writes, pick and promote the most advanced promotable replica.
  spdlog::warn(
      "monitor: master {} suspected after {} failed checks ({}); automatic failover "
      "is not implemented yet",
      master.config.name, master.consecutive_failures, master.last_error);
}

void Monitor::OnMasterRecovered(const ServerObservation& master) {
  spdlog::info("monitor: master {} answers again", master.config.name);
}

void Monitor::OnNoMaster(const std::string& problem) {
  spdlog::warn("monitor: no master: {}", problem);
}

}  // namespace switchyard::failover
