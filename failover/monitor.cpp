#include "failover/monitor.h"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "failover/failover_decision.h"
#include "failover/promoter.h"
#include "failover/sql_session.h"

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
  // The running check passed timeout_ms and was counted as one failure: it is not counted
  // again in later rounds while it hangs, nor when it finally fails (a late success counts:
  // the server is alive).
  bool timeout_counted = false;
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
  replication_paused_.assign(config_.servers.size(), false);
  auto authority = LocalFailoverAuthority::Open(config_.state_dir);
  if (authority) {
    authority_ = std::move(*authority);
    if (auto record = authority_->Current()) {
      spdlog::info("monitor: persisted epoch {}: master {} (wins over discovery)", record->epoch,
                   record->master);
    }
  } else {
    // A state file we cannot read must not be silently replaced by discovery's guess.
    spdlog::critical("monitor: {}; refusing automatic failover until it is fixed",
                     authority.error().message);
    auto empty = LocalFailoverAuthority::Open(config_.state_dir + "/.unreadable");
    if (empty) authority_ = std::move(*empty);
    broken_state_ = true;
  }
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
    ServePendingChanges();
    // Fast re-checks only until the master is suspected: a master that stays unreachable
    // (replicas still replicate from it) is then watched at the normal pace.
    next += master_failing_ && !master_suspected_ ? RecheckInterval() : interval;
    auto now = SteadyClock::now();
    if (next < now) next = now;  // a slow round is not followed by a burst of catch-up rounds
    std::unique_lock lk(stop_mu_);
    if (stop_cv_.wait_until(lk, next, [&] { return stop_requested_ || !pending_.empty(); })) {
      if (stop_requested_) {
        for (auto& p : pending_) {
          MasterChangeOutcome out;
          out.detail = "the monitor is stopping";
          p->done.set_value(std::move(out));
        }
        pending_.clear();
        return;
      }
      next = SteadyClock::now();  // a change request: run a fresh round, then serve it
    }
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
      if (!w.timeout_counted || w.result.ok) outcomes[i] = std::move(w.result);
      w.has_result = false;
      w.timeout_counted = false;
    } else if (!w.timeout_counted && now - w.asked_at >= timeout) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.asked_at);
      outcomes[i] = FailedProbe("no answer within " + std::to_string(waited.count()) + " ms");
      w.timeout_counted = true;
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
  std::vector<std::optional<Override>> overrides(observations_.size());
  ApplyAuthority(roles, overrides);
  MeasureLag(observations_, roles);
  std::optional<MasterJudgement> judgement;
  if (roles.master) {
    const ServerObservation& m = observations_[*roles.master];
    if (m.ok_this_round && m.last_good && m.last_good->flavor == Flavor::kMariaDB) {
      auto pos = GtidPosition::Parse(m.last_good->gtid_binlog_pos);
      if (pos) {
        newest_master_pos_ = std::move(*pos);
        newest_master_server_id_ = m.last_good->server_id;
        newest_master_name_ = m.config.name;
      }
    }
    judgement = JudgeMaster(observations_, *roles.master, config_.monitor.failure_threshold);
  }

  std::shared_ptr<const proxy::Topology> published;
  {
    std::lock_guard lk(publish_mu_);
    for (size_t i = 0; i < observations_.size(); ++i) {
      observations_[i].maintenance = maintenance_[i];
      observations_[i].replication_paused = replication_paused_[i];
    }
    proxy::Topology next =
        BuildTopology(observations_, roles,
                      BuildOptions{config_.monitor.failure_threshold, config_.routing.max_lag_ms});
    auto record = authority_->Current();
    next.epoch = record ? record->epoch : 0;
    for (size_t i = 0; i < overrides.size() && i < next.servers.size(); ++i) {
      if (!overrides[i]) continue;
      next.servers[i].role = overrides[i]->role;
      if (overrides[i]->state) next.servers[i].state = *overrides[i]->state;
      if (!overrides[i]->detail.empty()) next.servers[i].detail = overrides[i]->detail;
    }
    stats_.master_unreachable_alert =
        judgement && judgement->verdict == MasterVerdict::kUnreachable;
    if (judgement && judgement->verdict != MasterVerdict::kHealthy && next.master) {
      proxy::ServerView& m = next.servers[*next.master];
      m.detail = judgement->detail;
    }
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
  last_roles_ = roles;

  if (!judgement) return;
  if (judgement->verdict == MasterVerdict::kUnreachable) {
    if (unreachable_detail_.empty()) spdlog::error("monitor: ALERT: {}", judgement->detail);
    unreachable_detail_ = judgement->detail;
  } else {
    unreachable_detail_.clear();
  }
  if (judgement->verdict == MasterVerdict::kDead) {
    if (!config_.failover.auto_failover || broken_state_) {
      if (SteadyClock::now() >= next_failover_attempt_) {
        spdlog::error("monitor: master dead ({}); automatic failover is {}: POST /v1/failover",
                      judgement->detail, broken_state_ ? "blocked by the state file" : "off");
        next_failover_attempt_ = SteadyClock::now() + std::chrono::seconds(30);
      }
      return;
    }
    if (SteadyClock::now() < next_failover_attempt_) return;
    MasterChangeOutcome outcome = ChangeMasterNow(
        *roles.master, MasterChangeRequest{.planned = false, .target = ""}, judgement->detail);
    if (outcome.kind != MasterChangeOutcome::Kind::kDone) {
      next_failover_attempt_ = SteadyClock::now() + std::chrono::seconds(1);
    }
  }
}

void Monitor::MeasureLag(std::vector<ServerObservation>& observations, const RoleDecision& roles) {
  if (!roles.master) return;
  const ServerObservation& master = observations[*roles.master];
  if (master.config.name != tracked_master_) {
    lag_tracker_.Reset();
    tracker_fed_ = false;
    tracked_master_ = master.config.name;
  }
  const LagMethod master_method =
      master.last_good ? MasterLagMethod(*master.last_good) : LagMethod::kSecondsBehindMaster;
  const bool master_mariadb = master_method == LagMethod::kMariadbGtid;
  // A MySQL master is tracked by GTID only with gtid_mode on (a non-empty gtid_executed);
  // without GTIDs its replicas keep Seconds_Behind_Master.
  const bool master_mysql_gtid = master_method == LagMethod::kMysqlGtid;
  // Exact feed first (its times beat the poll's); the poll is then only the baseline.
  bool exact = false;
  if (transaction_feed_ && (master_mariadb || master_mysql_gtid)) {
    auto batch = transaction_feed_->Drain(master.config.address.ToString());
    exact = batch.exact;
    for (const auto& r : batch.records) lag_tracker_.RecordTransaction(r.gtid, r.commit_time_ms);
  }
  if (master.ok_this_round && (master_mariadb || master_mysql_gtid)) {
    const uint64_t at = master.last_good->checked_at_ms;
    Status st = Status::Ok();
    if (master_mariadb) {
      const std::string& pos = master.last_good->gtid_binlog_pos;
      st = exact ? lag_tracker_.ObserveMasterBaseline(pos, at)
                 : lag_tracker_.ObserveMasterPosition(pos, at);
    } else {
      const std::string& executed = master.last_good->gtid_executed;
      st = exact ? lag_tracker_.ObserveMysqlMasterBaseline(executed, at)
                 : lag_tracker_.ObserveMysqlMasterPosition(executed, at);
    }
    if (st) {
      tracker_fed_ = true;
    } else {
      spdlog::warn("monitor: {}: cannot track the master's GTID position: {}", master.config.name,
                   st.error().message);
    }
  }
  for (size_t i = 0; i < observations.size(); ++i) {
    ServerObservation& obs = observations[i];
    if (roles.roles[i] != proxy::ServerRole::kReplica || !obs.last_good) continue;
    const ProbeResult& p = *obs.last_good;
    const LagMethod method =
        master.last_good ? ReplicaLagMethod(*master.last_good, p) : LagMethod::kSecondsBehindMaster;
    const bool mariadb_pair = method == LagMethod::kMariadbGtid;
    const bool mysql_pair = method == LagMethod::kMysqlGtid;
    if (mariadb_pair || mysql_pair) {
      if (!tracker_fed_) continue;  // no master history yet: unknown, not "caught up"
      // Measured at the replica's own sampling time: transactions the master revealed
      // after that moment are not yet late.
      auto lag = mariadb_pair ? lag_tracker_.Lag(p.gtid_slave_pos, p.checked_at_ms)
                              : lag_tracker_.LagFromGtidExecuted(p.gtid_executed, p.checked_at_ms);
      if (lag) {
        obs.lag_ms = lag->lag_ms;
        obs.lag_is_lower_bound = lag->lower_bound;
      }
    } else if (p.replication && p.replication->seconds_behind_master) {
      // No GTIDs to compare (MySQL with gtid_mode off): second granularity, running threads only.
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

void Monitor::SetReplicationPaused(std::string_view server, bool paused) {
  std::lock_guard lk(publish_mu_);
  for (size_t i = 0; i < config_.servers.size(); ++i) {
    if (config_.servers[i].name == server) replication_paused_[i] = paused;
  }
}

bool Monitor::ReplicationPaused(std::string_view server) const {
  std::lock_guard lk(publish_mu_);
  for (size_t i = 0; i < config_.servers.size(); ++i) {
    if (config_.servers[i].name == server) return replication_paused_[i];
  }
  return false;
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
    const bool failing = master.consecutive_failures > 0;
    if (failing && !master_failing_) {
      master_failing_since_ = SteadyClock::now();
      spdlog::warn("monitor: master {} failed a check ({}); re-checking every {} ms",
                   master.config.name, master.last_error, RecheckInterval().count());
    }
    master_failing_ = failing;
    bool suspected = master.consecutive_failures >= config_.monitor.failure_threshold;
    if (suspected && !master_suspected_) OnMasterSuspected(master);
    if (!suspected && master_suspected_) OnMasterRecovered(master);
    master_suspected_ = suspected;
  } else {
    master_suspected_ = false;
    master_failing_ = false;
  }
}

std::chrono::milliseconds Monitor::RecheckInterval() const {
  // A fifth of the interval, between 20 and 50 ms: fast enough that a master whose port
  // refuses connections is suspected ~100 ms after its first failed check, slow enough that
  // probing a server that refuses connections costs nothing.
  const uint32_t interval = std::max<uint32_t>(config_.monitor.interval_ms, 1);
  return std::chrono::milliseconds(std::min(interval, std::clamp<uint32_t>(interval / 5, 20, 50)));
}

void Monitor::OnMasterSuspected(const ServerObservation& master) {
  // The decision (replicas confirm, then promote) follows in RunRound via JudgeMaster.
  const auto failing_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              SteadyClock::now() - master_failing_since_)
                              .count();
  spdlog::warn("monitor: master {} suspected after {} failed checks in {} ms ({})",
               master.config.name, master.consecutive_failures, failing_ms, master.last_error);
}

void Monitor::OnMasterRecovered(const ServerObservation& master) {
  spdlog::info("monitor: master {} answers again", master.config.name);
}

void Monitor::OnNoMaster(const std::string& problem) {
  spdlog::warn("monitor: no master: {}", problem);
}

void Monitor::ApplyAuthority(RoleDecision& roles, std::vector<std::optional<Override>>& overrides) {
  auto record = authority_->Current();
  if (!record) return;
  auto it =
      std::find_if(observations_.begin(), observations_.end(),
                   [&](const ServerObservation& o) { return o.config.name == record->master; });
  if (it == observations_.end()) {
    roles.problem = "persisted master '" + record->master + "' is not in the configuration";
    return;
  }
  const size_t master = static_cast<size_t>(it - observations_.begin());
  if (roles.master != master) {
    if (roles.master) roles.roles[*roles.master] = proxy::ServerRole::kUnknown;
    roles.master = master;
  }
  roles.roles[master] = proxy::ServerRole::kMaster;
  roles.role_details[master].clear();
  roles.problem.clear();
  const ServerObservation& m = observations_[master];
  const bool master_up = !IsDown(m, config_.monitor.failure_threshold) && m.ok_this_round;

  for (size_t i = 0; i < observations_.size(); ++i) {
    if (i == master) continue;
    ServerObservation& s = observations_[i];
    if (!s.ok_this_round || !s.last_good) continue;
    const ProbeResult& p = *s.last_good;
    const bool replicating = p.replication && p.replication->replicating_at_all();
    if (p.replication && PointsAt(*p.replication, m)) {
      roles.roles[i] = proxy::ServerRole::kReplica;
      roles.role_details[i].clear();
      continue;
    }
    if (!p.read_only && !replicating) {
      // Writable and not the master of this epoch (a returning old master): fence at once.
      spdlog::warn("failover: {} is writable but the master of epoch {} is {}: fencing it",
                   s.config.name, record->epoch, record->master);
      SqlSession session(s.config.address, config_.monitor.user, config_.monitor.password,
                         config_.monitor.timeout_ms);
      Status st = SetReadOnly(session, s.config.name, true);
      overrides[i] = Override{proxy::ServerRole::kFenced, std::nullopt,
                              st ? fmt::format("fenced: read_only set (epoch {} master is {})",
                                               record->epoch, record->master)
                                 : "fencing failed: " + st.error().message};
      roles.roles[i] = proxy::ServerRole::kFenced;
      continue;
    }
    if (s.maintenance || !master_up || !m.last_good) {
      roles.roles[i] = proxy::ServerRole::kFenced;
      overrides[i] = Override{proxy::ServerRole::kFenced, std::nullopt,
                              "not a replica of " + record->master + "; waiting to rejoin"};
      continue;
    }
    // Read-only and not replicating from the master: rejoin if it has nothing the new
    // master lacks.
    auto own = GtidPosition::Parse(p.gtid_binlog_pos);
    auto reference = GtidPosition::Parse(record->promoted_at.empty() ? m.last_good->gtid_binlog_pos
                                                                     : record->promoted_at);
    if (!own || !reference) {
      overrides[i] = Override{
          proxy::ServerRole::kFenced, std::nullopt,
          "cannot compare positions: " + (!own ? own.error().message : reference.error().message)};
      continue;
    }
    std::string errant = RejoinBlockers(*own, *reference);
    if (!errant.empty()) {
      roles.roles[i] = proxy::ServerRole::kFenced;
      overrides[i] = Override{
          proxy::ServerRole::kFenced, proxy::ServerState::kDiverged,
          fmt::format("diverged: has transactions {} that {} lacks (its position at promotion: {})",
                      errant, record->master, reference->ToString())};
      if (overrides[i]->detail != last_divergence_[s.config.name]) {
        spdlog::error("failover: {}: {}", s.config.name, overrides[i]->detail);
        last_divergence_[s.config.name] = overrides[i]->detail;
      }
      continue;
    }
    spdlog::info("failover: {} (position {}) has nothing beyond {} ({}): rejoining as a replica",
                 s.config.name, own->ToString(), record->master, reference->ToString());
    SqlSession session(s.config.address, config_.monitor.user, config_.monitor.password,
                       config_.monitor.timeout_ms);
    Status st = RepointReplica(session, s.config.name, m.config.address,
                               {config_.replication.user, config_.replication.password},
                               /*from_own_binlog=*/!p.replication);
    roles.roles[i] = proxy::ServerRole::kFenced;
    overrides[i] = Override{proxy::ServerRole::kFenced, std::nullopt,
                            st ? "rejoining as a replica of " + record->master
                               : "rejoin failed: " + st.error().message};
  }
}

void Monitor::PublishProgress(bool in_progress, std::optional<size_t> master, uint64_t epoch,
                              const std::string& master_detail) {
  std::lock_guard lk(publish_mu_);
  proxy::Topology next = *topology_->Get();
  next.failover_in_progress = in_progress;
  next.master = master;
  next.epoch = epoch;
  for (size_t i = 0; i < next.servers.size(); ++i) {
    // Only one master in a snapshot: the old one is whatever the next round finds.
    if (next.servers[i].role == proxy::ServerRole::kMaster && master != i) {
      next.servers[i].role = proxy::ServerRole::kUnknown;
      next.servers[i].detail = in_progress ? "master being replaced" : "replaced as master";
    }
  }
  if (master && *master < next.servers.size()) {
    proxy::ServerView& v = next.servers[*master];
    v.role = proxy::ServerRole::kMaster;
    v.state = proxy::ServerState::kUp;
    v.lag_ms = 0;
    v.detail = master_detail;
  }
  PublishLocked(std::move(next));
}

MasterChangeOutcome Monitor::ChangeMasterNow(size_t old_master, const MasterChangeRequest& request,
                                             const std::string& evidence) {
  using Kind = MasterChangeOutcome::Kind;
  MasterChangeOutcome out;
  const ServerObservation& old = observations_[old_master];
  out.old_master = old.config.name;
  const char* what = request.planned ? "switchover" : "failover";
  if (!authority_->TryAcquire()) {
    out.detail = "another master change holds the right to act";
    return out;
  }
  struct ReleaseOnExit {
    FailoverAuthority* a;
    ~ReleaseOnExit() { a->Release(); }
  } release{authority_.get()};
  auto record = authority_->Current();
  const uint64_t epoch = record ? record->epoch : 0;
  const ProbeSettings creds{config_.monitor.user, config_.monitor.password,
                            config_.monitor.timeout_ms};
  // Every step below logs "+N ms" since this point, so where a failover spends its time is
  // in the log (bench/failover reads it).
  const auto change_started = SteadyClock::now();
  auto since_start = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                 change_started)
        .count();
  };
  if (request.planned) {
    spdlog::warn("failover: starting {} from {} (epoch {}): {}", what, old.config.name, epoch,
                 evidence);
  } else {
    spdlog::warn("failover: starting {} from {} (epoch {}), {} ms after its first failed check: {}",
                 what, old.config.name, epoch,
                 std::chrono::duration_cast<std::chrono::milliseconds>(change_started -
                                                                       master_failing_since_)
                     .count(),
                 evidence);
  }

  // The position the candidates are judged against: the old master's newest we know of.
  GtidPosition master_pos =
      newest_master_name_ == old.config.name ? newest_master_pos_ : GtidPosition{};
  uint32_t master_server_id = old.last_good ? old.last_good->server_id : newest_master_server_id_;
  CandidateChoice choice =
      ChooseCandidate(observations_, old_master, master_pos, master_server_id, request.target);
  for (const std::string& r : choice.rejected) spdlog::warn("failover: not chosen: {}", r);
  if (!choice.chosen) {
    out.kind = request.target.empty() ? Kind::kFailed : Kind::kBadTarget;
    out.detail = choice.reason + (choice.rejected.empty() ? "" : ": ");
    for (size_t i = 0; i < choice.rejected.size(); ++i) {
      out.detail += (i ? "; " : "") + choice.rejected[i];
    }
    spdlog::error("failover: {} impossible: {}", what, out.detail);
    std::lock_guard lk(publish_mu_);
    ++stats_.failover_failures_total;
    return out;
  }
  const size_t cand = *choice.chosen;
  const ServerObservation& candidate = observations_[cand];
  out.new_master = candidate.config.name;
  spdlog::warn("failover: (+{} ms) chose {}: {} (old master's newest position seen: {})",
               since_start(), candidate.config.name, choice.reason, master_pos.ToString());

  const auto held_since = SteadyClock::now();
  PublishProgress(true, std::nullopt, epoch, "");  // sessions hold writes from here
  auto abort = [&](std::string why) {
    spdlog::error("failover: {} aborted: {}", what, why);
    out.kind = Kind::kFailed;
    out.detail = std::move(why);
    PublishProgress(false, old_master, epoch, "");
    std::lock_guard lk(publish_mu_);
    ++stats_.failover_failures_total;
    return out;
  };

  SqlSession cand_session(candidate.config.address, creds.user, creds.password,
                          std::max<uint32_t>(5000, config_.failover.hold_ms) + 2000);
  std::unique_ptr<SqlSession> old_session;
  if (request.planned) {
    old_session = std::make_unique<SqlSession>(old.config.address, creds.user, creds.password,
                                               creds.timeout_ms);
    if (Status st = SetReadOnly(*old_session, old.config.name, true); !st) {
      return abort(st.error().message);
    }
    // Connections that were already writing finish their transaction before read_only
    // applies; the binlog position read now includes them.
    auto pos = old_session->QueryValue("SELECT @@global.gtid_binlog_pos");
    if (!pos) {
      (void)SetReadOnly(*old_session, old.config.name, false);
      return abort(pos.error().message);
    }
    spdlog::info("failover: {} is read-only at gtid_binlog_pos '{}'", old.config.name, *pos);
    if (Status st = WaitApplied(cand_session, candidate.config.name, *pos, 5000); !st) {
      (void)SetReadOnly(*old_session, old.config.name, false);
      return abort(st.error().message);
    }
  }
  // The candidate applies what it received before it takes writes; a busy single-threaded
  // applier can be seconds behind, so allow up to the write hold time (at least 5 s).
  const uint32_t apply_wait_ms = std::max<uint32_t>(5000, config_.failover.hold_ms);
  auto promoted_at = PromoteReplica(cand_session, candidate.config.name, apply_wait_ms);
  if (!promoted_at) {
    if (old_session) (void)SetReadOnly(*old_session, old.config.name, false);
    return abort(promoted_at.error().message);
  }

  MasterRecord next_record{epoch + 1, candidate.config.name, *promoted_at};
  if (Status st = authority_->Publish(next_record); !st) {
    // The candidate is writable already; routing to it is still right for this process.
    spdlog::critical("failover: could not persist epoch {} (master {}): {}", next_record.epoch,
                     next_record.master, st.error().message);
  } else {
    spdlog::info("failover: (+{} ms) persisted epoch {} master {} promoted at '{}'", since_start(),
                 next_record.epoch, next_record.master, next_record.promoted_at);
  }
  out.writes_held_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - held_since)
          .count());
  PublishProgress(false, cand, next_record.epoch,
                  fmt::format("promoted by {} (epoch {})", what, next_record.epoch));
  spdlog::warn(
      "failover: (+{} ms) {} done: {} -> {} published as master, epoch {}, writes held {} ms",
      since_start(), what, old.config.name, candidate.config.name, next_record.epoch,
      out.writes_held_ms);

  // Re-point the others (after publishing: writes flow again meanwhile).
  const ReplicationCredentials repl{config_.replication.user, config_.replication.password};
  for (size_t i = 0; i < observations_.size(); ++i) {
    if (i == cand || i == old_master) continue;
    const ServerObservation& s = observations_[i];
    if (!s.ok_this_round || !s.last_good || !s.last_good->replication) continue;
    SqlSession session(s.config.address, creds.user, creds.password, creds.timeout_ms);
    // A replica paused for a backup follows the new master with its data still frozen.
    (void)RepointReplica(session, s.config.name, candidate.config.address, repl, false,
                         /*start_sql_thread=*/!s.replication_paused);
  }
  if (old_session) {
    (void)RepointReplica(*old_session, old.config.name, candidate.config.address, repl, true);
  }
  spdlog::info("failover: (+{} ms) the other servers are re-pointed to {}", since_start(),
               candidate.config.name);
  out.kind = Kind::kDone;
  out.epoch = next_record.epoch;
  out.detail = choice.reason;
  std::lock_guard lk(publish_mu_);
  if (request.planned) {
    ++stats_.switchovers_total;
  } else {
    ++stats_.failovers_total;
  }
  stats_.last_writes_held_ms = out.writes_held_ms;
  return out;
}

MasterChangeOutcome Monitor::ChangeMaster(MasterChangeRequest request) {
  auto pending = std::make_unique<PendingChange>();
  pending->request = std::move(request);
  auto future = pending->done.get_future();
  {
    std::lock_guard lk(stop_mu_);
    if (stop_requested_ || !thread_.joinable()) {
      MasterChangeOutcome out;
      out.detail = "the monitor is not running";
      return out;
    }
    pending_.push_back(std::move(pending));
  }
  stop_cv_.notify_all();
  return future.get();
}

void Monitor::ServePendingChanges() {
  using Kind = MasterChangeOutcome::Kind;
  while (true) {
    std::unique_ptr<PendingChange> pending;
    {
      std::lock_guard lk(stop_mu_);
      if (pending_.empty()) return;
      pending = std::move(pending_.front());
      pending_.pop_front();
    }
    const MasterChangeRequest& req = pending->request;
    MasterChangeOutcome out;
    std::shared_ptr<const proxy::Topology> current = topology_->Get();
    std::optional<size_t> master;
    if (last_roles_ && last_roles_->master) master = *last_roles_->master;
    if (!req.target.empty() && !current->IndexOf(req.target)) {
      out.kind = Kind::kBadTarget;
      out.detail = "no server named '" + req.target + "' in the configuration";
    } else if (!master) {
      out.kind = Kind::kConflict;
      out.detail = "no current master to change from";
    } else if (!req.target.empty() && observations_[*master].config.name == req.target) {
      out.kind = Kind::kConflict;
      out.detail = req.target + " is already the master";
    } else {
      auto judgement = JudgeMaster(observations_, *master, config_.monitor.failure_threshold);
      const bool reachable = observations_[*master].ok_this_round;
      if (req.planned && !reachable) {
        out.kind = Kind::kConflict;
        out.detail = "the master " + observations_[*master].config.name +
                     " is not reachable: use POST /v1/failover";
      } else if (!req.planned && judgement.verdict == MasterVerdict::kHealthy && reachable) {
        out.kind = Kind::kConflict;
        out.detail = "the master " + observations_[*master].config.name +
                     " is healthy: use POST /v1/switchover";
      } else {
        std::string evidence = req.planned ? "switchover requested through the admin API"
                                           : "manual failover: " + judgement.detail;
        out = ChangeMasterNow(*master, req, evidence);
      }
    }
    pending->done.set_value(std::move(out));
  }
}
}  // namespace switchyard::failover
