#include "proxy/backend_connection.h"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "net/client_login.h"
#include "proxy/deadline.h"
#include "wire/client_handshake.h"

namespace switchyard::proxy {

BackendConnection::BackendConnection(net::Executor executor, std::string server_name,
                                     conf::Endpoint address)
    : executor_(std::move(executor)),
      server_name_(std::move(server_name)),
      address_(std::move(address)) {}

bool BackendConnection::HasUnsolicitedData() {
  if (!is_open()) return false;
  if (channel_->reader().buffered() > 0) return true;
  pollfd p{};
  p.fd = channel_->socket().native_handle();
  p.events = POLLIN | POLLRDHUP;
  return ::poll(&p, 1, 0) != 0;  // readable, peer closed, error (or poll failed: do not trust it)
}

net::Task<ConnectOutcome> BackendConnection::Connect(const BackendLogin& login) {
  ConnectOutcome out;
  net::Socket socket(executor_);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address_.host, ec);
  if (ec) {
    tcp::resolver resolver(executor_);
    auto results = co_await resolver.async_resolve(address_.host, std::to_string(address_.port),
                                                   asio::redirect_error(net::use_task, ec));
    if (ec) {
      out.transport_error = fmt::format("resolve {}: {}", address_.host, ec.message());
      co_return out;
    }
    addr = results.begin()->endpoint().address();
  }
  // A deadline covers connect + handshake + authentication: expiry closes the socket, which
  // makes the pending operation fail.
  Deadline deadline(executor_, login.timeout, [this, &socket] {
    boost::system::error_code ignore;
    if (channel_)
      channel_->Close();
    else
      socket.close(ignore);
  });
  co_await socket.async_connect(tcp::endpoint(addr, address_.port),
                                asio::redirect_error(net::use_task, ec));
  if (ec) {
    out.transport_error = fmt::format("connect to {} ({}): {}", server_name_, address_.ToString(),
                                      deadline.expired() ? "timed out" : ec.message());
    co_return out;
  }
  socket.set_option(tcp::no_delay(true), ec);
  channel_ = std::make_unique<net::PacketChannel>(std::move(socket));

  out = co_await Authenticate(login);
  if (deadline.expired() && !out.ok)
    out.transport_error =
        fmt::format("{}: handshake timed out after {} ms", server_name_, login.timeout.count());
  co_return out;
}

net::Task<ConnectOutcome> BackendConnection::Authenticate(const BackendLogin& login) {
  ConnectOutcome out;
  const BackendCredentials& creds = login.credentials;
  wire::ClientHandshakeOptions opts;
  opts.user = creds.user;
  opts.password = creds.password;
  if (!creds.empty_password && !creds.password) opts.password_sha1 = creds.stage1;
  if (creds.empty_password) opts.password = std::string();
  opts.database = login.database;
  opts.attributes = login.attributes;
  opts.attributes.emplace_back("_proxy", "switchyard");
  // Frames are forwarded untouched, so the backend must speak exactly the client's dialect.
  opts.capabilities = (login.client_capabilities & ~wire::cap::kSsl & ~wire::cap::kConnectWithDb &
                       ~wire::cap::kMariadbExtendedMask) |
                      wire::cap::kProtocol41 | wire::cap::kSecureConnection |
                      wire::cap::kPluginAuth | wire::cap::kPluginAuthLenencClientData;
  opts.charset = login.charset;
  opts.max_packet_size = 1u << 30;
  opts.use_tls = login.tls != nullptr;
  const bool require_tls = login.tls != nullptr && login.tls_required;
  opts.require_tls = require_tls;
  wire::ClientHandshake hs(std::move(opts));
  net::ClientLoginOutcome login_outcome = co_await net::RunClientLogin(*channel_, hs, login.tls);
  const wire::Capabilities offered = hs.result().server_capabilities;
  if (!login_outcome.ok && require_tls && offered != 0 && !wire::Has(offered, wire::cap::kSsl)) {
    // Policy, not a passing fault: final at once (no failover hold), like a server's refusal.
    // 3159 is the server's own code for an insecure transport it must not accept.
    spdlog::warn("backend {}: does not offer TLS and tls.backend_require is on: not connecting",
                 server_name_);
    out.server_error = wire::ErrPacket{};
    out.server_error->error_code = 3159;
    out.server_error->sql_state = "HY000";
    out.server_error->message = fmt::format(
        "switchyard: server {} does not offer TLS (tls.backend_require is on)", server_name_);
    co_return out;
  }
  if (!login_outcome.ok) {
    out.server_error = std::move(login_outcome.server_error);
    if (!out.server_error)
      out.transport_error = fmt::format("{}: {}", server_name_, login_outcome.error);
    co_return out;
  }
  thread_id_ = hs.result().connection_id;
  target_ =
      std::make_shared<const BackendTarget>(BackendTarget{server_name_, address_, thread_id_});
  server_version_ = hs.result().server_version;
  capabilities_ = hs.result().negotiated;
  OnStatusFlags(hs.result().status_flags);
  login_autocommit_ = autocommit_;
  out.ok = true;
  co_return out;
}

}  // namespace switchyard::proxy
