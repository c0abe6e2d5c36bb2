#include "proxy/router.h"

#include <boost/container/small_vector.hpp>
#include <random>

namespace switchyard::proxy {
namespace {

RouteDecision Master(const char* reason) {
  return {RouteTarget::kMaster, std::nullopt, false, reason};
}

bool Covers(const ServerView& s, const GtidPoint& gtid) {
  auto pos = ParseGtidPosition(s.gtid);
  return pos && PositionCovers(*pos, gtid);
}

}  // namespace

std::optional<size_t> ChooseReplica(const Topology& t, uint64_t max_lag_ms,
                                    conf::LoadBalance policy,
                                    std::optional<std::string_view> current,
                                    const std::optional<GtidPoint>& must_cover,
                                    LoadBalanceCounters& counters, bool* covers) {
  // Per read: kept off the heap for up to 8 servers.
  using Indexes = boost::container::small_vector<size_t, 8>;
  Indexes eligible;
  Indexes covering;
  for (size_t i = 0; i < t.servers.size() && i < LoadBalanceCounters::kMaxServers; ++i) {
    if (!t.ReadEligible(t.servers[i], max_lag_ms)) continue;
    eligible.push_back(i);
    if (must_cover && Covers(t.servers[i], *must_cover)) covering.push_back(i);
  }
  if (eligible.empty()) return std::nullopt;
  // Prefer replicas already known to hold the session's last write.
  const Indexes& pool = (must_cover && !covering.empty()) ? covering : eligible;
  *covers = !must_cover || !covering.empty();
  if (current) {
    for (size_t i : pool)
      if (t.servers[i].name == *current) return i;
  }
  switch (policy) {
    case conf::LoadBalance::kRoundRobin:
      return pool[counters.round_robin.fetch_add(1, std::memory_order_relaxed) % pool.size()];
    case conf::LoadBalance::kRandom: {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      uint64_t total = 0;
      for (size_t i : pool) total += t.servers[i].weight;
      if (total == 0) return pool.front();
      uint64_t pick = std::uniform_int_distribution<uint64_t>(0, total - 1)(rng);
      for (size_t i : pool) {
        if (pick < t.servers[i].weight) return i;
        pick -= t.servers[i].weight;
      }
      return pool.back();
    }
    case conf::LoadBalance::kLeastConn:
      break;
  }
  // least_conn: fewest sessions per unit of weight; ties rotate so idle replicas share the load.
  size_t start = counters.round_robin.fetch_add(1, std::memory_order_relaxed);
  size_t best = pool[start % pool.size()];
  double best_load = 0;
  for (size_t k = 0; k < pool.size(); ++k) {
    size_t i = pool[(start + k) % pool.size()];
    double load =
        static_cast<double>(counters.replica_sessions[i].load(std::memory_order_relaxed) + 1) /
        std::max<uint32_t>(t.servers[i].weight, 1);
    if (k == 0 || load < best_load) {
      best = i;
      best_load = load;
    }
  }
  return best;
}

RouteDecision Route(const RouteInputs& in, LoadBalanceCounters& counters) {
  const Classification& c = in.statement;
  const Topology& t = in.topology;
  const RouteHint& hint = c.hint;

  if (hint.target == RouteHint::Target::kServer) {
    for (size_t i = 0; i < t.servers.size(); ++i) {
      if (t.servers[i].name != hint.server) continue;
      if (t.master && *t.master == i) return Master("hint: server is the master");
      // A hinted replica must still be healthy; writes never go to a non-master.
      if (c.must_master) return Master("hint ignored: statement must run on the master");
      if (t.servers[i].state == ServerState::kUp || t.servers[i].state == ServerState::kLagging)
        return {RouteTarget::kReplica, i, false, "hint: server"};
      return Master("hint: server is not up");
    }
    return Master("hint: unknown server");
  }
  if (hint.target == RouteHint::Target::kMaster) return Master("hint: master");

  if (in.session.read_only_txn_replica()) {
    if (const ServerView* s = t.Find(*in.session.read_only_txn_replica())) {
      for (size_t i = 0; i < t.servers.size(); ++i)
        if (&t.servers[i] == s) return {RouteTarget::kReplica, i, false, "read-only transaction"};
    }
    return Master("read-only transaction replica is gone");
  }
  if (in.session.pinned_to_master()) return Master("transaction");

  if (c.txn == TxnOp::kBeginReadOnly && !c.multi_statement) {
    bool covers = true;
    auto r = ChooseReplica(t, in.routing.max_lag_ms, in.routing.load_balance, in.current_replica,
                           in.routing.read_consistency == conf::ReadConsistency::kSession
                               ? in.session.last_write_gtid()
                               : std::nullopt,
                           counters, &covers);
    if (r) return {RouteTarget::kReplica, r, !covers, "read-only transaction"};
    return Master("read-only transaction: no replica qualifies");
  }

  if (c.kind != StatementKind::kRead || c.must_master)
    return Master(c.reason.empty() ? "write" : c.reason.data());
  if (in.session.TouchesTemporaryTable(c)) return Master("temporary table");
  if (c.reads_user_vars && !in.session.user_vars_replayable())
    return Master("user variable set from an expression");
  if (c.depends_on_previous_statement && in.previous_server) {
    for (size_t i = 0; i < t.servers.size(); ++i)
      if (t.servers[i].name == *in.previous_server && !(t.master && *t.master == i))
        return {RouteTarget::kReplica, i, false, "reads the previous statement's diagnostics"};
    return Master("reads the previous statement's diagnostics");
  }

  uint64_t max_lag = hint.max_lag_ms ? std::min<uint64_t>(*hint.max_lag_ms, in.routing.max_lag_ms)
                                     : in.routing.max_lag_ms;
  std::optional<GtidPoint> must_cover;
  if (in.routing.read_consistency == conf::ReadConsistency::kSession)
    must_cover = in.session.last_write_gtid();
  bool covers = true;
  auto r = ChooseReplica(t, max_lag, in.routing.load_balance, in.current_replica, must_cover,
                         counters, &covers);
  if (!r) return Master("no replica qualifies");
  if (!covers && in.routing.causal_wait_ms == 0)
    return Master("no replica has the session's last write");
  return {RouteTarget::kReplica, r, !covers,
          hint.target == RouteHint::Target::kReplica ? "hint: replica" : "read"};
}

}  // namespace switchyard::proxy
