// ClientSession: one application connection. Authenticates the client (proxy as server),
// opens backend connections (proxy as client) and forwards each command, streaming the
// response back frame by frame. Lives entirely on one io thread; owned by its coroutine.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "net/packet_channel.h"
#include "proxy/backend_connection.h"
#include "proxy/backend_pool.h"
#include "proxy/live_config.h"
#include "proxy/prepared_statements.h"
#include "proxy/proxy_stats.h"
#include "proxy/router.h"
#include "proxy/session_registry.h"
#include "proxy/session_state.h"
#include "proxy/topology.h"
#include "proxy/user_directory.h"
#include "wire/response_reader.h"

namespace switchyard::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Services shared by every session (thread-safe or immutable).
struct ProxyContext {
  const LiveConfig& config;  // hot-reloadable: read it per use (ctx.config->routing)
  const UserDirectory& users;
  TopologyHolder& topology;
  SessionRegistry& registry;
  ProxyStats& stats;
  LoadBalanceCounters& balance;
  asio::ssl::context* tls = nullptr;          // client-side TLS; null when not configured
  asio::ssl::context* backend_tls = nullptr;  // toward backends; null when off
};

class ClientSession : public SessionHandle, public std::enable_shared_from_this<ClientSession> {
 public:
  // `pool`: the backend pool of the session's io thread; null without multiplexing.
  ClientSession(net::Socket socket, ProxyContext& ctx, uint32_t id, BackendPool* pool = nullptr);
  ~ClientSession() override;

  net::Task<void> Run();

  std::optional<BackendTarget> CurrentBackend() const override;
  const std::string& user() const override { return user_; }
  void RequestClose() override;

 private:
  // One backend connection of the session and how much of the session state it has seen.
  struct BackendSlot {
    std::unique_ptr<BackendConnection> conn;
    uint64_t serial = 0;  // unique per connection in this session (prepared statement ids)
    uint64_t applied_generation = 0;
    std::string database;  // the database the connection is in
    // The pool key it was borrowed or opened under, while its connection and database are the
    // same (then it goes back under that key without a lookup).
    std::optional<BackendPool::KeyId> pool_key;
    void set_database(const std::string& db) {
      if (database == db) return;
      database = db;
      pool_key.reset();
    }
    bool open() const { return conn && conn->is_open(); }
    const std::string& server() const { return conn->server_name(); }
  };
  // Result of forwarding one command.
  struct ForwardResult {
    Status status;                  // transport failure (backend lost) if not ok
    bool client_saw_bytes = false;  // some of the response already reached the client
    std::optional<wire::ResponseOutcome> outcome;
    // A lazy COM_STMT_PREPARE was refused by this backend (nothing reached the client).
    std::optional<wire::ErrPacket> prepare_refused;
  };

  net::Task<bool> Handshake();
  // While the master is unreachable or being replaced, a replica checks the login (database,
  // identity) instead, so read-only work starts at once; writes then wait for a master like any
  // statement. null: the master is fine, no replica qualifies or it failed (the caller goes to
  // the master). `refused`: the replica refused the login and the client got the error.
  net::Task<BackendConnection*> LoginOnReplica(uint8_t seq, bool& refused);
  net::Task<void> CommandLoop();
  net::Task<void> HandleQuery(const wire::Packet& command);
  net::Task<void> HandleOther(const wire::Packet& command);
  // Routes one statement (COM_QUERY, or COM_STMT_EXECUTE of `ps`) by `route_by` and the session
  // state, runs it, and records its effects (`effects`) in the session.
  net::Task<void> RouteAndRun(const wire::Packet& command, const Classification& effects,
                              const Classification& route_by, std::string_view sql,
                              PreparedStatement* ps);
  // Binary protocol: the proxy owns the statement ids the client sees (prepared_statements.h).
  net::Task<void> HandleStmtPrepare(const wire::Packet& command);
  net::Task<void> HandleStmtExecute(const wire::Packet& command);
  net::Task<void> HandleStmtCommand(const wire::Packet& command);
  // Sends a statement command of `prepared` to `slot`, retargeted to the slot's own statement id
  // (preparing it there first, sending buffered long data), and streams the response.
  net::Task<void> SendPrepared(BackendSlot& slot, const wire::Packet& command,
                               PreparedStatement& prepared, ForwardResult& result);
  // Sends one command to `backend` and streams its response to the client. With
  // `prepare_client_id`, the COM_STMT_PREPARE_OK reaches the client with that statement id.
  // The result is written into the caller's `result` rather than returned: a returned result
  // would be a copy in each coroutine frame on the way (frames are heap blocks per statement).
  net::Task<void> Forward(BackendConnection& backend, const wire::Packet& command,
                          ForwardResult& result,
                          std::optional<uint32_t> prepare_client_id = std::nullopt);
  // Where a response being forwarded stands: the reader's step and the seq the client expects
  // next from the server.
  struct ResponseProgress {
    wire::ResponseStep step;
    uint8_t next_seq;
  };
  // Forward's cold paths, in frames of their own (Forward's frame, allocated per statement,
  // stays small): LOCAL INFILE data from the client, a row frame too large to buffer whole.
  net::Task<void> ForwardClientData(BackendConnection& backend, ResponseProgress& progress,
                                    ForwardResult& result);
  net::Task<void> StreamLargeFrame(BackendConnection& backend, const wire::FrameHeader& header,
                                   ForwardResult& result);
  bool AnsweredAfterReplacement(BackendConnection& backend, uint64_t epoch_at_send,
                                ForwardResult& result);
  void ClientLost(BackendConnection& backend, Status why, ForwardResult& result);
  // Sends a statement command built by the proxy (framed from seq 0), streaming the response.
  net::Task<void> ForwardPayload(BackendConnection& backend, wire::BytesView payload,
                                 ForwardResult& result);
  BackendSlot* SlotBySerial(uint64_t serial);
  // Route inputs that depend on the session's connections.
  std::optional<std::string_view> CurrentReplica() const;
  std::optional<std::string_view> PreviousServer() const;
  // The master connection, (re)connected to the current master and in line with the session.
  net::Task<BackendConnection*> Master(uint8_t client_seq_next, bool report_to_client = true);
  // Master() when nothing needs waiting for (the slot's connection, or an idle pooled one, in
  // line with the session); null otherwise: then Master() does the rest.
  BackendConnection* MasterNow();
  // The slot's connection already has the session's state (nothing to replay): marks it so.
  bool MarkInLine(BackendSlot& slot);
  // A connection to replica `server`, in line with the session; null if it cannot be used.
  net::Task<BackendConnection*> Replica(const ServerView& server);
  // Replica() when nothing needs waiting for, like MasterNow(); null: Replica() does the rest.
  BackendConnection* ReplicaNow(const ServerView& server);
  net::Task<ConnectOutcome> Open(BackendSlot& slot, const ServerView& server);
  // Open()'s synchronous part: an idle pooled connection to `server` into `slot`, if any.
  bool TakePooled(BackendSlot& slot, const ServerView& server);
  // Empties `slot` for a new connection (closing the old one; its prepared statements go).
  void ResetSlot(BackendSlot& slot);
  // Counts a session on `server` for the least-sessions balancing (CountOnReplica(false) undoes).
  void CountOnReplica(const std::string& server, bool on);
  net::Task<Status> Replay(BackendSlot& slot);
  // Runs a statement of the proxy's own on `backend`; the response is consumed, not forwarded.
  struct InternalResult {
    Status status;
    std::optional<wire::ResponseOutcome> outcome;
    std::optional<std::string> first_value;  // first column of the first row, if any
  };
  net::Task<InternalResult> RunInternal(BackendConnection& backend, std::string_view sql);
  // Same for any command payload (COM_STMT_PREPARE of a lazy prepare).
  net::Task<InternalResult> RunInternalCommand(BackendConnection& backend, wire::BytesView payload);
  // AfterResponse for a prepared statement's SET ... = ? assignments: with the values the server
  // now holds (read back on `backend`), so that the session state can be replayed as text.
  net::Task<void> AfterResponseReadingBack(BackendConnection& backend,
                                           const wire::ResponseOutcome& outcome,
                                           const Classification& c, std::string_view sql);
  net::Task<bool> CausalWait(BackendConnection& replica, const GtidPoint& gtid);
  void AfterResponse(const wire::ResponseOutcome& outcome, const Classification* c,
                     std::string_view sql, BackendSlot& slot);
  void DropReplica();
  // Idle timeout without a timer per command: CommandLoop moves idle_deadline_ forward, and the
  // one timer, when it fires, closes the session or re-arms for the deadline it finds.
  void ArmIdleTimer();
  void OnIdleTimer();
  // Multiplexing: gives the backend connections back to the pool when nothing pins them to this
  // session (see SessionState::pins_connection); called between commands.
  void ReleaseBackends();
  void ReleaseSlot(BackendSlot& slot);
  // The pool key of this session's connections to `server` in `database` (built once per
  // server and database, not per statement).
  BackendPool::KeyId PoolKey(const std::string& server, const conf::Endpoint& address,
                             const std::string& database);
  bool PinsBackends() const;
  // The replica part of RouteAndRun (in a frame of its own, only for reads routed to a
  // replica): true when the statement got its answer there (or a final error), false when it
  // goes to the master after all (causal wait timed out, replica lost before any byte...).
  net::Task<bool> RunOnReplica(const wire::Packet& command, const Classification& effects,
                               std::string_view sql, PreparedStatement* ps, const RouteDecision& d,
                               const Topology& topo, std::chrono::steady_clock::time_point started,
                               ForwardResult& r);
  net::Task<void> LearnWriteGtid();
  net::Task<void> HandleKill(uint32_t target, bool query_only, uint8_t seq);
  net::Task<void> HandleChangeUser(const wire::Packet& command);
  net::Task<void> SendError(uint8_t seq, uint16_t code, std::string_view sql_state,
                            std::string message);
  // An ERR as it is (a server's refusal, or one built by SendError).
  net::Task<void> SendErrPacket(uint8_t seq, const wire::ErrPacket& err);
  net::Task<void> SendOk(uint8_t seq);
  void SetBackendTarget(const BackendConnection* b);

  net::PacketChannel client_;
  ProxyContext& ctx_;
  uint32_t id_;
  std::string user_;
  std::string peer_;
  wire::Capabilities client_caps_ = 0;
  wire::Bytes scramble_;  // the last scramble sent to the client (COM_CHANGE_USER uses it)
  BackendLogin login_;
  BackendSlot master_;
  BackendSlot replica_;
  SessionState state_;
  PreparedStatements prepared_;
  BackendPool* pool_ = nullptr;
  struct CachedPoolKey {
    std::string database;
    conf::Endpoint address;
    std::optional<BackendPool::KeyId> id;
  };
  std::map<std::string, CachedPoolKey, std::less<>> pool_keys_;  // by server name
  // The last statement's connection stays for the next one: it wrote (LAST_INSERT_ID,
  // ROW_COUNT) or left warnings (SHOW WARNINGS) that the next statement may ask about.
  bool keep_for_next_ = false;
  // A write's GTID is still to be read from the master connection (no session tracking there).
  bool write_gtid_unknown_ = false;
  uint64_t next_serial_ = 1;
  std::string previous_server_;

  mutable std::mutex target_mu_;                 // guards target_ (read by KILL from other threads)
  std::shared_ptr<const BackendTarget> target_;  // the last backend; valid while target_active_
  std::atomic<bool> target_active_{false};
  std::atomic<bool> close_requested_{false};
  bool busy_ = false;
  net::Timer idle_timer_;
  std::chrono::steady_clock::time_point idle_deadline_{};
  bool idle_timer_armed_ = false;
};

// Capabilities the proxy offers clients. Never COMPRESS or MariaDB extensions we do not speak.
wire::Capabilities ServerCapabilities(bool tls);
// The greeting's server version: MariaDB-compatible prefix so connectors enable MariaDB paths.
inline constexpr std::string_view kServerVersion = "5.5.5-10.11.19-MariaDB-switchyard";

}  // namespace switchyard::proxy
