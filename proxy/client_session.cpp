#include "proxy/client_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "proxy/deadline.h"
#include "wire/auth.h"
#include "wire/commands.h"
#include "wire/handshake.h"
#include "wire/ok_err_eof.h"
#include "wire/payload_reader.h"
#include "wire/payload_writer.h"
#include "wire/server_handshake.h"

namespace switchyard::proxy {
namespace {
// ERR sent when no master became usable within failover.hold_ms (README, "Routing").
constexpr uint16_t kNoMasterError = 9001;
uint64_t MicrosSince(std::chrono::steady_clock::time_point started) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count());
}

constexpr std::string_view kNative = "mysql_native_password";
// Frames above this size (a row of large values) are streamed through, not buffered whole.
constexpr size_t kStreamFrameBytes = 256 * 1024;

// "KILL [CONNECTION|QUERY] <id>" as typed by a client; nullopt if the text is something else.
struct KillRequest {
  bool query_only = false;
  uint32_t id = 0;
};
std::optional<KillRequest> ParseKill(std::string_view sql) {
  auto skip_ws = [&] {
    while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front())))
      sql.remove_prefix(1);
  };
  auto word = [&](std::string_view w) {
    skip_ws();
    if (sql.size() < w.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(sql[i])) != w[i]) return false;
    if (sql.size() > w.size() && std::isalnum(static_cast<unsigned char>(sql[w.size()])))
      return false;
    sql.remove_prefix(w.size());
    return true;
  };
  if (!word("kill")) return std::nullopt;
  KillRequest k;
  if (word("query"))
    k.query_only = true;
  else
    word("connection");
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

ClientSession::ClientSession(net::Socket socket, ProxyContext& ctx, uint32_t id, BackendPool* pool)
    : client_(std::move(socket)),
      ctx_(ctx),
      id_(id),
      pool_(pool),
      idle_timer_(client_.socket().get_executor()) {
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
  if (!target_active_.load(std::memory_order_acquire) || !target_) return std::nullopt;
  return *target_;
}

void ClientSession::SetBackendTarget(const BackendConnection* b) {
  // Twice per statement: the same backend as last time, or none, takes no lock; another one
  // (a borrowed connection) is a pointer swap under the lock, never a copy of strings. Only
  // this thread writes target_, so it reads it without the lock.
  if (!b) {
    target_active_.store(false, std::memory_order_release);
    return;
  }
  if (target_ != b->target()) {
    target_active_.store(false, std::memory_order_release);
    std::lock_guard lock(target_mu_);
    target_ = b->target();
  }
  target_active_.store(true, std::memory_order_release);
}

void ClientSession::RequestClose() {
  close_requested_ = true;
  // Runs on the session's thread: an idle session is closed now, a busy one after its statement.
  asio::post(client_.socket().get_executor(), [self = shared_from_this()] {
    if (!self->busy_) self->client_.Close();
  });
}

net::Task<void> ClientSession::Run() {
  ctx_.registry.Add(id_, weak_from_this());
  bool authenticated = false;
  {
    Deadline deadline(client_.socket().get_executor(),
                      std::chrono::milliseconds(ctx_.config->limits.handshake_timeout_ms),
                      [this] { client_.Close(); });
    authenticated = co_await Handshake();
    if (deadline.expired()) {
      spdlog::info("session {}: handshake from {} timed out", id_, peer_);
      authenticated = false;
    }
  }
  if (authenticated) co_await CommandLoop();
  idle_timer_.cancel();
  ReleaseBackends();  // unpinned connections serve other sessions; the rest close
  DropReplica();
  if (master_.conn) master_.conn->Close();
  client_.Close();
  spdlog::debug("session {}: closed", id_);
}

net::Task<void> ClientSession::SendError(uint8_t seq, uint16_t code, std::string_view sql_state,
                                         std::string message) {
  if (code == 2013) {
    // "Lost connection during query" is a client-side error: libmariadb 3.x turns a server-sent
    // 2006/2013 into 2027 "malformed packet". The backend session is gone (with its transaction
    // and state), so end this connection like a dying server would: every connector then
    // reports its own lost-connection error (2013 in libmariadb and PyMySQL).
    client_.Close();
    co_return;
  }
  wire::ErrPacket err;
  err.error_code = code;
  err.sql_state = std::string(sql_state);
  err.message = std::move(message);
  co_await SendErrPacket(seq, err);
}

net::Task<void> ClientSession::SendErrPacket(uint8_t seq, const wire::ErrPacket& err) {
  wire::Bytes buf;
  wire::AppendPacket(buf, seq, err.Encode());
  (void)co_await client_.Write(buf);
}

net::Task<void> ClientSession::SendOk(uint8_t seq) {
  wire::OkPacket ok;
  ok.status_flags = wire::status::kAutocommit;
  wire::Bytes buf;
  wire::AppendPacket(buf, seq, ok.Encode(client_caps_));
  (void)co_await client_.Write(buf);
}

net::Task<bool> ClientSession::Handshake() {
  wire::ServerHandshakeOptions opts;
  opts.server_version = std::string(kServerVersion);
  opts.connection_id = id_;
  opts.tls_available = ctx_.tls != nullptr;
  opts.tls_required = ctx_.config->tls.require;
  opts.client_host = peer_;
  wire::ServerHandshake hs(opts, [this](std::string_view user) { return ctx_.users.Lookup(user); });
  wire::HandshakeAction action = hs.Start();
  for (;;) {
    switch (action) {
      case wire::HandshakeAction::kWriteThenRead:
        if (!(co_await client_.Write(hs.output())).ok()) co_return false;
        [[fallthrough]];
      case wire::HandshakeAction::kRead: {
        auto pkt = co_await client_.ReadPacket();
        if (!pkt.ok()) co_return false;
        action = hs.OnPacket(pkt->payload, pkt->seq);
        continue;
      }
      case wire::HandshakeAction::kStartTls:
        if (Status s = co_await client_.StartTlsServer(*ctx_.tls); !s.ok()) {
          spdlog::info("session {}: TLS from {} failed: {}", id_, peer_, s.error().message);
          co_return false;
        }
        action = hs.OnTlsEstablished();
        continue;
      case wire::HandshakeAction::kWriteThenStartTls:  // client-side action; not ours
      case wire::HandshakeAction::kFail:
        spdlog::info("session {}: handshake from {} failed: {}", id_, peer_, hs.error());
        co_return false;
      case wire::HandshakeAction::kWriteThenFail:
        (void)co_await client_.Write(hs.output());
        if (hs.error().find("ccess denied") != std::string::npos) {
          ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
          spdlog::warn("session {}: access denied for user '{}' from {} ({})", id_,
                       hs.result().user, peer_,
                       ctx_.users.Has(hs.result().user) ? "wrong password" : "unknown user");
        } else {
          spdlog::info("session {}: handshake from {} refused: {}", id_, peer_, hs.error());
        }
        co_return false;
      case wire::HandshakeAction::kDone:
      case wire::HandshakeAction::kWriteThenDone:
        break;
    }
    break;
  }
  // Authenticated. hs.output() holds the OK; it waits until the master connection is up,
  // because the backend validates the initial database (ERR 1049) and our identity there.
  const wire::ServerHandshakeResult& r = hs.result();
  client_caps_ = r.negotiated;
  user_ = r.user;
  scramble_ = hs.greeting().scramble;
  login_.credentials = ctx_.users.CredentialsFor(r.user, r.password_sha1);
  login_.database = r.database;
  login_.client_capabilities = client_caps_;
  login_.charset = r.charset;
  login_.attributes = r.attributes;
  login_.timeout = std::chrono::milliseconds(ctx_.config->monitor.timeout_ms * 5);
  login_.tls = ctx_.backend_tls;
  login_.tls_required = ctx_.config->tls.backend_require;
  state_.OnDatabaseChanged(r.database);
  uint8_t ok_seq = static_cast<uint8_t>(hs.next_seq() - 1);
  bool refused = false;
  BackendConnection* first = co_await LoginOnReplica(ok_seq, refused);
  if (refused) co_return false;
  if (!first) first = co_await Master(ok_seq);
  if (!first) co_return false;
  // The server's default autocommit mode (a borrowed connection may carry another session's).
  state_.OnServerStatus(first->login_autocommit() ? wire::status::kAutocommit : 0);
  if (!(co_await client_.Write(hs.output())).ok()) co_return false;
  spdlog::debug("session {}: user '{}' from {} connected{}, checked on {} thread {}", id_, user_,
                peer_, client_.tls() ? " with TLS" : "", first->server_name(), first->thread_id());
  co_return true;
}

net::Task<BackendConnection*> ClientSession::LoginOnReplica(uint8_t seq, bool& refused) {
  auto topo = ctx_.topology.Get();
  const ServerView* m = topo->Master();
  if (m && !topo->failover_in_progress && m->state == ServerState::kUp) co_return nullptr;
  const conf::RoutingConfig& routing = ctx_.config->routing;
  bool covers = true;
  std::optional<size_t> i = ChooseReplica(*topo, routing.max_lag_ms, routing.load_balance,
                                          std::nullopt, std::nullopt, ctx_.balance, &covers);
  if (!i) co_return nullptr;
  const ServerView& server = topo->servers[*i];
  const std::string why = !m                           ? std::string("no master is known")
                          : topo->failover_in_progress ? std::string("a failover is in progress")
                                                       : m->name + " is " + ToString(m->state);
  ConnectOutcome outcome = co_await Open(replica_, server);
  if (outcome.server_error) {  // e.g. 1049 unknown database: the same answer the master gives
    co_await SendErrPacket(seq, *outcome.server_error);
    refused = true;
    co_return nullptr;
  }
  if (!outcome.ok) {
    spdlog::info("session {}: login on replica {} failed ({}); waiting for a master instead", id_,
                 server.name, outcome.transport_error);
    co_return nullptr;
  }
  CountOnReplica(server.name, true);
  replica_.applied_generation = state_.generation();
  spdlog::info(
      "session {}: login checked on replica {} ({}): reads run now, writes wait for a "
      "master",
      id_, server.name, why);
  co_return replica_.conn.get();
}

net::Task<ConnectOutcome> ClientSession::Open(BackendSlot& slot, const ServerView& server) {
  ResetSlot(slot);
  if (pool_) {
    // Connections in the pool are grouped by who may use them: same server, user, dialect and
    // database. One borrowed from there needs nothing but the session's state (Replay).
    BackendPool::KeyId key = PoolKey(server.name, server.address, state_.database());
    BackendPool::Lease lease = co_await pool_->Acquire(key, login_.timeout);
    if (!lease.ok) {
      // Not a server failure: refused at once (no failover hold), like a server at max_connections.
      ctx_.stats.pool_full_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("session {}: no connection to {} freed within {} ms (pool.max_per_server {})",
                   id_, server.name, login_.timeout.count(), ctx_.config->pool.max_per_server);
      ConnectOutcome full;
      full.server_error = wire::ErrPacket{};
      full.server_error->error_code = 1040;
      full.server_error->sql_state = "08004";
      full.server_error->message = fmt::format(
          "switchyard: all {} connections to {} are busy (pool.max_per_server); waited {} ms",
          ctx_.config->pool.max_per_server, server.name, login_.timeout.count());
      co_return full;
    }
    if (lease.conn) {
      slot.conn = std::move(lease.conn);
      slot.set_database(state_.database());  // the key's
      slot.pool_key = key;
      ConnectOutcome reused;
      reused.ok = true;
      co_return reused;
    }
  }
  slot.conn = std::make_unique<BackendConnection>(client_.socket().get_executor(), server.name,
                                                  server.address);
  if (pool_) pool_->Track(*slot.conn, server.name);
  ctx_.stats.backend_connects.fetch_add(1, std::memory_order_relaxed);
  BackendLogin login = login_;
  login.database = state_.database();
  slot.set_database(login.database);
  ConnectOutcome outcome = co_await slot.conn->Connect(login);
  if (!outcome.ok) {
    slot.conn.reset();
    co_return outcome;
  }
  slot.conn->CountIn(ctx_.stats.ConnectionGauge(server.name));
  // MariaDB reports the GTID of each write in the OK packet once last_gtid is tracked; that is
  // how reads later find a replica that has it (read-your-writes).
  if (wire::Has(slot.conn->capabilities(), wire::cap::kSessionTrack)) {
    auto r = co_await RunInternal(
        *slot.conn,
        "SET SESSION session_track_system_variables = "
        "CONCAT_WS(',', NULLIF(@@session_track_system_variables, ''), 'last_gtid')");
    if (!r.status.ok()) {
      outcome.ok = false;
      outcome.transport_error = r.status.error().message;
      slot.conn.reset();
    }
  }
  co_return outcome;
}

net::Task<Status> ClientSession::Replay(BackendSlot& slot) {
  if (slot.conn->autocommit() != state_.autocommit()) {
    // A connection from the pool, left by a session in the other mode. Never inside a
    // transaction (that pins), so switching commits nothing.
    auto r = co_await RunInternal(*slot.conn,
                                  state_.autocommit() ? "SET autocommit=1" : "SET autocommit=0");
    if (!r.status.ok()) co_return r.status;
    if (r.outcome && r.outcome->err)
      co_return MakeError("replaying autocommit: " + r.outcome->err->message);
  }
  if (slot.applied_generation == state_.generation()) co_return Status::Ok();
  // A connection opened after a USE has the database from its login; one opened earlier
  // needs it now.
  if (!state_.database().empty() && state_.database() != slot.database) {
    auto r = co_await RunInternal(*slot.conn, "USE `" + state_.database() + "`");
    if (!r.status.ok()) co_return r.status;
    if (r.outcome && r.outcome->err)
      co_return MakeError("replaying USE: " + r.outcome->err->message);
    slot.set_database(state_.database());
  }
  for (const std::string& sql : state_.ReplayStatements()) {
    auto r = co_await RunInternal(*slot.conn, sql);
    if (!r.status.ok()) co_return r.status;
    if (r.outcome && r.outcome->err)
      co_return MakeError(fmt::format("replaying '{}': {}", sql, r.outcome->err->message));
  }
  slot.applied_generation = state_.generation();
  co_return Status::Ok();
}

bool ClientSession::MarkInLine(BackendSlot& slot) {
  bool in_line = slot.conn->autocommit() == state_.autocommit() &&
                 (slot.applied_generation == state_.generation() ||
                  ((state_.database().empty() || state_.database() == slot.database) &&
                   !state_.has_replay_statements()));
  if (in_line) slot.applied_generation = state_.generation();
  return in_line;
}

BackendConnection* ClientSession::MasterNow() {
  const Topology* topo = ctx_.topology.operator->();
  const ServerView* m = topo->Master();
  if (!m || topo->failover_in_progress) return nullptr;
  if (master_.conn) {
    if (master_.open() && m->name == master_.server() && MarkInLine(master_) &&
        !master_.conn->HasUnsolicitedData())
      return master_.conn.get();
    return nullptr;
  }
  if (!TakePooled(master_, *m)) return nullptr;
  // Needs the session's state replayed first: Master() does that with this connection.
  return MarkInLine(master_) ? master_.conn.get() : nullptr;
}

BackendConnection* ClientSession::ReplicaNow(const ServerView& server) {
  if (replica_.conn) {
    if (replica_.open() && replica_.server() == server.name && MarkInLine(replica_) &&
        !replica_.conn->HasUnsolicitedData())
      return replica_.conn.get();
    return nullptr;
  }
  if (!TakePooled(replica_, server)) return nullptr;
  CountOnReplica(server.name, true);
  return MarkInLine(replica_) ? replica_.conn.get() : nullptr;
}

bool ClientSession::TakePooled(BackendSlot& slot, const ServerView& server) {
  if (!pool_) return false;
  BackendPool::KeyId key = PoolKey(server.name, server.address, state_.database());
  std::unique_ptr<BackendConnection> idle = pool_->TakeIdle(key);
  if (!idle) return false;
  ResetSlot(slot);
  slot.conn = std::move(idle);
  slot.set_database(state_.database());  // the key's
  slot.pool_key = key;
  return true;
}

void ClientSession::ResetSlot(BackendSlot& slot) {
  if (slot.conn) slot.conn->Close();
  // Statements prepared on the previous connection are not prepared on this one.
  if (slot.serial) prepared_.ForgetBackend(slot.serial);
  slot.serial = next_serial_++;
  slot.conn.reset();
  slot.pool_key.reset();
  slot.applied_generation = 0;
}

void ClientSession::CountOnReplica(const std::string& server, bool on) {
  auto i = ctx_.topology->IndexOf(server);
  if (!i || *i >= LoadBalanceCounters::kMaxServers) return;
  if (on)
    ctx_.balance.replica_sessions[*i].fetch_add(1, std::memory_order_relaxed);
  else
    ctx_.balance.replica_sessions[*i].fetch_sub(1, std::memory_order_relaxed);
}

net::Task<BackendConnection*> ClientSession::Master(uint8_t seq, bool report) {
  auto topo = ctx_.topology.Get();
  const ServerView* m = topo->Master();
  if (master_.open() && m && m->name == master_.server()) {
    if (!master_.conn->HasUnsolicitedData()) {
      if (MarkInLine(master_)) co_return master_.conn.get();
      Status replayed = co_await Replay(master_);
      if (replayed.ok()) co_return master_.conn.get();
      spdlog::warn("session {}: replaying session state on {}: {}", id_, m->name,
                   replayed.error().message);
    } else {
      spdlog::warn(
          "session {}: master connection to {} got a packet it did not ask for (killed?); "
          "reconnecting",
          id_, master_.server());
    }
  }
  if (master_.conn) {
    master_.conn->Close();
    master_.conn.reset();
  }
  // No reachable master (it died, a failover or switchover is running): hold the statement up
  // to failover.hold_ms, watching for the monitor to publish a master, instead of failing it.
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + std::chrono::milliseconds(ctx_.config->failover.hold_ms);
  bool held = false;
  ConnectOutcome outcome;
  std::string last_error = "no master is known";
  for (;;) {
    topo = ctx_.topology.Get();
    m = topo->Master();
    if (m && !topo->failover_in_progress) {
      outcome = co_await Open(master_, *m);
      if (outcome.ok) {
        // Connecting can take long (a hung master that resumes): if the monitor published
        // another master or started a failover meanwhile, this server must not get the write.
        auto now = ctx_.topology.Get();
        if (now->failover_in_progress || !now->Master() || now->Master()->name != m->name) {
          master_.conn->Close();
          master_.conn.reset();
          outcome = ConnectOutcome{};
          outcome.transport_error = "the master changed while connecting to " + m->name;
        }
      }
      if (outcome.ok || outcome.server_error) break;  // a server's refusal is final
      last_error = outcome.transport_error;
    } else {
      last_error = topo->failover_in_progress ? "a failover is in progress" : "no master is known";
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    if (!held) {
      held = true;
      ctx_.stats.writes_held.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("session {}: holding a statement for up to {} ms: {}", id_,
                   ctx_.config->failover.hold_ms, last_error);
    }
    net::Timer pause(client_.socket().get_executor(), std::chrono::milliseconds(50));
    boost::system::error_code ec;
    co_await pause.async_wait(asio::redirect_error(net::use_task, ec));
    if (!client_.is_open()) co_return nullptr;
  }
  if (held) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    ctx_.stats.writes_held_ms.fetch_add(static_cast<uint64_t>(ms), std::memory_order_relaxed);
    spdlog::info("session {}: statement held {} ms; master now {}", id_, ms, m ? m->name : "none");
  }
  if (!outcome.ok) {
    if (!report) co_return nullptr;
    if (outcome.server_error) {
      co_await SendErrPacket(seq, *outcome.server_error);
    } else {
      spdlog::warn("session {}: no usable master after {} ms: {}", id_,
                   ctx_.config->failover.hold_ms, last_error);
      ctx_.stats.no_master_errors.fetch_add(1, std::memory_order_relaxed);
      // A server-range code: libmariadb turns a server-sent client code (2003) into 2027
      // "malformed packet", hiding the reason. 9001 is what ProxySQL users know for "no backend
      // in time".
      co_await SendError(seq, kNoMasterError, "HY000",
                         fmt::format("switchyard: no master available ({})", last_error));
    }
    co_return nullptr;
  }
  // A new master connection (after a failover or a lost connection) gets the session's state.
  Status replayed = Status::Ok();
  if (!MarkInLine(master_)) replayed = co_await Replay(master_);  // (no co_await in ?: with GCC 12)
  if (const Status& s = replayed; !s.ok()) {
    spdlog::warn("session {}: replaying session state on {}: {}", id_, m->name, s.error().message);
    master_.conn.reset();
    if (report)
      co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
    co_return nullptr;
  }
  master_.applied_generation = state_.generation();
  co_return master_.conn.get();
}

bool ClientSession::PinsBackends() const {
  return state_.pins_connection() || !prepared_.empty() || keep_for_next_ || write_gtid_unknown_;
}

void ClientSession::ReleaseSlot(BackendSlot& slot) {
  if (!slot.conn) return;
  prepared_.ForgetBackend(slot.serial);
  if (&slot == &replica_) CountOnReplica(replica_.server(), false);
  // The response just ended, so nothing is pending; a packet that arrives while the connection
  // is idle (a KILL) is caught when it is next borrowed (BackendPool::Acquire).
  if (slot.open() && slot.conn->channel().reader().buffered() == 0) {
    BackendPool::KeyId key = slot.pool_key
                                 ? *slot.pool_key
                                 : PoolKey(slot.server(), slot.conn->address(), slot.database);
    pool_->Return(key, std::move(slot.conn));  // (the key first: it reads the connection)
  }
  slot.conn.reset();
}

BackendPool::KeyId ClientSession::PoolKey(const std::string& server, const conf::Endpoint& address,
                                          const std::string& database) {
  CachedPoolKey& cached = pool_keys_[server];
  // A reload may move a server name to another address: the address is part of the key.
  if (!cached.id || cached.database != database || cached.address != address) {
    cached.database = database;
    cached.address = address;
    cached.id = pool_->Intern(BackendPool::KeyParts{
        server, address, user_, login_.client_capabilities, login_.charset, database});
  }
  return *cached.id;
}

void ClientSession::ReleaseBackends() {
  if (!pool_ || PinsBackends()) return;
  SetBackendTarget(nullptr);  // KILL QUERY of this idle session must not reach the next borrower
  ReleaseSlot(master_);
  ReleaseSlot(replica_);
}

void ClientSession::DropReplica() {
  if (!replica_.conn) return;
  CountOnReplica(replica_.server(), false);
  replica_.conn->Close();
  replica_.conn.reset();
  prepared_.ForgetBackend(replica_.serial);
}

net::Task<BackendConnection*> ClientSession::Replica(const ServerView& server) {
  if (replica_.open() && replica_.server() == server.name && replica_.conn->HasUnsolicitedData()) {
    spdlog::info(
        "session {}: replica connection to {} got a packet it did not ask for (killed?); "
        "reconnecting",
        id_, server.name);
    DropReplica();
  }
  if (!replica_.open() || replica_.server() != server.name) {
    DropReplica();
    ConnectOutcome outcome = co_await Open(replica_, server);
    if (!outcome.ok) {
      spdlog::warn("session {}: replica {} unusable: {}", id_, server.name,
                   outcome.server_error ? outcome.server_error->message : outcome.transport_error);
      co_return nullptr;
    }
    CountOnReplica(server.name, true);
  }
  Status replayed = Status::Ok();
  if (!MarkInLine(replica_)) replayed = co_await Replay(replica_);
  if (const Status& s = replayed; !s.ok()) {
    spdlog::warn("session {}: replaying session state on {}: {}", id_, server.name,
                 s.error().message);
    DropReplica();
    co_return nullptr;
  }
  co_return replica_.conn.get();
}

net::Task<ClientSession::InternalResult> ClientSession::RunInternal(BackendConnection& backend,
                                                                    std::string_view sql) {
  wire::Bytes payload;
  payload.reserve(sql.size() + 1);
  wire::PutU8(payload, static_cast<uint8_t>(wire::Command::kQuery));
  wire::PutString(payload, sql);
  co_return co_await RunInternalCommand(backend, payload);
}

net::Task<ClientSession::InternalResult> ClientSession::RunInternalCommand(
    BackendConnection& backend, wire::BytesView payload) {
  InternalResult out;
  wire::Bytes buf;
  wire::AppendPacket(buf, 0, payload);
  if (out.status = co_await backend.channel().Write(buf); !out.status.ok()) co_return out;
  wire::ResponseReader reader(backend.capabilities());
  if (auto started = reader.StartFromCommand(payload); !started.ok()) {
    out.status = started.error();
    co_return out;
  }
  wire::Bytes previous;  // the packet before the current one: the row, when the terminator arrives
  for (;;) {
    auto pkt = co_await backend.channel().ReadPacket();
    if (!pkt.ok()) {
      out.status = pkt.error();
      co_return out;
    }
    uint64_t rows_before = reader.outcome().rows;
    auto step = reader.OnServerPacket(pkt->payload);
    if (!step.ok()) {
      out.status = step.error();
      co_return out;
    }
    if (reader.outcome().rows > rows_before && rows_before == 0) {
      wire::PayloadReader row(pkt->payload, "row");
      if (row.Peek() != 0xFB) out.first_value = std::string(row.LenencString("value"));
    }
    if (*step == wire::ResponseStep::kComplete) break;
    if (*step == wire::ResponseStep::kNeedClientData) {
      out.status = MakeError("unexpected LOCAL INFILE request");
      co_return out;
    }
  }
  out.outcome = reader.TakeOutcome();
  if (out.outcome->status_flags) backend.OnStatusFlags(*out.outcome->status_flags);
  co_return out;
}

net::Task<bool> ClientSession::CausalWait(BackendConnection& replica, const GtidPoint& gtid) {
  double seconds = ctx_.config->routing.causal_wait_ms / 1000.0;
  auto r =
      co_await RunInternal(replica, fmt::format("SELECT MASTER_GTID_WAIT('{}-{}-{}', {:.3f})",
                                                gtid.domain, gtid.server_id, gtid.seq, seconds));
  if (!r.status.ok()) {
    spdlog::info("session {}: causal wait on {} failed: {}", id_, replica.server_name(),
                 r.status.error().message);
    replica.Close();  // mid-response or dead: unusable
  }
  co_return r.status.ok() && r.outcome && !r.outcome->err && r.first_value == "0";
}

void ClientSession::AfterResponse(const wire::ResponseOutcome& outcome, const Classification* c,
                                  std::string_view sql, BackendSlot& slot) {
  if (outcome.status_flags) state_.OnServerStatus(*outcome.status_flags);
  if ((c && (c->kind != StatementKind::kRead || c->must_master)) || outcome.warnings > 0)
    keep_for_next_ = true;
  if (auto gtid = outcome.LastGtid()) {
    if (auto pos = ParseGtidPosition(*gtid); pos && !pos->empty()) state_.OnWriteGtid(pos->back());
  }
  for (const auto& e : outcome.session_state)
    if (e.type == wire::SessionTrackType::kSchema) state_.OnDatabaseChanged(e.value);
  if (c && !outcome.err) {
    state_.OnStatementSucceeded(*c);
    if (c->prepare_name) {
      // PREPARE ... FROM @var has no known text: its EXECUTEs go to the master.
      if (c->prepared && !c->multi_statement)
        state_.OnTextPrepare(*c->prepare_name, std::string(sql), *c->prepared);
      else
        state_.OnTextDeallocate(*c->prepare_name);
    }
    if (c->deallocate_name) state_.OnTextDeallocate(*c->deallocate_name);
  }
  // Statements on this connection kept it in line with the state they changed.
  if (&slot == &master_) {
    slot.applied_generation = state_.generation();
    slot.set_database(state_.database());
  }
  if (!slot.conn)
    previous_server_.clear();
  else if (previous_server_ != slot.server())
    previous_server_ = slot.server();
}

net::Task<void> ClientSession::CommandLoop() {
  for (;;) {
    if (close_requested_) co_return;
    ReleaseBackends();
    busy_ = false;
    idle_deadline_ = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(ctx_.config->limits.idle_timeout_ms);
    ArmIdleTimer();
    // Idle: no read buffer is held while waiting for the next command (memory per client).
    client_.ReleaseBuffer();
    if (client_.IdleWaitNeeded()) {  // the wait for the next command: one awaited read
      size_t n = co_await client_.FillAsync();
      client_.IdleReadDone(n);
    }
    // A command nearly always arrives whole in one read: no coroutine to take it.
    std::optional<Result<wire::Packet>> ready = client_.TryReadPacket();
    if (!ready) ready = co_await client_.ReadPacket();  // (no co_await in ?: with GCC 12)
    Result<wire::Packet>& pkt = *ready;
    if (!pkt.ok()) co_return;  // client went away (or idle timeout / shutdown closed it)
    busy_ = true;
    keep_for_next_ = false;
    if (pkt->payload.empty()) co_return;
    uint8_t cmd = pkt->payload[0];
    uint8_t seq = pkt->last_seq + 1;
    if (cmd == static_cast<uint8_t>(wire::Command::kQuit)) co_return;
    if (cmd == static_cast<uint8_t>(wire::Command::kProcessKill)) {
      auto kill = wire::ComProcessKill::Decode(pkt->payload);
      if (kill.ok())
        co_await HandleKill(kill->connection_id, false, seq);
      else
        co_await SendError(seq, 1047, "08S01", "Unknown command");
    } else if (cmd == static_cast<uint8_t>(wire::Command::kQuery)) {
      co_await HandleQuery(*pkt);
    } else if (cmd == static_cast<uint8_t>(wire::Command::kChangeUser)) {
      co_await HandleChangeUser(*pkt);
    } else if (cmd == static_cast<uint8_t>(wire::Command::kStmtPrepare)) {
      co_await HandleStmtPrepare(*pkt);
    } else if (cmd == static_cast<uint8_t>(wire::Command::kStmtExecute)) {
      co_await HandleStmtExecute(*pkt);
    } else if (wire::CarriesStatementId(static_cast<wire::Command>(cmd))) {
      co_await HandleStmtCommand(*pkt);
    } else {
      co_await HandleOther(*pkt);
    }
    if (!client_.is_open()) co_return;
  }
}

void ClientSession::ArmIdleTimer() {
  if (idle_timer_armed_) return;
  idle_timer_armed_ = true;
  idle_timer_.expires_at(idle_deadline_);
  idle_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->OnIdleTimer();
  });
}

void ClientSession::OnIdleTimer() {
  idle_timer_armed_ = false;
  if (!client_.is_open()) return;
  auto now = std::chrono::steady_clock::now();
  if (!busy_ && now >= idle_deadline_) {
    spdlog::info("session {}: idle for {} ms: closed", id_, ctx_.config->limits.idle_timeout_ms);
    client_.Close();
    return;
  }
  // Busy (a long statement is not idleness): look again one timeout from now.
  if (busy_) idle_deadline_ = now + std::chrono::milliseconds(ctx_.config->limits.idle_timeout_ms);
  ArmIdleTimer();
}

std::optional<std::string_view> ClientSession::CurrentReplica() const {
  if (replica_.open()) return std::string_view(replica_.server());
  return std::nullopt;
}

std::optional<std::string_view> ClientSession::PreviousServer() const {
  if (previous_server_.empty()) return std::nullopt;
  return std::string_view(previous_server_);
}

ClientSession::BackendSlot* ClientSession::SlotBySerial(uint64_t serial) {
  if (master_.open() && master_.serial == serial) return &master_;
  if (replica_.open() && replica_.serial == serial) return &replica_;
  return nullptr;
}

net::Task<void> ClientSession::HandleQuery(const wire::Packet& command) {
  uint8_t seq = command.last_seq + 1;
  std::string_view sql = wire::AsString(command.payload.subspan(1));
  if (auto kill = ParseKill(sql)) {
    co_await HandleKill(kill->id, kill->query_only, seq);
    co_return;
  }
  Classification c = ClassifySql(sql, state_.classify_options());
  const Classification* route_by = &c;
  if (c.execute_name) {  // text-protocol EXECUTE: route by the prepared statement's class
    if (const Classification* inner = state_.TextPrepared(*c.execute_name)) {
      route_by = inner;
      // c.hint of an EXECUTE itself overrides the prepared statement's.
      if (!c.hint.empty()) route_by = &c;
    }
  }
  co_await RouteAndRun(command, c, *route_by, sql, nullptr);
}

net::Task<void> ClientSession::RouteAndRun(const wire::Packet& command,
                                           const Classification& effects,
                                           const Classification& route_by, std::string_view sql,
                                           PreparedStatement* ps) {
  uint8_t seq = command.last_seq + 1;
  const auto started = std::chrono::steady_clock::now();
  if (write_gtid_unknown_ && route_by.kind == StatementKind::kRead && !route_by.must_master &&
      !route_by.depends_on_previous_statement)
    co_await LearnWriteGtid();
  auto topo = ctx_.topology.Get();
  RouteDecision d = Route(RouteInputs{route_by, state_, *topo, ctx_.config->routing,
                                      CurrentReplica(), PreviousServer()},
                          ctx_.balance);
  if (spdlog::should_log(spdlog::level::trace)) {
    spdlog::trace(
        "session {}: {}{} -> {} ({})", id_, ps ? "execute of statement " : "statement",
        ps ? std::to_string(ps->id) : std::string(),
        d.target == RouteTarget::kReplica && d.server ? topo->servers[*d.server].name : "master",
        d.reason);
  }

  ForwardResult r;  // one for both attempts: each co_await result would take frame space
  if (d.target == RouteTarget::kReplica && d.server &&
      co_await RunOnReplica(command, effects, sql, ps, d, *topo, started, r))
    co_return;
  BackendConnection* master = MasterNow();  // in line already: no coroutine on the hot path
  if (!master) master = co_await Master(seq);
  if (!master) co_return;
  if (ps)
    co_await SendPrepared(master_, command, *ps, r);
  else
    co_await Forward(*master, command, r);
  if (r.prepare_refused) {  // the client gets the master's answer to the statement
    co_await SendErrPacket(seq, *r.prepare_refused);
    co_return;
  }
  if (!r.status.ok()) {
    ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("session {}: master {} lost during a statement: {}", id_, master->server_name(),
                 r.status.error().message);
    // A write whose outcome is unknown is never retried; the client got a lost-connection error.
    if (!r.client_saw_bytes)
      co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
    master_.conn.reset();
    co_return;
  }
  ctx_.stats.queries_master.fetch_add(1, std::memory_order_relaxed);
  ctx_.stats.CountQuery(*topo, topo->master);
  ctx_.stats.latency_master.Observe(MicrosSince(started));
  if (ps)
    ps->cursor_backend = r.outcome->cursor_opened ? std::optional(master_.serial) : std::nullopt;
  // SET @x = ? in a prepared statement: the text says nothing of the value; ask the server.
  bool placeholders = false;
  if (ps && !r.outcome->err) {
    for (const auto& a : effects.session.assignments) placeholders |= ValueFromPlaceholder(a);
  }
  if (placeholders)
    co_await AfterResponseReadingBack(*master, *r.outcome, effects, sql);
  else
    AfterResponse(*r.outcome, &effects, sql, master_);
  // Without session tracking on this connection (the client did not negotiate it) the OK
  // carried no GTID: it is asked for (SELECT @@last_gtid) before the next read that may go to a
  // replica, not now, so that ROW_COUNT() & co. still describe the client's own statement.
  if (ctx_.config->routing.read_consistency == conf::ReadConsistency::kSession && !r.outcome->err &&
      route_by.kind != StatementKind::kRead && !state_.in_transaction() && master_.open() &&
      !wire::Has(master_.conn->capabilities(), wire::cap::kSessionTrack)) {
    write_gtid_unknown_ = true;
  }
}

net::Task<bool> ClientSession::RunOnReplica(const wire::Packet& command,
                                            const Classification& effects, std::string_view sql,
                                            PreparedStatement* ps, const RouteDecision& d,
                                            const Topology& topo,
                                            std::chrono::steady_clock::time_point started,
                                            ForwardResult& r) {
  uint8_t seq = command.last_seq + 1;
  const ServerView& server = topo.servers[*d.server];
  // Counted in flight from routing on: maintenance drains it before pausing this replica.
  ProxyStats::InFlight in_flight(ctx_.stats, server.name);
  BackendConnection* replica = ReplicaNow(server);  // in line already: no coroutine
  if (!replica) replica = co_await Replica(server);
  if (replica && d.causal_wait && state_.last_write_gtid())
    ctx_.stats.causal_waits.fetch_add(1, std::memory_order_relaxed);
  if (replica && d.causal_wait && state_.last_write_gtid() &&
      !co_await CausalWait(*replica, *state_.last_write_gtid())) {
    if (!replica_.open() || replica_.conn->HasUnsolicitedData()) {
      replica = nullptr;  // the wait failed on a broken connection
      DropReplica();
    }
    spdlog::debug("session {}: {} has not applied {}-{}-{} within {} ms; read goes to the master",
                  id_, server.name, state_.last_write_gtid()->domain,
                  state_.last_write_gtid()->server_id, state_.last_write_gtid()->seq,
                  ctx_.config->routing.causal_wait_ms);
    ctx_.stats.causal_fallbacks.fetch_add(1, std::memory_order_relaxed);
    replica = nullptr;
  }
  if (replica) {
    if (ps)
      co_await SendPrepared(replica_, command, *ps, r);
    else
      co_await Forward(*replica_.conn, command, r);
    if (r.prepare_refused) {
      // The replica cannot prepare it (a table it does not have yet...): the master decides.
      spdlog::debug("session {}: {} refused to prepare statement {}: {}", id_, server.name,
                    ps ? ps->id : 0, r.prepare_refused->message);
    } else if (r.status.ok()) {
      ctx_.stats.queries_replica.fetch_add(1, std::memory_order_relaxed);
      ctx_.stats.CountQuery(topo, d.server);
      ctx_.stats.latency_replica.Observe(MicrosSince(started));
      if (effects.txn == TxnOp::kBeginReadOnly && r.outcome && !r.outcome->err)
        state_.PinReadOnlyTransaction(server.name);
      if (ps)
        ps->cursor_backend =
            r.outcome->cursor_opened ? std::optional(replica_.serial) : std::nullopt;
      AfterResponse(*r.outcome, &effects, sql, replica_);
      co_return true;
    } else {
      ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("session {}: replica {} failed during a read: {}", id_, server.name,
                   r.status.error().message);
      DropReplica();
      if (r.client_saw_bytes || state_.read_only_txn_replica()) {
        // Rows already reached the client, or a transaction was open there: cannot retry.
        state_.UnpinReadOnlyTransaction();
        co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
        co_return true;
      }
      // Nothing reached the client yet: a read is safe to run again, once, on the master.
      ctx_.stats.read_retries.fetch_add(1, std::memory_order_relaxed);
    }
  }
  co_return false;
}

net::Task<void> ClientSession::LearnWriteGtid() {
  write_gtid_unknown_ = false;
  if (!master_.open()) co_return;
  auto g = co_await RunInternal(*master_.conn, "SELECT @@last_gtid");
  if (g.first_value) {
    if (auto pos = ParseGtidPosition(*g.first_value); pos && !pos->empty())
      state_.OnWriteGtid(pos->back());
  }
}

net::Task<void> ClientSession::AfterResponseReadingBack(BackendConnection& backend,
                                                        const wire::ResponseOutcome& outcome,
                                                        const Classification& c,
                                                        std::string_view sql) {
  Classification known = c;
  for (auto& a : known.session.assignments) {
    if (!ValueFromPlaceholder(a)) continue;
    using Scope = VariableAssignment::Scope;
    if (a.scope != Scope::kUser && a.scope != Scope::kSession) continue;
    std::string quoted = "`";
    for (char ch : a.name) quoted += ch == '`' ? std::string("``") : std::string(1, ch);
    quoted += "`";
    auto r = co_await RunInternal(
        backend, a.scope == Scope::kUser ? "SELECT @" + quoted : "SELECT @@session." + quoted);
    if (!r.status.ok() || !r.outcome || r.outcome->err) {
      // Unknown value: reads of it stay on the master (see SessionState::user_vars_replayable).
      a.value = "NULL";
      a.value_is_constant = false;
      continue;
    }
    a.value = SqlLiteral(r.first_value);
    a.value_is_constant = true;
  }
  AfterResponse(outcome, &known, sql, master_);
}

net::Task<void> ClientSession::HandleStmtPrepare(const wire::Packet& command) {
  uint8_t seq = command.last_seq + 1;
  std::string sql(wire::AsString(command.payload.subspan(1)));
  Classification c = ClassifySql(sql, state_.classify_options());
  auto topo = ctx_.topology.Get();
  RouteDecision d =
      Route(RouteInputs{c, state_, *topo, ctx_.config->routing, CurrentReplica(), PreviousServer()},
            ctx_.balance);
  uint32_t client_id = prepared_.ReserveId();
  // A read prepares on the replica its EXECUTE would most likely run on. If that replica has not
  // applied the session's last write (a table just created...) the master prepares it instead.
  if (d.target == RouteTarget::kReplica && d.server && !d.causal_wait) {
    const ServerView& server = topo->servers[*d.server];
    if (co_await Replica(server)) {
      ForwardResult r;
      co_await Forward(*replica_.conn, command, r, client_id);
      if (r.status.ok()) {
        if (r.outcome && r.outcome->prepare) {
          const wire::PrepareOk& p = *r.outcome->prepare;
          prepared_.Add(client_id, std::move(sql), std::move(c), p.num_params, p.num_columns,
                        replica_.serial, p.statement_id);
        }
        co_return;
      }
      ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("session {}: replica {} failed during a prepare: {}", id_, server.name,
                   r.status.error().message);
      DropReplica();
      if (r.client_saw_bytes) {
        co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
        co_return;
      }
    }
  }
  BackendConnection* master = co_await Master(seq);
  if (!master) co_return;
  ForwardResult r;
  co_await Forward(*master, command, r, client_id);
  if (!r.status.ok()) {
    ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
    if (!r.client_saw_bytes)
      co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
    master_.conn.reset();
    co_return;
  }
  if (r.outcome && r.outcome->prepare) {
    const wire::PrepareOk& p = *r.outcome->prepare;
    prepared_.Add(client_id, std::move(sql), std::move(c), p.num_params, p.num_columns,
                  master_.serial, p.statement_id);
  }
}

net::Task<void> ClientSession::HandleStmtExecute(const wire::Packet& command) {
  uint8_t seq = command.last_seq + 1;
  auto id = wire::PeekStatementId(command.payload);
  PreparedStatement* ps = id.ok() ? prepared_.Find(*id) : nullptr;
  if (!ps) {
    co_await SendError(
        seq, 1243, "HY000",
        fmt::format("Unknown prepared statement handler ({}) given to mysqld_stmt_execute",
                    id.ok() ? *id : 0));
    co_return;
  }
  auto layout = FindExecuteTypes(command.payload, ps->num_params);
  if (!layout.ok()) {
    co_await SendError(seq, 1835, "HY000", "Malformed communication packet.");
    co_return;
  }
  if (layout->new_params_bound) {  // the types every later EXECUTE without types relies on
    ps->param_types.assign(layout->types.begin(), layout->types.end());
    ++ps->types_version;
  }
  uint32_t ps_id = ps->id;
  co_await RouteAndRun(command, ps->classification, ps->classification, ps->sql, ps);
  // The long data went with this EXECUTE (kept until now in case a replica failed and the
  // statement ran again on the master).
  if (PreparedStatement* after = prepared_.Find(ps_id)) {
    after->long_data.clear();
    after->long_data_bytes = 0;
  }
}

net::Task<void> ClientSession::HandleStmtCommand(const wire::Packet& command) {
  uint8_t seq = command.last_seq + 1;
  auto cmd = static_cast<wire::Command>(command.payload[0]);
  auto id = wire::PeekStatementId(command.payload);
  PreparedStatement* ps = id.ok() ? prepared_.Find(*id) : nullptr;
  switch (cmd) {
    case wire::Command::kStmtSendLongData:
      // No response. Kept until the next EXECUTE, which decides the backend. A statement the
      // proxy does not know gets its error at that EXECUTE, as from a server.
      if (ps && command.payload.size() >= 7) {
        ps->long_data.emplace_back(command.payload.begin(), command.payload.end());
        ps->long_data_bytes += command.payload.size();
      }
      co_return;
    case wire::Command::kStmtClose:  // no response; closed on every backend that prepared it
      if (!ps) co_return;
      for (const auto& [serial, on] : ps->backends) {
        BackendSlot* slot = SlotBySerial(serial);
        if (!slot) continue;
        auto payload = WithStatementId(command.payload, on.statement_id);
        if (!payload.ok()) continue;
        wire::Bytes buf;
        wire::AppendPacket(buf, 0, *payload);
        if (!(co_await slot->conn->channel().Write(buf)).ok()) slot->conn->Close();
      }
      prepared_.Remove(ps->id);
      co_return;
    case wire::Command::kStmtReset:
    case wire::Command::kStmtFetch: {
      const char* fn = cmd == wire::Command::kStmtReset ? "mysqld_stmt_reset" : "mysqld_stmt_fetch";
      if (!ps) {
        co_await SendError(seq, 1243, "HY000",
                           fmt::format("Unknown prepared statement handler ({}) given to {}",
                                       id.ok() ? *id : 0, fn));
        co_return;
      }
      if (cmd == wire::Command::kStmtReset) {
        ps->long_data.clear();
        ps->long_data_bytes = 0;
      }
      // The cursor lives on the backend that ran the EXECUTE: FETCH and RESET go there.
      BackendSlot* slot = ps->cursor_backend ? SlotBySerial(*ps->cursor_backend) : nullptr;
      if (!slot) {
        if (cmd == wire::Command::kStmtFetch) {
          co_await SendError(seq, 1421, "HY000",
                             fmt::format("The statement ({}) has no open cursor.", ps->id));
        } else {
          wire::OkPacket ok;  // nothing to reset on any backend: long data lives in the proxy
          ok.status_flags =
              static_cast<uint16_t>((state_.autocommit() ? wire::status::kAutocommit : 0) |
                                    (state_.in_transaction() ? wire::status::kInTrans : 0));
          wire::Bytes buf;
          wire::AppendPacket(buf, seq, ok.Encode(client_caps_));
          (void)co_await client_.Write(buf);
        }
        co_return;
      }
      if (cmd == wire::Command::kStmtReset) ps->cursor_backend.reset();
      auto payload = WithStatementId(command.payload, ps->backends[slot->serial].statement_id);
      if (!payload.ok()) {
        co_await SendError(seq, 1835, "HY000", "Malformed communication packet.");
        co_return;
      }
      ForwardResult r;
      co_await ForwardPayload(*slot->conn, *payload, r);
      if (!r.status.ok()) {
        ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
        if (!r.client_saw_bytes)
          co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
        if (slot == &replica_)
          DropReplica();
        else
          master_.conn.reset();
        co_return;
      }
      if (r.outcome && r.outcome->status_flags && slot == &master_)
        state_.OnServerStatus(*r.outcome->status_flags);
      co_return;
    }
    default:  // COM_STMT_BULK_EXECUTE: never negotiated (no MariaDB extended capabilities)
      co_await SendError(seq, 1047, "08S01", "Unknown command");
      co_return;
  }
}

net::Task<void> ClientSession::SendPrepared(BackendSlot& slot, const wire::Packet& command,
                                            PreparedStatement& prepared, ForwardResult& result) {
  PreparedStatement* ps = &prepared;
  result = ForwardResult{};
  auto on = ps->backends.find(slot.serial);
  if (on == ps->backends.end()) {  // first EXECUTE here since this connection opened: prepare
    wire::Bytes prepare;
    wire::PutU8(prepare, static_cast<uint8_t>(wire::Command::kStmtPrepare));
    wire::PutString(prepare, ps->sql);
    InternalResult p = co_await RunInternalCommand(*slot.conn, prepare);
    if (!p.status.ok()) {
      result.status = p.status;
      co_return;
    }
    if (p.outcome->err || !p.outcome->prepare) {
      result.prepare_refused = p.outcome->err ? *p.outcome->err : wire::ErrPacket{};
      co_return;
    }
    on =
        ps->backends
            .emplace(slot.serial, PreparedStatement::OnBackend{p.outcome->prepare->statement_id, 0})
            .first;
  }
  // Long data first (no responses), then the EXECUTE with this backend's id, binding the types the
  // client bound earlier if this backend has not seen them.
  wire::Bytes out;
  for (const auto& chunk : ps->long_data) {
    auto payload = WithStatementId(chunk, on->second.statement_id);
    if (payload.ok()) wire::AppendPacket(out, 0, *payload);
  }
  if (!out.empty()) {
    if (Status s = co_await slot.conn->channel().Write(out); !s.ok()) {
      result.status = s;
      co_return;
    }
  }
  bool bind = ps->types_version != 0 && on->second.types_version != ps->types_version;
  auto payload = ExecuteForBackend(command.payload, ps->num_params, on->second.statement_id, bind,
                                   ps->param_types);
  if (!payload.ok()) {
    result.status = payload.error();
    co_return;
  }
  on->second.types_version = ps->types_version;
  co_await ForwardPayload(*slot.conn, *payload, result);
}

net::Task<void> ClientSession::ForwardPayload(BackendConnection& backend, wire::BytesView payload,
                                              ForwardResult& result) {
  wire::Bytes raw;
  uint8_t next = wire::AppendPacket(raw, 0, payload);
  wire::Packet packet;
  packet.seq = 0;
  packet.last_seq = static_cast<uint8_t>(next - 1);
  packet.payload = payload;
  packet.raw = raw;
  packet.frame_count = raw.size() / (wire::kMaxFramePayload + wire::kFrameHeaderSize) + 1;
  co_await Forward(backend, packet, result);
}

net::Task<void> ClientSession::HandleOther(const wire::Packet& command) {
  uint8_t seq = command.last_seq + 1;
  uint8_t cmd = command.payload[0];
  BackendConnection* master = co_await Master(seq);
  if (!master) co_return;
  ForwardResult r;
  co_await Forward(*master, command, r);
  if (!r.status.ok()) {
    ctx_.stats.backend_errors.fetch_add(1, std::memory_order_relaxed);
    if (!r.client_saw_bytes)
      co_await SendError(seq, 2013, "HY000", "Lost connection to MySQL server during query");
    master_.conn.reset();
    co_return;
  }
  ctx_.stats.queries_master.fetch_add(1, std::memory_order_relaxed);
  if (auto t = ctx_.topology.Get()) ctx_.stats.CountQuery(*t, t->master);
  if (!r.outcome) co_return;  // no response (COM_STMT_CLOSE, SEND_LONG_DATA)
  if (cmd == static_cast<uint8_t>(wire::Command::kInitDb) && !r.outcome->err) {
    state_.OnDatabaseChanged(std::string(wire::AsString(command.payload.subspan(1))));
  }
  if (cmd == static_cast<uint8_t>(wire::Command::kResetConnection) && !r.outcome->err) {
    std::string db = state_.database();
    state_ = SessionState{};
    state_.OnDatabaseChanged(db);
    prepared_.Clear();  // the server closed them; the replica connection goes with its own
    DropReplica();
  }
  if (cmd == static_cast<uint8_t>(wire::Command::kSetOption)) DropReplica();
  AfterResponse(*r.outcome, nullptr, {}, master_);
}

net::Task<void> ClientSession::Forward(BackendConnection& backend, const wire::Packet& command,
                                       ForwardResult& result,
                                       std::optional<uint32_t> prepare_client_id) {
  result = ForwardResult{};
  SetBackendTarget(&backend);
  const uint64_t epoch_at_send = ctx_.topology->epoch;
  wire::BytesView request = command.raw;
  std::optional<Status> sent = backend.channel().TryWrite(request);  // no coroutine if it fits
  if (!sent) sent = co_await backend.channel().Write(request);
  if (!sent->ok()) {
    result.status = std::move(*sent);
    co_return;
  }
  wire::ResponseReader& reader = backend.response_reader();
  auto started = reader.StartFromCommand(command.payload);
  if (!started.ok()) {
    result.status = started.error();
    co_return;
  }
  ResponseProgress progress{*started, static_cast<uint8_t>(command.last_seq + 1)};
  net::PacketChannel& server = backend.channel();
  while (progress.step != wire::ResponseStep::kComplete) {
    if (progress.step == wire::ResponseStep::kNeedClientData) {
      co_await ForwardClientData(backend, progress, result);  // LOCAL INFILE
      if (!result.status.ok()) co_return;
      continue;
    }
    // Forward every complete frame already buffered in one write, without copying: the frames
    // are contiguous in the reader's buffer.
    const uint8_t* begin = nullptr;
    const uint8_t* end = nullptr;
    while (progress.step == wire::ResponseStep::kNeedMore) {
      auto frame = server.reader().NextFrame();
      if (!frame) break;
      if (!begin) begin = frame->raw.data();
      end = frame->raw.data() + frame->raw.size();
      progress.next_seq = frame->seq + 1;
      auto st = reader.OnServerFrame(frame->payload);
      if (!st.ok()) {
        result.status = st.error();
        co_return;
      }
      progress.step = *st;
    }
    if (begin) {
      wire::BytesView batch(begin, end - begin);
      wire::Bytes patched;
      if (prepare_client_id && !result.client_saw_bytes && batch.size() >= 9 && batch[4] == 0x00) {
        // COM_STMT_PREPARE_OK: the client gets the proxy's statement id, not this backend's.
        patched.assign(batch.begin(), batch.end());
        for (int i = 0; i < 4; ++i)
          patched[5 + i] = static_cast<uint8_t>(*prepare_client_id >> (8 * i));
        batch = patched;
      }
      if (AnsweredAfterReplacement(backend, epoch_at_send, result)) co_return;
      result.client_saw_bytes = true;
      std::optional<Status> written = client_.TryWrite(batch);  // no coroutine if it fits
      if (!written) written = co_await client_.Write(batch);
      if (!written->ok()) {
        ClientLost(backend, std::move(*written), result);
        co_return;
      }
      continue;
    }
    // A row frame larger than the read buffer streams through in pieces instead of being
    // buffered whole (a 16 MiB frame would otherwise cost 16 MiB per session).
    auto header = server.reader().PeekFrameHeader();
    const bool large = header && header->payload_length > kStreamFrameBytes;
    if (large && server.reader().buffered() > wire::kFrameHeaderSize) {
      uint8_t first = server.reader().buffered_bytes()[wire::kFrameHeaderSize];
      if (auto st = reader.OnLargeServerFrame(header->payload_length, first)) {
        if (AnsweredAfterReplacement(backend, epoch_at_send, result)) co_return;
        co_await StreamLargeFrame(backend, *header, result);
        if (!result.status.ok()) co_return;
        progress = {*st, static_cast<uint8_t>(header->seq + 1)};
        continue;
      }
    }
    // A large frame's first payload byte decides whether it can stream: read on without making
    // room for all of it until then.
    const bool whole_frame = !large || server.reader().buffered() > wire::kFrameHeaderSize;
    std::optional<Status> filled = server.FillNow(whole_frame);  // Fill() without its own frame
    if (!filled) {
      size_t n = co_await server.FillAsync();
      filled = server.FillDone(n);
    }
    if (Status& s = *filled; !s.ok()) {
      if (result.client_saw_bytes)  // ends the half-sent response with a proper error
        co_await SendError(progress.next_seq, 2013, "HY000",
                           "Lost connection to MySQL server during query");
      result.status = s;
      co_return;
    }
  }
  result.outcome = reader.TakeOutcome();
  if (result.outcome->status_flags) backend.OnStatusFlags(*result.outcome->status_flags);
  server.ShrinkBuffer();  // the connection goes idle: it need not hold a large receive buffer
}

net::Task<void> ClientSession::ForwardClientData(BackendConnection& backend,
                                                 ResponseProgress& progress,
                                                 ForwardResult& result) {
  // LOCAL INFILE data: client frames go to the server as they are.
  auto frame = co_await client_.ReadFrame();
  if (!frame.ok()) {
    result.status = frame.error();
    co_return;
  }
  if (Status s = co_await backend.channel().Write(frame->raw); !s.ok()) {
    result.status = s;
    co_return;
  }
  auto st = backend.response_reader().OnClientFrame(frame->payload);
  if (!st.ok()) {
    result.status = st.error();
    co_return;
  }
  progress = {*st, static_cast<uint8_t>(frame->seq + 1)};
}

net::Task<void> ClientSession::StreamLargeFrame(BackendConnection& backend,
                                                const wire::FrameHeader& header,
                                                ForwardResult& result) {
  net::PacketChannel& server = backend.channel();
  result.client_saw_bytes = true;
  size_t remaining = wire::kFrameHeaderSize + header.payload_length;
  for (;;) {
    wire::BytesView piece = server.reader().buffered_bytes();
    piece = piece.first(std::min(piece.size(), remaining));
    if (Status s = co_await client_.Write(piece); !s.ok()) {
      ClientLost(backend, std::move(s), result);
      co_return;
    }
    server.reader().Consume(piece.size());
    remaining -= piece.size();
    if (remaining == 0) co_return;
    if (Status s = co_await server.Fill(/*whole_frame=*/false); !s.ok()) {
      // No packet can follow half a frame: the client sees its connection end, as from a
      // dying server (its connector reports 2013 itself).
      client_.Close();
      result.status = s;
      co_return;
    }
  }
}

bool ClientSession::AnsweredAfterReplacement(BackendConnection& backend, uint64_t epoch_at_send,
                                             ForwardResult& result) {
  // Before the first byte reaches the client: a master that answers after it was replaced (a
  // hung master resuming after a failover commits what it had buffered) would acknowledge a
  // write the new master does not have. The outcome is reported unknown instead.
  if (result.client_saw_bytes || &backend != master_.conn.get()) return false;
  const Topology* now = ctx_.topology.operator->();
  if (now->epoch == epoch_at_send ||
      (now->Master() && now->Master()->name == backend.server_name()))
    return false;
  spdlog::warn(
      "session {}: {} answered after it was replaced as master (epoch {} -> {}): "
      "outcome reported unknown",
      id_, backend.server_name(), epoch_at_send, now->epoch);
  backend.Close();
  result.status = MakeError(backend.server_name() + " was replaced as master during the statement");
  return true;
}

void ClientSession::ClientLost(BackendConnection& backend, Status why, ForwardResult& result) {
  // The client is gone: the backend connection is mid-response and cannot be reused.
  backend.Close();
  client_.Close();
  result.status = std::move(why);
}

net::Task<void> ClientSession::HandleChangeUser(const wire::Packet& command) {
  // The client's token answers the proxy's scramble, so the proxy authenticates it and then
  // opens fresh backend connections as the new user (COM_CHANGE_USER resets the session anyway).
  uint8_t seq = command.last_seq + 1;
  auto cu = wire::ComChangeUser::Decode(command.payload, client_caps_);
  if (!cu.ok()) {
    co_await SendError(seq, 1047, "08S01", "Unknown command");
    co_return;
  }
  std::string user = cu->user;
  wire::Bytes token = cu->auth_response;
  std::string db = cu->database;
  uint8_t charset = static_cast<uint8_t>(cu->charset);
  const std::string& plugin = cu->auth_plugin_name;
  if (!plugin.empty() && plugin != kNative) {
    wire::AuthSwitchRequest sw;
    sw.plugin_name = std::string(kNative);
    scramble_ = wire::GenerateScramble();
    sw.plugin_data = scramble_;
    sw.plugin_data.push_back(0);
    wire::Bytes buf;
    wire::AppendPacket(buf, seq, sw.Encode());
    if (!(co_await client_.Write(buf)).ok()) co_return;
    auto answer = co_await client_.ReadPacket();
    if (!answer.ok()) co_return;
    seq = answer->last_seq + 1;
    token.assign(answer->payload.begin(), answer->payload.end());
  }
  auto creds = ctx_.users.Verify(user, token, scramble_);
  if (!creds) {
    ctx_.stats.auth_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("session {}: COM_CHANGE_USER: access denied for user '{}' from {}", id_, user,
                 peer_);
    co_await SendErrPacket(seq, wire::ErrPacket::AccessDenied(user, peer_, !token.empty()));
    client_.Close();  // like the server: a failed change-user ends the connection
    co_return;
  }
  user_ = user;
  pool_keys_.clear();
  login_.credentials = *creds;
  login_.charset = charset;
  state_ = SessionState{};
  state_.OnDatabaseChanged(db);
  prepared_.Clear();
  DropReplica();
  if (master_.conn) master_.conn->Close();
  master_.conn.reset();
  if (!co_await Master(seq)) co_return;
  co_await SendOk(seq);
}

net::Task<void> ClientSession::HandleKill(uint32_t target_id, bool query_only, uint8_t seq) {
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
      spdlog::info("session {}: KILL {}{} -> {} thread {}", id_, query_only ? "QUERY " : "",
                   target_id, where->server, where->thread_id);
    }
    killer.Close();
  }
  co_await SendOk(seq);
}

}  // namespace switchyard::proxy
