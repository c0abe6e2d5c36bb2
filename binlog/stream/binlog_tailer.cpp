#include "binlog/stream/binlog_tailer.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <chrono>

#include "binlog/event_decoder.h"
#include "binlog/replication_setup.h"
#include "wire/client_handshake.h"
#include "wire/packet_framing.h"

namespace switchyard::binlog {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr uint16_t kErrMasterFatalReadingBinlog = 1236;

uint64_t WallClockMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Reads the next logical packet; `bytes` counts what came off the socket.
asio::awaitable<Result<wire::Packet>> ReadPacket(tcp::socket& socket, wire::PacketReader& reader,
                                                 uint64_t& bytes) {
  for (;;) {
    auto next = reader.NextPacket();
    if (!next.ok()) co_return next.error();
    if (next->has_value()) co_return std::move(**next);
    auto space = reader.PrepareWrite(64 * 1024);
    error_code ec;
    size_t n = co_await socket.async_read_some(asio::buffer(space.data(), space.size()),
                                               asio::redirect_error(asio::use_awaitable, ec));
    reader.Commit(n);
    bytes += n;
    if (ec && n == 0)
      co_return MakeError(ec == asio::error::eof ? "master closed the connection"
                                                 : "read: " + ec.message());
  }
}

asio::awaitable<Status> WriteAll(tcp::socket& socket, wire::BytesView bytes) {
  error_code ec;
  co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return MakeError("write: " + ec.message());
  co_return Status::Ok();
}

void CloseSocket(tcp::socket& socket) {
  error_code ignore;
  socket.shutdown(tcp::socket::shutdown_both, ignore);
  socket.close(ignore);
}

// Closes the socket once nothing has arrived for `limit`: a master that died without a FIN
// (or a network partition) is noticed within one heartbeat-derived period.
struct IdleWatch : std::enable_shared_from_this<IdleWatch> {
  IdleWatch(asio::io_context& io, std::shared_ptr<tcp::socket> s, std::chrono::milliseconds l)
      : timer(io), socket(std::move(s)), limit(l), last_rx(SteadyClock::now()) {}
  void Arm() {
    timer.expires_at(last_rx + limit);
    timer.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->done) return;
      if (SteadyClock::now() >= self->last_rx + self->limit) {
        self->fired = true;
        CloseSocket(*self->socket);
      } else {
        self->Arm();
      }
    });
  }
  void Finish() {
    done = true;
    timer.cancel();
  }
  asio::steady_timer timer;
  std::shared_ptr<tcp::socket> socket;
  std::chrono::milliseconds limit;
  SteadyClock::time_point last_rx;
  bool done = false;
  bool fired = false;
};

}  // namespace

BinlogTailer::BinlogTailer(TailerOptions options, TransactionHandler on_transaction,
                           StateHandler on_state)
    : options_(std::move(options)),
      on_transaction_(std::move(on_transaction)),
      on_state_(std::move(on_state)) {}

BinlogTailer::~BinlogTailer() {
  Stop();
}

Status BinlogTailer::Start(MasterEndpoint master, std::optional<std::string> position) {
  if (thread_.joinable()) return MakeError("binlog tailer: already started");
  master_ = master;
  pending_start_ = std::move(position);
  UpdateStatus([&](TailerStatus& s) {
    s.running = true;
    s.master = master;
  });
  backoff_timer_ = std::make_unique<asio::steady_timer>(io_);
  asio::co_spawn(io_, Loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
  return Status::Ok();
}

void BinlogTailer::Post(std::function<void()> fn) {
  asio::post(io_, std::move(fn));
}

void BinlogTailer::DropConnection() {
  if (socket_) CloseSocket(*socket_);
  if (backoff_timer_) backoff_timer_->cancel();
}

void BinlogTailer::Repoint(MasterEndpoint master, std::optional<std::string> position) {
  Post([this, master = std::move(master), position = std::move(position)]() mutable {
    master_ = std::move(master);
    if (position) pending_start_ = std::move(position);
    ++generation_;
    DropConnection();
  });
}

void BinlogTailer::Reconnect() {
  Post([this] {
    if (socket_) CloseSocket(*socket_);
  });
}

void BinlogTailer::Stop() {
  if (!thread_.joinable()) return;
  Post([this] {
    stopping_ = true;
    DropConnection();
  });
  thread_.join();
  UpdateStatus([](TailerStatus& s) {
    s.running = false;
    s.connected = false;
  });
}

TailerStatus BinlogTailer::GetStatus() const {
  std::lock_guard lk(status_mu_);
  return status_;
}

asio::awaitable<void> BinlogTailer::Loop() {
  uint32_t backoff = options_.backoff_min_ms;
  while (!stopping_) {
    const uint64_t generation = generation_;
    SessionOutcome out = co_await RunSession();
    socket_.reset();
    if (tracker_) tracker_->Disconnected();
    UpdateStatus([&](TailerStatus& s) {
      if (s.connected) ++s.disconnects;
      if (!out.streamed) ++s.connect_failures;
      s.connected = false;
      s.last_error = out.error;
      if (tracker_) s.partial_dropped = tracker_->partial_dropped();
    });
    if (stopping_) break;  // a shutdown is not a lost stream
    if (on_state_) on_state_(false, master_, out.error);
    if (out.server_error_code == kErrMasterFatalReadingBinlog &&
        options_.restart_at_current_if_position_lost) {
      // The position is gone from this master for good (purged, or the transactions were
      // lost in a failover): waiting will not bring it back.
      tracker_.reset();
      pending_start_.reset();
      UpdateStatus([](TailerStatus& s) { ++s.position_resets; });
    }
    if (generation != generation_) {
      backoff = options_.backoff_min_ms;  // re-pointed: connect right away
      continue;
    }
    // A session that streamed for a while starts the backoff over.
    if (out.streamed && out.streamed_ms >= 1000) backoff = options_.backoff_min_ms;
    backoff_timer_->expires_after(std::chrono::milliseconds(backoff));
    error_code ec;
    co_await backoff_timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

asio::awaitable<BinlogTailer::SessionOutcome> BinlogTailer::RunSession() {
  SessionOutcome out;
  const MasterEndpoint master = master_;
  const uint64_t generation = generation_;
  auto socket = std::make_shared<tcp::socket>(io_);
  socket_ = socket;  // from here on Stop/Repoint close it (same thread: no gap)
  if (stopping_) co_return out;
  UpdateStatus([&](TailerStatus& s) { s.master = master; });

  // One deadline covers resolve, connect, login and setup; it closes the socket on expiry.
  asio::steady_timer deadline(io_);
  deadline.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
  deadline.async_wait([socket](const error_code& ec) {
    if (!ec) CloseSocket(*socket);
  });
  auto fail = [&](std::string why) {
    out.error = fmt::format("{}: {}", master.ToString(), std::move(why));
    return out;
  };

  error_code ec;
  tcp::resolver resolver(io_);
  auto endpoints = co_await resolver.async_resolve(master.host, std::to_string(master.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail("resolve: " + ec.message());
  // Closing a socket that is not open yet cancels nothing: look again after resolving.
  if (stopping_ || generation != generation_) co_return fail("cancelled");
  co_await asio::async_connect(*socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail("connect: " + ec.message());
  socket->set_option(tcp::no_delay(true), ec);

  uint64_t bytes = 0;
  wire::PacketReader reader(wire::kDefaultMaxPacketSize);

  // Login.
  wire::ClientHandshakeOptions login;
  login.user = options_.user;
  login.password = options_.password;
  login.attributes.emplace_back("program_name", "switchyard-binlog-tailer");
  wire::ClientHandshake handshake(std::move(login));
  for (wire::HandshakeAction action = handshake.Start(); !wire::IsTerminal(action);) {
    if (action == wire::HandshakeAction::kWriteThenRead) {
      if (Status st = co_await WriteAll(*socket, handshake.output()); !st) {
        co_return fail("login: " + st.error().message);
      }
    } else if (action != wire::HandshakeAction::kRead) {
      co_return fail("login: TLS is not supported by the binlog tailer");
    }
    auto packet = co_await ReadPacket(*socket, reader, bytes);
    if (!packet) co_return fail("login: " + packet.error().message);
    action = handshake.OnPacket(packet->payload, packet->seq);
    if (action == wire::HandshakeAction::kFail || action == wire::HandshakeAction::kWriteThenFail) {
      if (handshake.server_error()) {
        co_return fail(fmt::format("login refused: {} {}", handshake.server_error()->error_code,
                                   handshake.server_error()->message));
      }
      co_return fail("login: " + handshake.error());
    }
  }
  const wire::ClientHandshakeResult& who = handshake.result();
  const bool mariadb = who.server_is_mariadb;
  UpdateStatus([&](TailerStatus& s) {
    s.connection_id = who.connection_id;
    s.server_version = who.server_version;
    s.bytes_received += bytes;
  });
  bytes = 0;

  // A change of flavour (re-pointed from MariaDB to MySQL) makes the old position meaningless.
  if (tracker_ && tracker_mariadb_ != mariadb) tracker_.reset();
  ReplicationSetupOptions setup_options;
  setup_options.mariadb = mariadb;
  setup_options.capabilities = who.negotiated;
  setup_options.server_id = options_.server_id;
  setup_options.report_host = options_.report_host;
  setup_options.heartbeat_period_ms = options_.heartbeat_period_ms;
  if (pending_start_) {
    setup_options.start_position = pending_start_;
  } else if (tracker_) {
    setup_options.start_position = tracker_->ResumePosition();
  }
  ReplicationSetup setup(std::move(setup_options));
  for (SetupStep step = setup.Start();;) {
    if (step == SetupStep::kFail) co_return fail(setup.error());
    if (step != SetupStep::kRead) {
      if (Status st = co_await WriteAll(*socket, setup.output()); !st) {
        co_return fail(st.error().message);
      }
      if (step == SetupStep::kWriteThenStream) break;
    }
    auto packet = co_await ReadPacket(*socket, reader, bytes);
    if (!packet) co_return fail("replication setup: " + packet.error().message);
    step = setup.OnPacket(packet->payload);
  }
  if (pending_start_ || !tracker_) {
    auto tracker = TransactionTracker::Create(mariadb, setup.start_position());
    if (!tracker) co_return fail("start position: " + tracker.error().message);
    tracker_ = std::move(*tracker);
    tracker_mariadb_ = mariadb;
    pending_start_.reset();
  }
  deadline.cancel();

  // Streaming.
  const uint32_t idle_ms = options_.idle_timeout_ms
                               ? options_.idle_timeout_ms
                               : 3 * std::max<uint32_t>(options_.heartbeat_period_ms, 100) + 1000;
  auto watch = std::make_shared<IdleWatch>(io_, socket, std::chrono::milliseconds(idle_ms));
  watch->Arm();
  EventDecoder decoder;
  decoder.SetChecksumHint(setup.checksum());
  const auto streaming_since = SteadyClock::now();
  for (;;) {
    auto packet = co_await ReadPacket(*socket, reader, bytes);
    const uint64_t now_ms = WallClockMs();
    watch->last_rx = SteadyClock::now();
    if (!packet) {
      out.error = watch->fired ? fmt::format("no event or heartbeat for {} ms", idle_ms)
                               : packet.error().message;
      break;
    }
    auto dump = ClassifyDumpPacket(packet->payload);
    if (!dump) {
      out.error = dump.error().message;
      break;
    }
    if (dump->kind == DumpPacket::Kind::kError) {
      out.server_error_code = dump->error.error_code;
      out.error = fmt::format("master error {} ({}): {}", dump->error.error_code,
                              dump->error.sql_state, dump->error.message);
      break;
    }
    if (dump->kind == DumpPacket::Kind::kEof) {
      out.error = "master ended the stream";
      break;
    }
    if (!out.streamed) {
      out.streamed = true;
      UpdateStatus([&](TailerStatus& s) {
        s.connected = true;
        ++s.connects;
        s.resume_position = tracker_->ResumePosition();
      });
      if (on_state_) on_state_(true, master, setup.start_position());
    }
    auto event = decoder.Decode(dump->event, tracker_->coordinates().position);
    if (!event) {
      out.error = "decode: " + event.error().message;
      break;
    }
    std::optional<CompletedTransaction> done =
        tracker_->OnEvent(*event, dump->event.size(), now_ms);
    const bool heartbeat = std::holds_alternative<HeartbeatEvent>(event->body);
    UpdateStatus([&](TailerStatus& s) {
      s.bytes_received += bytes;
      ++s.events_received;
      if (heartbeat) ++s.heartbeats;
      s.last_event_ms = now_ms;
      s.coordinates = tracker_->coordinates();
      s.duplicates_dropped = tracker_->duplicates_dropped();
      if (done) {
        ++s.transactions;
        s.last_gtid = done->GtidText();
        s.resume_position = tracker_->ResumePosition();
      }
    });
    bytes = 0;
    if (done && on_transaction_) on_transaction_(*done);
  }
  watch->Finish();
  UpdateStatus([&](TailerStatus& s) { s.bytes_received += bytes; });
  out.streamed_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - streaming_since)
          .count());
  out.error = fmt::format("{}: {}", master.ToString(), out.error);
  CloseSocket(*socket);
  co_return out;
}

}  // namespace switchyard::binlog
