// Counters of the data path, shared by all io threads (relaxed atomics: read by /metrics).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "proxy/topology.h"

namespace switchyard::proxy {

struct ProxyStats {
  std::atomic<uint64_t> connections_current{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> auth_failures{0};
  std::atomic<uint64_t> queries_master{0};
  std::atomic<uint64_t> queries_replica{0};
  std::atomic<uint64_t> backend_errors{0};
  std::atomic<uint64_t> backend_connects{0};
  std::atomic<uint64_t> read_retries{0};      // reads re-run on the master after a replica failed
  std::atomic<uint64_t> causal_waits{0};      // reads that waited for a replica to catch up
  std::atomic<uint64_t> causal_fallbacks{0};  // ... and went to the master because it did not
  std::atomic<uint64_t> writes_held{0};       // statements held while no master was reachable
  std::atomic<uint64_t> writes_held_ms{0};    // total time they were held

  // Per server, by index in the topology's server list (config order).
  static constexpr size_t kMaxServers = 64;
  std::array<std::atomic<uint64_t>, kMaxServers> server_queries{};
  std::array<std::atomic<int64_t>, kMaxServers> server_connections{};  // open backend connections
  // Reads routed to a replica and not finished yet (maintenance waits for 0 before pausing).
  std::array<std::atomic<int64_t>, kMaxServers> server_in_flight{};

  // Counts a statement on `server` in flight for its lifetime (null-safe, index-checked).
  class InFlight {
   public:
    InFlight(ProxyStats& stats, std::optional<size_t> server)
        : gauge_(server && *server < kMaxServers ? &stats.server_in_flight[*server] : nullptr) {
      if (gauge_) gauge_->fetch_add(1, std::memory_order_relaxed);
    }
    ~InFlight() {
      if (gauge_) gauge_->fetch_sub(1, std::memory_order_relaxed);
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    std::atomic<int64_t>* gauge_;
  };

  void CountQuery(std::optional<size_t> server) {
    if (server && *server < kMaxServers) server_queries[*server].fetch_add(1, std::memory_order_relaxed);
  }
};

// Prometheus text for the data path's counters (switchyard_* series).
std::string RenderProxyMetrics(const ProxyStats& stats, const Topology& topology);

}  // namespace switchyard::proxy
