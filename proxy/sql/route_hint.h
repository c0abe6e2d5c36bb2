// RouteHint: a routing override the application wrote in a SQL comment, e.g.
// /* switchyard:route=replica, switchyard:max_lag_ms=200 */. Parsed from comment text only;
// the tokenizer guarantees that hint-like text inside string literals never reaches here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::proxy {

struct RouteHint {
  enum class Target : uint8_t { kNone, kMaster, kReplica, kServer };

  Target target = Target::kNone;
  std::string server;                  // with kServer: the configured server name (db2)
  std::optional<uint32_t> max_lag_ms;  // per-statement staleness bound
  bool malformed = false;              // a switchyard: item was present but not understood

  bool empty() const { return target == Target::kNone && !max_lag_ms.has_value(); }
  friend bool operator==(const RouteHint&, const RouteHint&) = default;
};

// Reads the switchyard hints of one comment token (/* */, -- or #) into `hint`; items found
// later override earlier ones. Accepted items, separated by spaces or commas, each optionally
// prefixed by "switchyard:" once the first prefix was seen: route=master, route=replica,
// route=server:NAME, max_lag_ms=N. Returns true if the comment carried a switchyard item.
bool ParseHintComment(std::string_view comment, RouteHint& hint);

std::string_view ToString(RouteHint::Target target);

}  // namespace switchyard::proxy
