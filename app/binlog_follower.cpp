#include "app/binlog_follower.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace switchyard::app {

namespace {
// Heartbeats from the master: an idle stream still proves the connection (and the master) live.
constexpr uint32_t kHeartbeatMs = 1000;
constexpr auto kWatchPeriod = std::chrono::milliseconds(100);
}  // namespace

BinlogFollower::BinlogFollower(const conf::Config& config,
                               std::shared_ptr<proxy::TopologyHolder> topology)
    : topology_(std::move(topology)), feed_(std::make_shared<binlog::TransactionFeed>()) {
  binlog::TailerOptions options;
  options.user = config.replication.user;
  options.password = config.replication.password;
  options.server_id = config.replication.server_id;
  options.heartbeat_period_ms = kHeartbeatMs;
  options.connect_timeout_ms = std::max<uint32_t>(config.monitor.timeout_ms, 1000);
  auto feed = feed_;
  tailer_ = std::make_unique<binlog::BinlogTailer>(
      options, [feed](const binlog::CompletedTransaction& t) { feed->Push(t); },
      [feed](bool connected, const binlog::MasterEndpoint& master, const std::string& detail) {
        feed->SetConnected(connected, master.ToString());
        if (connected) {
          spdlog::info("binlog: streaming from {} after GTID {}", master.ToString(),
                       detail.empty() ? "(none)" : detail);
        } else {
          spdlog::warn("binlog: stream from {} lost: {}", master.ToString(), detail);
        }
      });
}

BinlogFollower::~BinlogFollower() {
  Stop();
}

void BinlogFollower::Start() {
  watcher_ = std::thread([this] { WatchLoop(); });
}

void BinlogFollower::Stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (tailer_) tailer_->Stop();
}

std::optional<binlog::TailerStatus> BinlogFollower::TailStatus() const {
  {
    std::lock_guard lk(mu_);
    if (!started_) return std::nullopt;
  }
  return tailer_->GetStatus();
}

void BinlogFollower::WatchLoop() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    lk.unlock();
    std::shared_ptr<const proxy::Topology> topology = topology_->Get();
    const proxy::ServerView* master = topology->Master();
    // During a failover no master is published: keep the stream (it retries) until one is.
    if (master && !topology->failover_in_progress) {
      binlog::MasterEndpoint endpoint{master->address.host, master->address.port};
      if (!(endpoint == following_)) {
        bool started;
        {
          std::lock_guard guard(mu_);
          started = started_;
        }
        if (!started) {
          // From the master's current position: lag only needs transactions from now on.
          Status st = tailer_->Start(endpoint, std::nullopt);
          if (!st) spdlog::error("binlog: cannot start the tailer: {}", st.error().message);
          std::lock_guard guard(mu_);
          started_ = st.ok();
        } else {
          // By GTID: the new master replicated the old one, so the stream continues after the
          // last complete transaction (or restarts at its position if that was lost).
          spdlog::info("binlog: re-pointing the tailer from {} to {} ({})", following_.ToString(),
                       endpoint.ToString(), master->name);
          tailer_->Repoint(endpoint, std::nullopt);
        }
        following_ = endpoint;
      }
    }
    lk.lock();
    cv_.wait_for(lk, kWatchPeriod, [this] { return stopping_; });
  }
}

}  // namespace switchyard::app
