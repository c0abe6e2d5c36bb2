// TransactionFeed: hands the transactions the binlog tailer sees (on its thread) to the owner of
// the ReplicaLagTracker (the monitor thread), with which master they came from and whether the
// tailer is streaming right now. Thread-safe; bounded (the oldest records go first).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/gtid_set.h"
#include "binlog/transaction_tracker.h"

namespace switchyard::binlog {

class TransactionFeed {
 public:
  struct Record {
    AnyGtid gtid;  // MariaDB domain-server-seq or MySQL uuid[:tag]:gno
    uint64_t commit_time_ms = 0;
  };
  struct Batch {
    // The tailer streams from the master the caller asked about: its records are the exact
    // feed and the caller should prefer them to polling.
    bool exact = false;
    // In binlog order; only records of `current_master` (possibly received before a disconnect).
    std::vector<Record> records;
    uint64_t dropped = 0;  // records lost to the bound since the previous Drain
  };

  explicit TransactionFeed(size_t max_pending = 1u << 20) : max_pending_(max_pending) {}

  // Tailer side. A change of master drops the previous master's undrained records.
  void SetConnected(bool connected, std::string master);
  void Push(const AnyGtid& gtid, uint64_t commit_time_ms);
  // What the tailer's callback does with each transaction: its GTID and commit time (MySQL's
  // immediate_commit_timestamp, else the receive time). Anonymous transactions (MySQL without
  // GTIDs) have no position a replica could be compared with: they are not pushed.
  void Push(const CompletedTransaction& transaction);

  // Lag-tracker side: everything pushed since the last call by a tailer of `current_master`
  // ("host:port"), and whether it is still connected to it.
  Batch Drain(std::string_view current_master);

  // Whether the latest Drain was exact (for status pages).
  bool exact_in_use() const { return exact_in_use_.load(std::memory_order_relaxed); }

 private:
  const size_t max_pending_;
  mutable std::mutex mu_;
  bool connected_ = false;
  std::string master_;
  std::vector<Record> pending_;
  uint64_t dropped_ = 0;
  std::atomic<bool> exact_in_use_{false};
};

}  // namespace switchyard::binlog
