// The failover decisions as pure functions over one monitor round's observations: is the
// master dead (confirmed by its replicas) or only unreachable from this proxy, which replica
// to promote, and may a returning old master rejoin. No I/O: every rule is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "failover/gtid_position.h"
#include "failover/topology_builder.h"

namespace switchyard::failover {

enum class MasterVerdict {
  kHealthy,  // fewer than failure_threshold consecutive failed checks
  // The proxy cannot reach it, but that is not proven fatal: a replica still replicates from it,
  // one is reconnecting without an error yet, or none reachable could say. No failover.
  kUnreachable,
  // The proxy lost it and every reachable replica failed to reach it (Last_IO_Error), at least
  // one of them reachable to say so; or it has no replica at all.
  kDead,
};
const char* ToString(MasterVerdict verdict);

struct MasterJudgement {
  MasterVerdict verdict = MasterVerdict::kHealthy;
  std::string detail;  // the evidence, for status and logs
};

MasterJudgement JudgeMaster(const std::vector<ServerObservation>& servers, size_t master,
                            uint32_t failure_threshold);

// What a replica has received from its master: gtid_slave_pos merged with Gtid_IO_Pos
// (received but maybe not applied), per domain the further of the two.
Result<GtidPosition> ReceivedPosition(const ProbeResult& replica);

// GTIDs in `replica_binlog` the master never had: a domain the master lacks, or a
// transaction past the master's newest seen position written by another server than the
// master (the replica's own writes). Entries from the master's server_id past its newest
// seen position are just newer than what the monitor saw, not errant.
std::string ErrantGtids(const GtidPosition& replica_binlog, const GtidPosition& master_newest,
                        uint32_t master_server_id);

struct CandidateChoice {
  std::optional<size_t> chosen;
  std::string reason;                 // why this one (positions compared)
  std::vector<std::string> rejected;  // "db3: not promotable", "db2: errant GTIDs 0-2-7", ...
};

// Promotable, reachable, not in maintenance, MariaDB replicas without errant GTIDs; the most
// advanced by received position wins (one that covers every other first, then the largest
// total); among equally advanced ones, the one with the least left to apply (applied position,
// then a running SQL thread), then config order. `excluded` (the old master) is never chosen;
// `only` restricts the choice to one server (switchover to a named target).
CandidateChoice ChooseCandidate(const std::vector<ServerObservation>& servers, size_t excluded,
                                const GtidPosition& master_newest, uint32_t master_server_id,
                                const std::string& only = "");

// May a server that was master (or otherwise left the topology) rejoin as a replica of the
// new master? Only if it has nothing beyond `reference` (the new master's position when it
// was promoted, or its current one). Returns the errant GTIDs ("" = may rejoin).
std::string RejoinBlockers(const GtidPosition& server_binlog, const GtidPosition& reference);

}  // namespace switchyard::failover
