// Turns one monitor round's observations into a proxy::Topology: who is master (discovered
// from the servers themselves, never configured), each server's role, state, lag and GTID.
// Pure functions over plain values, so every rule here is unit-tested without a database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "failover/server_probe.h"
#include "proxy/topology.h"

namespace switchyard::failover {

// Everything the monitor knows about one server after a round.
struct ServerObservation {
  conf::ServerConfig config;
  std::optional<ProbeResult> last_good;  // latest successful check (may be from an older round)
  bool ok_this_round = false;
  std::string last_error;  // of the latest failed check
  uint32_t consecutive_failures = 0;
  bool maintenance = false;
  bool replication_paused = false;  // SQL thread stopped on purpose (backup), see maintenance.h
  // Replicas only, filled by the monitor from the lag tracker once the master is known.
  std::optional<uint64_t> lag_ms;
  bool lag_is_lower_bound = false;
};

struct RoleDecision {
  std::optional<size_t> master;           // index into the observations
  std::vector<proxy::ServerRole> roles;   // one per observation
  std::vector<std::string> role_details;  // why, when not obvious (empty otherwise)
  std::string problem;                    // set when no master could be chosen
};

// True when the server is considered down: failure_threshold consecutive failed checks, or
// never reached at all.
bool IsDown(const ServerObservation& s, uint32_t failure_threshold);

// Does `replication` point at `candidate` (by host:port, loopback names equal, or by the
// master's server_id the IO thread reported)?
bool PointsAt(const ReplicationStatus& replication, const ServerObservation& candidate);

// Master: the writable, non-replicating server that the replicas replicate from (most
// replicas wins; a tie keeps `previous_master`, otherwise no master: two writable servers
// are reported, never guessed between). A down master stays master while replicas still
// point at it: that is the situation failover handles. Down servers keep `previous` roles.
RoleDecision DiscoverRoles(const std::vector<ServerObservation>& servers,
                           uint32_t failure_threshold, const proxy::Topology* previous);

struct BuildOptions {
  uint32_t failure_threshold = 3;
  uint64_t max_lag_ms = 1000;
};

// The snapshot to publish (epoch 0 and version are left for the publisher).
proxy::Topology BuildTopology(const std::vector<ServerObservation>& servers,
                              const RoleDecision& roles, const BuildOptions& options);

}  // namespace switchyard::failover
