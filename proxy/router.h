// Router: where one statement runs, decided from its classification, the session's state and
// the current topology snapshot (DESIGN.md section 4). Pure and deterministic apart from the
// load-balancing counters it is given; every decision carries a reason for logs and metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "conf/config.h"
#include "proxy/session_state.h"
#include "proxy/sql/sql_classifier.h"
#include "proxy/topology.h"

namespace switchyard::proxy {

enum class RouteTarget { kMaster, kReplica, kNone };

struct RouteDecision {
  RouteTarget target = RouteTarget::kMaster;
  std::optional<size_t> server;  // index into Topology::servers (replica or hinted server)
  // The replica has not been seen to apply the session's last write: wait for it (up to
  // routing.causal_wait_ms) before the read, or run the read on the master.
  bool causal_wait = false;
  const char* reason = "";
};

// Per-server counters shared by all sessions for least_conn / round_robin.
struct LoadBalanceCounters {
  static constexpr size_t kMaxServers = 64;
  std::array<std::atomic<int64_t>, kMaxServers> replica_sessions{};
  std::atomic<uint64_t> round_robin{0};
};

struct RouteInputs {
  const Classification& statement;
  const SessionState& session;
  const Topology& topology;
  const conf::RoutingConfig& routing;
  std::optional<std::string_view> current_replica;  // the session's replica connection, if any
  std::optional<std::string_view> previous_server;  // where the previous statement ran
};

RouteDecision Route(const RouteInputs& in, LoadBalanceCounters& counters);

// Choose a read replica: eligible (up, replica, not in maintenance, within max_lag_ms), preferring
// `current` (connection reuse), then the load-balancing policy. nullopt when none qualifies.
std::optional<size_t> ChooseReplica(const Topology& topology, uint64_t max_lag_ms,
                                    conf::LoadBalance policy,
                                    std::optional<std::string_view> current,
                                    const std::optional<GtidPoint>& must_cover,
                                    LoadBalanceCounters& counters, bool* covers);

}  // namespace switchyard::proxy
