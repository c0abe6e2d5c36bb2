// MariaDB GTID positions ("domain-server-seq,..."; one entry per replication domain) as plain
// values, with the comparisons failover needs: who is ahead, and what one server has that
// another lacks. Pure and total: a malformed position is an Error naming the bad entry.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace switchyard::failover {

struct GtidEntry {
  uint32_t server_id = 0;
  uint64_t seq = 0;
};

class GtidPosition {
 public:
  static Result<GtidPosition> Parse(std::string_view text);

  const std::map<uint32_t, GtidEntry>& domains() const { return domains_; }
  bool empty() const { return domains_.empty(); }
  uint64_t SeqIn(uint32_t domain) const;  // 0 when the domain is absent
  // Sum of sequence numbers: a total order used only to break "neither contains the other".
  uint64_t TotalSeq() const;
  std::string ToString() const;

  // Every domain of `other` is at or behind this one.
  bool Covers(const GtidPosition& other) const;
  // Entries of this position that `reference` does not have: a domain it never had, or a
  // sequence number beyond it (a same-seq entry from another server also counts: that is a
  // different transaction). Empty when reference covers this position.
  std::string Beyond(const GtidPosition& reference) const;

  void Set(uint32_t domain, GtidEntry entry) { domains_[domain] = entry; }

 private:
  std::map<uint32_t, GtidEntry> domains_;
};

}  // namespace switchyard::failover
