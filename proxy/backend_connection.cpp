#include "proxy/backend_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "proxy/deadline.h"
#include "wire/auth.h"

namespace switchyard::proxy {
namespace {

constexpr std::string_view kNative = "mysql_native_password";
constexpr std::string_view kCachingSha2 = "caching_sha2_password";

// Capabilities that change the shape of what the server sends: mirrored from the client so
// responses can be forwarded byte for byte.
constexpr wire::Capabilities kMirrored =
    wire::cap::kFoundRows | wire::cap::kIgnoreSpace | wire::cap::kInteractive |
    wire::cap::kMultiStatements | wire::cap::kMultiResults | wire::cap::kPsMultiResults |
    wire::cap::kDeprecateEof | wire::cap::kSessionTrack | wire::cap::kLocalFiles |
    wire::cap::kLongFlag | wire::cap::kOdbc | wire::cap::kNoSchema;

constexpr wire::Capabilities kAlways =
    wire::cap::kLongPassword | wire::cap::kProtocol41 | wire::cap::kSecureConnection |
    wire::cap::kPluginAuth | wire::cap::kPluginAuthLenencClientData | wire::cap::kTransactions |
    wire::cap::kConnectAttrs;

}  // namespace

BackendConnection::BackendConnection(asio::any_io_executor executor, std::string server_name,
                                     conf::Endpoint address)
    : executor_(std::move(executor)), server_name_(std::move(server_name)), address_(std::move(address)) {}

asio::awaitable<ConnectOutcome> BackendConnection::Connect(const BackendLogin& login) {
  ConnectOutcome out;
  tcp::socket socket(executor_);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address_.host, ec);
  if (ec) {
    tcp::resolver resolver(executor_);
    auto results = co_await resolver.async_resolve(address_.host, std::to_string(address_.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
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
    if (channel_) channel_->Close();
    else socket.close(ignore);
  });
  co_await socket.async_connect(tcp::endpoint(addr, address_.port),
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.transport_error = fmt::format("connect to {} ({}): {}", server_name_, address_.ToString(),
                                      deadline.expired() ? "timed out" : ec.message());
    co_return out;
  }
  socket.set_option(tcp::no_delay(true), ec);
  channel_ = std::make_unique<PacketChannel>(std::move(socket));

  auto greeting_packet = co_await channel_->ReadPacket();
  if (!greeting_packet.ok()) {
    out.transport_error = fmt::format("{}: reading greeting: {}", server_name_, greeting_packet.error().message);
    co_return out;
  }
  if (!greeting_packet->payload.empty() && greeting_packet->payload[0] == wire::ErrPacket::kHeader) {
    auto err = wire::ErrPacket::Decode(greeting_packet->payload);
    if (err.ok()) out.server_error = *err;
    else out.transport_error = err.error().message;
    co_return out;
  }
  auto greeting = wire::HandshakeV10::Decode(greeting_packet->payload);
  if (!greeting.ok()) {
    out.transport_error = fmt::format("{}: bad greeting: {}", server_name_, greeting.error().message);
    co_return out;
  }
  thread_id_ = greeting->connection_id;
  server_version_ = greeting->server_version;
  out = co_await Authenticate(login, *greeting);
  if (deadline.expired() && !out.ok)
    out.transport_error = fmt::format("{}: handshake timed out after {} ms", server_name_, login.timeout.count());
  co_return out;
}

asio::awaitable<ConnectOutcome> BackendConnection::Authenticate(const BackendLogin& login,
                                                                const wire::HandshakeV10& greeting) {
  ConnectOutcome out;
  const BackendCredentials& creds = login.credentials;
  wire::HandshakeResponse41 resp;
  resp.capabilities = (kAlways | (login.client_capabilities & kMirrored)) & greeting.capabilities;
  // MariaDB extended capabilities are never requested: we do not implement them toward clients.
  if (!login.database.empty()) resp.capabilities |= wire::cap::kConnectWithDb;
  resp.capabilities &= greeting.capabilities | wire::cap::kConnectWithDb;
  resp.max_packet_size = 1u << 30;
  resp.charset = login.charset;
  resp.username = creds.user;
  resp.database = login.database;
  resp.attributes = login.attributes;
  resp.attributes.emplace_back("_proxy", "switchyard");

  auto token_for = [&](std::string_view plugin, wire::BytesView scramble) -> wire::Bytes {
    if (creds.empty_password) return {};
    if (plugin == kCachingSha2) {
      if (creds.password) return wire::CachingSha2Token(*creds.password, scramble);
      return {};  // cannot do caching_sha2 without the plaintext; the server will refuse
    }
    if (creds.password) return wire::NativePasswordToken(*creds.password, scramble);
    return wire::NativePasswordTokenFromStage1(*creds.stage1, scramble);
  };

  std::string plugin = greeting.auth_plugin_name.empty() ? std::string(kNative) : greeting.auth_plugin_name;
  if (plugin != kNative && plugin != kCachingSha2) plugin = std::string(kNative);
  wire::Bytes scramble = greeting.scramble;
  resp.auth_plugin_name = plugin;
  resp.auth_response = token_for(plugin, scramble);
  capabilities_ = resp.capabilities;

  wire::Bytes buf;
  uint8_t seq = wire::AppendPacket(buf, 1, resp.Encode());
  if (Status s = co_await channel_->Write(buf); !s.ok()) {
    out.transport_error = s.error().message;
    co_return out;
  }
  for (int round = 0; round < 6; ++round) {
    auto pkt = co_await channel_->ReadPacket();
    if (!pkt.ok()) {
      out.transport_error = fmt::format("{}: during authentication: {}", server_name_, pkt.error().message);
      co_return out;
    }
    seq = pkt->last_seq + 1;
    wire::BytesView p = pkt->payload;
    if (p.empty()) break;
    if (p[0] == 0x00) {
      out.ok = true;
      co_return out;
    }
    if (p[0] == wire::ErrPacket::kHeader) {
      auto err = wire::ErrPacket::Decode(p);
      if (err.ok()) out.server_error = *err;
      else out.transport_error = err.error().message;
      co_return out;
    }
    buf.clear();
    if (p[0] == wire::AuthSwitchRequest::kHeader) {
      auto sw = wire::AuthSwitchRequest::Decode(p);
      if (!sw.ok()) break;
      plugin = sw->plugin_name;
      scramble = sw->Scramble();
      if (plugin != kNative && plugin != kCachingSha2) {
        out.transport_error = fmt::format("{}: unsupported auth plugin '{}'", server_name_, plugin);
        co_return out;
      }
      wire::AppendPacket(buf, seq, token_for(plugin, scramble));
    } else if (p[0] == wire::AuthMoreData::kHeader && plugin == kCachingSha2) {
      auto more = wire::AuthMoreData::Decode(p);
      if (!more.ok() || more->data.empty()) break;
      uint8_t code = more->data[0];
      if (code == wire::kCachingSha2FastAuthSuccess && more->data.size() == 1) continue;  // OK follows
      if (code == wire::kCachingSha2PerformFullAuth && more->data.size() == 1) {
        if (!creds.password) {
          out.transport_error = fmt::format(
              "{}: caching_sha2_password full authentication needs the plaintext password "
              "(configure password, not password_hash, for user {})", server_name_, creds.user);
          co_return out;
        }
        if (channel_->tls()) {
          wire::AppendPacket(buf, seq, wire::CachingSha2CleartextPassword(*creds.password));
        } else {
          wire::Bytes req{wire::kCachingSha2RequestPublicKey};
          wire::AppendPacket(buf, seq, req);
        }
      } else {
        // The server's RSA public key (PEM), after our 0x02 request.
        std::string_view pem(reinterpret_cast<const char*>(more->data.data()), more->data.size());
        auto enc = wire::CachingSha2RsaEncryptPassword(*creds.password, scramble, pem);
        if (!enc.ok()) {
          out.transport_error = fmt::format("{}: {}", server_name_, enc.error().message);
          co_return out;
        }
        wire::AppendPacket(buf, seq, *enc);
      }
    } else {
      break;
    }
    if (Status s = co_await channel_->Write(buf); !s.ok()) {
      out.transport_error = s.error().message;
      co_return out;
    }
  }
  out.transport_error = fmt::format("{}: unexpected packet during authentication", server_name_);
  co_return out;
}

}  // namespace switchyard::proxy
