// BinlogTailer: a replica-like client that streams a master's binary log on its own thread
// (Asio, C++20 coroutines; errors are values, nothing throws across a handler). It logs in
// with the replication account, runs ReplicationSetup, decodes every event and hands each
// complete transaction to the caller once (TransactionTracker): after a disconnect it
// resumes from the last complete transaction's GTID, retrying with capped exponential
// backoff, and it can be re-pointed to another master by GTID. Owns its thread and socket.
#pragma once

#include <utility>  // boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/result.h"
#include "binlog/transaction_tracker.h"

namespace switchyard::binlog {

struct MasterEndpoint {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const MasterEndpoint&) const = default;
};

struct TailerOptions {
  std::string user;
  std::string password;
  uint32_t server_id = 9999;  // must differ from every real replica's server_id
  std::string report_host = "switchyard";
  uint32_t heartbeat_period_ms = 1000;
  uint32_t connect_timeout_ms = 5000;  // TCP connect + login + setup
  // Silence (no event, no heartbeat) for this long means the master is gone. 0: derived from
  // the heartbeat period (3 periods + 1 s).
  uint32_t idle_timeout_ms = 0;
  uint32_t backoff_min_ms = 100;  // first retry; doubles per failed attempt
  uint32_t backoff_max_ms = 5000;
  // The master no longer has the position we would resume from (ERR 1236: purged, or lost in
  // a failover): start over at its current position instead of retrying forever.
  bool restart_at_current_if_position_lost = true;
};

struct TailerStatus {
  bool running = false;
  bool connected = false;  // streaming (the dump request was accepted)
  MasterEndpoint master;
  uint32_t connection_id = 0;  // our thread id on the master (SHOW PROCESSLIST)
  std::string server_version;
  BinlogCoordinates coordinates;  // master binlog file/position of the latest event
  std::string last_gtid;          // latest complete transaction
  std::string resume_position;    // GTIDs a reconnect continues after
  uint64_t bytes_received = 0;
  uint64_t events_received = 0;
  uint64_t transactions = 0;
  uint64_t heartbeats = 0;
  uint64_t connects = 0;          // successful dump starts
  uint64_t connect_failures = 0;  // attempts that never streamed
  uint64_t disconnects = 0;
  uint64_t partial_dropped = 0;     // transactions cut by a disconnect (sent again on resume)
  uint64_t duplicates_dropped = 0;  // transactions the master sent again and we had already
  uint64_t position_resets = 0;     // restarts at the master's current position (ERR 1236)
  uint64_t last_event_ms = 0;       // wall clock of the latest event or heartbeat
  std::string last_error;
};

class BinlogTailer {
 public:
  // Called on the tailer thread, in binlog order, once per complete transaction.
  using TransactionHandler = std::function<void(const CompletedTransaction&)>;
  // Called on the tailer thread when streaming from `master` starts (connected) or stops
  // (with why).
  using StateHandler =
      std::function<void(bool connected, const MasterEndpoint& master, const std::string& detail)>;

  BinlogTailer(TailerOptions options, TransactionHandler on_transaction,
               StateHandler on_state = {});
  ~BinlogTailer();  // Stop()
  BinlogTailer(const BinlogTailer&) = delete;
  BinlogTailer& operator=(const BinlogTailer&) = delete;

  // Starts the thread and tails `master` after `position` (MariaDB "0-1-42", MySQL a GTID set;
  // nullopt: the master's current position). Error when already started.
  Status Start(MasterEndpoint master, std::optional<std::string> position);
  // Thread-safe. Drops the current connection and tails `master` after `position`; nullopt
  // continues after the last complete transaction (by GTID: a new master that replicated the
  // old one continues the stream with no gap and no duplicate).
  void Repoint(MasterEndpoint master, std::optional<std::string> position);
  // Thread-safe. Drops the current connection (for tests and operators); the tailer reconnects.
  void Reconnect();
  void Stop();

  TailerStatus GetStatus() const;

 private:
  struct SessionOutcome {
    bool streamed = false;  // the master accepted the dump request
    uint64_t streamed_ms = 0;
    std::string error;
    uint16_t server_error_code = 0;  // the master's ERR, if that ended it
  };

  boost::asio::awaitable<void> Loop();
  boost::asio::awaitable<SessionOutcome> RunSession();
  void Post(std::function<void()> fn);
  void DropConnection();  // io thread
  template <class Fn>
  void UpdateStatus(Fn&& fn) {
    std::lock_guard lk(status_mu_);
    fn(status_);
  }

  const TailerOptions options_;
  const TransactionHandler on_transaction_;
  const StateHandler on_state_;

  boost::asio::io_context io_;
  std::thread thread_;
  // io-thread state.
  MasterEndpoint master_;
  std::optional<std::string> pending_start_;  // from Start/Repoint, used by the next connect
  uint64_t generation_ = 0;                   // bumped by Repoint
  bool stopping_ = false;
  std::shared_ptr<boost::asio::ip::tcp::socket> socket_;  // current connection, for Repoint/Stop
  std::unique_ptr<boost::asio::steady_timer> backoff_timer_;
  std::optional<TransactionTracker> tracker_;  // created at the first connect (flavour)
  bool tracker_mariadb_ = true;

  mutable std::mutex status_mu_;
  TailerStatus status_;
};

}  // namespace switchyard::binlog
