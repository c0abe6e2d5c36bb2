// Renders the admin API's documents from a topology snapshot: the /v1/status JSON (exactly
// the shape of DESIGN.md section 5) and the /metrics Prometheus text. Pure: snapshot and
// counters in, text out.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "binlog/tailer_status.h"
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

// The binlog tailer in /v1/status: {"connected","master","file","position","gtid",
// "resume_position","bytes_received","events","transactions","disconnects","lag_source",
// "last_error"}; null before the tailer started. lag_source: "binlog" (exact commit times)
// or "poll" (the master's position polled each monitor interval).
nlohmann::ordered_json RenderBinlogTail(const std::optional<binlog::TailerStatus>& tail,
                                        bool exact_lag);

// switchyard_binlog_* series (connected, bytes received, events, transactions, disconnects,
// position); nothing before the tailer started.
std::string RenderBinlogMetrics(const std::optional<binlog::TailerStatus>& tail);

}  // namespace switchyard::admin
