// GTID sets for both flavours, as used by replication positions and failover decisions.
// MysqlGtidSet: uuid[:tag] -> sorted disjoint closed intervals ("uuid:1-5:7-9,...").
// MariadbGtidPos: domain -> (server_id, seq_no) as in gtid_slave_pos ("0-1-100,1-2-7").
// Values own their data; all operations are pure.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace switchyard::binlog {

struct Uuid {
  std::array<uint8_t, 16> bytes{};
  std::string ToString() const;  // 8-4-4-4-12 lowercase hex
  static Result<Uuid> Parse(std::string_view text);
  auto operator<=>(const Uuid&) const = default;
};

// Largest GNO MySQL assigns (GNOs are positive int64 values).
inline constexpr uint64_t kMaxGno = 0x7fffffffffffffffULL;
// GTID tags (MySQL 8.3+): [a-z_][a-z0-9_]{0,31}, case-insensitive, kept lower-case.
inline constexpr size_t kMaxGtidTagLength = 32;
// The lower-case form of `tag`, or an Error saying why it is not a tag.
Result<std::string> NormalizeGtidTag(std::string_view tag);

// One MySQL GTID: "uuid:gno" or, tagged, "uuid:tag:gno" (tag lower-case, empty when untagged).
struct MysqlGtid {
  Uuid uuid;
  std::string tag;
  uint64_t gno = 0;
  std::string ToString() const;
  bool operator==(const MysqlGtid&) const = default;
};

// How two positions relate; failover promotes the most advanced replica that has not diverged.
enum class GtidOrder { kEqual, kAhead, kBehind, kDiverged };
const char* GtidOrderName(GtidOrder o);

class MysqlGtidSet {
 public:
  struct Interval {
    uint64_t start;  // inclusive
    uint64_t end;    // inclusive
    bool operator==(const Interval&) const = default;
  };
  // Source id: server uuid plus optional tag (MySQL 8.4+; empty when untagged).
  using Sid = std::pair<Uuid, std::string>;

  // Accepts "", "uuid:1-5:7", "uuid:tag:1-3", "uuid:1-5:tag:1:other:2-3", comma separated,
  // whitespace/newlines ignored, tags and uuids in any case. Every tag needs intervals after it.
  static Result<MysqlGtidSet> Parse(std::string_view text);
  std::string ToString() const;

  void Add(const Uuid& uuid, uint64_t gno, std::string_view tag = {});
  void AddInterval(const Uuid& uuid, uint64_t start, uint64_t end, std::string_view tag = {});
  void Union(const MysqlGtidSet& other);
  void Subtract(const MysqlGtidSet& other);
  bool Contains(const MysqlGtidSet& other) const;  // superset (or equal)
  bool Contains(const Uuid& uuid, uint64_t gno, std::string_view tag = {}) const;
  bool empty() const { return sets_.empty(); }
  uint64_t Count() const;  // number of transactions
  // The sorted disjoint intervals of one source, or nullptr when the set has none of it.
  const std::vector<Interval>* Intervals(const Uuid& uuid, std::string_view tag = {}) const;
  const std::map<Sid, std::vector<Interval>>& sets() const { return sets_; }
  bool operator==(const MysqlGtidSet&) const = default;

 private:
  std::map<Sid, std::vector<Interval>> sets_;  // never holds empty vectors
};

GtidOrder Compare(const MysqlGtidSet& a, const MysqlGtidSet& b);
// True when `a` has executed everything `b` has plus at least one more transaction.
inline bool IsAheadOf(const MysqlGtidSet& a, const MysqlGtidSet& b) {
  return Compare(a, b) == GtidOrder::kAhead;
}

struct MariadbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;
  std::string ToString() const;  // "domain-server-seq"
  static Result<MariadbGtid> Parse(std::string_view text);
  bool operator==(const MariadbGtid&) const = default;
};

class MariadbGtidPos {
 public:
  static Result<MariadbGtidPos> Parse(std::string_view text);  // "0-1-100,1-2-7" or ""
  std::string ToString() const;                                // sorted by domain

  // Records a GTID: the domain's entry becomes this one if its seq_no is higher.
  void Update(const MariadbGtid& gtid);
  void Union(const MariadbGtidPos& other);  // per domain, the higher seq_no wins
  // Keeps the domains where this position is ahead of `other` (other lacks it or is lower).
  void Subtract(const MariadbGtidPos& other);
  // Every domain of `other` is present here with seq_no >= other's.
  bool Contains(const MariadbGtidPos& other) const;
  bool Contains(const MariadbGtid& gtid) const;
  bool empty() const { return domains_.empty(); }
  const std::map<uint32_t, MariadbGtid>& domains() const { return domains_; }
  bool operator==(const MariadbGtidPos&) const = default;

 private:
  std::map<uint32_t, MariadbGtid> domains_;
};

// One transaction's id in either flavour (the lag feed carries both).
using AnyGtid = std::variant<MariadbGtid, MysqlGtid>;

GtidOrder Compare(const MariadbGtidPos& a, const MariadbGtidPos& b);
inline bool IsAheadOf(const MariadbGtidPos& a, const MariadbGtidPos& b) {
  return Compare(a, b) == GtidOrder::kAhead;
}

}  // namespace switchyard::binlog
