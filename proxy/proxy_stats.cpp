#include "proxy/proxy_stats.h"

#include <fmt/format.h>

namespace switchyard::proxy {

std::string RenderProxyMetrics(const ProxyStats& s, const Topology& t) {
  std::string out;
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
  };
  out += "# HELP switchyard_client_connections Client connections open now.\n"
         "# TYPE switchyard_client_connections gauge\n";
  out += fmt::format("switchyard_client_connections {}\n", s.connections_current.load());
  counter("switchyard_client_connections_total", "Client connections accepted.", s.connections_total.load());
  counter("switchyard_client_connections_refused_total", "Client connections refused (limit).",
          s.connections_refused.load());
  counter("switchyard_auth_failures_total", "Failed client logins.", s.auth_failures.load());
  counter("switchyard_backend_errors_total", "Backend connections lost during a statement.",
          s.backend_errors.load());
  counter("switchyard_backend_connects_total", "Backend connections opened.", s.backend_connects.load());
  counter("switchyard_read_retries_total", "Reads re-run on the master after their replica failed.",
          s.read_retries.load());
  counter("switchyard_causal_waits_total", "Reads that waited for a replica to apply the session's last write.",
          s.causal_waits.load());
  counter("switchyard_causal_fallbacks_total", "Reads sent to the master because no replica caught up in time.",
          s.causal_fallbacks.load());
  counter("switchyard_writes_held_total", "Statements held while no master was reachable.", s.writes_held.load());
  counter("switchyard_writes_held_milliseconds_total", "Total time statements were held.", s.writes_held_ms.load());
  out += "# HELP switchyard_queries_total Statements forwarded, by route.\n"
         "# TYPE switchyard_queries_total counter\n";
  out += fmt::format("switchyard_queries_total{{route=\"master\"}} {}\n", s.queries_master.load());
  out += fmt::format("switchyard_queries_total{{route=\"replica\"}} {}\n", s.queries_replica.load());
  out += "# HELP switchyard_server_queries_total Statements forwarded, by server.\n"
         "# TYPE switchyard_server_queries_total counter\n";
  for (size_t i = 0; i < t.servers.size() && i < ProxyStats::kMaxServers; ++i)
    out += fmt::format("switchyard_server_queries_total{{server=\"{}\"}} {}\n", t.servers[i].name,
                       s.server_queries[i].load());
  out += "# HELP switchyard_server_backend_connections Backend connections open, by server.\n"
         "# TYPE switchyard_server_backend_connections gauge\n";
  for (size_t i = 0; i < t.servers.size() && i < ProxyStats::kMaxServers; ++i)
    out += fmt::format("switchyard_server_backend_connections{{server=\"{}\"}} {}\n", t.servers[i].name,
                       s.server_connections[i].load());
  out += "# HELP switchyard_server_reads_in_flight Reads routed to a server and not finished yet.\n"
         "# TYPE switchyard_server_reads_in_flight gauge\n";
  for (size_t i = 0; i < t.servers.size() && i < ProxyStats::kMaxServers; ++i)
    out += fmt::format("switchyard_server_reads_in_flight{{server=\"{}\"}} {}\n", t.servers[i].name,
                       s.server_in_flight[i].load());
  return out;
}

}  // namespace switchyard::proxy
