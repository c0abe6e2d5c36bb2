// ClassifySql: decides from the text of one COM_QUERY (possibly several statements) whether it
// may run on a replica, and what it changes in the session (DESIGN.md section 4). Pure: no I/O,
// no state; the router combines the result with the session's own state (open transaction,
// temporary tables, prepared statements). When in doubt the answer is "master".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "proxy/sql/route_hint.h"

namespace switchyard::proxy {

enum class StatementKind : uint8_t {
  kRead,          // replica eligible (unless must_master, a hint or the session says otherwise)
  kWrite,         // DML, DDL, admin commands: master
  kSessionState,  // SET, USE, PREPARE, DEALLOCATE: changes the session, to be tracked/replayed
  kTransaction,   // BEGIN/COMMIT/ROLLBACK/SAVEPOINT/XA (see txn)
  kTempTableDdl,  // CREATE/DROP TEMPORARY TABLE: master, and the session now owns a temp table
  kUnknown,       // not understood (or malformed): master
};

// The statement's leading verb, for the router's special cases (KILL, EXECUTE...) and metrics.
enum class Verb : uint8_t {
  kNone,
  kSelect,
  kInsert,
  kUpdate,
  kDelete,
  kReplace,
  kLoad,
  kCall,
  kDo,
  kCreate,
  kAlter,
  kDrop,
  kRename,
  kTruncate,
  kSet,
  kUse,
  kShow,
  kExplain,
  kBegin,
  kCommit,
  kRollback,
  kSavepoint,
  kReleaseSavepoint,
  kXa,
  kLockTables,
  kUnlockTables,
  kUserAdmin,
  kPrepare,
  kExecute,
  kDeallocate,
  kHandler,
  kKill,
  kFlush,
  kTableAdmin,
  kServerAdmin,
  kHelp,
  kDiagnostics,
  kCompound,
  kOther,
};

enum class TxnOp : uint8_t {
  kNone,
  kBegin,                // BEGIN [WORK], START TRANSACTION [READ WRITE | WITH CONSISTENT SNAPSHOT]
  kBeginReadOnly,        // START TRANSACTION READ ONLY: may run on one replica
  kCommit,               // COMMIT [WORK] [AND [NO] CHAIN] [[NO] RELEASE]
  kRollback,             // ROLLBACK [WORK] [AND [NO] CHAIN] [[NO] RELEASE]
  kSavepoint,            // SAVEPOINT x
  kRollbackToSavepoint,  // ROLLBACK [WORK] TO [SAVEPOINT] x: the transaction stays open
  kReleaseSavepoint,     // RELEASE SAVEPOINT x
  kXaStart,              // XA START|BEGIN xid
  kXaEnd,                // XA END xid
  kXaPrepare,            // XA PREPARE xid
  kXaCommit,             // XA COMMIT xid [ONE PHASE]
  kXaRollback,           // XA ROLLBACK xid
  kXaRecover,            // XA RECOVER
};

enum class LockOp : uint8_t {
  kNone,
  kLockTables,    // LOCK TABLE(S), FLUSH TABLES ... WITH READ LOCK / FOR EXPORT: pin to master
  kUnlockTables,  // UNLOCK TABLE(S)
};

// One variable assignment from SET (or SET STATEMENT ... FOR).
struct VariableAssignment {
  enum class Scope : uint8_t { kSession, kGlobal, kPersist, kPersistOnly, kUser };
  Scope scope = Scope::kSession;
  std::string name;   // lower-cased, without @/@@ and scope prefix; user variables unquoted
  std::string value;  // the expression exactly as written, to be replayed
  // The value is a single literal (number, string, NULL, TRUE/FALSE, ON/OFF, DEFAULT, bare
  // word): replaying the text gives the same value on every backend. Otherwise (a function
  // call, a subquery, another variable) the router must read the result back instead.
  bool value_is_constant = false;
  friend bool operator==(const VariableAssignment&, const VariableAssignment&) = default;
};

// Most SET statements assign one variable (SET autocommit=1): inline storage for one keeps
// the list itself off the heap.
using VariableAssignmentList = boost::container::small_vector<VariableAssignment, 1>;

// SET [GLOBAL|SESSION] TRANSACTION ... characteristics.
struct TransactionCharacteristics {
  enum class Scope : uint8_t { kNextTransaction, kSession, kGlobal };
  Scope scope = Scope::kNextTransaction;
  std::string isolation_level;    // upper-case words: "READ COMMITTED", "SERIALIZABLE"; or empty
  std::optional<bool> read_only;  // READ ONLY / READ WRITE
  friend bool operator==(const TransactionCharacteristics&,
                         const TransactionCharacteristics&) = default;
};

// What a statement changes in the session, for the tracker to record and replay.
struct SessionChange {
  std::optional<std::string> use_database;     // USE db (unquoted)
  std::optional<bool> autocommit;              // SET [SESSION] autocommit = 0|1|ON|OFF|TRUE|FALSE
  std::optional<std::string> names_charset;    // SET NAMES x / SET CHARACTER SET x / SET CHARSET x
  std::optional<std::string> names_collation;  // SET NAMES x COLLATE y
  // SET CHARACTER SET x / SET CHARSET x (client and results charset; connection charset
  // becomes the database default, unlike SET NAMES).
  std::optional<std::string> character_set;
  std::optional<std::string> role;  // SET ROLE ... (text after ROLE, as written)
  std::optional<TransactionCharacteristics> transaction;
  VariableAssignmentList assignments;  // in statement order; autocommit included

  bool empty() const {
    return !use_database && !autocommit && !names_charset && !character_set && !role &&
           !transaction && assignments.empty();
  }
};

struct TableRef {
  std::string schema;  // empty when unqualified; otherwise unquoted, case as written
  std::string name;    // unquoted, case as written (table names may be case-sensitive)
  friend bool operator==(const TableRef&, const TableRef&) = default;
};

// Most statements name one table: inline storage keeps ClassifySql free of heap allocations on
// the hot path (names up to 15 bytes also fit std::string's inline buffer). One, not more: see
// the size budget of Classification below.
using TableRefList = boost::container::small_vector<TableRef, 1>;

// Per-statement summary, filled only for multi-statement texts.
struct StatementSummary {
  StatementKind kind = StatementKind::kUnknown;
  Verb verb = Verb::kNone;
  TxnOp txn = TxnOp::kNone;
  bool must_master = true;
  std::string_view reason;
  size_t offset = 0;  // byte range of the statement in the classified text
  size_t length = 0;
};

struct Classification {
  StatementKind kind = StatementKind::kUnknown;
  Verb verb = Verb::kNone;  // of the first statement
  // Must run on the master whatever the session state. Hints are reported separately in
  // `hint` and applied by the router.
  bool must_master = true;
  // Why must_master (first reason found), for logging: "write", "ddl", "for_update",
  // "lock_function", "user_var_assign", "into", "sequence", "unknown", ... Empty otherwise.
  std::string_view reason = "unknown";

  TxnOp txn = TxnOp::kNone;  // the last transaction operation in the text
  bool txn_chain = false;    // COMMIT/ROLLBACK AND CHAIN: a new transaction starts at once
  bool txn_release = false;  // COMMIT/ROLLBACK RELEASE: the server closes the connection
  // The server commits any open transaction before running this (DDL, LOCK TABLES, BEGIN...).
  bool implicit_commit = false;
  LockOp lock = LockOp::kNone;

  SessionChange session;
  // MariaDB SET STATEMENT x=y FOR ...: overrides for this statement only (not session state).
  std::vector<VariableAssignment> statement_overrides;  // rare: no inline storage
  RouteHint hint;

  // Tables referenced, in order of appearance, duplicates kept out. Best effort: CTE names and
  // some non-table words may appear (harmless: the router only checks them against the
  // session's temporary tables). tables_complete is false when the text was too deeply
  // nested to follow; then the router must assume any temporary table may be touched.
  TableRefList tables;
  bool tables_complete = true;
  std::vector<TableRef> created_temp_tables;  // CREATE TEMPORARY TABLE
  std::vector<TableRef> dropped_tables;       // DROP [TEMPORARY] TABLE (a temp table shadows)

  // PREPARE name FROM '...': the inner statement's own classification, which decides the
  // route of each EXECUTE. Null when the text comes from a variable (route EXECUTEs to master).
  std::optional<std::string> prepare_name;  // lower-cased (statement names are not case-sensitive)
  std::shared_ptr<const Classification> prepared;
  std::optional<std::string> execute_name;     // EXECUTE name [USING ...]
  std::optional<std::string> deallocate_name;  // DEALLOCATE|DROP PREPARE name

  bool reads_user_vars = false;      // mentions @x (the router must have replayed it)
  bool uses_last_insert_id = false;  // LAST_INSERT_ID(), @@identity, @@last_insert_id
  bool uses_named_lock = false;      // GET_LOCK & co: the lock lives on the master connection
  // Reads the previous statement's diagnostics (SHOW WARNINGS, @@warning_count, FOUND_ROWS,
  // ROW_COUNT, GET DIAGNOSTICS): it must run where the previous statement ran.
  bool depends_on_previous_statement = false;

  bool multi_statement = false;
  size_t statement_count = 0;
  std::vector<StatementSummary> statements;  // only when multi_statement
};

// The proxy keeps one Classification per statement in flight inside its coroutine frame; a frame
// over 1,032 bytes leaves glibc's per-thread cache for its slow malloc path (the frame is a heap
// block per statement). This budget keeps that frame under the limit.
static_assert(sizeof(Classification) <= 832, "Classification grew: see the comment above");

struct ClassifyOptions {
  bool backslash_escapes = true;  // false under sql_mode NO_BACKSLASH_ESCAPES
  bool ansi_quotes = false;       // sql_mode ANSI_QUOTES
};

Classification ClassifySql(std::string_view sql, const ClassifyOptions& options = {});

std::string_view ToString(StatementKind kind);
std::string_view ToString(TxnOp op);
std::string_view ToString(Verb verb);

}  // namespace switchyard::proxy
