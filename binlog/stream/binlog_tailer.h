// BinlogTailer: a replica-like client that streams a master's binary log on its own thread
// (Asio, C++20 coroutines; errors are values, nothing throws across a handler). It logs in
// with the replication account, runs ReplicationSetup, decodes every event and hands each
// complete transaction to the caller once (TransactionTracker): after a disconnect it
// resumes from the last complete transaction's GTID, retrying with capped exponential
// backoff, and it can be re-pointed to another master by GTID. Upgrades to TLS like the
// proxy's backend connections (net::RunClientLogin). Owns its thread, connection and TLS context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/result.h"
#include "binlog/tailer_status.h"
#include "binlog/transaction_tracker.h"
#include "net/io_types.h"
#include "net/packet_channel.h"

namespace switchyard::binlog {

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

  net::Task<void> Loop();
  net::Task<SessionOutcome> RunSession();
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
  std::unique_ptr<boost::asio::ssl::context> tls_context_;  // set when options_.use_tls
  std::shared_ptr<net::PacketChannel> channel_;             // current connection, for Repoint/Stop
  std::unique_ptr<net::Timer> backoff_timer_;
  std::optional<TransactionTracker> tracker_;  // created at the first connect (flavour)
  bool tracker_mariadb_ = true;

  mutable std::mutex status_mu_;
  TailerStatus status_;
};

}  // namespace switchyard::binlog
