#include "failover/failover_decision.h"

#include <fmt/format.h>

namespace switchyard::failover {

const char* ToString(MasterVerdict verdict) {
  switch (verdict) {
    case MasterVerdict::kHealthy:
      return "healthy";
    case MasterVerdict::kUnreachable:
      return "unreachable";
    case MasterVerdict::kDead:
      return "dead";
  }
  return "unknown";
}

MasterJudgement JudgeMaster(const std::vector<ServerObservation>& servers, size_t master,
                            uint32_t failure_threshold) {
  MasterJudgement out;
  const ServerObservation& m = servers[master];
  if (!IsDown(m, failure_threshold)) return out;
  std::vector<std::string> still_replicating;
  std::vector<std::string> evidence;     // replicas that lost the master too
  std::vector<std::string> unreachable;  // no opinion: this round's check failed on them too
  // No opinion yet: an IO thread reconnecting without an error. An overloaded
  // master (or host) misses a heartbeat and its replicas reconnect without losing it; only a
  // reconnect that fails (Last_IO_Error) says the master is gone.
  std::vector<std::string> undecided;
  for (size_t i = 0; i < servers.size(); ++i) {
    if (i == master) continue;
    const ServerObservation& s = servers[i];
    if (!s.ok_this_round || !s.last_good) {
      unreachable.push_back(s.config.name);
      continue;
    }
    const auto& r = s.last_good->replication;
    if (!r || !PointsAt(*r, m)) continue;  // not a replica of this master: no opinion
    if (r->io_running() && r->last_io_error.empty()) {
      still_replicating.push_back(s.config.name);
    } else if (r->last_io_error.empty() && r->io_state == "No") {
      continue;  // stopped by hand: not trying to reach the master, no opinion
    } else if (r->last_io_error.empty()) {
      undecided.push_back(fmt::format("{} (IO thread {})", s.config.name, r->io_state));
    } else {
      evidence.push_back(fmt::format("{} lost it too (IO thread {}: {})", s.config.name,
                                     r->io_state, r->last_io_error));
    }
  }
  // Not proven fatal: "the proxy cannot reach db1 (3 failed checks: ...)" and why not.
  auto unreachable_because = [&](const std::string& why) {
    out.verdict = MasterVerdict::kUnreachable;
    out.detail = fmt::format("the proxy cannot reach {} ({} failed checks: {}){}", m.config.name,
                             m.consecutive_failures, m.last_error, why);
    return out;
  };
  if (!still_replicating.empty()) {
    return unreachable_because(fmt::format(" but {} still replicate from it: no failover",
                                           fmt::join(still_replicating, ", ")));
  }
  if (!undecided.empty()) {
    return unreachable_because(fmt::format(
        "; {} reconnecting without an error: no failover until every reachable replica fails to "
        "reach {} too",
        fmt::join(undecided, ", "), m.config.name));
  }
  if (evidence.empty() && !unreachable.empty()) {
    // The master and the other servers failing their checks together is more likely the
    // proxy's side (its host overloaded, its network cut) than the master dying: a failover
    // waits for a reachable replica to confirm that it lost the master too.
    return unreachable_because(
        fmt::format(" nor {} this round: no failover until a replica confirms it lost {} too",
                    fmt::join(unreachable, ", "), m.config.name));
  }
  for (const std::string& name : unreachable) evidence.push_back(name + " unreachable");
  out.verdict = MasterVerdict::kDead;
  out.detail = fmt::format("{} failed {} checks ({}); {}", m.config.name, m.consecutive_failures,
                           m.last_error,
                           evidence.empty() ? std::string("no replica to confirm")
                                            : fmt::format("{}", fmt::join(evidence, "; ")));
  return out;
}

Result<GtidPosition> ReceivedPosition(const ProbeResult& replica) {
  auto applied = GtidPosition::Parse(replica.gtid_slave_pos);
  if (!applied) return applied.error();
  if (!replica.replication || replica.replication->gtid_io_pos.empty()) return applied;
  auto received = GtidPosition::Parse(replica.replication->gtid_io_pos);
  if (!received) return received.error();
  GtidPosition out = *applied;
  for (const auto& [domain, e] : received->domains()) {
    if (e.seq > out.SeqIn(domain)) out.Set(domain, e);
  }
  return out;
}

std::string ErrantGtids(const GtidPosition& replica_binlog, const GtidPosition& master_newest,
                        uint32_t master_server_id) {
  std::string out;
  for (const auto& [domain, e] : replica_binlog.domains()) {
    auto it = master_newest.domains().find(domain);
    bool errant;
    if (it == master_newest.domains().end()) {
      // A domain the master never wrote: errant unless it came from the master itself.
      errant = e.server_id != master_server_id;
    } else if (e.seq > it->second.seq) {
      errant = e.server_id != master_server_id;
    } else {
      errant = e.seq == it->second.seq && e.server_id != it->second.server_id;
    }
    if (!errant) continue;
    if (!out.empty()) out += ',';
    out += fmt::format("{}-{}-{}", domain, e.server_id, e.seq);
  }
  return out;
}

CandidateChoice ChooseCandidate(const std::vector<ServerObservation>& servers, size_t excluded,
                                const GtidPosition& master_newest, uint32_t master_server_id,
                                const std::string& only) {
  CandidateChoice out;
  struct Eligible {
    size_t index;
    GtidPosition received;
    GtidPosition applied;
    bool sql_running;
  };
  std::vector<Eligible> eligible;
  for (size_t i = 0; i < servers.size(); ++i) {
    if (i == excluded) continue;
    const ServerObservation& s = servers[i];
    const std::string& name = s.config.name;
    if (!only.empty() && name != only) continue;
    auto reject = [&](std::string why) { out.rejected.push_back(name + ": " + why); };
    if (!s.config.promotable) {
      reject("not promotable (config)");
      continue;
    }
    if (s.maintenance) {
      reject("in maintenance");
      continue;
    }
    if (!s.ok_this_round || !s.last_good) {
      reject("unreachable: " + s.last_error);
      continue;
    }
    const ProbeResult& p = *s.last_good;
    if (p.flavor != Flavor::kMariaDB) {
      reject("not MariaDB (GTID failover needs MariaDB positions)");
      continue;
    }
    if (!p.replication) {
      reject("not a replica");
      continue;
    }
    auto received = ReceivedPosition(p);
    if (!received) {
      reject(received.error().message);
      continue;
    }
    auto binlog = GtidPosition::Parse(p.gtid_binlog_pos);
    if (!binlog) {
      reject(binlog.error().message);
      continue;
    }
    std::string errant = ErrantGtids(*binlog, master_newest, master_server_id);
    if (!errant.empty()) {
      reject("errant GTIDs " + errant + " (not in the master's " + master_newest.ToString() + ")");
      continue;
    }
    auto applied = GtidPosition::Parse(p.gtid_slave_pos);
    if (!applied) {
      reject(applied.error().message);
      continue;
    }
    eligible.push_back(
        {i, std::move(*received), std::move(*applied), p.replication->sql_running()});
  }
  if (eligible.empty()) {
    out.reason = only.empty() ? "no eligible replica" : "'" + only + "' is not eligible";
    return out;
  }
  // First choice: a replica whose received position covers every other one's. Among several
  // (they received the same), the one with the least left to apply is promoted soonest: the
  // one whose applied position covers the others', a running SQL thread before a stopped
  // one, then config order.
  const Eligible* best = nullptr;
  auto sooner = [](const Eligible& a, const Eligible& b) {
    const bool a_covers = a.applied.Covers(b.applied), b_covers = b.applied.Covers(a.applied);
    if (a_covers != b_covers) return a_covers;
    if (!a_covers && a.applied.TotalSeq() != b.applied.TotalSeq()) {
      return a.applied.TotalSeq() > b.applied.TotalSeq();
    }
    return a.sql_running && !b.sql_running;
  };
  size_t most_advanced = 0;
  for (const Eligible& e : eligible) {
    bool covers_all = true;
    for (const Eligible& other : eligible)
      covers_all = covers_all && e.received.Covers(other.received);
    if (!covers_all) continue;
    ++most_advanced;
    if (!best || sooner(e, *best)) best = &e;
  }
  bool covered = best != nullptr;
  if (!best) {
    for (const Eligible& e : eligible) {
      if (!best || e.received.TotalSeq() > best->received.TotalSeq()) best = &e;
    }
  }
  out.chosen = best->index;
  std::vector<std::string> positions;
  for (const Eligible& e : eligible) {
    positions.push_back(fmt::format("{} received {} applied {}{}", servers[e.index].config.name,
                                    e.received.ToString(), e.applied.ToString(),
                                    e.sql_running ? "" : " (SQL thread stopped)"));
  }
  out.reason = fmt::format("{} is the most advanced{} ({})", servers[best->index].config.name,
                           !covered            ? " by total sequence (no replica covers all others)"
                           : most_advanced > 1 ? ", with the least left to apply"
                                               : "",
                           fmt::join(positions, ", "));
  return out;
}

std::string RejoinBlockers(const GtidPosition& server_binlog, const GtidPosition& reference) {
  return server_binlog.Beyond(reference);
}

}  // namespace switchyard::failover
