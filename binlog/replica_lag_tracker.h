// How far behind a replica is, in milliseconds of master time: the age of the oldest master
// transaction the replica has not applied (0 when caught up). Both flavours: MariaDB histories
// per GTID domain (compared with gtid_slave_pos), MySQL histories per source uuid[:tag]
// (compared with the replica's gtid_executed, holes included). Pure: times are passed in, no
// clock, no I/O; one owner (the monitor thread) calls it, so it takes no locks.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "binlog/gtid_set.h"

namespace switchyard::binlog {

// A replica's applied position, reduced to what lag needs: per MariaDB GTID domain, the
// highest applied seq_no. (Server ids do not matter: gtid_strict_mode keeps seq_no monotonic
// within a domain across masters.)
using AppliedSeqByDomain = std::map<uint32_t, uint64_t>;

// Parses "0-1-42,1-2-7" (gtid_slave_pos / gtid_binlog_pos; empty means nothing applied).
// Error names the offending entry and its offset.
Result<AppliedSeqByDomain> ParseAppliedPosition(std::string_view position);

struct LagEstimate {
  uint64_t lag_ms = 0;
  // The replica misses transactions older than the window (or committed before tracking
  // started): lag_ms is a lower bound, the true lag is larger.
  bool lower_bound = false;
};

class ReplicaLagTracker {
 public:
  struct Limits {
    size_t max_entries = 100000;  // per MariaDB domain / MySQL source
    uint64_t max_age_ms = 10 * 60 * 1000;
  };

  ReplicaLagTracker() : ReplicaLagTracker(Limits{}) {}
  explicit ReplicaLagTracker(Limits limits) : limits_(limits) {}

  // Exact feed (the binlog tailer): one master transaction and its commit time, in binlog
  // order. A seq_no at or below one already recorded for the domain is ignored.
  void RecordTransaction(uint32_t domain_id, uint32_t server_id, uint64_t seq_no,
                         uint64_t commit_time_ms);

  // Coarse feed (the monitor): the master's gtid_binlog_pos seen at observed_at_ms. Every
  // seq_no newer than the last one known for its domain gets observed_at_ms as its commit
  // time, so the resolution is one observation interval (lag reads up to one interval low).
  // The first observation of a domain is the baseline: its transactions are older than the
  // tracker and a replica missing them gets a lower-bound lag (see LagEstimate).
  Status ObserveMasterPosition(std::string_view gtid_binlog_pos, uint64_t observed_at_ms);

  // Baseline only: like ObserveMasterPosition for domains never seen, a no-op for the others.
  // Used while the exact feed runs, so that a replica already behind when tracking started is
  // reported (as a lower bound) without the poll's coarse times overriding the exact ones.
  Status ObserveMasterBaseline(std::string_view gtid_binlog_pos, uint64_t observed_at_ms);

  LagEstimate Lag(const AppliedSeqByDomain& applied, uint64_t now_ms) const;
  Result<LagEstimate> Lag(std::string_view gtid_slave_pos, uint64_t now_ms) const;

  // --- MySQL masters: one history per source (uuid, or uuid:tag), same window and bounds.
  // Exact feed: the commit time is the GTID event's immediate_commit_timestamp (the receive
  // time for 5.7, which has none). A gno at or below the highest one known for its source is
  // ignored: the server assigns a source's gnos in binlog order.
  void RecordTransaction(const MysqlGtid& gtid, uint64_t commit_time_ms);
  // Coarse feed and baseline from the master's @@global.gtid_executed, as for MariaDB above.
  // Gnos the master reveals below the highest known one (filled holes) are not timed.
  Status ObserveMysqlMasterPosition(std::string_view gtid_executed, uint64_t observed_at_ms);
  Status ObserveMysqlMasterBaseline(std::string_view gtid_executed, uint64_t observed_at_ms);
  // The replica's @@global.gtid_executed: lag is the age of the oldest tracked transaction the
  // set does not contain, so a hole counts like a missing tail.
  LagEstimate Lag(const MysqlGtidSet& applied, uint64_t now_ms) const;
  Result<LagEstimate> LagFromGtidExecuted(std::string_view gtid_executed, uint64_t now_ms) const;

  // Either flavour (a TransactionFeed record).
  void RecordTransaction(const AnyGtid& gtid, uint64_t commit_time_ms);

  // Forgets everything (the master changed: its history is not comparable).
  void Reset() {
    domains_.clear();
    sources_.clear();
  }

 private:
  // Seq_nos [first_seq, last_seq] sharing one commit time: the coarse feed reveals many
  // at once, the exact feed records ranges of one.
  struct Range {
    uint64_t first_seq;
    uint64_t last_seq;
    uint64_t time_ms;
  };
  struct Domain {
    std::deque<Range> ranges;      // ascending seq, non-decreasing time
    uint64_t last_seq = 0;         // highest seq_no known (recorded or baseline)
    uint64_t horizon_seq = 0;      // seq_nos <= this are not in `ranges` (baseline or pruned)
    uint64_t horizon_time_ms = 0;  // latest time any seq_no <= horizon_seq can have
    bool seen = false;
  };

  // A MySQL source: `ranges` hold gnos (first_seq/last_seq) above `horizon`, whose gnos are
  // known (baseline or pruned) and at most horizon_time_ms old.
  struct Source {
    std::deque<Range> ranges;  // ascending gno, non-decreasing time
    MysqlGtidSet horizon;      // this source's gnos that `ranges` no longer (or never) held
    uint64_t horizon_time_ms = 0;
    uint64_t last_gno = 0;  // highest gno known
    bool seen = false;
  };

  Status Observe(std::string_view gtid_binlog_pos, uint64_t observed_at_ms, bool baseline_only);
  Status ObserveMysql(std::string_view gtid_executed, uint64_t observed_at_ms, bool baseline_only);
  void Append(Domain& domain, uint64_t first_seq, uint64_t last_seq, uint64_t time_ms);
  void Prune(Domain& domain, uint64_t newest_time_ms);
  void Append(const MysqlGtidSet::Sid& sid, Source& source, uint64_t first_gno, uint64_t last_gno,
              uint64_t time_ms);
  // The oldest commit time among the source's gnos `applied` lacks, and whether it is only a
  // bound (a horizon gno is missing); nullopt when it has them all.
  std::optional<std::pair<uint64_t, bool>> OldestUnapplied(const MysqlGtidSet::Sid& sid,
                                                           const Source& source,
                                                           const MysqlGtidSet& applied) const;

  Limits limits_;
  std::map<uint32_t, Domain> domains_;
  std::map<MysqlGtidSet::Sid, Source> sources_;
};

}  // namespace switchyard::binlog
