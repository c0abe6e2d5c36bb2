// The topology snapshot routing reads: who is master, each server's health, lag and GTID.
// Immutable once published; TopologyHolder swaps whole snapshots (SnapshotHolder), so io
// threads read without locks while the monitor publishes new ones.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conf/config.h"
#include "proxy/snapshot_holder.h"

namespace switchyard::proxy {

enum class ServerRole { kUnknown, kMaster, kReplica, kFenced };
enum class ServerState { kUp, kDown, kLagging, kMaintenance, kDiverged };

const char* ToString(ServerRole role);
const char* ToString(ServerState state);

struct ServerView {
  std::string name;
  conf::Endpoint address;
  uint32_t weight = 1;
  bool promotable = true;
  ServerRole role = ServerRole::kUnknown;
  ServerState state = ServerState::kDown;
  bool maintenance = false;
  std::optional<uint64_t> lag_ms;  // nullopt: unknown (replication stopped or never measured)
  std::string gtid;                // applied position (MariaDB gtid_slave_pos / gtid_current_pos)
  std::string detail;              // why the state is what it is, for status and logs
};

struct Topology {
  uint64_t epoch = 0;
  uint64_t version = 0;  // bumped on every publish
  std::optional<size_t> master;  // index into servers of the server writes go to
  bool failover_in_progress = false;
  std::vector<ServerView> servers;  // config order

  const ServerView* Master() const { return master ? &servers[*master] : nullptr; }
  const ServerView* Find(std::string_view name) const;
  std::optional<size_t> IndexOf(std::string_view name) const;
  // Replicas eligible for reads: up, replica role, not in maintenance, lag known and <= max_lag_ms.
  bool ReadEligible(const ServerView& s, uint64_t max_lag_ms) const;
};

// Initial snapshot from config: every server known, nothing discovered yet.
Topology TopologyFromConfig(const conf::Config& config);

// The snapshot to publish when a reload changes the server list: servers in `config` order;
// one kept by name at the same address keeps what is known about it (role, state, lag), with
// its new weight and promotable; a new or moved one is "not checked yet". Master, epoch and
// failover_in_progress follow by name.
Topology RemapTopology(const Topology& current, const conf::Config& config);

class TopologyHolder : public SnapshotHolder<Topology> {
 public:
  explicit TopologyHolder(Topology initial) : SnapshotHolder(std::move(initial)) {}
  // One writer (the monitor thread) publishes; `version` is bumped on every publish.
  void Publish(Topology next) {
    next.version = Get()->version + 1;
    SnapshotHolder::Publish(std::make_shared<const Topology>(std::move(next)));
  }
};

}  // namespace switchyard::proxy
