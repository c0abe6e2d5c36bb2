// Counters of the data path, shared by all io threads (relaxed atomics: read by /metrics).
#pragma once

#include <atomic>
#include <cstdint>

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
};

}  // namespace switchyard::proxy
