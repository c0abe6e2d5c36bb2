// ClientSession: one application connection. Authenticates the client (proxy as server),
// opens backend connections (proxy as client) and forwards each command, streaming the
// response back frame by frame. Lives entirely on one io thread; owned by its coroutine.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "proxy/backend_connection.h"
#include "proxy/packet_channel.h"
#include "proxy/proxy_stats.h"
#include "proxy/session_registry.h"
#include "proxy/topology.h"
#include "proxy/user_directory.h"
#include "wire/response_reader.h"

namespace switchyard::proxy {

// Services shared by every session (thread-safe or immutable).
struct ProxyContext {
  const conf::Config& config;
  const UserDirectory& users;
  TopologyHolder& topology;
  SessionRegistry& registry;
  ProxyStats& stats;
  asio::ssl::context* tls = nullptr;         // client-side TLS; null when not configured
  asio::ssl::context* backend_tls = nullptr;  // toward backends; null when off
};

class ClientSession : public SessionHandle, public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(tcp::socket socket, ProxyContext& ctx, uint32_t id);
  ~ClientSession() override;

  asio::awaitable<void> Run();

  std::optional<BackendTarget> CurrentBackend() const override;
  const std::string& user() const override { return user_; }
  void RequestClose() override;

 private:
  asio::awaitable<bool> Handshake();
  asio::awaitable<void> CommandLoop();
  // Sends one command to `backend` and streams its response to the client.
  asio::awaitable<Status> Forward(BackendConnection& backend, const wire::Packet& command);
  asio::awaitable<BackendConnection*> MasterBackend(uint8_t client_seq_next);
  asio::awaitable<void> HandleKill(uint32_t target, bool query_only, uint8_t seq);
  asio::awaitable<void> SendError(uint8_t seq, uint16_t code, std::string_view sql_state,
                                  std::string message);
  asio::awaitable<void> SendOk(uint8_t seq);
  void SetBackendTarget(const BackendConnection* b);

  PacketChannel client_;
  ProxyContext& ctx_;
  uint32_t id_;
  std::string user_;
  std::string peer_;
  wire::Capabilities client_caps_ = 0;
  BackendLogin login_;
  std::unique_ptr<BackendConnection> master_;
  std::string master_name_;

  mutable std::mutex target_mu_;  // guards target_ (read by KILL from other threads)
  std::optional<BackendTarget> target_;
  std::atomic<bool> close_requested_{false};
  bool busy_ = false;
};

// Capabilities the proxy offers clients. Never COMPRESS or MariaDB extensions we do not speak.
wire::Capabilities ServerCapabilities(bool tls);
// The greeting's server version: MariaDB-compatible prefix so connectors enable MariaDB paths.
inline constexpr std::string_view kServerVersion = "5.5.5-10.11.19-MariaDB-switchyard";

}  // namespace switchyard::proxy
