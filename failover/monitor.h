// The health monitor: on its own thread, every monitor.interval_ms it checks every server
// (each on its own probe thread; a round waits at most one timeout, and only for servers
// that answered their previous check, so a hung server never slows the others' checks), discovers
// roles, measures replica lag and publishes a new proxy::Topology into the shared TopologyHolder.
// Failover decisions are stubs for now.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "binlog/replica_lag_tracker.h"
#include "conf/config.h"
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
  std::vector<ServerCheckStats> servers;  // config order
};

enum class MaintenanceChange { kApplied, kUnknownServer, kRefusedMaster };

class Monitor {
 public:
  Monitor(const conf::Config& config, std::shared_ptr<proxy::TopologyHolder> topology);
  ~Monitor();  // Stop()
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  void Start();
  // Joins every thread; a probe stuck in libmariadb is waited for (bounded by its timeout).
  void Stop();

  // Thread-safe. Takes effect immediately (a new snapshot is published), and sticks across
  // rounds. The master is refused: taking it out of service is a switchover.
  MaintenanceChange SetMaintenance(std::string_view server, bool on);

  MonitorStats Stats() const;

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

  // Failover decision points (later work): called once per transition, they only log now.
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
  bool master_suspected_ = false;
  std::string last_problem_;
  bool reported_once_ = false;  // the first round logs every server's state

  // Guarded by publish_mu_: maintenance flags and every Publish() (monitor and admin).
  mutable std::mutex publish_mu_;
  std::vector<bool> maintenance_;
  MonitorStats stats_;

  std::thread thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
};

}  // namespace switchyard::failover
