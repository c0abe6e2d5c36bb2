// BackendConnection: the proxy acting as a client toward one MariaDB/MySQL server.
// Connect() does TCP + handshake + authentication (mysql_native_password, caching_sha2_password
// fast and full paths, auth switch). Owns its channel; lives on the session's io thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "net/packet_channel.h"
#include "proxy/session_registry.h"
#include "proxy/user_directory.h"
#include "wire/capabilities.h"
#include "wire/handshake.h"
#include "wire/ok_err_eof.h"
#include "wire/response_reader.h"

namespace switchyard::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct BackendLogin {
  BackendCredentials credentials;
  std::string database;
  wire::Capabilities client_capabilities = 0;  // what the client negotiated with us; mirrored
  uint8_t charset = wire::kCharsetUtf8mb4GeneralCi;
  wire::ConnectAttributes attributes;
  std::chrono::milliseconds timeout{5000};
  asio::ssl::context* tls = nullptr;  // use TLS when the server offers it
  bool tls_required = false;          // with tls: a server that does not offer TLS is an error
};

// Outcome of Connect(): connected, or the server's ERR (to forward as is), or a transport error.
struct ConnectOutcome {
  bool ok = false;
  std::optional<wire::ErrPacket> server_error;  // authentication refused etc.
  std::string transport_error;                  // connect/handshake failure
};

class BackendConnection {
 public:
  BackendConnection(net::Executor executor, std::string server_name, conf::Endpoint address);

  net::Task<ConnectOutcome> Connect(const BackendLogin& login);

  net::PacketChannel& channel() { return *channel_; }
  const std::string& server_name() const { return server_name_; }
  const conf::Endpoint& address() const { return address_; }
  uint32_t thread_id() const { return thread_id_; }
  // Where a KILL for a statement on this connection goes; set once logged in. Shared so a
  // session can publish its current backend by pointer, without copying strings per statement.
  const std::shared_ptr<const BackendTarget>& target() const { return target_; }
  const std::string& server_version() const { return server_version_; }
  wire::Capabilities capabilities() const { return capabilities_; }
  ~BackendConnection() {
    if (gauge_) gauge_->fetch_sub(1, std::memory_order_relaxed);
    if (on_destroy_) on_destroy_();
  }
  // Runs `hook` when this connection is destroyed (its pool's count of open connections).
  void OnDestroy(std::function<void()> hook) { on_destroy_ = std::move(hook); }
  BackendConnection(const BackendConnection&) = delete;
  BackendConnection& operator=(const BackendConnection&) = delete;
  // Counts this connection in `gauge` for as long as it lives (per-server connection metrics).
  void CountIn(std::atomic<int64_t>* gauge) {
    gauge_ = gauge;
    if (gauge_) gauge_->fetch_add(1, std::memory_order_relaxed);
  }
  void Close() {
    if (channel_) channel_->Close();
  }
  bool is_open() const { return channel_ && channel_->is_open(); }
  // Between statements a healthy connection has nothing to read. Bytes waiting there are an
  // unsolicited packet (MariaDB sends ERR 1927 to a connection it kills) that would otherwise
  // be taken for the answer to the next command: the connection must not be used.
  // The peer closing the connection (FIN) counts too. One poll() with no wait.
  bool HasUnsolicitedData();
  // The connection's autocommit mode: from its login, then from each response's status flags.
  // A pooled connection keeps the mode its last session left (sessions align it, Replay).
  bool autocommit() const { return autocommit_; }
  bool login_autocommit() const { return login_autocommit_; }
  void OnStatusFlags(uint16_t flags) { autocommit_ = (flags & wire::status::kAutocommit) != 0; }
  // Follows the response to the command in progress here (one at a time). It lives with the
  // connection rather than in each statement's coroutine frame, which stays small.
  wire::ResponseReader& response_reader() {
    response_reader_.set_capabilities(capabilities_);
    return response_reader_;
  }

 private:
  net::Task<ConnectOutcome> Authenticate(const BackendLogin& login);

  net::Executor executor_;
  std::string server_name_;
  conf::Endpoint address_;
  std::unique_ptr<net::PacketChannel> channel_;
  uint32_t thread_id_ = 0;
  std::shared_ptr<const BackendTarget> target_;
  std::string server_version_;
  wire::Capabilities capabilities_ = 0;
  bool autocommit_ = true;
  bool login_autocommit_ = true;
  wire::ResponseReader response_reader_{0};
  std::atomic<int64_t>* gauge_ = nullptr;
  std::function<void()> on_destroy_;
};

}  // namespace switchyard::proxy
