#include "proxy/session_state.h"

#include <algorithm>
#include <cctype>

#include "wire/capabilities.h"

namespace switchyard::proxy {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "`";
  for (char ch : name) {
    if (ch == '`') out += '`';
    out += ch;
  }
  return out + "`";
}

}  // namespace

void SessionState::OnServerStatus(uint16_t status_flags) {
  bool in_trans = (status_flags & wire::status::kInTrans) != 0;
  bool autocommit = (status_flags & wire::status::kAutocommit) != 0;
  if (!in_trans && in_transaction_ && read_only_txn_replica_) read_only_txn_replica_.reset();
  in_transaction_ = in_trans;
  autocommit_ = autocommit;
}

void SessionState::OnDatabaseChanged(std::string db) {
  if (db == database_) return;
  database_ = std::move(db);
  Bump();
}

void SessionState::OnStatementSucceeded(const Classification& c) {
  if (c.uses_named_lock) named_locks_ = true;
  const SessionChange& s = c.session;
  if (s.use_database) OnDatabaseChanged(*s.use_database);
  if (s.names_charset) {
    names_ = *s.names_charset + (s.names_collation ? " COLLATE " + *s.names_collation : "");
    character_set_.reset();
    Bump();
  }
  if (s.character_set) {
    character_set_ = *s.character_set;
    names_.reset();
    Bump();
  }
  if (s.transaction && s.transaction->scope == TransactionCharacteristics::Scope::kSession) {
    std::string t;
    if (!s.transaction->isolation_level.empty()) t = "ISOLATION LEVEL " + s.transaction->isolation_level;
    if (s.transaction->read_only)
      t += std::string(t.empty() ? "" : ", ") + (*s.transaction->read_only ? "READ ONLY" : "READ WRITE");
    transaction_characteristics_ = t;
    Bump();
  }
  for (const auto& a : s.assignments) {
    using Scope = VariableAssignment::Scope;
    if (a.scope == Scope::kUser) {
      user_vars_[a.name] = a.value;
      if (!a.value_is_constant) user_vars_replayable_ = false;
      Bump();
    } else if (a.scope == Scope::kSession) {
      if (a.name == "autocommit") continue;  // tracked from server status flags
      if (a.name == "sql_mode") {
        std::string v = Lower(a.value);
        classify_options_.backslash_escapes = v.find("no_backslash_escapes") == std::string::npos;
        classify_options_.ansi_quotes = v.find("ansi_quotes") != std::string::npos || v.find("'ansi'") != std::string::npos;
      }
      if (!a.value_is_constant) user_vars_replayable_ = false;  // replay may differ: be safe
      session_vars_[a.name] = a.value;
      Bump();
    }
  }
  for (const auto& t : c.created_temp_tables) temp_tables_.insert(Lower(t.name));
  for (const auto& t : c.dropped_tables) temp_tables_.erase(Lower(t.name));
  if (c.txn == TxnOp::kCommit || c.txn == TxnOp::kRollback) read_only_txn_replica_.reset();
}

void SessionState::OnTextPrepare(const std::string& name, std::string sql, Classification inner) {
  text_prepared_[name] = TextPrepare{std::move(sql), std::move(inner)};
  Bump();
}

void SessionState::OnTextDeallocate(const std::string& name) {
  if (text_prepared_.erase(name)) Bump();
}

const Classification* SessionState::TextPrepared(const std::string& name) const {
  auto it = text_prepared_.find(name);
  return it == text_prepared_.end() ? nullptr : &it->second.inner;
}

bool SessionState::TouchesTemporaryTable(const Classification& c) const {
  if (temp_tables_.empty()) return false;
  if (!c.tables_complete) return true;
  return std::any_of(c.tables.begin(), c.tables.end(),
                     [&](const TableRef& t) { return temp_tables_.count(Lower(t.name)) != 0; });
}

std::vector<std::string> SessionState::ReplayStatements() const {
  std::vector<std::string> items;
  if (names_) items.push_back("NAMES " + *names_);
  if (character_set_) items.push_back("CHARACTER SET " + *character_set_);
  for (const auto& [name, value] : session_vars_) items.push_back("@@session." + QuoteIdent(name) + "=" + value);
  for (const auto& [name, value] : user_vars_) items.push_back("@" + QuoteIdent(name) + "=" + value);
  std::vector<std::string> out;
  if (!items.empty()) {
    std::string sql = "SET ";
    for (size_t i = 0; i < items.size(); ++i) sql += (i ? ", " : "") + items[i];
    out.push_back(std::move(sql));
  }
  if (transaction_characteristics_ && !transaction_characteristics_->empty())
    out.push_back("SET SESSION TRANSACTION " + *transaction_characteristics_);
  for (const auto& [name, p] : text_prepared_) out.push_back(p.sql);
  return out;
}

}  // namespace switchyard::proxy
