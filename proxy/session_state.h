// SessionState: what a client session has changed (database, charset, session and user
// variables, transaction characteristics, temporary tables) and what the servers reported
// (transaction status, last write's GTID). Routing reads it; any backend connection that
// joins the session late is brought in line by replaying ReplayStatements() once per
// generation. Plain data, owned by one ClientSession.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxy/gtid_position.h"
#include "proxy/sql/sql_classifier.h"

namespace switchyard::proxy {

class SessionState {
 public:
  // Server status flags of the last OK/EOF of a response.
  void OnServerStatus(uint16_t status_flags);
  // A statement classified as `c` succeeded on the backend (call only on success).
  void OnStatementSucceeded(const Classification& c);
  void OnDatabaseChanged(std::string db);
  void OnWriteGtid(GtidPoint gtid) { last_write_gtid_ = gtid; }
  // Text-protocol PREPARE name FROM '...' succeeded: remembered so each EXECUTE is routed by
  // the inner statement's class and the PREPARE is replayed on replicas before one runs there.
  void OnTextPrepare(const std::string& name, std::string sql, Classification inner);
  void OnTextDeallocate(const std::string& name);
  const Classification* TextPrepared(const std::string& name) const;

  bool in_transaction() const { return in_transaction_; }
  bool autocommit() const { return autocommit_; }
  // Every statement must go to the master: open transaction or autocommit off.
  bool pinned_to_master() const { return (in_transaction_ || !autocommit_) && !read_only_txn_replica_; }
  const std::optional<std::string>& read_only_txn_replica() const { return read_only_txn_replica_; }
  void PinReadOnlyTransaction(std::string replica) { read_only_txn_replica_ = std::move(replica); }
  void UnpinReadOnlyTransaction() { read_only_txn_replica_.reset(); }

  bool TouchesTemporaryTable(const Classification& c) const;
  bool has_temporary_tables() const { return !temp_tables_.empty(); }
  // The session's backend connections carry state of their own that no other session may see
  // or lose: they stay with this session instead of going back to the pool (multiplexing).
  // Named locks (GET_LOCK) pin for the rest of the session: their release is not tracked.
  // autocommit=0 alone does not pin (only the transaction it opens does): a borrowed connection
  // is switched to the session's mode first (ClientSession::Replay), as ProxySQL does.
  bool pins_connection() const {
    return in_transaction_ || read_only_txn_replica_ || !temp_tables_.empty() ||
           !user_vars_.empty() || !session_vars_.empty() || names_ || character_set_ ||
           transaction_characteristics_ || !text_prepared_.empty() || named_locks_;
  }
  // User variables whose value cannot be replayed as text (set from an expression).
  bool user_vars_replayable() const { return user_vars_replayable_; }
  const std::optional<GtidPoint>& last_write_gtid() const { return last_write_gtid_; }

  const std::string& database() const { return database_; }
  uint64_t generation() const { return generation_; }
  ClassifyOptions classify_options() const { return classify_options_; }
  // Statements that make a fresh backend connection match this session (empty if nothing to do).
  // The database is applied separately (COM_INIT_DB) and is not part of this list.
  std::vector<std::string> ReplayStatements() const;
  bool has_replay_statements() const {
    return names_ || character_set_ || !session_vars_.empty() || !user_vars_.empty() ||
           (transaction_characteristics_ && !transaction_characteristics_->empty()) ||
           !text_prepared_.empty();
  }

 private:
  void Bump() { ++generation_; }

  bool in_transaction_ = false;
  bool autocommit_ = true;
  std::optional<std::string> read_only_txn_replica_;
  std::string database_;
  std::optional<std::string> names_;            // SET NAMES x [COLLATE y], as replay text
  std::optional<std::string> character_set_;    // SET CHARACTER SET x
  std::map<std::string, std::string> session_vars_;  // name -> value text
  std::map<std::string, std::string> user_vars_;     // name -> value text
  std::optional<std::string> transaction_characteristics_;  // SET SESSION TRANSACTION ...
  std::set<std::string> temp_tables_;  // lower-cased names
  struct TextPrepare {
    std::string sql;
    Classification inner;
  };
  std::map<std::string, TextPrepare> text_prepared_;  // by lower-cased statement name
  bool user_vars_replayable_ = true;
  bool named_locks_ = false;
  std::optional<GtidPoint> last_write_gtid_;
  ClassifyOptions classify_options_;
  uint64_t generation_ = 0;
};

}  // namespace switchyard::proxy
