// TransactionTracker: follows a decoded binlog stream event by event and reports each
// transaction once it is complete (GTID ... XID / COMMIT / the DDL statement / XA PREPARE /
// TRANSACTION_PAYLOAD), with its commit time and the stream coordinates after it. It keeps the
// resume position: the GTIDs of complete transactions only, so a reconnect from it neither skips
// nor repeats one; a transaction cut by a disconnect is discarded (Disconnected()). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "binlog/events.h"
#include "binlog/gtid_set.h"

namespace switchyard::binlog {

struct BinlogCoordinates {
  std::string file;
  uint64_t position = 0;
  bool operator==(const BinlogCoordinates&) const = default;
};

struct CompletedTransaction {
  // MariaDB domain-server-seq, MySQL uuid[:tag]:gno, or monostate (anonymous: no GTID).
  std::variant<std::monostate, MariadbGtid, MysqlGtid> gtid;
  // Wall-clock ms: MySQL's immediate_commit_timestamp when the event has one, else the time
  // the commit event was received (MariaDB writes no sub-second commit time).
  uint64_t commit_time_ms = 0;
  uint64_t receive_time_ms = 0;  // when the commit event arrived
  BinlogCoordinates end;         // where the master's binlog continues after it
  uint32_t events = 0;           // events of the transaction, GTID event included
  uint64_t bytes = 0;
  std::string GtidText() const;  // "0-1-42", "uuid:42", "ANONYMOUS"
};

class TransactionTracker {
 public:
  // `mariadb` selects the resume position's flavour; `start` is the position the stream starts
  // after (MariaDB "0-1-42", MySQL a GTID set); transactions it already holds are dropped.
  static Result<TransactionTracker> Create(bool mariadb, std::string_view start);

  // One event of the stream, in order, with its size on the wire and its arrival time.
  // Returns the transaction it completes, if any.
  std::optional<CompletedTransaction> OnEvent(const Event& event, uint64_t event_bytes,
                                              uint64_t now_ms);

  // The connection ended: a transaction in progress is dropped; the master will send it again
  // when the stream resumes from ResumePosition().
  void Disconnected();

  // GTIDs of every complete transaction (plus the start position), in the master's syntax:
  // what @slave_connect_state / COM_BINLOG_DUMP_GTID need to resume after them.
  std::string ResumePosition() const;
  // Replaces the resume position (re-pointing to another master at a given GTID).
  Status Reset(std::string_view start);

  const BinlogCoordinates& coordinates() const { return coordinates_; }
  bool in_transaction() const { return state_ != State::kIdle; }
  uint64_t duplicates_dropped() const { return duplicates_dropped_; }
  uint64_t partial_dropped() const { return partial_dropped_; }

 private:
  enum class State { kIdle, kAfterGtid, kInTransaction };
  explicit TransactionTracker(bool mariadb) : mariadb_(mariadb) {}

  void Begin(std::variant<std::monostate, MariadbGtid, MysqlGtid> gtid,
             std::optional<uint64_t> commit_us);
  std::optional<CompletedTransaction> Complete(uint64_t now_ms);
  bool AlreadySeen(const CompletedTransaction& t) const;

  bool mariadb_;
  State state_ = State::kIdle;
  CompletedTransaction current_;
  std::optional<uint64_t> immediate_commit_us_;
  BinlogCoordinates coordinates_;
  MariadbGtidPos mariadb_pos_;
  MysqlGtidSet mysql_set_;
  uint64_t duplicates_dropped_ = 0;
  uint64_t partial_dropped_ = 0;
};

}  // namespace switchyard::binlog
