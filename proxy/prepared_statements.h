// PreparedStatements: a session's binary-protocol prepared statements. The client sees one id per
// statement, allocated by the proxy; every backend connection that prepared it (keyed by the
// connection's serial number, so a reconnect starts afresh) has its own id. The statement's class
// is decided once from its text and routes each EXECUTE. Also the pure byte work on statement
// commands: retargeting an EXECUTE to a backend's id and binding the cached parameter types when
// that backend never saw them. Plain data, owned by one ClientSession.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "proxy/sql/sql_classifier.h"
#include "wire/bytes.h"

namespace switchyard::proxy {

struct PreparedStatement {
  uint32_t id = 0;  // the client's statement id
  std::string sql;
  Classification classification;
  uint16_t num_params = 0;
  uint16_t num_columns = 0;
  // Parameter types (2 bytes each) of the last EXECUTE that bound them, and how many times the
  // client has bound types so far: a backend that saw an older binding must be sent these.
  wire::Bytes param_types;
  uint64_t types_version = 0;
  // COM_STMT_SEND_LONG_DATA payloads received since the last EXECUTE or RESET, in order: they go
  // to whichever backend runs the next EXECUTE, just before it.
  std::vector<wire::Bytes> long_data;
  size_t long_data_bytes = 0;
  struct OnBackend {
    uint32_t statement_id = 0;
    uint64_t types_version = 0;  // binding this backend has seen (0: none)
  };
  std::map<uint64_t, OnBackend> backends;  // by backend connection serial
  std::optional<uint64_t> cursor_backend;  // connection holding the cursor of the last EXECUTE
};

class PreparedStatements {
 public:
  // A fresh client statement id (the client learns it from the rewritten PREPARE response).
  uint32_t ReserveId();
  // Registers statement `id` (from ReserveId), prepared on backend connection `serial`, which
  // answered with `backend_id`.
  PreparedStatement& Add(uint32_t id, std::string sql, Classification classification,
                         uint16_t num_params, uint16_t num_columns, uint64_t serial,
                         uint32_t backend_id);
  // The statement with client id `id`; 0xFFFFFFFF means the last one prepared (MariaDB).
  PreparedStatement* Find(uint32_t id);
  void Remove(uint32_t id);
  // A backend connection is gone: its statement ids are meaningless now.
  void ForgetBackend(uint64_t serial);
  void Clear() { statements_.clear(); }
  size_t size() const { return statements_.size(); }
  bool empty() const { return statements_.empty(); }

 private:
  std::map<uint32_t, std::unique_ptr<PreparedStatement>> statements_;
  uint32_t next_id_ = 1;
  uint32_t last_id_ = 0;
};

// Where the parameter types sit in a COM_STMT_EXECUTE payload of a statement with `num_params`
// parameters.
struct ExecuteTypes {
  bool new_params_bound = false;
  size_t flag_offset = 0;  // offset of the new-params-bound byte (0 when num_params == 0)
  wire::BytesView types;   // 2 * num_params bytes when bound, else empty
};
Result<ExecuteTypes> FindExecuteTypes(wire::BytesView payload, uint16_t num_params);

// The EXECUTE payload as backend `backend_id` must receive it: statement id replaced and, when
// `bind_types` is set and the client did not bind types in this packet, the flag set and `types`
// inserted after it (values untouched, including parameters sent as long data).
Result<wire::Bytes> ExecuteForBackend(wire::BytesView payload, uint16_t num_params,
                                      uint32_t backend_id, bool bind_types, wire::BytesView types);

// A copy of a statement command payload (SEND_LONG_DATA, RESET, CLOSE, FETCH) for `backend_id`.
Result<wire::Bytes> WithStatementId(wire::BytesView payload, uint32_t backend_id);

// True when assignment `a` of a prepared statement's text takes its value from a placeholder, so
// the text cannot be replayed: the value must be read back from the server.
bool ValueFromPlaceholder(const VariableAssignment& a);
// A value read back from the server as SQL text that sets the same value when replayed: NULL,
// a number as is, other text quoted (as a hex string literal if it holds a quote or backslash,
// which is safe whatever sql_mode says about backslashes).
std::string SqlLiteral(const std::optional<std::string>& value);

}  // namespace switchyard::proxy
