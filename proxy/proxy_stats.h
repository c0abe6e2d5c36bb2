// Counters of the data path, shared by all io threads (relaxed atomics: read by /metrics; the
// ones bumped on every statement are sharded per thread).
// Per-server counters live in slots assigned by server name on first use and never reused,
// so they stay right when a reload adds, removes or reorders servers.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/topology.h"

namespace switchyard::proxy {

// A counter that every io thread bumps once or more per statement. One shared atomic would be
// a cache line bouncing between the cores on each statement; here each thread adds to its own
// line (shards picked per thread, round-robin: more threads than shards share, still atomic)
// and readers (/metrics, tests) sum them. Same calls as the std::atomic it replaces.
class ShardedCounter {
 public:
  static constexpr size_t kShards = 8;
  void fetch_add(uint64_t n, std::memory_order order = std::memory_order_seq_cst) {
    shards_[ThisThreadShard()].value.fetch_add(n, order);
  }
  uint64_t load(std::memory_order order = std::memory_order_seq_cst) const {
    uint64_t sum = 0;
    for (const Shard& s : shards_) sum += s.value.load(order);
    return sum;
  }

 private:
  static size_t ThisThreadShard();
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  std::array<Shard, kShards> shards_{};
};

// Statement latency as a Prometheus histogram: fixed buckets, relaxed atomics, no allocation
// on the data path. Observations are client-visible time from routing to the last byte.
class LatencyHistogram {
 public:
  // Upper bounds in microseconds (le labels); one more bucket counts everything above.
  static constexpr std::array<uint64_t, 14> kBoundsUs = {250,    500,     1000,    2500,    5000,
                                                         10000,  25000,   50000,   100000,  250000,
                                                         500000, 1000000, 2500000, 10000000};

  void Observe(uint64_t micros) {
    size_t i = 0;
    while (i < kBoundsUs.size() && micros > kBoundsUs[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(micros, std::memory_order_relaxed);
  }
  // Appends the _bucket/_sum/_count lines of `name` with the label set `labels` (`route="x"`).
  void Render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<ShardedCounter, kBoundsUs.size() + 1> buckets_{};
  ShardedCounter sum_us_;
};

struct ProxyStats {
  std::atomic<uint64_t> connections_current{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> auth_failures{0};
  ShardedCounter queries_master;  // per statement: sharded (see ShardedCounter)
  ShardedCounter queries_replica;
  std::atomic<uint64_t> backend_errors{0};
  std::atomic<uint64_t> backend_connects{0};
  std::atomic<uint64_t> read_retries{0};      // reads re-run on the master after a replica failed
  std::atomic<uint64_t> causal_waits{0};      // reads that waited for a replica to catch up
  std::atomic<uint64_t> causal_fallbacks{0};  // ... and went to the master because it did not
  std::atomic<uint64_t> writes_held{0};       // statements held while no master was reachable
  std::atomic<uint64_t> writes_held_ms{0};    // total time they were held
  std::atomic<uint64_t> no_master_errors{0};  // statements failed: no master within hold_ms
  std::atomic<uint64_t> pool_full_errors{0};  // statements failed: pool at its limit too long
  LatencyHistogram latency_master;            // statements answered by the master
  LatencyHistogram latency_replica;           // ... by a replica

  // Per server, by slot (see SlotOf).
  static constexpr size_t kMaxServers = 64;
  std::array<ShardedCounter, kMaxServers> server_queries{};
  std::array<std::atomic<int64_t>, kMaxServers> server_connections{};  // open backend connections
  // Reads routed to a replica and not finished yet (maintenance waits for 0 before pausing).
  std::array<std::atomic<int64_t>, kMaxServers> server_in_flight{};

  // The slot of a server name, assigned on first use (nullopt once kMaxServers are taken).
  // Lock-free for names already known.
  std::optional<size_t> SlotOf(std::string_view name);
  // The slot of the server at `index` of `topology`.
  std::optional<size_t> SlotOf(const Topology& topology, std::optional<size_t> index) {
    if (!index || *index >= topology.servers.size()) return std::nullopt;
    return SlotOf(topology.servers[*index].name);
  }

  std::atomic<int64_t>* ConnectionGauge(std::string_view server) {
    auto slot = SlotOf(server);
    return slot ? &server_connections[*slot] : nullptr;
  }
  int64_t InFlightOn(std::string_view server) {
    auto slot = SlotOf(server);
    return slot ? server_in_flight[*slot].load(std::memory_order_relaxed) : 0;
  }

  // Counts a statement on a server as in flight for its lifetime.
  class InFlight {
   public:
    InFlight(ProxyStats& stats, std::string_view server) {
      if (auto slot = stats.SlotOf(server)) gauge_ = &stats.server_in_flight[*slot];
      if (gauge_) gauge_->fetch_add(1, std::memory_order_relaxed);
    }
    ~InFlight() {
      if (gauge_) gauge_->fetch_sub(1, std::memory_order_relaxed);
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    std::atomic<int64_t>* gauge_ = nullptr;
  };

  void CountQuery(const Topology& topology, std::optional<size_t> server) {
    if (auto slot = SlotOf(topology, server))
      server_queries[*slot].fetch_add(1, std::memory_order_relaxed);
  }

 private:
  std::array<std::string, kMaxServers> slot_names_;  // [0, slot_count_) never change once set
  std::atomic<size_t> slot_count_{0};
  std::mutex slot_mu_;  // serializes assigning new slots
};

// Prometheus text for the data path's counters (switchyard_* series).
std::string RenderProxyMetrics(ProxyStats& stats, const Topology& topology);

}  // namespace switchyard::proxy
