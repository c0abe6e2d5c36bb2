// Renders the admin API's documents from a topology snapshot: the /v1/status JSON (exactly
// the shape of DESIGN.md section 5) and the /metrics Prometheus text. Pure: snapshot and
// counters in, text out.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "failover/monitor.h"
#include "proxy/topology.h"

namespace switchyard::admin {

// Client connections currently routed to a server (0 when the data path provides none).
using ConnectionCounter = std::function<uint64_t(std::string_view server)>;

// {"master":"db1"|null,"epoch":N,"failover_in_progress":bool,"servers":[{"name","address",
//  "role","state","lag_ms":N|null,"gtid","connections","maintenance"}, ...]} in that key order.
nlohmann::ordered_json RenderStatus(const proxy::Topology& topology,
                                    const ConnectionCounter& connections);

// Prometheus text exposition format 0.0.4 (switchyard_* series).
std::string RenderMetrics(const proxy::Topology& topology, const failover::MonitorStats& stats,
                          const ConnectionCounter& connections);

}  // namespace switchyard::admin
