#include "proxy/prepared_statements.h"

#include <fmt/format.h>

#include <cctype>

#include "proxy/sql/sql_tokenizer.h"
#include "wire/capabilities.h"
#include "wire/commands.h"

namespace switchyard::proxy {

uint32_t PreparedStatements::ReserveId() {
  // 0 and 0xFFFFFFFF are not ids; wrapping around after 4 billion prepares skips live ones.
  for (;;) {
    uint32_t id = next_id_++;
    if (next_id_ == 0xFFFFFFFFu) next_id_ = 1;
    if (!statements_.count(id)) return id;
  }
}

PreparedStatement& PreparedStatements::Add(uint32_t id, std::string sql,
                                           Classification classification, uint16_t num_params,
                                           uint16_t num_columns, uint64_t serial,
                                           uint32_t backend_id) {
  auto ps = std::make_unique<PreparedStatement>();
  ps->id = id;
  ps->sql = std::move(sql);
  ps->classification = std::move(classification);
  ps->num_params = num_params;
  ps->num_columns = num_columns;
  ps->backends[serial] = PreparedStatement::OnBackend{backend_id, 0};
  PreparedStatement& ref = *ps;
  statements_[id] = std::move(ps);
  last_id_ = id;
  return ref;
}

PreparedStatement* PreparedStatements::Find(uint32_t id) {
  if (id == 0xFFFFFFFFu) id = last_id_;
  auto it = statements_.find(id);
  return it == statements_.end() ? nullptr : it->second.get();
}

void PreparedStatements::Remove(uint32_t id) {
  if (id == 0xFFFFFFFFu) id = last_id_;
  statements_.erase(id);
}

void PreparedStatements::ForgetBackend(uint64_t serial) {
  for (auto& [id, ps] : statements_) {
    ps->backends.erase(serial);
    if (ps->cursor_backend == serial) ps->cursor_backend.reset();
  }
}

namespace {
constexpr size_t kExecuteHeader = 1 + 4 + 1 + 4;  // command, statement id, flags, iteration count
}

Result<ExecuteTypes> FindExecuteTypes(wire::BytesView payload, uint16_t num_params) {
  if (payload.empty() || payload[0] != static_cast<uint8_t>(wire::Command::kStmtExecute))
    return MakeError("COM_STMT_EXECUTE: not an execute packet");
  if (payload.size() < kExecuteHeader)
    return MakeError(
        fmt::format("COM_STMT_EXECUTE: {} bytes, header needs {}", payload.size(), kExecuteHeader));
  ExecuteTypes t;
  if (num_params == 0) return t;
  t.flag_offset = kExecuteHeader + (num_params + 7u) / 8u;
  if (payload.size() <= t.flag_offset)
    return MakeError(
        fmt::format("COM_STMT_EXECUTE: truncated before the new-params-bound flag "
                    "at offset {}",
                    t.flag_offset));
  t.new_params_bound = payload[t.flag_offset] != 0;
  if (t.new_params_bound) {
    size_t types_end = t.flag_offset + 1 + 2u * num_params;
    if (payload.size() < types_end)
      return MakeError(
          fmt::format("COM_STMT_EXECUTE: parameter types truncated at offset {}", payload.size()));
    t.types = payload.subspan(t.flag_offset + 1, 2u * num_params);
  }
  return t;
}

Result<wire::Bytes> ExecuteForBackend(wire::BytesView payload, uint16_t num_params,
                                      uint32_t backend_id, bool bind_types, wire::BytesView types) {
  auto layout = FindExecuteTypes(payload, num_params);
  if (!layout.ok()) return layout.error();
  wire::Bytes out;
  if (bind_types && num_params > 0 && !layout->new_params_bound) {
    if (types.size() != 2u * num_params)
      return MakeError(fmt::format("COM_STMT_EXECUTE: {} parameters but {} bytes of cached types",
                                   num_params, types.size()));
    out.reserve(payload.size() + types.size());
    out.insert(out.end(), payload.begin(), payload.begin() + layout->flag_offset);
    out.push_back(1);
    out.insert(out.end(), types.begin(), types.end());
    out.insert(out.end(), payload.begin() + layout->flag_offset + 1, payload.end());
  } else {
    out.assign(payload.begin(), payload.end());
  }
  if (Status s = wire::RewriteStatementId(out, backend_id); !s.ok()) return s.error();
  return out;
}

Result<wire::Bytes> WithStatementId(wire::BytesView payload, uint32_t backend_id) {
  wire::Bytes out(payload.begin(), payload.end());
  if (Status s = wire::RewriteStatementId(out, backend_id); !s.ok()) return s.error();
  return out;
}

bool ValueFromPlaceholder(const VariableAssignment& a) {
  SqlTokenizer tok(a.value);
  for (Token t = tok.Next(); t.kind != TokenKind::kEnd && t.kind != TokenKind::kError;
       t = tok.Next()) {
    if (t.IsPunct('?')) return true;
  }
  return false;
}

std::string SqlLiteral(const std::optional<std::string>& value) {
  if (!value) return "NULL";
  const std::string& v = *value;
  // A plain decimal number (optionally signed, with a fraction or exponent) is replayed as is.
  size_t i = 0;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
  size_t digits = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
  }
  if (digits > 0 && i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    size_t j = i + 1;
    if (j < v.size() && (v[j] == '-' || v[j] == '+')) ++j;
    size_t exp_digits = 0;
    while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j, ++exp_digits;
    if (exp_digits > 0) i = j;
  }
  if (digits > 0 && i == v.size()) return v;
  if (v.find_first_of("'\\") == std::string::npos) return "'" + v + "'";
  std::string hex = "X'";
  for (unsigned char ch : v) hex += fmt::format("{:02X}", ch);
  return hex + "'";
}

}  // namespace switchyard::proxy
