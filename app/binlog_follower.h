// BinlogFollower: keeps one BinlogTailer streaming from whichever server the topology says is
// the master (re-pointing it by GTID after a failover or switchover) and forwards each
// transaction's GTID and commit time into a TransactionFeed for the monitor's lag tracker.
// Owns the tailer and a small watcher thread; shares the feed with the monitor.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "binlog/stream/binlog_tailer.h"
#include "binlog/transaction_feed.h"
#include "conf/config.h"
#include "proxy/topology.h"

namespace switchyard::app {

class BinlogFollower {
 public:
  BinlogFollower(const conf::Config& config, std::shared_ptr<proxy::TopologyHolder> topology);
  ~BinlogFollower();  // Stop()
  BinlogFollower(const BinlogFollower&) = delete;
  BinlogFollower& operator=(const BinlogFollower&) = delete;

  void Start();
  void Stop();

  std::shared_ptr<binlog::TransactionFeed> feed() const { return feed_; }
  // Thread-safe; nullopt until a master was found and the tailer started.
  std::optional<binlog::TailerStatus> TailStatus() const;

 private:
  void WatchLoop();

  std::shared_ptr<proxy::TopologyHolder> topology_;
  std::shared_ptr<binlog::TransactionFeed> feed_;
  std::unique_ptr<binlog::BinlogTailer> tailer_;

  std::thread watcher_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;              // the tailer runs (guarded by mu_)
  binlog::MasterEndpoint following_;  // watcher thread only
};

}  // namespace switchyard::app
