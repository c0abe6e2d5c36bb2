#include "proxy/proxy_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include <fmt/format.h>

#include "net/client_login.h"
#include "wire/ok_err_eof.h"

namespace switchyard::proxy {

ProxyServer::ProxyServer(const conf::Config& config, TopologyHolder& topology)
    : config_(config),
      live_config_(config),
      pool_(std::make_unique<IoThreadPool>(config.threads)),
      users_(config.users) {
  ctx_ = std::make_unique<ProxyContext>(
      ProxyContext{live_config_, users_, topology, registry_, stats_, balance_, nullptr, nullptr});
  if (config_.pool.multiplexing) {
    // pool.max_per_server is for the whole proxy: each io thread gets its share.
    PoolLimits limits;
    size_t threads = pool_->size();
    limits.max_per_server =
        static_cast<uint32_t>((config_.pool.max_per_server + threads - 1) / threads);
    limits.idle_min = config_.pool.idle_min;
    limits.idle_timeout = std::chrono::milliseconds(config_.pool.idle_timeout_ms);
    for (size_t i = 0; i < threads; ++i)
      backend_pools_.push_back(
          std::make_unique<BackendPool>(pool_->Context(i).get_executor(), limits));
  }
}

BackendPool* ProxyServer::PoolFor(asio::io_context& context) {
  for (size_t i = 0; i < backend_pools_.size(); ++i)
    if (&pool_->Context(i) == &context) return backend_pools_[i].get();
  return nullptr;
}

net::Task<void> ProxyServer::PruneLoop(BackendPool& pool) {
  net::Timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(net::use_task, ec));
    if (ec) co_return;
    pool.Prune(std::chrono::steady_clock::now());
  }
}

void ProxyServer::RemapServers(const Topology& before, const Topology& after) {
  std::array<int64_t, LoadBalanceCounters::kMaxServers> by_new{};
  for (size_t i = 0; i < before.servers.size() && i < LoadBalanceCounters::kMaxServers; ++i) {
    auto j = after.IndexOf(before.servers[i].name);
    if (j && *j < LoadBalanceCounters::kMaxServers)
      by_new[*j] = balance_.replica_sessions[i].load(std::memory_order_relaxed);
  }
  for (size_t j = 0; j < LoadBalanceCounters::kMaxServers; ++j)
    balance_.replica_sessions[j].store(by_new[j], std::memory_order_relaxed);
}

void ProxyServer::ApplyConfig(const conf::Config& next) {
  users_.Replace(next.users);
  live_config_.Publish(next);
}

ProxyServer::~ProxyServer() {
  Stop(std::chrono::milliseconds(0));
  // Sessions (coroutine frames owned by the io contexts) and the acceptor refer to the other
  // members: destroy them while those still exist.
  acceptor_.reset();
  // The io threads are joined: close the idle backend connections while their contexts exist.
  for (auto& p : backend_pools_) p->Clear();
  pool_.reset();
}

Status ProxyServer::Start() {
  if (config_.tls.enabled()) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1);
    tls_->use_certificate_chain_file(config_.tls.cert, ec);
    if (ec) return MakeError(fmt::format("tls.cert {}: {}", config_.tls.cert, ec.message()));
    tls_->use_private_key_file(config_.tls.key, asio::ssl::context::pem, ec);
    if (ec) return MakeError(fmt::format("tls.key {}: {}", config_.tls.key, ec.message()));
    ctx_->tls = tls_.get();
  }
  if (config_.tls.backend) {
    backend_tls_ = net::MakeServerTlsClientContext();
    ctx_->backend_tls = backend_tls_.get();
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(config_.listen.host, ec);
  if (ec) return MakeError(fmt::format("listen {}: {}", config_.listen.ToString(), ec.message()));
  acceptor_ = std::make_unique<net::Acceptor>(pool_->Context(0));
  tcp::endpoint ep(addr, config_.listen.port);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return MakeError(fmt::format("listen {}: {}", config_.listen.ToString(), ec.message()));
  asio::co_spawn(pool_->Context(0), AcceptLoop(), [](std::exception_ptr e) {
    if (e) spdlog::critical("accept loop ended by an exception");
  });
  for (size_t i = 0; i < backend_pools_.size(); ++i)
    asio::co_spawn(pool_->Context(i), PruneLoop(*backend_pools_[i]), asio::detached);
  pool_->Start();
  started_ = true;
  spdlog::info("listening for clients on {} ({} io threads{})", config_.listen.ToString(),
               pool_->size(), tls_ ? ", TLS available" : "");
  return Status::Ok();
}

net::Task<void> ProxyServer::AcceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    asio::io_context& target = pool_->Next();
    net::Socket socket =
        co_await acceptor_->async_accept(target, asio::redirect_error(net::use_task, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
      spdlog::warn("accept: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (stats_.connections_current.load(std::memory_order_relaxed) >=
        live_config_->limits.max_client_connections) {
      stats_.connections_refused.fetch_add(1, std::memory_order_relaxed);
      // ERR 1040 as the greeting, like a server at max_connections.
      wire::ErrPacket err;
      err.error_code = 1040;
      err.sql_state = "08004";
      err.message = "Too many connections";
      wire::Bytes buf;
      wire::AppendPacket(buf, 0, err.Encode());
      asio::write(socket, asio::buffer(buf), ec);
      socket.close(ec);
      continue;
    }
    auto session = std::make_shared<ClientSession>(std::move(socket), *ctx_, registry_.NextId(),
                                                   PoolFor(target));
    asio::co_spawn(
        target, [session]() -> net::Task<void> { co_await session->Run(); },
        [](std::exception_ptr e) {
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& ex) {
              spdlog::error("session ended by an exception: {}", ex.what());
            }
          }
        });
  }
}

void ProxyServer::Stop(std::chrono::milliseconds grace) {
  if (!started_) return;
  started_ = false;
  // Close the acceptor on its own thread, then ask every session to close when idle.
  std::promise<void> closed;
  asio::post(pool_->Context(0), [&] {
    boost::system::error_code ec;
    acceptor_->close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  registry_.ForEach([](SessionHandle& s) { s.RequestClose(); });
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (registry_.size() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (registry_.size() > 0)
    spdlog::warn("shutdown: {} session(s) still busy after {} ms; closing them", registry_.size(),
                 grace.count());
  pool_->Stop();
  spdlog::info("stopped accepting; {} client connection(s) served in total",
               stats_.connections_total.load());
}

}  // namespace switchyard::proxy
