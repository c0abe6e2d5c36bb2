#include "proxy/proxy_stats.h"

#include <fmt/format.h>

namespace switchyard::proxy {

size_t ShardedCounter::ThisThreadShard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

std::optional<size_t> ProxyStats::SlotOf(std::string_view name) {
  size_t known = slot_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < known; ++i) {
    if (slot_names_[i] == name) return i;
  }
  std::lock_guard lk(slot_mu_);
  known = slot_count_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < known; ++i) {
    if (slot_names_[i] == name) return i;
  }
  if (known == kMaxServers) return std::nullopt;
  slot_names_[known] = std::string(name);
  slot_count_.store(known + 1, std::memory_order_release);
  return known;
}

void LatencyHistogram::Render(std::string& out, std::string_view name,
                              std::string_view labels) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBoundsUs.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels,
                       static_cast<double>(kBoundsUs[i]) / 1e6, cumulative);
  }
  cumulative += buckets_[kBoundsUs.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, cumulative);
  out += fmt::format("{}_sum{{{}}} {}\n", name, labels,
                     static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, cumulative);
}

std::string RenderProxyMetrics(ProxyStats& s, const Topology& t) {
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
  };
  out +=
      "# HELP switchyard_client_connections Client connections open now.\n"
      "# TYPE switchyard_client_connections gauge\n";
  out += fmt::format("switchyard_client_connections {}\n", s.connections_current.load());
  counter("switchyard_client_connections_total", "Client connections accepted.",
          s.connections_total.load());
  counter("switchyard_client_connections_refused_total", "Client connections refused (limit).",
          s.connections_refused.load());
  counter("switchyard_auth_failures_total", "Failed client logins.", s.auth_failures.load());
  counter("switchyard_backend_errors_total", "Backend connections lost during a statement.",
          s.backend_errors.load());
  counter("switchyard_backend_connects_total", "Backend connections opened.",
          s.backend_connects.load());
  counter("switchyard_read_retries_total", "Reads re-run on the master after their replica failed.",
          s.read_retries.load());
  counter("switchyard_causal_waits_total",
          "Reads that waited for a replica to apply the session's last write.",
          s.causal_waits.load());
  counter("switchyard_causal_fallbacks_total",
          "Reads sent to the master because no replica caught up in time.",
          s.causal_fallbacks.load());
  counter("switchyard_writes_held_total", "Statements held while no master was reachable.",
          s.writes_held.load());
  counter("switchyard_writes_held_milliseconds_total", "Total time statements were held.",
          s.writes_held_ms.load());
  out +=
      "# HELP switchyard_errors_total Errors by kind: auth (failed logins), refused (connection "
      "limit), backend_lost (backend connection lost during a statement), no_master (no master "
      "within failover.hold_ms), pool_full (no pooled backend connection freed in time).\n"
      "# TYPE switchyard_errors_total counter\n";
  out += fmt::format("switchyard_errors_total{{kind=\"auth\"}} {}\n", s.auth_failures.load());
  out +=
      fmt::format("switchyard_errors_total{{kind=\"refused\"}} {}\n", s.connections_refused.load());
  out +=
      fmt::format("switchyard_errors_total{{kind=\"backend_lost\"}} {}\n", s.backend_errors.load());
  out +=
      fmt::format("switchyard_errors_total{{kind=\"no_master\"}} {}\n", s.no_master_errors.load());
  out +=
      fmt::format("switchyard_errors_total{{kind=\"pool_full\"}} {}\n", s.pool_full_errors.load());
  out +=
      "# HELP switchyard_query_duration_seconds Statement latency through the proxy, by route.\n"
      "# TYPE switchyard_query_duration_seconds histogram\n";
  s.latency_master.Render(out, "switchyard_query_duration_seconds", "route=\"master\"");
  s.latency_replica.Render(out, "switchyard_query_duration_seconds", "route=\"replica\"");
  out +=
      "# HELP switchyard_queries_total Statements forwarded, by route.\n"
      "# TYPE switchyard_queries_total counter\n";
  out += fmt::format("switchyard_queries_total{{route=\"master\"}} {}\n", s.queries_master.load());
  out +=
      fmt::format("switchyard_queries_total{{route=\"replica\"}} {}\n", s.queries_replica.load());
  // One series per configured server, read from the server's slot of a per-server array.
  auto per_server = [&](const char* name, const char* type, const char* help, const auto& values) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n", name, help, type);
    for (const ServerView& v : t.servers)
      if (auto slot = s.SlotOf(v.name))
        out += fmt::format("{}{{server=\"{}\"}} {}\n", name, v.name, values[*slot].load());
  };
  per_server("switchyard_server_queries_total", "counter", "Statements forwarded, by server.",
             s.server_queries);
  per_server("switchyard_server_backend_connections", "gauge",
             "Backend connections open, by server.", s.server_connections);
  per_server("switchyard_server_reads_in_flight", "gauge",
             "Reads routed to a server and not finished yet.", s.server_in_flight);
  return out;
}

}  // namespace switchyard::proxy
