#include "binlog/transaction_tracker.h"

#include <fmt/format.h>

namespace switchyard::binlog {
namespace {

std::string_view TrimStatement(std::string_view q) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';'; };
  while (!q.empty() && space(q.front())) q.remove_prefix(1);
  while (!q.empty() && space(q.back())) q.remove_suffix(1);
  return q;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

bool StartsNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsNoCase(s.substr(0, prefix.size()), prefix);
}

// Statements that open a multi-event transaction right after its GTID event.
bool OpensTransaction(std::string_view query) {
  query = TrimStatement(query);
  return EqualsNoCase(query, "BEGIN") || StartsNoCase(query, "XA START") ||
         StartsNoCase(query, "XA BEGIN");
}

// Statements that end one. Exact matches: "ROLLBACK TO sp" stays inside the transaction.
bool EndsTransaction(std::string_view query) {
  query = TrimStatement(query);
  return EqualsNoCase(query, "COMMIT") || EqualsNoCase(query, "ROLLBACK");
}

}  // namespace

std::string CompletedTransaction::GtidText() const {
  if (const auto* m = std::get_if<MariadbGtid>(&gtid)) return m->ToString();
  if (const auto* g = std::get_if<MysqlGtid>(&gtid)) return g->ToString();
  return "ANONYMOUS";
}

Result<TransactionTracker> TransactionTracker::Create(bool mariadb, std::string_view start) {
  TransactionTracker t(mariadb);
  if (Status st = t.Reset(start); !st) return st.error();
  return t;
}

Status TransactionTracker::Reset(std::string_view start) {
  if (mariadb_) {
    auto pos = MariadbGtidPos::Parse(start);
    if (!pos) return pos.error();
    mariadb_pos_ = std::move(*pos);
  } else {
    auto set = MysqlGtidSet::Parse(start);
    if (!set) return set.error();
    mysql_set_ = std::move(*set);
  }
  Disconnected();
  return Status::Ok();
}

std::string TransactionTracker::ResumePosition() const {
  return mariadb_ ? mariadb_pos_.ToString() : mysql_set_.ToString();
}

void TransactionTracker::Disconnected() {
  if (state_ != State::kIdle) ++partial_dropped_;
  state_ = State::kIdle;
  current_ = CompletedTransaction{};
  immediate_commit_us_.reset();
}

void TransactionTracker::Begin(std::variant<std::monostate, MariadbGtid, MysqlGtid> gtid,
                               std::optional<uint64_t> commit_us) {
  // A GTID while a transaction is open means the previous one never ended (cannot happen on a
  // healthy stream): drop it rather than report something incomplete.
  if (state_ != State::kIdle) ++partial_dropped_;
  current_ = CompletedTransaction{};
  current_.gtid = std::move(gtid);
  immediate_commit_us_ = commit_us;
  state_ = State::kAfterGtid;
}

bool TransactionTracker::AlreadySeen(const CompletedTransaction& t) const {
  if (const auto* m = std::get_if<MariadbGtid>(&t.gtid)) return mariadb_pos_.Contains(*m);
  if (const auto* g = std::get_if<MysqlGtid>(&t.gtid)) {
    return mysql_set_.Contains(g->uuid, g->gno, g->tag);
  }
  return false;
}

std::optional<CompletedTransaction> TransactionTracker::Complete(uint64_t now_ms) {
  state_ = State::kIdle;
  CompletedTransaction done = std::move(current_);
  current_ = CompletedTransaction{};
  done.receive_time_ms = now_ms;
  done.commit_time_ms = immediate_commit_us_ ? *immediate_commit_us_ / 1000 : now_ms;
  immediate_commit_us_.reset();
  done.end = coordinates_;
  if (AlreadySeen(done)) {
    ++duplicates_dropped_;
    return std::nullopt;
  }
  if (const auto* m = std::get_if<MariadbGtid>(&done.gtid)) mariadb_pos_.Update(*m);
  if (const auto* g = std::get_if<MysqlGtid>(&done.gtid)) mysql_set_.Add(g->uuid, g->gno, g->tag);
  return done;
}

std::optional<CompletedTransaction> TransactionTracker::OnEvent(const Event& event,
                                                                uint64_t event_bytes,
                                                                uint64_t now_ms) {
  const EventHeader& h = event.header;
  // log_pos is where the next event starts in the master's file; artificial events (the
  // dump's fake ROTATE, GTID_LIST, FDE) carry 0 and do not move the position.
  if (h.log_pos != 0 && !(h.flags & kFlagArtificial)) coordinates_.position = h.log_pos;

  if (const auto* rotate = std::get_if<RotateEvent>(&event.body)) {
    coordinates_.file = std::string(rotate->next_file);
    coordinates_.position = rotate->position;
    return std::nullopt;
  }
  if (const auto* hb = std::get_if<HeartbeatEvent>(&event.body)) {
    // v1 carries the master's position in the header's log_pos, v2 in its body.
    if (!hb->log_file.empty()) coordinates_.file = std::string(hb->log_file);
    if (hb->log_position) {
      coordinates_.position = *hb->log_position;
    } else if (h.log_pos != 0) {
      coordinates_.position = h.log_pos;
    }
    return std::nullopt;
  }
  if (const auto* g = std::get_if<MariadbGtidEvent>(&event.body)) {
    Begin(g->gtid, std::nullopt);
  } else if (const auto* mg = std::get_if<MysqlGtidEvent>(&event.body)) {
    std::variant<std::monostate, MariadbGtid, MysqlGtid> id;
    if (!mg->anonymous) id = MysqlGtid{mg->uuid, mg->tag, mg->gno};
    Begin(std::move(id), mg->immediate_commit_timestamp);
  }
  if (state_ == State::kIdle) return std::nullopt;  // outside any transaction (FDE, lists...)

  ++current_.events;
  current_.bytes += event_bytes;
  if (std::holds_alternative<MariadbGtidEvent>(event.body) ||
      std::holds_alternative<MysqlGtidEvent>(event.body)) {
    return std::nullopt;
  }
  if (const auto* q = std::get_if<QueryEvent>(&event.body)) {
    if (state_ == State::kAfterGtid) {
      if (OpensTransaction(q->query)) {
        state_ = State::kInTransaction;
        return std::nullopt;
      }
      return Complete(now_ms);  // DDL and other standalone statements: one event
    }
    if (EndsTransaction(q->query)) return Complete(now_ms);
    return std::nullopt;
  }
  if (std::holds_alternative<XidEvent>(event.body) ||
      std::holds_alternative<XaPrepareEvent>(event.body) ||
      std::holds_alternative<TransactionPayloadEvent>(event.body)) {
    // TRANSACTION_PAYLOAD holds everything after the GTID event, XID included.
    return Complete(now_ms);
  }
  if (state_ == State::kAfterGtid) state_ = State::kInTransaction;
  return std::nullopt;
}

}  // namespace switchyard::binlog
