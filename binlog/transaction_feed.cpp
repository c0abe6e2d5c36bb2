#include "binlog/transaction_feed.h"

#include <algorithm>

namespace switchyard::binlog {

void TransactionFeed::SetConnected(bool connected, std::string master) {
  std::lock_guard lk(mu_);
  if (master != master_) {
    pending_.clear();
    master_ = std::move(master);
  }
  connected_ = connected;
}

void TransactionFeed::Push(const CompletedTransaction& transaction) {
  if (const auto* m = std::get_if<MariadbGtid>(&transaction.gtid)) {
    Push(*m, transaction.commit_time_ms);
  } else if (const auto* g = std::get_if<MysqlGtid>(&transaction.gtid)) {
    Push(*g, transaction.commit_time_ms);
  }
}

void TransactionFeed::Push(const AnyGtid& gtid, uint64_t commit_time_ms) {
  std::lock_guard lk(mu_);
  if (pending_.size() >= max_pending_) {
    // Nobody drains (the monitor is busy with a failover): keep the newest half.
    const size_t drop = std::max<size_t>(1, pending_.size() / 2);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(drop));
    dropped_ += drop;
  }
  pending_.push_back(Record{gtid, commit_time_ms});
}

TransactionFeed::Batch TransactionFeed::Drain(std::string_view current_master) {
  Batch batch;
  {
    std::lock_guard lk(mu_);
    batch.exact = connected_ && master_ == current_master;
    // Records of this master are exact even if the tailer disconnected since; records of a
    // master that is not (or no longer) the current one are useless: dropped.
    batch.records.swap(pending_);
    if (master_ != current_master) batch.records.clear();
    batch.dropped = dropped_;
    dropped_ = 0;
  }
  exact_in_use_.store(batch.exact, std::memory_order_relaxed);
  return batch;
}

}  // namespace switchyard::binlog
