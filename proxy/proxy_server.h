// ProxyServer: the client-facing listener. Accepts connections, spreads sessions over the io
// threads, enforces the connection limit and shuts down gracefully. Owns the io threads, the
// session registry, the user directory and the TLS contexts; reads topology from a holder it
// does not own.
#pragma once

#include <chrono>
#include <memory>

#include "base/result.h"
#include "proxy/backend_pool.h"
#include "proxy/client_session.h"
#include "proxy/io_thread_pool.h"

namespace switchyard::proxy {

class ProxyServer {
 public:
  ProxyServer(const conf::Config& config, TopologyHolder& topology);
  ~ProxyServer();

  // Binds the listen address and starts the io threads; Error names the address and reason.
  Status Start();
  // Stops accepting, closes idle sessions, lets busy ones finish up to `grace`, then stops.
  void Stop(std::chrono::milliseconds grace);

  // Hot reload: users, routing, limits and timeouts for new statements and new logins. Open
  // connections stay; listen and TLS settings are startup-only (the caller reports them).
  void ApplyConfig(const conf::Config& next);
  // After a reload changed the server list: the load-balancing counts (kept by topology
  // index) follow their servers by name from `before` to `after`.
  void RemapServers(const Topology& before, const Topology& after);

  ProxyStats& stats() { return stats_; }
  SessionRegistry& registry() { return registry_; }

 private:
  net::Task<void> AcceptLoop();
  // The backend pool of the io thread that runs `context` (null without multiplexing).
  BackendPool* PoolFor(asio::io_context& context);
  net::Task<void> PruneLoop(BackendPool& pool);

  const conf::Config& config_;  // as started: listen, threads, TLS
  LiveConfig live_config_;      // what sessions read; replaced by ApplyConfig
  // One per io thread, same index; outlive the io contexts (connections tell them when they
  // close), but their idle connections are closed before the contexts go.
  std::vector<std::unique_ptr<BackendPool>> backend_pools_;
  std::unique_ptr<IoThreadPool> pool_;  // destroyed first (explicitly): sessions use the rest
  UserDirectory users_;
  SessionRegistry registry_;
  ProxyStats stats_;
  LoadBalanceCounters balance_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::unique_ptr<asio::ssl::context> backend_tls_;
  std::unique_ptr<ProxyContext> ctx_;
  std::unique_ptr<net::Acceptor> acceptor_;
  bool started_ = false;
};

}  // namespace switchyard::proxy
