// MariaDB GTID positions as routing needs them: "0-1-42,1-2-7" (one domain-server-seq per
// domain, as in gtid_slave_pos and an OK packet's last_gtid), and "has this replica applied
// that write?". The full GTID set algebra for failover lives in binlog/gtid_set.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace switchyard::proxy {

struct GtidPoint {
  uint32_t domain = 0;
  uint32_t server_id = 0;
  uint64_t seq = 0;
  friend bool operator==(const GtidPoint&, const GtidPoint&) = default;
};

// Parses a comma-separated MariaDB position; nullopt on malformed text. Empty text = empty list.
std::optional<std::vector<GtidPoint>> ParseGtidPosition(std::string_view text);

// True if `position` includes `write`: same domain with a sequence number at least as high.
bool PositionCovers(const std::vector<GtidPoint>& position, const GtidPoint& write);

}  // namespace switchyard::proxy
