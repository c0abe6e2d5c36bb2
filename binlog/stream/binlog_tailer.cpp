#include "binlog/stream/binlog_tailer.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <chrono>

#include "binlog/event_decoder.h"
#include "binlog/replication_setup.h"
#include "net/client_login.h"
#include "wire/client_handshake.h"

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

// Closes the connection once nothing has arrived for `limit`: a master that died without a FIN
// (or a network partition) is noticed within one heartbeat-derived period.
struct IdleWatch : std::enable_shared_from_this<IdleWatch> {
  IdleWatch(asio::io_context& io, std::shared_ptr<net::PacketChannel> c,
            std::chrono::milliseconds l)
      : timer(io), channel(std::move(c)), limit(l), last_rx(SteadyClock::now()) {}
  void Arm() {
    timer.expires_at(last_rx + limit);
    timer.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->done) return;
      if (SteadyClock::now() >= self->last_rx + self->limit) {
        self->fired = true;
        self->channel->Close();
      } else {
        self->Arm();
      }
    });
  }
  void Finish() {
    done = true;
    timer.cancel();
  }
  net::Timer timer;
  std::shared_ptr<net::PacketChannel> channel;
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
      on_state_(std::move(on_state)) {
  if (options_.use_tls) tls_context_ = net::MakeServerTlsClientContext();
}

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
  backoff_timer_ = std::make_unique<net::Timer>(io_);
  asio::co_spawn(io_, Loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
  return Status::Ok();
}

void BinlogTailer::Post(std::function<void()> fn) {
  asio::post(io_, std::move(fn));
}

void BinlogTailer::DropConnection() {
  if (channel_) channel_->Close();
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
    if (channel_) channel_->Close();
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

net::Task<void> BinlogTailer::Loop() {
  uint32_t backoff = options_.backoff_min_ms;
  while (!stopping_) {
    const uint64_t generation = generation_;
    SessionOutcome out = co_await RunSession();
    channel_.reset();
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
    co_await backoff_timer_->async_wait(asio::redirect_error(net::use_task, ec));
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

net::Task<BinlogTailer::SessionOutcome> BinlogTailer::RunSession() {
  SessionOutcome out;
  const MasterEndpoint master = master_;
  const uint64_t generation = generation_;
  auto channel = std::make_shared<net::PacketChannel>(io_.get_executor());
  channel_ = channel;  // from here on Stop/Repoint close it (same thread: no gap)
  if (stopping_) co_return out;
  UpdateStatus([&](TailerStatus& s) {
    s.master = master;
    s.tls = false;
  });

  // One deadline covers resolve, connect, login and setup; it closes the connection on expiry.
  net::Timer deadline(io_);
  deadline.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
  deadline.async_wait([channel](const error_code& ec) {
    if (!ec) channel->Close();
  });
  auto fail = [&](std::string why) {
    out.error = fmt::format("{}: {}", master.ToString(), std::move(why));
    return out;
  };

  error_code ec;
  tcp::resolver resolver(io_);
  auto endpoints = co_await resolver.async_resolve(master.host, std::to_string(master.port),
                                                   asio::redirect_error(net::use_task, ec));
  if (ec) co_return fail("resolve: " + ec.message());
  // Closing a socket that is not open yet cancels nothing: look again after resolving.
  if (stopping_ || generation != generation_) co_return fail("cancelled");
  co_await asio::async_connect(channel->socket(), endpoints,
                               asio::redirect_error(net::use_task, ec));
  if (ec) co_return fail("connect: " + ec.message());
  channel->socket().set_option(tcp::no_delay(true), ec);
  // The channel reads without the reactor when bytes are known to wait, which needs a
  // non-blocking socket (its constructor sets that only on a socket that is already open).
  channel->socket().non_blocking(true, ec);
  if (ec) co_return fail("socket: " + ec.message());

  // Login (TLS first when configured and offered: the same loop as the proxy's backends).
  wire::ClientHandshakeOptions login;
  login.user = options_.user;
  login.password = options_.password;
  login.attributes.emplace_back("program_name", "switchyard-binlog-tailer");
  login.use_tls = options_.use_tls;
  login.require_tls = options_.use_tls && options_.require_tls;
  wire::ClientHandshake handshake(std::move(login));
  net::ClientLoginOutcome logged_in =
      co_await net::RunClientLogin(*channel, handshake, tls_context_.get());
  if (!logged_in.ok) {
    if (logged_in.server_error) {
      co_return fail(fmt::format("login refused: {} {}", logged_in.server_error->error_code,
                                 logged_in.server_error->message));
    }
    co_return fail("login: " + logged_in.error);
  }
  const wire::ClientHandshakeResult& who = handshake.result();
  const bool mariadb = who.server_is_mariadb;
  uint64_t counted = channel->bytes_read();  // bytes_received is updated as we go
  UpdateStatus([&](TailerStatus& s) {
    s.connection_id = who.connection_id;
    s.server_version = who.server_version;
    s.tls = who.tls;
    s.bytes_received += counted;
  });

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
      if (Status st = co_await channel->Write(setup.output()); !st) {
        co_return fail(st.error().message);
      }
      if (step == SetupStep::kWriteThenStream) break;
    }
    auto packet = co_await channel->ReadPacket();
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
  auto watch = std::make_shared<IdleWatch>(io_, channel, std::chrono::milliseconds(idle_ms));
  watch->Arm();
  EventDecoder decoder;
  decoder.SetChecksumHint(setup.checksum());
  const auto streaming_since = SteadyClock::now();
  for (;;) {
    auto packet = co_await channel->ReadPacket();
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
    const uint64_t bytes = channel->bytes_read() - counted;
    counted += bytes;
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
    if (done && on_transaction_) on_transaction_(*done);
  }
  watch->Finish();
  UpdateStatus([&](TailerStatus& s) { s.bytes_received += channel->bytes_read() - counted; });
  out.streamed_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - streaming_since)
          .count());
  out.error = fmt::format("{}: {}", master.ToString(), out.error);
  channel->Close();
  co_return out;
}

}  // namespace switchyard::binlog
