#include "proxy/topology.h"

#include <algorithm>

namespace switchyard::proxy {

const char* ToString(ServerRole role) {
  switch (role) {
    case ServerRole::kMaster: return "master";
    case ServerRole::kReplica: return "replica";
    case ServerRole::kFenced: return "fenced";
    case ServerRole::kUnknown: break;
  }
  return "unknown";
}

const char* ToString(ServerState state) {
  switch (state) {
    case ServerState::kUp: return "up";
    case ServerState::kDown: return "down";
    case ServerState::kLagging: return "lagging";
    case ServerState::kMaintenance: return "maintenance";
    case ServerState::kDiverged: return "diverged";
  }
  return "down";
}

const ServerView* Topology::Find(std::string_view name) const {
  auto it = std::find_if(servers.begin(), servers.end(), [&](const auto& s) { return s.name == name; });
  return it == servers.end() ? nullptr : &*it;
}

std::optional<size_t> Topology::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < servers.size(); ++i)
    if (servers[i].name == name) return i;
  return std::nullopt;
}

bool Topology::ReadEligible(const ServerView& s, uint64_t max_lag_ms) const {
  return s.role == ServerRole::kReplica && s.state == ServerState::kUp && !s.maintenance &&
         s.weight > 0 && s.lag_ms.has_value() && *s.lag_ms <= max_lag_ms;
}

Topology TopologyFromConfig(const conf::Config& config) {
  Topology t;
  for (const auto& s : config.servers) {
    ServerView v;
    v.name = s.name;
    v.address = s.address;
    v.weight = s.weight;
    v.promotable = s.promotable;
    v.detail = "not checked yet";
    t.servers.push_back(std::move(v));
  }
  return t;
}

Topology RemapTopology(const Topology& current, const conf::Config& config) {
  Topology fresh = TopologyFromConfig(config);
  fresh.epoch = current.epoch;
  fresh.failover_in_progress = current.failover_in_progress;
  for (size_t i = 0; i < fresh.servers.size(); ++i) {
    ServerView& v = fresh.servers[i];
    const ServerView* old = current.Find(v.name);
    if (!old || !(old->address == v.address)) continue;
    ServerView kept = *old;
    kept.weight = v.weight;
    kept.promotable = v.promotable;
    v = std::move(kept);
    if (current.Master() == old) fresh.master = i;
  }
  return fresh;
}

}  // namespace switchyard::proxy
