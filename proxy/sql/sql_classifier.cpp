#include "proxy/sql/sql_classifier.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <span>

#include "proxy/sql/sql_tokenizer.h"

namespace switchyard::proxy {
namespace {

// ---------------------------------------------------------------------------------------------
// Keywords. X(enum name, lower-case text, reserved): "reserved" words are never taken for a
// table name or an alias when following table references.
// clang-format off
#define SY_KEYWORDS(X) \
  X(kAggregate, "aggregate", 0) \
  X(kAll, "all", 1) \
  X(kAlter, "alter", 1) \
  X(kAnalyze, "analyze", 1) \
  X(kAnd, "and", 1) \
  X(kAs, "as", 1) \
  X(kAtomic, "atomic", 0) \
  X(kBackup, "backup", 0) \
  X(kBegin, "begin", 0) \
  X(kBinary, "binary", 1) \
  X(kBinlog, "binlog", 0) \
  X(kBy, "by", 1) \
  X(kCache, "cache", 0) \
  X(kCall, "call", 1) \
  X(kCase, "case", 1) \
  X(kChain, "chain", 0) \
  X(kChange, "change", 1) \
  X(kCharacter, "character", 1) \
  X(kCharset, "charset", 0) \
  X(kCheck, "check", 1) \
  X(kChecksum, "checksum", 0) \
  X(kClone, "clone", 0) \
  X(kCollate, "collate", 1) \
  X(kCommit, "commit", 0) \
  X(kCommitted, "committed", 0) \
  X(kConnection, "connection", 0) \
  X(kConsistent, "consistent", 0) \
  X(kCount, "count", 0) \
  X(kCreate, "create", 1) \
  X(kCross, "cross", 1) \
  X(kCurrent, "current", 0) \
  X(kCurrval, "currval", 0) \
  X(kDatabase, "database", 1) \
  X(kDeallocate, "deallocate", 0) \
  X(kDeclare, "declare", 1) \
  X(kDefault, "default", 1) \
  X(kDefiner, "definer", 0) \
  X(kDelayed, "delayed", 1) \
  X(kDelete, "delete", 1) \
  X(kDesc, "desc", 1) \
  X(kDescribe, "describe", 1) \
  X(kDiagnostics, "diagnostics", 0) \
  X(kDistinct, "distinct", 1) \
  X(kDo, "do", 0) \
  X(kDrop, "drop", 1) \
  X(kDual, "dual", 1) \
  X(kDumpfile, "dumpfile", 1) \
  X(kElse, "else", 1) \
  X(kElseif, "elseif", 1) \
  X(kEnd, "end", 0) \
  X(kErrors, "errors", 0) \
  X(kEvent, "event", 0) \
  X(kEvents, "events", 0) \
  X(kExcept, "except", 1) \
  X(kExecute, "execute", 0) \
  X(kExists, "exists", 1) \
  X(kExplain, "explain", 1) \
  X(kExtended, "extended", 1) \
  X(kFalse, "false", 1) \
  X(kFlush, "flush", 0) \
  X(kFor, "for", 1) \
  X(kForce, "force", 1) \
  X(kFormat, "format", 1) \
  X(kFoundRows, "found_rows", 0) \
  X(kFrom, "from", 1) \
  X(kFull, "full", 0) \
  X(kFunction, "function", 0) \
  X(kGet, "get", 1) \
  X(kGetLock, "get_lock", 0) \
  X(kGlobal, "global", 0) \
  X(kGrant, "grant", 1) \
  X(kGroup, "group", 1) \
  X(kHandler, "handler", 0) \
  X(kHaving, "having", 1) \
  X(kHelp, "help", 0) \
  X(kHighPriority, "high_priority", 1) \
  X(kIf, "if", 1) \
  X(kIgnore, "ignore", 1) \
  X(kImmediate, "immediate", 0) \
  X(kImport, "import", 0) \
  X(kIn, "in", 1) \
  X(kIndex, "index", 1) \
  X(kInner, "inner", 1) \
  X(kInsert, "insert", 1) \
  X(kInstall, "install", 0) \
  X(kInstance, "instance", 0) \
  X(kIntersect, "intersect", 1) \
  X(kInto, "into", 1) \
  X(kIsFreeLock, "is_free_lock", 0) \
  X(kIsUsedLock, "is_used_lock", 0) \
  X(kIsolation, "isolation", 0) \
  X(kJoin, "join", 1) \
  X(kKey, "key", 1) \
  X(kKill, "kill", 1) \
  X(kLastInsertId, "last_insert_id", 0) \
  X(kLastval, "lastval", 0) \
  X(kLateral, "lateral", 1) \
  X(kLeft, "left", 1) \
  X(kLevel, "level", 0) \
  X(kLike, "like", 1) \
  X(kLimit, "limit", 1) \
  X(kLoad, "load", 1) \
  X(kLocal, "local", 0) \
  X(kLock, "lock", 1) \
  X(kLog, "log", 0) \
  X(kLogs, "logs", 0) \
  X(kLoop, "loop", 1) \
  X(kLowPriority, "low_priority", 1) \
  X(kMaster, "master", 0) \
  X(kMode, "mode", 0) \
  X(kNames, "names", 0) \
  X(kNatural, "natural", 1) \
  X(kNext, "next", 0) \
  X(kNextval, "nextval", 0) \
  X(kNo, "no", 0) \
  X(kNot, "not", 1) \
  X(kNull, "null", 1) \
  X(kOff, "off", 0) \
  X(kOn, "on", 1) \
  X(kOne, "one", 0) \
  X(kOnly, "only", 0) \
  X(kOptimize, "optimize", 1) \
  X(kOr, "or", 1) \
  X(kOrder, "order", 1) \
  X(kOuter, "outer", 1) \
  X(kOutfile, "outfile", 1) \
  X(kPackage, "package", 0) \
  X(kPartition, "partition", 1) \
  X(kPartitions, "partitions", 1) \
  X(kPassword, "password", 0) \
  X(kPersist, "persist", 0) \
  X(kPersistOnly, "persist_only", 0) \
  X(kPhase, "phase", 0) \
  X(kPrepare, "prepare", 0) \
  X(kPrevious, "previous", 0) \
  X(kProcedure, "procedure", 1) \
  X(kPurge, "purge", 1) \
  X(kQuick, "quick", 0) \
  X(kRead, "read", 1) \
  X(kRecover, "recover", 0) \
  X(kRecursive, "recursive", 1) \
  X(kRelease, "release", 1) \
  X(kReleaseAllLocks, "release_all_locks", 0) \
  X(kReleaseLock, "release_lock", 0) \
  X(kRename, "rename", 1) \
  X(kRepair, "repair", 0) \
  X(kRepeat, "repeat", 1) \
  X(kRepeatable, "repeatable", 0) \
  X(kReplace, "replace", 1) \
  X(kReset, "reset", 0) \
  X(kResignal, "resignal", 1) \
  X(kRestart, "restart", 0) \
  X(kReturning, "returning", 1) \
  X(kRevoke, "revoke", 1) \
  X(kRight, "right", 1) \
  X(kRole, "role", 0) \
  X(kRollback, "rollback", 0) \
  X(kRowCount, "row_count", 0) \
  X(kSavepoint, "savepoint", 0) \
  X(kSchema, "schema", 1) \
  X(kSelect, "select", 1) \
  X(kSequence, "sequence", 0) \
  X(kSerializable, "serializable", 0) \
  X(kServer, "server", 0) \
  X(kSession, "session", 0) \
  X(kSet, "set", 1) \
  X(kSetval, "setval", 0) \
  X(kShare, "share", 0) \
  X(kShow, "show", 1) \
  X(kShutdown, "shutdown", 0) \
  X(kSignal, "signal", 1) \
  X(kSnapshot, "snapshot", 0) \
  X(kSqlCalcFoundRows, "sql_calc_found_rows", 1) \
  X(kStacked, "stacked", 0) \
  X(kStart, "start", 0) \
  X(kStatement, "statement", 0) \
  X(kStatus, "status", 0) \
  X(kStop, "stop", 0) \
  X(kStraightJoin, "straight_join", 1) \
  X(kTable, "table", 1) \
  X(kTables, "tables", 0) \
  X(kTablespace, "tablespace", 0) \
  X(kTemporary, "temporary", 0) \
  X(kThen, "then", 1) \
  X(kTo, "to", 1) \
  X(kTransaction, "transaction", 0) \
  X(kTrigger, "trigger", 1) \
  X(kTrue, "true", 1) \
  X(kTruncate, "truncate", 0) \
  X(kUncommitted, "uncommitted", 0) \
  X(kUninstall, "uninstall", 0) \
  X(kUnion, "union", 1) \
  X(kUnlock, "unlock", 1) \
  X(kUpdate, "update", 1) \
  X(kUse, "use", 1) \
  X(kUser, "user", 0) \
  X(kUsing, "using", 1) \
  X(kValue, "value", 0) \
  X(kValues, "values", 1) \
  X(kView, "view", 0) \
  X(kWarnings, "warnings", 0) \
  X(kWhere, "where", 1) \
  X(kWhile, "while", 1) \
  X(kWindow, "window", 1) \
  X(kWith, "with", 1) \
  X(kWork, "work", 0) \
  X(kWrite, "write", 1) \
  X(kXa, "xa", 0)
// clang-format on

enum class Kw : uint16_t {
  kNone,
#define SY_KW_ENUM(name, text, reserved) name,
  SY_KEYWORDS(SY_KW_ENUM)
#undef SY_KW_ENUM
      kEndOfKeywords,
};

struct KeywordInfo {
  std::string_view text;
  bool reserved;
};

constexpr KeywordInfo kKeywordInfo[] = {{"", false},
#define SY_KW_INFO(name, text, reserved) {text, reserved != 0},
                                        SY_KEYWORDS(SY_KW_INFO)
#undef SY_KW_INFO
};
static_assert(std::size(kKeywordInfo) == static_cast<size_t>(Kw::kEndOfKeywords));

// Keyword lookup costs a few instructions per word: the slot comes from the length and three
// bytes, so there is no hashing or lowering pass over the whole word, and the one candidate
// is compared case-insensitively in place.
//
// Case folding is `byte | 0x20`. For the bytes a kWord token can hold (letters, digits, '_',
// '$', bytes >= 0x80) it maps 'A'..'Z' to 'a'..'z' and nothing else onto a keyword byte:
// keywords are [a-z_] and '_' folds to 0x7F, which only DEL (never in a word) shares.
constexpr char Fold(char c) {
  return static_cast<char>(c | 0x20);
}

constexpr size_t MaxKeywordLength() {
  size_t n = 0;
  for (const KeywordInfo& k : kKeywordInfo) n = std::max(n, k.text.size());
  return n;
}
constexpr size_t kMaxKeywordLength = MaxKeywordLength();
constexpr size_t kKeywordSlotBits = 10;
constexpr size_t kKeywordSlots = size_t{1} << kKeywordSlotBits;  // load factor ~0.2

// Multiplicative hash of (length, first, second, last byte), folded. Words shorter than 2
// bytes are never looked up (no keyword is that short), so word[1] exists.
constexpr size_t KeywordSlot(std::string_view word) {
  const uint32_t key = static_cast<uint32_t>(word.size()) |
                       static_cast<uint32_t>(static_cast<unsigned char>(Fold(word[0]))) << 8 |
                       static_cast<uint32_t>(static_cast<unsigned char>(Fold(word[1]))) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(Fold(word.back()))) << 24;
  return (key * 2654435761u) >> (32 - kKeywordSlotBits);
}

constexpr std::array<uint16_t, kKeywordSlots> BuildKeywordSlots() {
  std::array<uint16_t, kKeywordSlots> slots{};
  for (uint16_t k = 1; k < static_cast<uint16_t>(Kw::kEndOfKeywords); ++k) {
    size_t slot = KeywordSlot(kKeywordInfo[k].text);
    while (slots[slot] != 0) slot = (slot + 1) & (kKeywordSlots - 1);  // linear probing
    slots[slot] = k;
  }
  return slots;
}
constexpr std::array<uint16_t, kKeywordSlots> kKeywordSlotTable = BuildKeywordSlots();

// Loads sizeof(Int) bytes at `p` as an integer with every byte folded (see Fold).
template <typename Int>
Int LoadFolded(const char* p) {
  Int v;
  std::memcpy(&v, p, sizeof v);
  return v | static_cast<Int>(0x2020202020202020ull);
}

// Folded equality of two n-byte runs, 2 <= n <= 24, a few integer compares instead of a byte
// loop. The loads overlap rather than read past either run (e.g. n = 6: bytes 0-3 and 2-5).
bool EqualsFolded(const char* a, const char* b, size_t n) {
  if (n < 4) {
    return LoadFolded<uint16_t>(a) == LoadFolded<uint16_t>(b) &&
           LoadFolded<uint16_t>(a + n - 2) == LoadFolded<uint16_t>(b + n - 2);
  }
  if (n <= 8) {
    return LoadFolded<uint32_t>(a) == LoadFolded<uint32_t>(b) &&
           LoadFolded<uint32_t>(a + n - 4) == LoadFolded<uint32_t>(b + n - 4);
  }
  if (n > 16 && LoadFolded<uint64_t>(a + 8) != LoadFolded<uint64_t>(b + 8)) return false;
  return LoadFolded<uint64_t>(a) == LoadFolded<uint64_t>(b) &&
         LoadFolded<uint64_t>(a + n - 8) == LoadFolded<uint64_t>(b + n - 8);
}
static_assert(kMaxKeywordLength <= 24);

// `word` is the text of a kWord token (see Fold for why that matters).
Kw LookupKeyword(std::string_view word) {
  const size_t n = word.size();
  if (n < 2 || n > kMaxKeywordLength) return Kw::kNone;
  for (size_t slot = KeywordSlot(word);; slot = (slot + 1) & (kKeywordSlots - 1)) {
    const uint16_t k = kKeywordSlotTable[slot];
    if (k == 0) return Kw::kNone;
    const std::string_view text = kKeywordInfo[k].text;
    if (text.size() == n && EqualsFolded(word.data(), text.data(), n)) return static_cast<Kw>(k);
  }
}

bool IsReserved(Kw kw) {
  return kKeywordInfo[static_cast<size_t>(kw)].reserved;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// ToLower(UnquoteIdentifier(text)) without the intermediate string for unquoted names (the
// common case: UnquoteIdentifier returns those unchanged).
std::string LowerIdentifier(std::string_view text) {
  if (!text.empty() && (text.front() == '`' || text.front() == '"')) {
    return ToLower(UnquoteIdentifier(text));
  }
  return ToLower(text);
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

// A token with its keyword, looked up once.
struct Tok {
  Token t;
  Kw kw = Kw::kNone;

  bool Is(Kw k) const { return kw == k; }
  bool IsPunct(char c) const { return t.IsPunct(c); }
  bool IsAssign() const { return t.kind == TokenKind::kPunct && (t.text == "=" || t.text == ":="); }
  // Something that can name a table, alias, variable or prepared statement.
  bool IsIdentifier() const {
    return t.kind == TokenKind::kQuotedIdent ||
           (t.kind == TokenKind::kWord && (kw == Kw::kNone || !IsReserved(kw)));
  }
  bool IsName() const { return t.kind == TokenKind::kQuotedIdent || t.kind == TokenKind::kWord; }
};

constexpr Tok kEndTok{};

// Reasons, as static strings the router can log.
namespace reason {
constexpr std::string_view kWrite = "write";
constexpr std::string_view kDdl = "ddl";
constexpr std::string_view kCall = "call";
constexpr std::string_view kDo = "do";
constexpr std::string_view kLockTables = "lock_tables";
constexpr std::string_view kUserAdmin = "user_admin";
constexpr std::string_view kAdmin = "admin";
constexpr std::string_view kKill = "kill";
constexpr std::string_view kHandler = "handler";
constexpr std::string_view kSetGlobal = "set_global";
constexpr std::string_view kExplainWrite = "explain_write";
constexpr std::string_view kXa = "xa";
constexpr std::string_view kTempTable = "temp_table";
constexpr std::string_view kBinlogStatus = "binlog_status";
constexpr std::string_view kCompound = "compound";
constexpr std::string_view kExecute = "execute";
constexpr std::string_view kMalformed = "malformed";
constexpr std::string_view kEmpty = "empty";
constexpr std::string_view kUnknown = "unknown";
constexpr std::string_view kMultiStatement = "multi_statement";
constexpr std::string_view kForUpdate = "for_update";
constexpr std::string_view kForShare = "for_share";
constexpr std::string_view kLockInShareMode = "lock_in_share_mode";
constexpr std::string_view kInto = "into";
constexpr std::string_view kSequence = "sequence";
constexpr std::string_view kLockFunction = "lock_function";
constexpr std::string_view kLastInsertId = "last_insert_id";
constexpr std::string_view kFoundRows = "found_rows";
constexpr std::string_view kRowCount = "row_count";
constexpr std::string_view kCalcFoundRows = "calc_found_rows";
constexpr std::string_view kUserVarAssign = "user_var_assign";
constexpr std::string_view kAutocommitExpression = "autocommit_expression";
}  // namespace reason

struct StmtResult {
  StatementKind kind = StatementKind::kUnknown;
  Verb verb = Verb::kOther;
  TxnOp txn = TxnOp::kNone;
  bool must_master = true;
  std::string_view reason = reason::kUnknown;
};

StmtResult Read(Verb verb) {
  return {StatementKind::kRead, verb, TxnOp::kNone, false, {}};
}
StmtResult Write(Verb verb, std::string_view why) {
  return {StatementKind::kWrite, verb, TxnOp::kNone, true, why};
}
StmtResult Unknown(Verb verb = Verb::kOther, std::string_view why = reason::kUnknown) {
  return {StatementKind::kUnknown, verb, TxnOp::kNone, true, why};
}
StmtResult Session(Verb verb) {
  return {StatementKind::kSessionState, verb, TxnOp::kNone, false, {}};
}
StmtResult Txn(Verb verb, TxnOp op) {
  return {StatementKind::kTransaction, verb, op, false, {}};
}

Classification ClassifyImpl(std::string_view sql, const ClassifyOptions& options, int nesting);

// ---------------------------------------------------------------------------------------------
// StatementScanner: consumes the tokens of one statement. While streaming it finds the features
// that send a read to the master, follows table references and compound-statement blocks;
// it keeps the first kHeadTokens tokens for the verb-specific parse at the end.
class StatementScanner {
 public:
  static constexpr size_t kHeadTokens = 256;
  static constexpr size_t kMaxDepth = 64;

  StatementScanner(std::string_view sql, Classification& out) : sql_(sql), out_(out) {}

  void Reset() {
    count_ = 0;
    depth_ = 0;
    frames_[0] = Frame{kIdle, false, false};
    frame_ = &frames_[0];
    compound_ = false;
    create_decided_ = false;
    block_depth_ = 0;
    swallow_end_keyword_ = false;
    prev1_ = prev2_ = &kEndTok;
    first_kw_ = Kw::kNone;
    with_main_ = Kw::kNone;
    with_seen_ = false;
    read_master_reason_ = {};
    user_var_mentions_ = 0;
  }

  bool empty() const { return count_ == 0; }
  // A ';' ends the statement unless we are inside a BEGIN...END block of a stored program.
  bool SemicolonEndsStatement() const { return !compound_ || block_depth_ <= 0; }

  // Where the next token is to be built, so that Feed() needs no copy of it.
  Tok* NextSlot() { return count_ < kHeadTokens ? &head_[count_] : &overflow_[count_ % 3]; }

  // `tok` must be the object at NextSlot().
  void Feed(const Tok& tok) {
    const size_t index = count_;
    ++count_;
    if (index == 0) {
      first_kw_ = tok.kw;
      begin_ = Offset(tok);
    }
    ScanFeatures(tok);
    TrackCompound(tok, index);
    TrackTables(tok, index);
    if (tok.kw != Kw::kNone) WatchWith(tok);
    prev2_ = prev1_;
    prev1_ = &tok;
  }

  // Classifies the statement fed so far; writes session/table details into the output.
  StmtResult Finish(const ClassifyOptions& options, int nesting);

  size_t begin() const { return begin_; }
  // End of the last token fed (prev1_ points at it).
  size_t end() const { return Offset(*prev1_) + prev1_->t.text.size(); }

 private:
  // The main verb of WITH ... (at any EXPLAIN/ANALYZE prefix): the first verb outside the
  // parentheses of the common table expressions. Only keywords matter here.
  void WatchWith(const Tok& tok) {
    if (tok.Is(Kw::kWith) && depth_ == 0) with_seen_ = true;
    if (with_seen_ && depth_ == 0 && !tok.Is(Kw::kWith) && with_main_ == Kw::kNone) {
      switch (tok.kw) {
        case Kw::kSelect:
        case Kw::kInsert:
        case Kw::kUpdate:
        case Kw::kDelete:
        case Kw::kReplace:
        case Kw::kTable:
        case Kw::kValues:
          with_main_ = tok.kw;
          break;
        default:
          break;
      }
    }
  }

  enum TableState : uint8_t {
    kIdle,
    kExpect,       // a table reference may follow (after FROM, JOIN, INTO, TABLE, ',', ...)
    kName1,        // saw a name; it may be schema.name or followed by '(' (a table function)
    kDot,          // saw "name."
    kAfterTable,   // an alias, ',' or index hint may follow
    kAs,           // saw AS: the alias follows
    kAfterAlias,   // ',' or index hint may follow
    kIndexHint,    // USE/FORCE/IGNORE INDEX ..., PARTITION: waits for its '('
    kParenFactor,  // inside "( ... )" of a table factor or table function
    kHintParen,    // inside the "( ... )" of an index hint
  };
  struct Frame {  // trivial on purpose: frames_ stays uninitialised until pushed
    uint8_t state;
    bool paren_function;  // after FROM/JOIN, "name(" is a table function
    bool saw_select;      // FROM here starts table references (not EXTRACT(x FROM y))
  };

  size_t Offset(const Tok& tok) const {
    return static_cast<size_t>(tok.t.text.data() - sql_.data());
  }

  void Flag(std::string_view why) {
    if (read_master_reason_.empty()) read_master_reason_ = why;
  }

  void ScanFeatures(const Tok& tok) {
    switch (tok.t.kind) {
      case TokenKind::kWord:
        if (tok.kw == Kw::kNone) break;  // most words: one compare, not a switch
        switch (tok.kw) {
          case Kw::kUpdate:
            if (prev1_->Is(Kw::kFor)) Flag(reason::kForUpdate);
            break;
          case Kw::kShare:
            if (prev1_->Is(Kw::kFor)) Flag(reason::kForShare);
            if (prev1_->Is(Kw::kIn) && prev2_->Is(Kw::kLock)) Flag(reason::kLockInShareMode);
            break;
          case Kw::kInto:
            Flag(reason::kInto);
            break;
          case Kw::kFor:
            if (prev1_->Is(Kw::kValue) && (prev2_->Is(Kw::kNext) || prev2_->Is(Kw::kPrevious))) {
              Flag(reason::kSequence);
            }
            break;
          case Kw::kNextval:
          case Kw::kCurrval:
          case Kw::kLastval:
          case Kw::kSetval:
            if (prev1_->IsPunct('.')) Flag(reason::kSequence);  // seq.nextval (Oracle mode)
            break;
          case Kw::kSqlCalcFoundRows:
            // FOUND_ROWS() afterwards must find this result on the connection it asks.
            Flag(reason::kCalcFoundRows);
            break;
          default:
            break;
        }
        break;
      case TokenKind::kPunct:
        if (tok.IsPunct('(') && prev1_->t.kind == TokenKind::kWord && !prev2_->IsPunct('.')) {
          switch (prev1_->kw) {
            case Kw::kGetLock:
            case Kw::kReleaseLock:
            case Kw::kReleaseAllLocks:
            case Kw::kIsFreeLock:
            case Kw::kIsUsedLock:
              Flag(reason::kLockFunction);
              out_.uses_named_lock = true;
              break;
            case Kw::kLastInsertId:
              Flag(reason::kLastInsertId);
              out_.uses_last_insert_id = true;
              break;
            case Kw::kFoundRows:
              Flag(reason::kFoundRows);
              out_.depends_on_previous_statement = true;
              break;
            case Kw::kRowCount:
              Flag(reason::kRowCount);
              out_.depends_on_previous_statement = true;
              break;
            case Kw::kNextval:
            case Kw::kLastval:
            case Kw::kSetval:
              Flag(reason::kSequence);
              break;
            default:
              break;
          }
        } else if (tok.t.text == ":=" && prev1_->t.kind == TokenKind::kUserVar &&
                   !(first_kw_ == Kw::kSet && depth_ == 0)) {
          Flag(reason::kUserVarAssign);
        }
        break;
      case TokenKind::kUserVar:
        ++user_var_mentions_;
        break;
      case TokenKind::kSystemVar: {
        std::string_view name = tok.t.text.substr(2);
        if (const size_t dot = name.rfind('.'); dot != std::string_view::npos) {
          name.remove_prefix(dot + 1);
        }
        if (EqualsIgnoreCase(name, "identity") || EqualsIgnoreCase(name, "last_insert_id")) {
          Flag(reason::kLastInsertId);
          out_.uses_last_insert_id = true;
        } else if (EqualsIgnoreCase(name, "warning_count") ||
                   EqualsIgnoreCase(name, "error_count")) {
          out_.depends_on_previous_statement = true;
        }
        break;
      }
      default:
        break;
    }
  }

  // Statement-leading position inside a stored program body.
  bool AtStatementStart(size_t index) const {
    if (index == 0 || prev1_->IsPunct(';') || prev1_->IsPunct(':')) return true;
    switch (prev1_->kw) {
      case Kw::kThen:
      case Kw::kElse:
      case Kw::kDo:
      case Kw::kBegin:
      case Kw::kLoop:
      case Kw::kRepeat:
        return true;
      default:
        return false;
    }
  }

  void TrackCompound(const Tok& tok, size_t index) {
    // The common case first: past the second token nothing starts a compound statement,
    // except in CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT/PACKAGE.
    if (!compound_ && index >= 2 && first_kw_ != Kw::kCreate) return;
    if (!compound_) {
      if (index == 0) {
        switch (tok.kw) {
          case Kw::kIf:
          case Kw::kWhile:
          case Kw::kLoop:
          case Kw::kRepeat:
          case Kw::kCase:
          case Kw::kFor:
            compound_ = true;  // MariaDB compound statement outside a stored program
            break;
          default:
            return;
        }
      } else if (index == 1 && first_kw_ == Kw::kBegin && tok.Is(Kw::kNot)) {
        compound_ = true;  // BEGIN NOT ATOMIC
        block_depth_ = 1;
        return;
      } else if (index == 1 && tok.IsPunct(':') && head_[0].t.kind == TokenKind::kWord) {
        compound_ = true;  // label: LOOP ...
        return;
      } else if (first_kw_ == Kw::kCreate && !create_decided_ && index < 16) {
        switch (tok.kw) {
          case Kw::kProcedure:
          case Kw::kFunction:
          case Kw::kTrigger:
          case Kw::kEvent:
          case Kw::kPackage:
            compound_ = create_decided_ = true;
            return;
          case Kw::kTable:
          case Kw::kView:
          case Kw::kIndex:
          case Kw::kDatabase:
          case Kw::kSchema:
          case Kw::kUser:
          case Kw::kRole:
          case Kw::kSequence:
          case Kw::kServer:
          case Kw::kTablespace:
          case Kw::kTemporary:
            create_decided_ = true;
            return;
          default:
            if (tok.IsPunct('(')) create_decided_ = true;
            return;
        }
      } else {
        return;
      }
    }
    if (swallow_end_keyword_) {  // END IF / END LOOP / END WHILE / END REPEAT / END CASE
      swallow_end_keyword_ = false;
      switch (tok.kw) {
        case Kw::kIf:
        case Kw::kLoop:
        case Kw::kWhile:
        case Kw::kRepeat:
        case Kw::kCase:
        case Kw::kFor:
          return;
        default:
          break;
      }
    }
    switch (tok.kw) {
      case Kw::kBegin:
      case Kw::kCase:
        ++block_depth_;
        break;
      case Kw::kIf:
      case Kw::kWhile:
      case Kw::kLoop:
      case Kw::kRepeat:
      case Kw::kFor:
        if (AtStatementStart(index)) ++block_depth_;
        break;
      case Kw::kEnd:
        if (block_depth_ > 0) --block_depth_;
        swallow_end_keyword_ = true;
        break;
      default:
        break;
    }
  }

  bool IsTableTrigger(const Tok& tok, size_t index, const Frame& frame) const {
    if (tok.kw == Kw::kNone) return false;  // most tokens: one compare, not a switch
    switch (tok.kw) {
      case Kw::kFrom:
        return depth_ == 0 || frame.saw_select;
      case Kw::kTable:
      case Kw::kTables:
        // SHOW TABLE STATUS / SHOW TABLES name no table; SHOW CREATE TABLE t does.
        return first_kw_ != Kw::kShow || prev1_->Is(Kw::kCreate);
      case Kw::kJoin:
      case Kw::kStraightJoin:
      case Kw::kInto:
        return true;
      case Kw::kUpdate:
        return !prev1_->Is(Kw::kFor) && !prev1_->Is(Kw::kKey) && !prev1_->Is(Kw::kOn);
      case Kw::kDelete:
        return !prev1_->Is(Kw::kOn);
      case Kw::kInsert:
      case Kw::kReplace:
      case Kw::kDescribe:
      case Kw::kDesc:
      case Kw::kExplain:
      case Kw::kHandler:
      case Kw::kTruncate:
        return index == 0;
      case Kw::kTo:
        return first_kw_ == Kw::kRename || first_kw_ == Kw::kAlter;
      default:
        return false;
    }
  }

  static bool SkippedBeforeTable(Kw kw) {
    switch (kw) {
      case Kw::kIf:
      case Kw::kNot:
      case Kw::kExists:
      case Kw::kLowPriority:
      case Kw::kHighPriority:
      case Kw::kDelayed:
      case Kw::kQuick:
      case Kw::kIgnore:
      case Kw::kLateral:
      case Kw::kExtended:
      case Kw::kPartitions:
      case Kw::kFormat:
      case Kw::kOnly:
        return true;
      default:
        return false;
    }
  }

  static bool StartsIndexHint(Kw kw) {
    return kw == Kw::kUse || kw == Kw::kForce || kw == Kw::kIgnore || kw == Kw::kPartition;
  }
  static bool IsLockOption(Kw kw) {  // LOCK TABLES t READ LOCAL, t2 LOW_PRIORITY WRITE
    return kw == Kw::kRead || kw == Kw::kWrite || kw == Kw::kLocal || kw == Kw::kLowPriority;
  }

  void CommitTable(std::string_view schema, std::string_view name) {
    if (IsQuotedIdentifier(schema) || IsQuotedIdentifier(name)) {
      CommitQuotedTable(schema, name);
      return;
    }
    // Unquoted names are their own text: compare and copy them without a temporary string.
    if (name.empty()) return;
    for (const TableRef& t : out_.tables) {
      if (t.name == name && t.schema == schema) return;
    }
    out_.tables.push_back(TableRef{std::string(schema), std::string(name)});
  }
  static bool IsQuotedIdentifier(std::string_view text) {
    return !text.empty() && (text.front() == '`' || text.front() == '"');
  }
  [[gnu::noinline]] void CommitQuotedTable(std::string_view schema, std::string_view name) {
    TableRef ref{schema.empty() ? std::string() : UnquoteIdentifier(schema),
                 UnquoteIdentifier(name)};
    if (ref.name.empty()) return;
    if (std::find(out_.tables.begin(), out_.tables.end(), ref) == out_.tables.end()) {
      out_.tables.push_back(std::move(ref));
    }
  }

  // In kIdle: a FROM, JOIN, INTO, UPDATE... starts table references.
  void WatchForTableRefs(const Tok& tok, size_t index, Frame& frame) const {
    if (IsTableTrigger(tok, index, frame)) {
      frame.state = kExpect;
      frame.paren_function = tok.Is(Kw::kFrom) || tok.Is(Kw::kJoin) || tok.Is(Kw::kStraightJoin);
    }
  }

  // frame_ follows depth_ (nullptr past kMaxDepth): kept rather than recomputed per token.
  void UpdateFrame() { frame_ = depth_ < kMaxDepth ? &frames_[depth_] : nullptr; }

  void TrackTables(const Tok& tok, size_t index) {
    Frame* const frame = frame_;
    if (tok.IsPunct('(')) {
      Frame child{kIdle, false, false};
      if (frame != nullptr) {
        switch (frame->state) {
          case kExpect:
            frame->state = kParenFactor;
            child.state = kExpect;
            child.paren_function = frame->paren_function;
            break;
          case kName1:
            if (frame->paren_function) {
              frame->state = kParenFactor;  // JSON_TABLE(...) and other table functions
            } else {
              CommitTable({}, pending_);  // INSERT INTO t (a, b)
              frame->state = kIdle;
            }
            break;
          case kIndexHint:
            frame->state = kHintParen;
            break;
          default:
            frame->state = kIdle;
            break;
        }
      }
      ++depth_;
      if (depth_ < kMaxDepth) {
        frames_[depth_] = child;
      } else {
        out_.tables_complete = false;
      }
      UpdateFrame();
      return;
    }
    if (tok.IsPunct(')')) {
      if (depth_ == 0) return;
      if (frame != nullptr && frame->state == kName1) CommitTable({}, pending_);
      --depth_;
      UpdateFrame();
      if (frame_ != nullptr) {
        Frame& parent = *frame_;
        if (parent.state == kParenFactor) parent.state = kAfterTable;
        if (parent.state == kHintParen) parent.state = kAfterTable;  // PARTITION (p) AS x
      }
      return;
    }
    if (frame == nullptr) return;
    if (tok.Is(Kw::kSelect)) frame->saw_select = true;
    if (frame->state == kIdle) {  // the usual state: tested before the switch's jump table
      WatchForTableRefs(tok, index, *frame);
      return;
    }
    for (;;) {  // `continue` re-examines the token in the new state
      switch (frame->state) {
        case kExpect:
          if (SkippedBeforeTable(tok.kw)) return;
          if (tok.IsIdentifier()) {
            pending_ = tok.t.text;
            frame->state = kName1;
            return;
          }
          frame->state = kIdle;
          continue;
        case kName1:
          if (tok.IsPunct('.')) {
            frame->state = kDot;
            return;
          }
          CommitTable({}, pending_);
          frame->state = kAfterTable;
          continue;
        case kDot:
          if (tok.IsName()) {
            CommitTable(pending_, tok.t.text);
            frame->state = kAfterTable;
            return;
          }
          frame->state = kIdle;
          continue;
        case kAfterTable:
          if (tok.Is(Kw::kAs)) {
            frame->state = kAs;
            return;
          }
          if (tok.IsIdentifier() || tok.t.kind == TokenKind::kString) {
            frame->state = kAfterAlias;
            return;
          }
          [[fallthrough]];
        case kAfterAlias:
          if (tok.IsPunct(',')) {
            frame->state = kExpect;
            return;
          }
          if (StartsIndexHint(tok.kw)) {
            frame->state = kIndexHint;
            return;
          }
          if (IsLockOption(tok.kw)) {
            frame->state = kAfterAlias;
            return;
          }
          frame->state = kIdle;
          continue;
        case kAs:
          frame->state = kAfterAlias;
          return;
        case kIndexHint:
        case kParenFactor:
        case kHintParen:
          return;
        case kIdle:
        default:
          WatchForTableRefs(tok, index, *frame);
          return;
      }
    }
  }

  // --- verb-specific parse over head_ ---------------------------------------------------------

  StmtResult ClassifyFrom(size_t i, const ClassifyOptions& options, int nesting);
  StmtResult ClassifySet(size_t i, const ClassifyOptions& options, int nesting);
  StmtResult ClassifyExplained(size_t i, Verb verb, const ClassifyOptions& options, int nesting);
  StmtResult ClassifyShow(size_t i);
  StmtResult ClassifyCreate(size_t i);
  StmtResult ClassifyDrop(size_t i);
  StmtResult ClassifyPrepare(size_t i, const ClassifyOptions& options, int nesting);
  StmtResult ClassifyEndTransaction(size_t i, TxnOp op);
  StmtResult ClassifyStartTransaction(size_t i);
  StmtResult ClassifyXa(size_t i);
  // Parses "[scope] name = value, ..." up to the end (or FOR when `until_for`) into `list`.
  // Returns the index after the list, or 0 on a parse failure.
  size_t ParseAssignments(size_t i, bool until_for, VariableAssignmentList& list, bool& global,
                          bool& autocommit_expression);
  bool ParseTransactionCharacteristics(size_t i, TransactionCharacteristics& tc);

  const Tok& At(size_t i) const { return i < HeadSize() ? head_[i] : kEndTok; }
  bool AtEnd(size_t i) const { return i >= count_; }
  size_t HeadSize() const { return std::min(count_, kHeadTokens); }
  std::string_view TextBetween(size_t first, size_t last_exclusive) const {
    const char* b = head_[first].t.text.data();
    const Token& last = head_[last_exclusive - 1].t;
    return {b, static_cast<size_t>(last.text.data() + last.text.size() - b)};
  }
  // Index just after "schema.name" / "name" at i, or 0 if none.
  size_t ParseTableName(size_t i, TableRef& ref) const {
    if (!At(i).IsName()) return 0;
    if (At(i + 1).IsPunct('.') && At(i + 2).IsName()) {
      ref.schema = UnquoteIdentifier(At(i).t.text);
      ref.name = UnquoteIdentifier(At(i + 2).t.text);
      return i + 3;
    }
    ref.schema.clear();
    ref.name = UnquoteIdentifier(At(i).t.text);
    return i + 1;
  }

  std::string_view sql_;
  Classification& out_;
  // Uninitialised on purpose: only the first min(count_, kHeadTokens) entries are ever read.
  union HeadStorage {
    HeadStorage() {}
    Tok toks[kHeadTokens];
  } head_storage_;
  Tok* const head_ = head_storage_.toks;
  size_t count_ = 0;
  // More tokens than the head keeps: the verb-specific parse cannot see them all.
  bool truncated() const { return count_ > kHeadTokens; }
  size_t begin_ = 0;

  size_t depth_ = 0;
  Frame frames_[kMaxDepth];
  Frame* frame_ = &frames_[0];  // the frame at depth_, or nullptr when too deep
  std::string_view pending_;

  bool compound_ = false;
  bool create_decided_ = false;
  int block_depth_ = 0;
  bool swallow_end_keyword_ = false;

  // The two previous tokens (in head_ or overflow_), for look-behind while streaming.
  const Tok* prev1_ = &kEndTok;
  const Tok* prev2_ = &kEndTok;
  union OverflowStorage {  // slots for tokens past the head: current, prev1, prev2
    OverflowStorage() {}
    Tok toks[3];
  } overflow_storage_;
  Tok* const overflow_ = overflow_storage_.toks;
  Kw first_kw_ = Kw::kNone;
  Kw with_main_ = Kw::kNone;
  bool with_seen_ = false;
  std::string_view read_master_reason_;
  size_t user_var_mentions_ = 0;
  size_t user_var_targets_ = 0;
};

StmtResult StatementScanner::Finish(const ClassifyOptions& options, int nesting) {
  if (frames_[0].state == kName1 && depth_ == 0) CommitTable({}, pending_);
  user_var_targets_ = 0;
  StmtResult r;
  // The most common statements skip the verb dispatch (ClassifyFrom returns the same for them).
  switch (first_kw_) {
    case Kw::kSelect:
      r = Read(Verb::kSelect);
      break;
    case Kw::kInsert:
      r = Write(Verb::kInsert, reason::kWrite);
      break;
    case Kw::kUpdate:
      r = Write(Verb::kUpdate, reason::kWrite);
      break;
    case Kw::kDelete:
      r = Write(Verb::kDelete, reason::kWrite);
      break;
    default:
      r = ClassifyFrom(0, options, nesting);
      break;
  }
  if (user_var_mentions_ > user_var_targets_) out_.reads_user_vars = true;
  // SELECT features that need the master also apply to reads reached through EXPLAIN and to
  // SET values (SET @id = LAST_INSERT_ID() must run where the insert ran).
  if ((r.kind == StatementKind::kRead || r.kind == StatementKind::kSessionState) &&
      !read_master_reason_.empty() && !r.must_master) {
    r.must_master = true;
    r.reason = read_master_reason_;
  }
  return r;
}

StmtResult StatementScanner::ClassifyFrom(size_t i, const ClassifyOptions& options, int nesting) {
  const Tok& tok = At(i);
  if (tok.IsPunct('(')) {  // (SELECT ...) UNION (SELECT ...)
    size_t j = i;
    while (At(j).IsPunct('(')) ++j;
    switch (At(j).kw) {
      case Kw::kSelect:
      case Kw::kWith:
      case Kw::kValues:
      case Kw::kTable:
        return Read(Verb::kSelect);
      default:
        return Unknown();
    }
  }
  if (tok.t.kind != TokenKind::kWord) return Unknown();
  if (i == 0 && At(1).IsPunct(':') && tok.kw == Kw::kNone) {
    return Unknown(Verb::kCompound, reason::kCompound);  // label: LOOP / BEGIN ...
  }
  const Tok& next = At(i + 1);
  switch (tok.kw) {
    case Kw::kSelect:
    case Kw::kValues:
    case Kw::kTable:
      return Read(Verb::kSelect);
    case Kw::kWith:
      switch (with_main_) {
        case Kw::kSelect:
        case Kw::kTable:
        case Kw::kValues:
          return Read(Verb::kSelect);
        case Kw::kUpdate:
          return Write(Verb::kUpdate, reason::kWrite);
        case Kw::kDelete:
          return Write(Verb::kDelete, reason::kWrite);
        case Kw::kInsert:
          return Write(Verb::kInsert, reason::kWrite);
        case Kw::kReplace:
          return Write(Verb::kReplace, reason::kWrite);
        default:
          return Unknown(Verb::kSelect);
      }
    case Kw::kInsert:
      return Write(Verb::kInsert, reason::kWrite);
    case Kw::kUpdate:
      return Write(Verb::kUpdate, reason::kWrite);
    case Kw::kDelete:
      return Write(Verb::kDelete, reason::kWrite);
    case Kw::kReplace:
      return Write(Verb::kReplace, reason::kWrite);
    case Kw::kLoad:
      return Write(Verb::kLoad, reason::kWrite);
    case Kw::kCall:
      return Write(Verb::kCall, reason::kCall);
    case Kw::kDo:
      return Write(Verb::kDo, reason::kDo);
    case Kw::kCreate:
      return ClassifyCreate(i);
    case Kw::kAlter:
      out_.implicit_commit = true;
      if (next.Is(Kw::kUser)) return Write(Verb::kUserAdmin, reason::kUserAdmin);
      return Write(Verb::kAlter, reason::kDdl);
    case Kw::kDrop:
      return ClassifyDrop(i);
    case Kw::kRename:
      out_.implicit_commit = true;
      if (next.Is(Kw::kUser)) return Write(Verb::kUserAdmin, reason::kUserAdmin);
      return Write(Verb::kRename, reason::kDdl);
    case Kw::kTruncate:
      out_.implicit_commit = true;
      return Write(Verb::kTruncate, reason::kDdl);
    case Kw::kGrant:
    case Kw::kRevoke:
      out_.implicit_commit = true;
      return Write(Verb::kUserAdmin, reason::kUserAdmin);
    case Kw::kSet:
      return ClassifySet(i + 1, options, nesting);
    case Kw::kUse:
      if (!next.IsName() || !AtEnd(i + 2)) return Unknown(Verb::kUse);
      out_.session.use_database = UnquoteIdentifier(next.t.text);
      return Session(Verb::kUse);
    case Kw::kShow:
      return ClassifyShow(i + 1);
    case Kw::kDescribe:
    case Kw::kDesc:
    case Kw::kExplain:
      return ClassifyExplained(i + 1, Verb::kExplain, options, nesting);
    case Kw::kHelp:
      return Read(Verb::kHelp);
    case Kw::kBegin:
      if (next.Is(Kw::kNot)) return Unknown(Verb::kCompound, reason::kCompound);
      if (!(AtEnd(i + 1) || (next.Is(Kw::kWork) && AtEnd(i + 2)))) return Unknown(Verb::kBegin);
      out_.implicit_commit = true;
      return Txn(Verb::kBegin, TxnOp::kBegin);
    case Kw::kStart:
      if (next.Is(Kw::kTransaction)) return ClassifyStartTransaction(i + 2);
      out_.implicit_commit = true;
      return Write(Verb::kServerAdmin, reason::kAdmin);  // START SLAVE / REPLICA / ...
    case Kw::kCommit:
      return ClassifyEndTransaction(i + 1, TxnOp::kCommit);
    case Kw::kRollback:
      return ClassifyEndTransaction(i + 1, TxnOp::kRollback);
    case Kw::kSavepoint:
      if (!next.IsName() || !AtEnd(i + 2)) return Unknown(Verb::kSavepoint);
      return Txn(Verb::kSavepoint, TxnOp::kSavepoint);
    case Kw::kRelease:
      if (!next.Is(Kw::kSavepoint) || !At(i + 2).IsName() || !AtEnd(i + 3)) return Unknown();
      return Txn(Verb::kReleaseSavepoint, TxnOp::kReleaseSavepoint);
    case Kw::kXa:
      return ClassifyXa(i + 1);
    case Kw::kLock:
      out_.implicit_commit = true;
      if (next.Is(Kw::kTable) || next.Is(Kw::kTables)) {
        out_.lock = LockOp::kLockTables;
        return Write(Verb::kLockTables, reason::kLockTables);
      }
      return Write(Verb::kLockTables, reason::kAdmin);  // LOCK INSTANCE FOR BACKUP
    case Kw::kUnlock:
      if (next.Is(Kw::kTable) || next.Is(Kw::kTables)) {
        out_.implicit_commit = true;
        out_.lock = LockOp::kUnlockTables;
        return Write(Verb::kUnlockTables, reason::kLockTables);
      }
      return Write(Verb::kUnlockTables, reason::kAdmin);
    case Kw::kPrepare:
      return ClassifyPrepare(i + 1, options, nesting);
    case Kw::kExecute:
      if (next.Is(Kw::kImmediate)) {  // MariaDB EXECUTE IMMEDIATE 'sql'
        if (At(i + 2).t.kind != TokenKind::kString || !AtEnd(i + 3)) {
          return Unknown(Verb::kExecute, reason::kExecute);
        }
        const Classification inner = ClassifyImpl(
            UnescapeString(At(i + 2).t.text, options.backslash_escapes), options, nesting + 1);
        if (inner.kind != StatementKind::kRead && inner.kind != StatementKind::kWrite) {
          return Unknown(Verb::kExecute, reason::kExecute);
        }
        return {inner.kind, Verb::kExecute, TxnOp::kNone, inner.must_master, inner.reason};
      }
      if (!next.IsName()) return Unknown(Verb::kExecute);
      // The route is the prepared statement's: the router looks execute_name up.
      out_.execute_name = ToLower(UnquoteIdentifier(next.t.text));
      return Unknown(Verb::kExecute, reason::kExecute);
    case Kw::kDeallocate:
      if (!next.Is(Kw::kPrepare) || !At(i + 2).IsName() || !AtEnd(i + 3)) {
        return Unknown(Verb::kDeallocate);
      }
      out_.deallocate_name = ToLower(UnquoteIdentifier(At(i + 2).t.text));
      return Session(Verb::kDeallocate);
    case Kw::kHandler:
      return Write(Verb::kHandler, reason::kHandler);
    case Kw::kKill:
      return Write(Verb::kKill, reason::kKill);
    case Kw::kFlush:
      out_.implicit_commit = true;
      for (size_t j = i + 1; j + 1 < HeadSize(); ++j) {
        if ((At(j).Is(Kw::kRead) && At(j + 1).Is(Kw::kLock)) ||
            (At(j).Is(Kw::kFor) && EqualsIgnoreCase(At(j + 1).t.text, "export"))) {
          out_.lock = LockOp::kLockTables;
        }
      }
      return Write(Verb::kFlush, reason::kAdmin);
    case Kw::kAnalyze:
      switch (next.kw) {  // MariaDB ANALYZE <statement> runs it and reports statistics
        case Kw::kSelect:
        case Kw::kInsert:
        case Kw::kUpdate:
        case Kw::kDelete:
        case Kw::kReplace:
        case Kw::kWith:
        case Kw::kValues:
        case Kw::kFormat:
          return ClassifyExplained(i + 1, Verb::kExplain, options, nesting);
        default:
          out_.implicit_commit = true;
          return Write(Verb::kTableAdmin, reason::kAdmin);
      }
    case Kw::kOptimize:
    case Kw::kCheck:
    case Kw::kRepair:
      out_.implicit_commit = true;
      return Write(Verb::kTableAdmin, reason::kAdmin);
    case Kw::kChecksum:
      return Write(Verb::kTableAdmin, reason::kAdmin);
    case Kw::kReset:
    case Kw::kPurge:
    case Kw::kChange:
    case Kw::kStop:
    case Kw::kInstall:
    case Kw::kUninstall:
    case Kw::kShutdown:
    case Kw::kRestart:
    case Kw::kClone:
    case Kw::kBinlog:
    case Kw::kCache:
    case Kw::kBackup:
    case Kw::kImport:
      out_.implicit_commit = true;
      return Write(Verb::kServerAdmin, reason::kAdmin);
    case Kw::kGet: {
      size_t j = i + 1;
      if (At(j).Is(Kw::kCurrent) || At(j).Is(Kw::kStacked)) ++j;
      if (!At(j).Is(Kw::kDiagnostics)) return Unknown();
      out_.depends_on_previous_statement = true;
      return Read(Verb::kDiagnostics);
    }
    case Kw::kIf:
    case Kw::kWhile:
    case Kw::kLoop:
    case Kw::kRepeat:
    case Kw::kCase:
    case Kw::kFor:
    case Kw::kDeclare:
    case Kw::kSignal:
    case Kw::kResignal:
      return Unknown(Verb::kCompound, reason::kCompound);
    default:
      return Unknown();
  }
}

StmtResult StatementScanner::ClassifyExplained(size_t i, Verb verb, const ClassifyOptions& options,
                                               int nesting) {
  // EXPLAIN [EXTENDED | PARTITIONS | ANALYZE | FORMAT = x] statement, or DESCRIBE table [col].
  for (;;) {
    const Tok& tok = At(i);
    if (tok.Is(Kw::kExtended) || tok.Is(Kw::kPartitions) || tok.Is(Kw::kAnalyze)) {
      ++i;
    } else if (tok.Is(Kw::kFormat) && At(i + 1).IsPunct('=')) {
      i += 3;
    } else {
      break;
    }
  }
  const Tok& tok = At(i);
  if (tok.Is(Kw::kFor)) return Unknown(verb);  // EXPLAIN FOR CONNECTION n
  const bool statement = tok.IsPunct('(') || tok.Is(Kw::kSelect) || tok.Is(Kw::kWith) ||
                         tok.Is(Kw::kValues) || tok.Is(Kw::kTable) || tok.Is(Kw::kInsert) ||
                         tok.Is(Kw::kUpdate) || tok.Is(Kw::kDelete) || tok.Is(Kw::kReplace);
  if (!statement) {
    if (!tok.IsName()) return Unknown(verb);
    return Read(verb);  // DESCRIBE t
  }
  // EXPLAIN (and MariaDB ANALYZE) of a WITH statement: the main verb was found while streaming.
  const StmtResult inner = ClassifyFrom(i, options, nesting);
  if (inner.kind == StatementKind::kRead) return Read(verb);
  if (inner.kind == StatementKind::kWrite) return Write(verb, reason::kExplainWrite);
  return Unknown(verb);
}

StmtResult StatementScanner::ClassifyShow(size_t i) {
  // SHOW [FULL|GLOBAL|SESSION] ...
  while (At(i).Is(Kw::kFull) || At(i).Is(Kw::kGlobal) || At(i).Is(Kw::kSession)) ++i;
  const Tok& a = At(i);
  const Tok& b = At(i + 1);
  if (a.Is(Kw::kWarnings) || a.Is(Kw::kErrors) ||
      (a.Is(Kw::kCount) && b.IsPunct('('))) {  // SHOW COUNT(*) WARNINGS
    out_.depends_on_previous_statement = true;
    return Read(Verb::kShow);
  }
  // The binary log position only makes sense on the master.
  if ((a.Is(Kw::kMaster) && (b.Is(Kw::kStatus) || b.Is(Kw::kLogs))) ||
      (a.Is(Kw::kBinary) && (b.Is(Kw::kLogs) || b.Is(Kw::kLog))) ||
      (a.Is(Kw::kBinlog) && (b.Is(Kw::kEvents) || b.Is(Kw::kStatus)))) {
    return Write(Verb::kShow, reason::kBinlogStatus);
  }
  if (!a.IsName()) return Unknown(Verb::kShow);
  return Read(Verb::kShow);
}

StmtResult StatementScanner::ClassifyCreate(size_t i) {
  size_t j = i + 1;
  if (At(j).Is(Kw::kOr) && At(j + 1).Is(Kw::kReplace)) j += 2;
  if (At(j).Is(Kw::kTemporary) && (At(j + 1).Is(Kw::kTable) || At(j + 1).Is(Kw::kSequence))) {
    j += 2;
    if (At(j).Is(Kw::kIf) && At(j + 1).Is(Kw::kNot) && At(j + 2).Is(Kw::kExists)) j += 3;
    TableRef ref;
    if (ParseTableName(j, ref) == 0) return Unknown(Verb::kCreate);
    out_.created_temp_tables.push_back(std::move(ref));
    return {StatementKind::kTempTableDdl, Verb::kCreate, TxnOp::kNone, true, reason::kTempTable};
  }
  out_.implicit_commit = true;
  if (At(j).Is(Kw::kUser) || At(j).Is(Kw::kRole))
    return Write(Verb::kUserAdmin, reason::kUserAdmin);
  return Write(Verb::kCreate, reason::kDdl);
}

StmtResult StatementScanner::ClassifyDrop(size_t i) {
  size_t j = i + 1;
  if (At(j).Is(Kw::kPrepare)) {  // DROP PREPARE name
    if (!At(j + 1).IsName() || !AtEnd(j + 2)) return Unknown(Verb::kDeallocate);
    out_.deallocate_name = ToLower(UnquoteIdentifier(At(j + 1).t.text));
    return Session(Verb::kDeallocate);
  }
  if (At(j).Is(Kw::kUser) || At(j).Is(Kw::kRole)) {
    out_.implicit_commit = true;
    return Write(Verb::kUserAdmin, reason::kUserAdmin);
  }
  const bool temporary = At(j).Is(Kw::kTemporary);
  if (temporary) ++j;
  if (!At(j).Is(Kw::kTable) && !At(j).Is(Kw::kTables)) {
    out_.implicit_commit = true;
    return Write(Verb::kDrop, reason::kDdl);
  }
  ++j;
  if (At(j).Is(Kw::kIf) && At(j + 1).Is(Kw::kExists)) j += 2;
  if (truncated()) return Unknown(Verb::kDrop);
  // DROP TABLE t1, db.t2 [RESTRICT | CASCADE]
  for (;;) {
    TableRef ref;
    const size_t after = ParseTableName(j, ref);
    if (after == 0) return Unknown(Verb::kDrop);
    out_.dropped_tables.push_back(std::move(ref));
    j = after;
    if (!At(j).IsPunct(',')) break;
    ++j;
  }
  if (!AtEnd(j) && !EqualsIgnoreCase(At(j).t.text, "restrict") &&
      !EqualsIgnoreCase(At(j).t.text, "cascade")) {
    return Unknown(Verb::kDrop);
  }
  if (temporary) {
    return {StatementKind::kTempTableDdl, Verb::kDrop, TxnOp::kNone, true, reason::kTempTable};
  }
  out_.implicit_commit = true;
  return Write(Verb::kDrop, reason::kDdl);
}

StmtResult StatementScanner::ClassifyPrepare(size_t i, const ClassifyOptions& options,
                                             int nesting) {
  // PREPARE name FROM 'text' ['more text'...] | @var
  if (!At(i).IsName() || !At(i + 1).Is(Kw::kFrom)) return Unknown(Verb::kPrepare);
  out_.prepare_name = ToLower(UnquoteIdentifier(At(i).t.text));
  size_t j = i + 2;
  if (At(j).t.kind == TokenKind::kUserVar && AtEnd(j + 1)) {
    out_.prepared = nullptr;  // text unknown here: every EXECUTE goes to the master
    return Session(Verb::kPrepare);
  }
  if (At(j).t.kind != TokenKind::kString || truncated()) return Unknown(Verb::kPrepare);
  std::string text;
  while (At(j).t.kind == TokenKind::kString) {  // adjacent literals are concatenated
    text += UnescapeString(At(j).t.text, options.backslash_escapes);
    ++j;
  }
  if (!AtEnd(j)) return Unknown(Verb::kPrepare);
  auto inner = std::make_shared<Classification>(
      nesting < 2 ? ClassifyImpl(text, options, nesting + 1) : Classification{});
  out_.prepared = std::move(inner);
  return Session(Verb::kPrepare);
}

StmtResult StatementScanner::ClassifyEndTransaction(size_t i, TxnOp op) {
  const Verb verb = op == TxnOp::kCommit ? Verb::kCommit : Verb::kRollback;
  if (At(i).Is(Kw::kWork)) ++i;
  if (op == TxnOp::kRollback && At(i).Is(Kw::kTo)) {  // ROLLBACK [WORK] TO [SAVEPOINT] x
    ++i;
    if (At(i).Is(Kw::kSavepoint)) ++i;
    if (!At(i).IsName() || !AtEnd(i + 1)) return Unknown(verb);
    return Txn(verb, TxnOp::kRollbackToSavepoint);
  }
  bool chain = false;
  bool release = false;
  if (At(i).Is(Kw::kAnd)) {
    ++i;
    const bool no = At(i).Is(Kw::kNo);
    if (no) ++i;
    if (!At(i).Is(Kw::kChain)) return Unknown(verb);
    chain = !no;
    ++i;
  }
  if (At(i).Is(Kw::kNo) && At(i + 1).Is(Kw::kRelease)) {
    i += 2;
  } else if (At(i).Is(Kw::kRelease)) {
    release = true;
    ++i;
  }
  if (!AtEnd(i)) return Unknown(verb);
  out_.txn_chain = chain;
  out_.txn_release = release;
  return Txn(verb, op);
}

StmtResult StatementScanner::ClassifyStartTransaction(size_t i) {
  // START TRANSACTION [READ ONLY | READ WRITE | WITH CONSISTENT SNAPSHOT [, ...]]
  bool read_only = false;
  while (!AtEnd(i)) {
    if (At(i).Is(Kw::kRead) && At(i + 1).Is(Kw::kOnly)) {
      read_only = true;
      i += 2;
    } else if (At(i).Is(Kw::kRead) && At(i + 1).Is(Kw::kWrite)) {
      read_only = false;
      i += 2;
    } else if (At(i).Is(Kw::kWith) && At(i + 1).Is(Kw::kConsistent) &&
               At(i + 2).Is(Kw::kSnapshot)) {
      i += 3;
    } else {
      return Unknown(Verb::kBegin);
    }
    if (At(i).IsPunct(',')) {
      ++i;
      if (AtEnd(i)) return Unknown(Verb::kBegin);
    } else if (!AtEnd(i)) {
      return Unknown(Verb::kBegin);
    }
  }
  out_.implicit_commit = true;
  return Txn(Verb::kBegin, read_only ? TxnOp::kBeginReadOnly : TxnOp::kBegin);
}

StmtResult StatementScanner::ClassifyXa(size_t i) {
  TxnOp op = TxnOp::kNone;
  switch (At(i).kw) {
    case Kw::kStart:
    case Kw::kBegin:
      op = TxnOp::kXaStart;
      break;
    case Kw::kEnd:
      op = TxnOp::kXaEnd;
      break;
    case Kw::kPrepare:
      op = TxnOp::kXaPrepare;
      break;
    case Kw::kCommit:
      op = TxnOp::kXaCommit;
      break;
    case Kw::kRollback:
      op = TxnOp::kXaRollback;
      break;
    case Kw::kRecover:
      op = TxnOp::kXaRecover;
      break;
    default:
      return Unknown(Verb::kXa);
  }
  if (op == TxnOp::kXaStart) out_.implicit_commit = true;
  return {StatementKind::kTransaction, Verb::kXa, op, true, reason::kXa};
}

bool StatementScanner::ParseTransactionCharacteristics(size_t i, TransactionCharacteristics& tc) {
  // ISOLATION LEVEL level | READ WRITE | READ ONLY [, ...]
  while (true) {
    if (At(i).Is(Kw::kIsolation) && At(i + 1).Is(Kw::kLevel)) {
      i += 2;
      const Tok& a = At(i);
      const Tok& b = At(i + 1);
      if (a.Is(Kw::kRead) && (b.Is(Kw::kCommitted) || b.Is(Kw::kUncommitted))) {
        tc.isolation_level = "READ " + ToUpper(b.t.text);
        i += 2;
      } else if (a.Is(Kw::kRepeatable) && b.Is(Kw::kRead)) {
        tc.isolation_level = "REPEATABLE READ";
        i += 2;
      } else if (a.Is(Kw::kSerializable)) {
        tc.isolation_level = "SERIALIZABLE";
        i += 1;
      } else {
        return false;
      }
    } else if (At(i).Is(Kw::kRead) && At(i + 1).Is(Kw::kOnly)) {
      tc.read_only = true;
      i += 2;
    } else if (At(i).Is(Kw::kRead) && At(i + 1).Is(Kw::kWrite)) {
      tc.read_only = false;
      i += 2;
    } else {
      return false;
    }
    if (AtEnd(i)) return true;
    if (!At(i).IsPunct(',')) return false;
    ++i;
  }
}

// Parses true/false out of an autocommit value; nullopt if it is an expression.
std::optional<bool> ParseBoolean(const Tok& tok) {
  std::string_view text = tok.t.text;
  if (tok.t.kind == TokenKind::kString) {
    if (text.size() < 2) return std::nullopt;
    text = text.substr(1, text.size() - 2);
  } else if (tok.t.kind != TokenKind::kNumber && tok.t.kind != TokenKind::kWord) {
    return std::nullopt;
  }
  if (text == "1" || EqualsIgnoreCase(text, "on") || EqualsIgnoreCase(text, "true")) return true;
  if (text == "0" || EqualsIgnoreCase(text, "off") || EqualsIgnoreCase(text, "false")) {
    return false;
  }
  return std::nullopt;
}

bool IsConstantValue(std::span<const Tok> value) {
  const auto literal = [](const Tok& tok) {
    switch (tok.t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kString:
      case TokenKind::kQuotedIdent:
        return true;
      case TokenKind::kWord:
        return tok.kw == Kw::kNone || !IsReserved(tok.kw) || tok.Is(Kw::kNull) ||
               tok.Is(Kw::kTrue) || tok.Is(Kw::kFalse) || tok.Is(Kw::kDefault) || tok.Is(Kw::kOn) ||
               tok.Is(Kw::kBinary);
      default:
        return false;
    }
  };
  if (value.size() == 1) return literal(value[0]);
  if (value.size() == 2) {
    if ((value[0].IsPunct('-') || value[0].IsPunct('+')) && value[1].t.kind == TokenKind::kNumber) {
      return true;
    }
    // _utf8mb4'text', N'text', X'1F', b'01': introducer + string
    if (value[0].t.kind == TokenKind::kWord && value[1].t.kind == TokenKind::kString) {
      return true;
    }
  }
  return false;
}

size_t StatementScanner::ParseAssignments(size_t i, bool until_for, VariableAssignmentList& list,
                                          bool& global, bool& autocommit_expression) {
  using Scope = VariableAssignment::Scope;
  Scope carried = Scope::kSession;  // "SET GLOBAL a=1, b=2": the modifier carries over
  const size_t n = HeadSize();
  for (;;) {
    switch (At(i).kw) {
      case Kw::kGlobal:
        carried = Scope::kGlobal;
        ++i;
        break;
      case Kw::kSession:
      case Kw::kLocal:
        carried = Scope::kSession;
        ++i;
        break;
      case Kw::kPersist:
        carried = Scope::kPersist;
        ++i;
        break;
      case Kw::kPersistOnly:
        carried = Scope::kPersistOnly;
        ++i;
        break;
      default:
        break;
    }
    const Tok& target = At(i);
    if (!until_for && target.Is(Kw::kNames)) {  // SET NAMES x [COLLATE y], inside a list too
      if (!At(i + 1).IsName() && At(i + 1).t.kind != TokenKind::kString) return 0;
      out_.session.names_charset = UnquoteIdentifier(UnescapeString(At(i + 1).t.text));
      out_.session.names_collation.reset();
      i += 2;
      if (At(i).Is(Kw::kCollate)) {
        if (!At(i + 1).IsName() && At(i + 1).t.kind != TokenKind::kString) return 0;
        out_.session.names_collation = UnquoteIdentifier(UnescapeString(At(i + 1).t.text));
        i += 2;
      }
    } else if (!until_for &&
               (target.Is(Kw::kCharset) || (target.Is(Kw::kCharacter) && At(i + 1).Is(Kw::kSet)))) {
      i += target.Is(Kw::kCharset) ? 1 : 2;
      if (!At(i).IsName() && At(i).t.kind != TokenKind::kString) return 0;
      out_.session.character_set = UnquoteIdentifier(UnescapeString(At(i).t.text));
      ++i;
    } else {
      VariableAssignment a;
      a.scope = carried;
      if (target.t.kind == TokenKind::kUserVar) {
        a.scope = Scope::kUser;
        std::string_view name = target.t.text.substr(1);
        a.name =
            ToLower(name.empty() || (name[0] != '\'' && name[0] != '"') ? UnquoteIdentifier(name)
                                                                        : UnescapeString(name));
        ++user_var_targets_;
        ++i;
      } else if (target.t.kind == TokenKind::kSystemVar) {
        std::string_view name = target.t.text.substr(2);
        const size_t dot = name.find('.');
        if (dot != std::string_view::npos) {
          const std::string_view scope = name.substr(0, dot);
          if (EqualsIgnoreCase(scope, "global")) {
            a.scope = Scope::kGlobal;
            name.remove_prefix(dot + 1);
          } else if (EqualsIgnoreCase(scope, "session") || EqualsIgnoreCase(scope, "local")) {
            a.scope = Scope::kSession;
            name.remove_prefix(dot + 1);
          } else if (EqualsIgnoreCase(scope, "persist")) {
            a.scope = Scope::kPersist;
            name.remove_prefix(dot + 1);
          } else if (EqualsIgnoreCase(scope, "persist_only")) {
            a.scope = Scope::kPersistOnly;
            name.remove_prefix(dot + 1);
          }
        } else {
          a.scope = Scope::kSession;  // @@x is the session value
        }
        a.name = LowerIdentifier(name);
        ++i;
      } else if (target.IsName()) {
        a.name = LowerIdentifier(target.t.text);
        ++i;
        if (At(i).IsPunct('.') && At(i + 1).IsName()) {  // structured: default.key_buffer_size
          a.name += '.';
          a.name += LowerIdentifier(At(i + 1).t.text);
          i += 2;
        }
      } else {
        return 0;
      }
      if (a.name.empty() || !At(i).IsAssign()) return 0;
      ++i;
      // The value runs to the next ',' (or FOR) outside parentheses.
      const size_t value_begin = i;
      int depth = 0;
      for (; i < n; ++i) {
        const Tok& tok = At(i);
        if (tok.IsPunct('(')) ++depth;
        if (tok.IsPunct(')')) --depth;
        if (depth == 0 && (tok.IsPunct(',') || (until_for && tok.Is(Kw::kFor)))) break;
      }
      if (i == value_begin || depth != 0) return 0;
      const std::span<const Tok> value(head_ + value_begin, i - value_begin);
      a.value = std::string(TextBetween(value_begin, i));
      a.value_is_constant = IsConstantValue(value);
      if (a.scope == Scope::kGlobal || a.scope == Scope::kPersist ||
          a.scope == Scope::kPersistOnly) {
        global = true;
      }
      if (!until_for && a.scope == Scope::kSession && a.name == "autocommit") {
        const std::optional<bool> on = value.size() == 1 ? ParseBoolean(value[0]) : std::nullopt;
        if (on.has_value()) {
          out_.session.autocommit = on;
          if (*on) out_.implicit_commit = true;  // autocommit=1 commits an open transaction
        } else {
          autocommit_expression = true;
        }
      }
      list.push_back(std::move(a));
    }
    if (until_for && At(i).Is(Kw::kFor)) return i;
    if (AtEnd(i)) return until_for ? 0 : i;
    if (!At(i).IsPunct(',')) return 0;
    ++i;
  }
}

StmtResult StatementScanner::ClassifySet(size_t i, const ClassifyOptions& options, int nesting) {
  if (truncated()) return Unknown(Verb::kSet);
  const Tok& a = At(i);
  const Tok& b = At(i + 1);
  if (a.Is(Kw::kStatement)) {  // MariaDB SET STATEMENT x=y [, ...] FOR statement
    bool global = false;
    bool autocommit_expression = false;
    VariableAssignmentList overrides;
    const size_t for_at = ParseAssignments(i + 1, true, overrides, global, autocommit_expression);
    out_.statement_overrides.assign(std::make_move_iterator(overrides.begin()),
                                    std::make_move_iterator(overrides.end()));
    if (for_at == 0 || global) return Unknown(Verb::kSet);
    StmtResult inner = ClassifyFrom(for_at + 1, options, nesting);
    if (inner.kind == StatementKind::kSessionState || inner.kind == StatementKind::kTransaction) {
      return Unknown(Verb::kSet);  // not allowed by the server anyway
    }
    return inner;
  }
  if (a.Is(Kw::kPassword) || (a.Is(Kw::kDefault) && b.Is(Kw::kRole))) {
    out_.implicit_commit = true;
    return Write(Verb::kUserAdmin, reason::kUserAdmin);
  }
  if (a.Is(Kw::kRole)) {  // SET ROLE {DEFAULT | NONE | ALL [EXCEPT ...] | r1, r2}
    if (AtEnd(i + 1)) return Unknown(Verb::kSet);
    out_.session.role = std::string(TextBetween(i + 1, HeadSize()));
    return Session(Verb::kSet);
  }
  TransactionCharacteristics tc;
  size_t t = 0;
  if (a.Is(Kw::kTransaction)) {
    t = i + 1;
  } else if (b.Is(Kw::kTransaction)) {
    if (a.Is(Kw::kSession) || a.Is(Kw::kLocal)) {
      tc.scope = TransactionCharacteristics::Scope::kSession;
    } else if (a.Is(Kw::kGlobal)) {
      tc.scope = TransactionCharacteristics::Scope::kGlobal;
    } else {
      return Unknown(Verb::kSet);
    }
    t = i + 2;
  }
  if (t != 0) {
    if (!ParseTransactionCharacteristics(t, tc)) return Unknown(Verb::kSet);
    const bool global = tc.scope == TransactionCharacteristics::Scope::kGlobal;
    out_.session.transaction = std::move(tc);
    if (global) return Write(Verb::kSet, reason::kSetGlobal);
    return Session(Verb::kSet);
  }
  bool global = false;
  bool autocommit_expression = false;
  if (ParseAssignments(i, false, out_.session.assignments, global, autocommit_expression) == 0) {
    return Unknown(Verb::kSet);
  }
  if (global) return Write(Verb::kSet, reason::kSetGlobal);
  if (autocommit_expression) return Unknown(Verb::kSet, reason::kAutocommitExpression);
  return Session(Verb::kSet);
}

int KindPriority(StatementKind kind) {
  switch (kind) {
    case StatementKind::kRead:
      return 0;
    case StatementKind::kSessionState:
      return 1;
    case StatementKind::kTransaction:
      return 2;
    case StatementKind::kTempTableDdl:
      return 3;
    case StatementKind::kWrite:
      return 4;
    case StatementKind::kUnknown:
      return 5;
  }
  return 5;
}

Classification ClassifyImpl(std::string_view sql, const ClassifyOptions& options, int nesting) {
  Classification out;
  out.must_master = false;
  out.reason = {};
  SqlTokenizer::Options tokenizer_options;
  tokenizer_options.backslash_escapes = options.backslash_escapes;
  tokenizer_options.ansi_quotes = options.ansi_quotes;
  tokenizer_options.emit_comments = true;
  SqlTokenizer tokenizer(sql, tokenizer_options);

  // A few KB of stack (the head tokens); no heap allocation per statement.
  StatementScanner scanner_storage(sql, out);
  StatementScanner* const scanner = &scanner_storage;
  scanner->Reset();
  bool mixed = false;
  bool malformed = false;
  StatementSummary first_summary;

  const auto merge = [&](const StmtResult& r, size_t begin, size_t end) {
    ++out.statement_count;
    const StatementSummary summary{r.kind,   r.verb, r.txn,      r.must_master,
                                   r.reason, begin,  end - begin};
    if (out.statement_count == 1) {
      first_summary = summary;  // the vector is only filled for multi-statements
      out.kind = r.kind;
      out.verb = r.verb;
    } else {
      if (r.kind != out.kind) mixed = true;
      if (KindPriority(r.kind) > KindPriority(out.kind)) out.kind = r.kind;
    }
    if (r.must_master && !out.must_master) {
      out.must_master = true;
      out.reason = r.reason;
    }
    if (r.txn != TxnOp::kNone) out.txn = r.txn;
    if (out.statement_count == 2) out.statements.push_back(first_summary);
    if (out.statement_count >= 2) out.statements.push_back(summary);
  };

  for (;;) {
    // The token is scanned straight into the scanner's slot (no zeroing, no copy).
    Tok* const tok = new (scanner->NextSlot()) Tok{tokenizer.Next(), Kw::kNone};
    const Token& token = tok->t;
    // Comments, errors and the end, tested at once: TokenKind puts them at its ends.
    static_assert(TokenKind::kEnd < TokenKind::kWord && TokenKind::kPunct < TokenKind::kComment &&
                  TokenKind::kComment < TokenKind::kError);
    if (token.kind == TokenKind::kEnd || token.kind >= TokenKind::kComment) [[unlikely]] {
      if (token.kind == TokenKind::kComment) {
        ParseHintComment(token.text, out.hint);
        continue;
      }
      if (token.kind == TokenKind::kError) {
        malformed = true;
        merge(Unknown(Verb::kOther, reason::kMalformed), tokenizer.OffsetOf(token), sql.size());
        break;
      }
      if (!scanner->empty()) {  // kEnd
        merge(scanner->Finish(options, nesting), scanner->begin(), scanner->end());
      }
      break;
    }
    if (token.IsPunct(';') && scanner->SemicolonEndsStatement()) {
      if (!scanner->empty()) {
        merge(scanner->Finish(options, nesting), scanner->begin(), scanner->end());
        scanner->Reset();
      }
      continue;
    }
    if (token.kind == TokenKind::kWord) tok->kw = LookupKeyword(token.text);
    scanner->Feed(*tok);
  }

  if (out.statement_count == 0) {
    out.kind = StatementKind::kUnknown;
    out.must_master = true;
    out.reason = reason::kEmpty;
    out.verb = Verb::kNone;
  }
  if (malformed) {
    out.kind = StatementKind::kUnknown;
    out.must_master = true;
    out.reason = reason::kMalformed;
  }
  out.multi_statement = out.statement_count > 1;
  if (out.multi_statement && mixed && out.kind != StatementKind::kRead && !out.must_master) {
    // Statements of different kinds in one round trip cannot be split: the master runs them.
    out.must_master = true;
    out.reason = reason::kMultiStatement;
  }
  return out;
}

}  // namespace

Classification ClassifySql(std::string_view sql, const ClassifyOptions& options) {
  return ClassifyImpl(sql, options, 0);
}

std::string_view ToString(StatementKind kind) {
  switch (kind) {
    case StatementKind::kRead:
      return "read";
    case StatementKind::kWrite:
      return "write";
    case StatementKind::kSessionState:
      return "session_state";
    case StatementKind::kTransaction:
      return "transaction";
    case StatementKind::kTempTableDdl:
      return "temp_table_ddl";
    case StatementKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view ToString(TxnOp op) {
  switch (op) {
    case TxnOp::kNone:
      return "none";
    case TxnOp::kBegin:
      return "begin";
    case TxnOp::kBeginReadOnly:
      return "begin_read_only";
    case TxnOp::kCommit:
      return "commit";
    case TxnOp::kRollback:
      return "rollback";
    case TxnOp::kSavepoint:
      return "savepoint";
    case TxnOp::kRollbackToSavepoint:
      return "rollback_to_savepoint";
    case TxnOp::kReleaseSavepoint:
      return "release_savepoint";
    case TxnOp::kXaStart:
      return "xa_start";
    case TxnOp::kXaEnd:
      return "xa_end";
    case TxnOp::kXaPrepare:
      return "xa_prepare";
    case TxnOp::kXaCommit:
      return "xa_commit";
    case TxnOp::kXaRollback:
      return "xa_rollback";
    case TxnOp::kXaRecover:
      return "xa_recover";
  }
  return "none";
}

std::string_view ToString(Verb verb) {
  switch (verb) {
    case Verb::kNone:
      return "none";
    case Verb::kSelect:
      return "select";
    case Verb::kInsert:
      return "insert";
    case Verb::kUpdate:
      return "update";
    case Verb::kDelete:
      return "delete";
    case Verb::kReplace:
      return "replace";
    case Verb::kLoad:
      return "load";
    case Verb::kCall:
      return "call";
    case Verb::kDo:
      return "do";
    case Verb::kCreate:
      return "create";
    case Verb::kAlter:
      return "alter";
    case Verb::kDrop:
      return "drop";
    case Verb::kRename:
      return "rename";
    case Verb::kTruncate:
      return "truncate";
    case Verb::kSet:
      return "set";
    case Verb::kUse:
      return "use";
    case Verb::kShow:
      return "show";
    case Verb::kExplain:
      return "explain";
    case Verb::kBegin:
      return "begin";
    case Verb::kCommit:
      return "commit";
    case Verb::kRollback:
      return "rollback";
    case Verb::kSavepoint:
      return "savepoint";
    case Verb::kReleaseSavepoint:
      return "release_savepoint";
    case Verb::kXa:
      return "xa";
    case Verb::kLockTables:
      return "lock_tables";
    case Verb::kUnlockTables:
      return "unlock_tables";
    case Verb::kUserAdmin:
      return "user_admin";
    case Verb::kPrepare:
      return "prepare";
    case Verb::kExecute:
      return "execute";
    case Verb::kDeallocate:
      return "deallocate";
    case Verb::kHandler:
      return "handler";
    case Verb::kKill:
      return "kill";
    case Verb::kFlush:
      return "flush";
    case Verb::kTableAdmin:
      return "table_admin";
    case Verb::kServerAdmin:
      return "server_admin";
    case Verb::kHelp:
      return "help";
    case Verb::kDiagnostics:
      return "diagnostics";
    case Verb::kCompound:
      return "compound";
    case Verb::kOther:
      return "other";
  }
  return "other";
}

}  // namespace switchyard::proxy
