// The health monitor: on its own thread, every monitor.interval_ms it checks every server
// (each on its own probe thread; a round waits at most one timeout, and only for servers
// that answered their previous check, so a hung server never slows the others' checks), discovers
// roles, measures replica lag and publishes a new proxy::Topology into the shared TopologyHolder.
// Failover runs on this thread too: a master confirmed dead by its replicas is replaced by the
// most advanced replica (FailoverCoordinator rules in failover_decision.h); switchovers asked
// for by the admin API are queued here and run between rounds. The master of the latest
// persisted epoch wins over discovery; any other writable server is fenced (read_only=1).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "binlog/replica_lag_tracker.h"
#include "binlog/transaction_feed.h"
#include "conf/config.h"
#include "failover/failover_authority.h"
#include "failover/gtid_position.h"
#include "failover/server_probe.h"
#include "failover/topology_builder.h"
#include "proxy/topology.h"

namespace switchyard::failover {

struct ServerCheckStats {
  std::string name;
  uint64_t checks_total = 0;
  uint64_t failures_total = 0;
  uint32_t consecutive_failures = 0;
  uint32_t last_duration_ms = 0;
};

struct MonitorStats {
  uint64_t rounds_total = 0;
  uint32_t last_round_ms = 0;
  uint64_t failovers_total = 0;  // automatic and manual failovers that completed
  uint64_t switchovers_total = 0;
  uint64_t failover_failures_total = 0;
  uint64_t last_writes_held_ms = 0;  // master unpublished during the last change
  // The proxy cannot reach the master but replicas still replicate from it: no failover.
  bool master_unreachable_alert = false;
  std::vector<ServerCheckStats> servers;  // config order
};

enum class MaintenanceChange { kApplied, kUnknownServer, kRefusedMaster };

// A switchover or manual failover asked for through the admin API.
struct MasterChangeRequest {
  bool planned = true;  // switchover (old master alive, demoted) or manual failover
  std::string target;   // empty: the best candidate
};

struct MasterChangeOutcome {
  enum class Kind { kDone, kConflict, kBadTarget, kFailed };
  Kind kind = Kind::kFailed;
  std::string old_master;
  std::string new_master;
  uint64_t epoch = 0;
  uint64_t writes_held_ms = 0;
  std::string detail;
};

class Monitor {
 public:
  Monitor(const conf::Config& config, std::shared_ptr<proxy::TopologyHolder> topology);
  ~Monitor();  // Stop()
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // The binlog tailer's transactions with exact commit times; call before Start(). While the
  // tailer streams from the current master they time the lag and the master's polled position
  // is only a baseline; otherwise lag falls back to the poll (one interval of resolution).
  void SetTransactionFeed(std::shared_ptr<binlog::TransactionFeed> feed) {
    transaction_feed_ = std::move(feed);
  }

  void Start();
  // Joins every thread; a probe stuck in libmariadb is waited for (bounded by its timeout).
  void Stop();

  // Thread-safe. Takes effect immediately (a new snapshot is published), and sticks across
  // rounds. The master is refused: taking it out of service is a switchover.
  MaintenanceChange SetMaintenance(std::string_view server, bool on);
  // Thread-safe. Records that the server's SQL thread is paused for a backup (maintenance.h):
  // it is not broken replication, and a failover re-points it without restarting that thread.
  void SetReplicationPaused(std::string_view server, bool paused);
  bool ReplicationPaused(std::string_view server) const;

  MonitorStats Stats() const;

  // Thread-safe; blocks until the monitor thread has carried the change out (or refused it).
  MasterChangeOutcome ChangeMaster(MasterChangeRequest request);

 private:
  struct Worker;

  void MonitorLoop();
  void RunRound();
  void WorkerLoop(Worker& worker);
  // One outcome per server: a finished check, a synthesized "no answer" failure once a check
  // runs past timeout_ms, or nullopt while a check is still running within its timeout.
  std::vector<std::optional<ProbeResult>> ProbeAll();
  void MeasureLag(std::vector<ServerObservation>& observations, const RoleDecision& roles);
  void PublishLocked(proxy::Topology next);
  void ReportTransitions(const proxy::Topology& before, const proxy::Topology& after,
                         const RoleDecision& roles);
  // The pause between rounds while the master's checks fail (shorter than interval_ms).
  std::chrono::milliseconds RecheckInterval() const;

  struct PendingChange {
    MasterChangeRequest request;
    std::promise<MasterChangeOutcome> done;
  };
  struct Override {
    proxy::ServerRole role;
    std::optional<proxy::ServerState> state;
    std::string detail;
  };

  // Master of the persisted epoch wins over discovery; fences and rejoins the others.
  void ApplyAuthority(RoleDecision& roles, std::vector<std::optional<Override>>& overrides);
  // Runs a failover (planned or not) from `old_master`; publishes as it goes.
  MasterChangeOutcome ChangeMasterNow(size_t old_master, const MasterChangeRequest& request,
                                      const std::string& evidence);
  void ServePendingChanges();
  void PublishProgress(bool in_progress, std::optional<size_t> master, uint64_t epoch,
                       const std::string& master_detail);

  // Failover decision points: called once per transition; they log.
  void OnMasterSuspected(const ServerObservation& master);
  void OnMasterRecovered(const ServerObservation& master);
  void OnNoMaster(const std::string& problem);

  const conf::Config config_;
  const std::shared_ptr<proxy::TopologyHolder> topology_;

  // Probe threads and their hand-off; guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // workers wait for a round request
  std::condition_variable done_cv_;  // the monitor waits for results
  std::vector<std::unique_ptr<Worker>> workers_;
  bool stopping_ = false;

  // Monitor-thread state (RunRound is the only writer).
  std::vector<ServerObservation> observations_;
  binlog::ReplicaLagTracker lag_tracker_;
  std::string tracked_master_;  // whose history lag_tracker_ holds
  bool tracker_fed_ = false;    // has seen that master's position at least once
  std::shared_ptr<binlog::TransactionFeed> transaction_feed_;  // exact lag feed (optional)
  bool master_suspected_ = false;
  // The master's latest check failed: until it is suspected (or answers again) rounds run
  // every RecheckInterval() instead of interval_ms, so failure_threshold consecutive
  // failures take a fraction of a second when the failure is fast (connection refused).
  bool master_failing_ = false;
  std::chrono::steady_clock::time_point master_failing_since_{};
  std::string last_problem_;
  bool reported_once_ = false;  // the first round logs every server's state
  std::unique_ptr<FailoverAuthority> authority_;
  GtidPosition newest_master_pos_;  // the newest gtid_binlog_pos seen on the current master
  uint32_t newest_master_server_id_ = 0;
  std::string newest_master_name_;
  std::optional<RoleDecision> last_roles_;
  std::chrono::steady_clock::time_point next_failover_attempt_{};
  std::string unreachable_detail_;
  bool broken_state_ = false;
  std::map<std::string, std::string>
      last_divergence_;  // logged once per change  // the state file exists but cannot be read
  std::deque<std::unique_ptr<PendingChange>> pending_;  // guarded by stop_mu_

  // Guarded by publish_mu_: maintenance flags and every Publish() (monitor and admin).
  mutable std::mutex publish_mu_;
  std::vector<bool> maintenance_;
  std::vector<bool> replication_paused_;
  MonitorStats stats_;

  std::thread thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
};

}  // namespace switchyard::failover
