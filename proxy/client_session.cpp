#include "proxy/client_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "proxy/deadline.h"
#include "wire/auth.h"
#include "wire/handshake.h"
#include "wire/ok_err_eof.h"

namespace switchyard::proxy {
namespace {

constexpr std::string_view kNative = "mysql_native_password";

// "KILL [CONNECTION|QUERY] <id>" as typed by a client; nullopt if the text is something else.
struct KillRequest {
  bool query_only = false;
  uint32_t id = 0;
};
std::optional<KillRequest> ParseKill(std::string_view sql) {
  auto skip_ws = [&] {
    while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) sql.remove_prefix(1);
  };
  auto word = [&](std::string_view w) {
    skip_ws();
    if (sql.size() < w.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(sql[i])) != w[i]) return false;
    if (sql.size() > w.size() && std::isalnum(static_cast<unsigned char>(sql[w.size()]))) return false;
    sql.remove_prefix(w.size());
    return true;
  };
  if (!word("kill")) return std::nullopt;
  KillRequest k;
  if (word("query")) k.query_only = true;
  else word("connection");
  skip_ws();
  auto [p, ec] = std::from_chars(sql.data(), sql.data() + sql.size(), k.id);
  if (ec != std::errc() || p == sql.data()) return std::nullopt;
  sql.remove_prefix(p - sql.data());
  skip_ws();
  if (!sql.empty() && sql.front() == ';') sql.remove_prefix(1);
  skip_ws();
  if (!sql.empty()) return std::nullopt;
  return k;
}

}  // namespace

wire::Capabilities ServerCapabilities(bool tls) {
  using namespace wire::cap;
  wire::Capabilities c = kLongPassword | kFoundRows | kLongFlag | kConnectWithDb | kLocalFiles |
                         kIgnoreSpace | kProtocol41 | kInteractive | kTransactions |
                         kSecureConnection | kMultiStatements | kMultiResults | kPsMultiResults |
                         kPluginAuth | kConnectAttrs | kPluginAuthLenencClientData | kSessionTrack |
                         kDeprecateEof;
  if (tls) c |= kSsl;
  return c;
}

ClientSession::ClientSession(tcp::socket socket, ProxyContext& ctx, uint32_t id)
    : client_(std::move(socket)), ctx_(ctx), id_(id) {
  peer_ = client_.peer_host();
  ctx_.stats.connections_current.fetch_add(1, std::memory_order_relaxed);
  ctx_.stats.connections_total.fetch_add(1, std::memory_order_relaxed);
}

ClientSession::~ClientSession() {
  ctx_.stats.connections_current.fetch_sub(1, std::memory_order_relaxed);
  ctx_.registry.Remove(id_);
}

std::optional<BackendTarget> ClientSession::CurrentBackend() const {
  std::lock_guard lock(target_mu_);
  return target_;
}

void ClientSession::SetBackendTarget(const BackendConnection* b) {
  std::lock_guard lock(target_mu_);
  if (b) target_ = BackendTarget{b->server_name(), b->address(), b->thread_id()};
  else target_.reset();
}

void ClientSession::RequestClose() {
  close_requested_ = true;
  // Runs on the session's thread: an idle session is closed now, a busy one after its statement.
  asio::post(client_.socket().get_executor(), [self = shared_from_this()] {
    if (!self->busy_) self->client_.Close();
  });
}

asio::awaitable<void> ClientSession::Run() {
  ctx_.registry.Add(id_, weak_from_this());
  bool authenticated = false;
  {
    Deadline deadline(client_.socket().get_executor(),
                      std::chrono::milliseconds(ctx_.config.limits.handshake_timeout_ms),
                      [this] { client_.Close(); });
    authenticated = co_await Handshake();
    if (deadline.expired()) {
      spdlog::info("session {}: handshake from {} timed out", id_, peer_);
      authenticated = false;
    }
  }
  if (authenticated) co_await CommandLoop();
  if (master_) master_->Close();
  client_.Close();
  spdlog::debug("session {}: closed", id_);
}

asio::awaitable<void> ClientSession::SendError(uint8_t seq, uint16_t code, std::string_view sql_state,
                                               std::string message) {
  wire::ErrPacket err;
  err.error_code = code;
  err.sql_state = std::string(sql_state);
  err.message = std::move(message);
  wire::Bytes buf;
  wire::AppendPacket(buf, seq, err.Encode());
  (void)co_await client_.Write(buf);
}

asio::awaitable<void> ClientSession::SendOk(uint8_t seq) {
  wire::OkPacket ok;
  ok.status_flags = wire::status::kAutocommit;
  wire::Bytes buf;
  wire::AppendPacket(buf, seq, ok.Encode(client_caps_));
  (void)co_await client_.Write(buf);
}

asio::awaitable<bool> ClientSession::Handshake() {
  wire::HandshakeV10 greeting;
  greeting.server_version = std::string(kServerVersion);
  greeting.connection_id = id_;
  greeting.scramble = wire::GenerateScramble();
  greeting.capabilities = ServerCapabilities(ctx_.tls != nullptr);
  greeting.charset = wire::kCharsetUtf8mb4GeneralCi;
  greeting.status_flags = wire::status::kAutocommit;
  greeting.auth_plugin_name = std::string(kNative);
  wire::Bytes buf;
  wire::AppendPacket(buf, 0, greeting.Encode());
  if (!(co_await client_.Write(buf)).ok()) co_return false;

  auto pkt = co_await client_.ReadPacket();
  if (!pkt.ok()) co_return false;
  if (wire::IsSslRequest(pkt->payload)) {
    if (!ctx_.tls) co_return false;
    if (Status s = co_await client_.StartTlsServer(*ctx_.tls); !s.ok()) {
      spdlog::info("session {}: TLS from {} failed: {}", id_, peer_, s.error().message);
      co_return false;
    }
    pkt = co_await client_.ReadPacket();
    if (!pkt.ok()) co_return false;
  }
  uint8_t seq = pkt->last_seq + 1;
  auto resp = wire::HandshakeResponse41::Decode(pkt->payload);
  if (!resp.ok()) {
    spdlog::info("session {}: malformed handshake response from {}: {}", id_, peer_, resp.error().message);
    co_await SendError(seq, 1043, "08S01", "Bad handshake");
    co_return false;
  }
  client_caps_ = resp->capabilities & greeting.capabilities;
  user_ = resp->username;
  if (ctx_.config.tls.require && !client_.tls()) {
    co_await SendError(seq, 3159, "HY000",
                       "Connections using insecure transport are prohibited while --require_secure_transport=ON.");
    co_return false;
  }

  wire::Bytes token = resp->auth_response;
  wire::Bytes scramble = greeting.scramble;
  bool plugin_auth = wire::Has(resp->capabilities, wire::cap::kPluginAuth);
  if (plugin_auth && resp->auth_plugin_name != kNative) {
    // caching_sha2_password (MySQL 8 connectors) or anything else: switch to native with a
    // fresh scramble; every connector supports it.
    wire::AuthSwitchRequest sw;
    sw.plugin_name = std::string(kNative);
    scramble = wire::GenerateScramble();
    sw.plugin_data = scramble;
    sw.plugin_data.push_back(0);
    buf.clear();
    wire::AppendPacket(buf, seq, sw.Encode());
    if (!(co_await client_.Write(buf)).ok()) co_return false;
    auto answer = co_await client_.ReadPacket();
    if (!answer.ok()) co_return false;
    seq = answer->last_seq + 1;
    token.assign(answer->payload.begin(), answer->payload.end());
  }

  auto creds = ctx_.users.Verify(user_, token, scramble);
  if (!creds) {
    ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("session {}: access denied for user '{}' from {} ({})", id_, user_, peer_,
                 ctx_.users.Has(user_) ? "wrong password" : "unknown user");
    wire::Bytes out;
    wire::AppendPacket(out, seq, wire::ErrPacket::AccessDenied(user_, peer_, !token.empty()).Encode());
    (void)co_await client_.Write(out);
    co_return false;
  }
  login_.credentials = *creds;
  login_.database = resp->database;
  login_.client_capabilities = client_caps_;
  login_.charset = resp->charset;
  login_.attributes = resp->attributes;
  login_.timeout = std::chrono::milliseconds(ctx_.config.monitor.timeout_ms * 5);

  // The backend validates the initial database (ERR 1049) and our identity there, so the
  // client's OK waits for the master connection.
  BackendConnection* master = co_await MasterBackend(seq);
  if (!master) co_return false;
  co_await SendOk(seq);
  spdlog::debug("session {}: user '{}' from {} connected, master {} thread {}", id_, user_, peer_,
                master->server_name(), master->thread_id());
  co_return true;
}

asio::awaitable<BackendConnection*> ClientSession::MasterBackend(uint8_t seq) {
  auto topo = ctx_.topology.Get();
  const ServerView* m = topo->Master();
  if (master_ && master_->is_open() && m && m->name == master_name_) co_return master_.get();
  if (master_) {
    master_->Close();
    master_.reset();
    SetBackendTarget(nullptr);
  }
  if (!m) {
    co_await SendError(seq, 2003, "HY000", "switchyard: no master is available right now");
    co_return nullptr;
  }
  auto conn = std::make_unique<BackendConnection>(client_.socket().get_executor(), m->name, m->address);
  ctx_.stats.backend_connects.fetch_add(1, std::memory_order_relaxed);
  ConnectOutcome outcome = co_await conn->Connect(login_);
  if (!outcome.ok) {
    if (outcome.server_error) {
      wire::Bytes out;
      wire::AppendPacket(out, seq, outcome.server_error->Encode());
      (void)co_await client_.Write(out);
    } else {
      spdlog::warn("session {}: cannot reach master {}: {}", id_, m->name, outcome.transport_error);
      co_await SendError(seq, 2003, "HY000",
                         fmt::format("Can't connect to MySQL server on '{}' ({})", m->name,
                                     outcome.transport_error));
    }
    co_return nullptr;
  }
  master_ = std::move(conn);
  master_name_ = m->name;
  SetBackendTarget(master_.get());
  co_return master_.get();
}

asio::awaitable<void> ClientSession::CommandLoop() {
  for (;;) {
    if (close_requested_) co_return;
    busy_ = false;
    Result<wire::Packet> pkt = co_await [&]() -> asio::awaitable<Result<wire::Packet>> {
      Deadline idle(client_.socket().get_executor(),
                    std::chrono::milliseconds(ctx_.config.limits.idle_timeout_ms),
                    [this] { client_.Close(); });
      co_return co_await client_.ReadPacket();
    }();
    if (!pkt.ok()) co_return;  // client went away (or idle timeout / shutdown closed it)
    busy_ = true;
    if (pkt->payload.empty()) co_return;
    uint8_t cmd = pkt->payload[0];
    uint8_t seq = pkt->last_seq + 1;
    if (cmd == static_cast<uint8_t>(wire::Command::kQuit)) co_return;

    if (cmd == static_cast<uint8_t>(wire::Command::kProcessKill) && pkt->payload.size() >= 5) {
      uint32_t target = pkt->payload[1] | (pkt->payload[2] << 8) | (pkt->payload[3] << 16) |
                        (static_cast<uint32_t>(pkt->payload[4]) << 24);
      co_await HandleKill(target, false, seq);
      continue;
    }
    if (cmd == static_cast<uint8_t>(wire::Command::kQuery)) {
      if (auto kill = ParseKill(wire::AsString(pkt->payload.subspan(1)))) {
        co_await HandleKill(kill->id, kill->query_only, seq);
        continue;
      }
    }

    BackendConnection* backend = co_await MasterBackend(seq);
    if (!backend) continue;
    ctx_.stats.queries_master.fetch_add(1, std::memory_order_relaxed);
    Status s = co_await Forward(*backend, *pkt);
    if (!s.ok()) {
      ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("session {}: backend {} lost: {}", id_, backend->server_name(), s.error().message);
      backend->Close();
      if (!client_.is_open()) co_return;
    }
  }
}

asio::awaitable<Status> ClientSession::Forward(BackendConnection& backend, const wire::Packet& command) {
  if (Status s = co_await backend.channel().Write(command.raw); !s.ok()) {
    co_await SendError(command.last_seq + 1, 2013, "HY000", "Lost connection to MySQL server during query");
    co_return s;
  }
  wire::ResponseReader reader(backend.capabilities());
  auto started = reader.StartFromCommand(command.payload);
  if (!started.ok()) co_return started.error();
  wire::ResponseStep step = *started;
  uint8_t next_seq = command.last_seq + 1;  // seq the client expects next from the server
  PacketChannel& server = backend.channel();
  while (step != wire::ResponseStep::kComplete) {
    if (step == wire::ResponseStep::kNeedClientData) {
      // LOCAL INFILE data (or change-user auth data): client frames go to the server as is.
      auto frame = co_await client_.ReadFrame();
      if (!frame.ok()) co_return frame.error();
      if (Status s = co_await server.Write(frame->raw); !s.ok()) co_return s;
      auto st = reader.OnClientFrame(frame->payload);
      if (!st.ok()) co_return st.error();
      step = *st;
      next_seq = frame->seq + 1;
      continue;
    }
    // Forward every complete frame already buffered in one write, without copying: the frames
    // are contiguous in the reader's buffer.
    const uint8_t* begin = nullptr;
    const uint8_t* end = nullptr;
    while (step == wire::ResponseStep::kNeedMore) {
      auto frame = server.reader().NextFrame();
      if (!frame) break;
      if (!begin) begin = frame->raw.data();
      end = frame->raw.data() + frame->raw.size();
      next_seq = frame->seq + 1;
      auto st = reader.OnServerFrame(frame->payload);
      if (!st.ok()) co_return st.error();
      step = *st;
    }
    if (begin) {
      if (Status s = co_await client_.Write(wire::BytesView(begin, end - begin)); !s.ok()) co_return s;
      continue;
    }
    if (Status s = co_await server.Fill(); !s.ok()) {
      co_await SendError(next_seq, 2013, "HY000", "Lost connection to MySQL server during query");
      co_return s;
    }
  }
  co_return Status::Ok();
}

asio::awaitable<void> ClientSession::HandleKill(uint32_t target_id, bool query_only, uint8_t seq) {
  auto target = ctx_.registry.Find(target_id);
  std::optional<BackendTarget> where = target ? target->CurrentBackend() : std::nullopt;
  if (!target || target->user() != user_) {
    co_await SendError(seq, 1094, "HY000", fmt::format("Unknown thread id: {}", target_id));
    co_return;
  }
  if (!query_only) target->RequestClose();
  if (where) {
    BackendConnection killer(client_.socket().get_executor(), where->server, where->address);
    BackendLogin login = login_;
    login.database.clear();
    ConnectOutcome outcome = co_await killer.Connect(login);
    if (outcome.ok) {
      std::string sql = fmt::format("{}KILL {} {}", char(0x03), query_only ? "QUERY" : "CONNECTION",
                                    where->thread_id);
      wire::Bytes buf;
      wire::AppendPacket(buf, 0, wire::AsBytes(sql));
      if ((co_await killer.channel().Write(buf)).ok()) (void)co_await killer.channel().ReadPacket();
      spdlog::info("session {}: KILL {}{} -> {} thread {}", id_, query_only ? "QUERY " : "", target_id,
                   where->server, where->thread_id);
    }
    killer.Close();
  }
  co_await SendOk(seq);
}

}  // namespace switchyard::proxy
