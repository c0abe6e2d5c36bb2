#include "binlog/replica_lag_tracker.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace switchyard::binlog {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

template <class T>
bool ParseNumber(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<AppliedSeqByDomain> ParseAppliedPosition(std::string_view position) {
  AppliedSeqByDomain out;
  if (Trim(position).empty()) return out;
  size_t offset = 0;
  while (offset <= position.size()) {
    size_t comma = position.find(',', offset);
    if (comma == std::string_view::npos) comma = position.size();
    std::string_view entry = Trim(position.substr(offset, comma - offset));
    size_t dash1 = entry.find('-');
    size_t dash2 = dash1 == std::string_view::npos ? dash1 : entry.find('-', dash1 + 1);
    uint32_t domain = 0;
    uint32_t server = 0;
    uint64_t seq = 0;
    if (dash2 == std::string_view::npos || !ParseNumber(entry.substr(0, dash1), domain) ||
        !ParseNumber(entry.substr(dash1 + 1, dash2 - dash1 - 1), server) ||
        !ParseNumber(entry.substr(dash2 + 1), seq)) {
      return MakeError("GTID position: '" + std::string(entry) + "' at offset " +
                       std::to_string(offset) + " is not domain-server-seq");
    }
    uint64_t& applied = out[domain];
    applied = std::max(applied, seq);
    offset = comma + 1;
  }
  return out;
}

void ReplicaLagTracker::RecordTransaction(uint32_t domain_id, uint32_t /*server_id*/,
                                          uint64_t seq_no, uint64_t commit_time_ms) {
  Domain& d = domains_[domain_id];
  if (!d.seen) {
    // Nothing known before this transaction: whatever precedes it is at least as old.
    d.seen = true;
    d.horizon_seq = seq_no == 0 ? 0 : seq_no - 1;
    d.horizon_time_ms = commit_time_ms;
    d.last_seq = d.horizon_seq;
  }
  if (seq_no <= d.last_seq) return;
  Append(d, seq_no, seq_no, commit_time_ms);
}

Status ReplicaLagTracker::ObserveMasterPosition(std::string_view gtid_binlog_pos,
                                                uint64_t observed_at_ms) {
  return Observe(gtid_binlog_pos, observed_at_ms, /*baseline_only=*/false);
}

Status ReplicaLagTracker::ObserveMasterBaseline(std::string_view gtid_binlog_pos,
                                                uint64_t observed_at_ms) {
  return Observe(gtid_binlog_pos, observed_at_ms, /*baseline_only=*/true);
}

Status ReplicaLagTracker::Observe(std::string_view gtid_binlog_pos, uint64_t observed_at_ms,
                                  bool baseline_only) {
  auto parsed = ParseAppliedPosition(gtid_binlog_pos);
  if (!parsed) return parsed.error();
  for (const auto& [domain_id, seq] : *parsed) {
    Domain& d = domains_[domain_id];
    if (!d.seen) {
      d.seen = true;
      d.horizon_seq = seq;
      d.horizon_time_ms = observed_at_ms;
      d.last_seq = seq;
      continue;
    }
    if (!baseline_only && seq > d.last_seq) Append(d, d.last_seq + 1, seq, observed_at_ms);
  }
  return Status::Ok();
}

void ReplicaLagTracker::Append(Domain& d, uint64_t first_seq, uint64_t last_seq, uint64_t time_ms) {
  // Times never go backwards inside a domain, so the "oldest unapplied" search stays a
  // binary search even if the caller's clock steps back.
  if (!d.ranges.empty()) time_ms = std::max(time_ms, d.ranges.back().time_ms);
  time_ms = std::max(time_ms, d.horizon_time_ms);
  d.ranges.push_back(Range{first_seq, last_seq, time_ms});
  d.last_seq = last_seq;
  Prune(d, time_ms);
}

void ReplicaLagTracker::Prune(Domain& d, uint64_t newest_time_ms) {
  while (!d.ranges.empty() && (d.ranges.size() > limits_.max_entries ||
                               newest_time_ms - d.ranges.front().time_ms > limits_.max_age_ms)) {
    d.horizon_seq = d.ranges.front().last_seq;
    d.horizon_time_ms = d.ranges.front().time_ms;
    d.ranges.pop_front();
  }
}

LagEstimate ReplicaLagTracker::Lag(const AppliedSeqByDomain& applied, uint64_t now_ms) const {
  LagEstimate worst;
  for (const auto& [domain_id, d] : domains_) {
    auto it = applied.find(domain_id);
    uint64_t applied_seq = it == applied.end() ? 0 : it->second;
    if (applied_seq >= d.last_seq) continue;  // caught up in this domain
    uint64_t oldest_unapplied_ms;
    bool lower_bound = false;
    if (applied_seq < d.horizon_seq) {
      oldest_unapplied_ms = d.horizon_time_ms;
      lower_bound = true;
    } else {
      auto range = std::upper_bound(d.ranges.begin(), d.ranges.end(), applied_seq,
                                    [](uint64_t seq, const Range& r) { return seq < r.last_seq; });
      // applied_seq < last_seq guarantees a range ends after it.
      oldest_unapplied_ms = range == d.ranges.end() ? d.horizon_time_ms : range->time_ms;
    }
    uint64_t lag = now_ms > oldest_unapplied_ms ? now_ms - oldest_unapplied_ms : 0;
    if (lag > worst.lag_ms || (lag == worst.lag_ms && lower_bound)) {
      worst.lag_ms = lag;
      worst.lower_bound = lower_bound;
    }
  }
  return worst;
}

Result<LagEstimate> ReplicaLagTracker::Lag(std::string_view gtid_slave_pos, uint64_t now_ms) const {
  auto parsed = ParseAppliedPosition(gtid_slave_pos);
  if (!parsed) return parsed.error();
  return Lag(*parsed, now_ms);
}

void ReplicaLagTracker::RecordTransaction(const AnyGtid& gtid, uint64_t commit_time_ms) {
  if (const auto* m = std::get_if<MariadbGtid>(&gtid)) {
    RecordTransaction(m->domain_id, m->server_id, m->seq_no, commit_time_ms);
  } else {
    RecordTransaction(std::get<MysqlGtid>(gtid), commit_time_ms);
  }
}

void ReplicaLagTracker::RecordTransaction(const MysqlGtid& gtid, uint64_t commit_time_ms) {
  if (gtid.gno == 0) return;  // not a GTID (anonymous transactions carry no position)
  MysqlGtidSet::Sid sid(gtid.uuid, gtid.tag);
  Source& s = sources_[sid];
  if (!s.seen) {
    // As for a MariaDB domain: whatever precedes the first transaction is at least as old.
    s.seen = true;
    if (gtid.gno > 1) s.horizon.AddInterval(gtid.uuid, 1, gtid.gno - 1, gtid.tag);
    s.horizon_time_ms = commit_time_ms;
    s.last_gno = gtid.gno - 1;
  }
  if (gtid.gno <= s.last_gno) return;
  Append(sid, s, gtid.gno, gtid.gno, commit_time_ms);
}

Status ReplicaLagTracker::ObserveMysqlMasterPosition(std::string_view gtid_executed,
                                                     uint64_t observed_at_ms) {
  return ObserveMysql(gtid_executed, observed_at_ms, /*baseline_only=*/false);
}

Status ReplicaLagTracker::ObserveMysqlMasterBaseline(std::string_view gtid_executed,
                                                     uint64_t observed_at_ms) {
  return ObserveMysql(gtid_executed, observed_at_ms, /*baseline_only=*/true);
}

Status ReplicaLagTracker::ObserveMysql(std::string_view gtid_executed, uint64_t observed_at_ms,
                                       bool baseline_only) {
  auto parsed = MysqlGtidSet::Parse(gtid_executed);
  if (!parsed) return parsed.error();
  for (const auto& [sid, intervals] : parsed->sets()) {
    Source& s = sources_[sid];
    if (!s.seen) {
      s.seen = true;
      for (const auto& iv : intervals)
        s.horizon.AddInterval(sid.first, iv.start, iv.end, sid.second);
      s.horizon_time_ms = observed_at_ms;
      s.last_gno = intervals.back().end;
      continue;
    }
    if (baseline_only) continue;
    for (const auto& iv : intervals) {
      if (iv.end <= s.last_gno) continue;
      Append(sid, s, std::max(iv.start, s.last_gno + 1), iv.end, observed_at_ms);
    }
  }
  return Status::Ok();
}

void ReplicaLagTracker::Append(const MysqlGtidSet::Sid& sid, Source& s, uint64_t first_gno,
                               uint64_t last_gno, uint64_t time_ms) {
  if (!s.ranges.empty()) time_ms = std::max(time_ms, s.ranges.back().time_ms);
  time_ms = std::max(time_ms, s.horizon_time_ms);
  s.ranges.push_back(Range{first_gno, last_gno, time_ms});
  s.last_gno = last_gno;
  while (!s.ranges.empty() && (s.ranges.size() > limits_.max_entries ||
                               time_ms - s.ranges.front().time_ms > limits_.max_age_ms)) {
    const Range& oldest = s.ranges.front();
    s.horizon.AddInterval(sid.first, oldest.first_seq, oldest.last_seq, sid.second);
    s.horizon_time_ms = oldest.time_ms;
    s.ranges.pop_front();
  }
}

std::optional<std::pair<uint64_t, bool>> ReplicaLagTracker::OldestUnapplied(
    const MysqlGtidSet::Sid& sid, const Source& s, const MysqlGtidSet& applied) const {
  if (!applied.Contains(s.horizon)) return std::pair(s.horizon_time_ms, true);
  if (s.ranges.empty()) return std::nullopt;
  static const std::vector<MysqlGtidSet::Interval> kNone;
  const auto* have = applied.Intervals(sid.first, sid.second);
  const auto& ivs = have ? *have : kNone;
  // Walk the tracked gnos upwards, jumping over each applied interval: at most one step per
  // interval of the replica's set, each a binary search.
  uint64_t gno = s.ranges.front().first_seq;
  auto range = s.ranges.begin();
  while (true) {
    auto iv =
        std::upper_bound(ivs.begin(), ivs.end(), gno,
                         [](uint64_t g, const MysqlGtidSet::Interval& i) { return g < i.start; });
    if (iv == ivs.begin() || std::prev(iv)->end < gno) return std::pair(range->time_ms, false);
    gno = std::prev(iv)->end + 1;
    if (gno == 0) return std::nullopt;  // applied up to the largest gno there is
    range = std::lower_bound(range, s.ranges.end(), gno,
                             [](const Range& r, uint64_t g) { return r.last_seq < g; });
    if (range == s.ranges.end()) return std::nullopt;
    gno = std::max(gno, range->first_seq);
  }
}

LagEstimate ReplicaLagTracker::Lag(const MysqlGtidSet& applied, uint64_t now_ms) const {
  LagEstimate worst;
  for (const auto& [sid, s] : sources_) {
    auto oldest = OldestUnapplied(sid, s, applied);
    if (!oldest) continue;
    const auto [time_ms, lower_bound] = *oldest;
    uint64_t lag = now_ms > time_ms ? now_ms - time_ms : 0;
    if (lag > worst.lag_ms || (lag == worst.lag_ms && lower_bound)) {
      worst.lag_ms = lag;
      worst.lower_bound = lower_bound;
    }
  }
  return worst;
}

Result<LagEstimate> ReplicaLagTracker::LagFromGtidExecuted(std::string_view gtid_executed,
                                                           uint64_t now_ms) const {
  auto parsed = MysqlGtidSet::Parse(gtid_executed);
  if (!parsed) return parsed.error();
  return Lag(*parsed, now_ms);
}

}  // namespace switchyard::binlog
