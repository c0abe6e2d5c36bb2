// Client command packets, one struct per command with Decode(payload)/Encode() -> payload; the
// payload starts with the command byte. Query attributes are never present: switchyard does not
// advertise CLIENT_QUERY_ATTRIBUTES. Statement-id commands can be retargeted in place with
// RewriteStatementId (the proxy maps client statement ids to each backend's ids).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"
#include "wire/handshake.h"
#include "wire/values.h"

namespace switchyard::wire {

// Command byte of a command packet payload, or Error if empty.
Result<Command> PeekCommand(BytesView payload);

struct ComQuery {
  std::string query;
  static Result<ComQuery> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComInitDb {
  std::string schema;
  static Result<ComInitDb> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComStmtPrepare {
  std::string query;
  static Result<ComStmtPrepare> Decode(BytesView payload);
  Bytes Encode() const;
};

// One bound parameter of COM_STMT_EXECUTE.
struct ExecuteParam {
  ValueType type;
  BinaryValue value;  // std::monostate = NULL
  bool operator==(const ExecuteParam&) const = default;
};

struct ComStmtExecute {
  // Cursor flags (MySQL enum_cursor_type / MariaDB).
  static constexpr uint8_t kCursorReadOnly = 1;
  static constexpr uint8_t kCursorForUpdate = 2;
  static constexpr uint8_t kCursorScrollable = 4;

  uint32_t statement_id = 0;
  uint8_t flags = 0;
  uint32_t iteration_count = 1;
  bool new_params_bound = true;
  std::vector<ExecuteParam> params;

  // `num_params` comes from the statement's COM_STMT_PREPARE_OK. When the client did not rebind
  // (new_params_bound = 0), the types are those of the previous execute: `previous_types` must
  // then hold num_params entries or decoding fails.
  static Result<ComStmtExecute> Decode(BytesView payload, uint16_t num_params,
                                       std::span<const ValueType> previous_types = {});
  Bytes Encode() const;
  std::vector<ValueType> Types() const;
};

struct ComStmtSendLongData {
  uint32_t statement_id = 0;
  uint16_t param_id = 0;
  std::string data;
  static Result<ComStmtSendLongData> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComStmtClose {
  uint32_t statement_id = 0;
  static Result<ComStmtClose> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComStmtReset {
  uint32_t statement_id = 0;
  static Result<ComStmtReset> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComStmtFetch {
  uint32_t statement_id = 0;
  uint32_t num_rows = 0;
  static Result<ComStmtFetch> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComChangeUser {
  std::string user;
  Bytes auth_response;
  std::string database;
  uint16_t charset = kCharsetUtf8mb4GeneralCi;
  std::string auth_plugin_name;  // only with PLUGIN_AUTH
  ConnectAttributes attributes;  // only with CONNECT_ATTRS
  // `caps`: capabilities negotiated on the connection (SECURE_CONNECTION, PLUGIN_AUTH, ...).
  static Result<ComChangeUser> Decode(BytesView payload, Capabilities caps);
  Bytes Encode(Capabilities caps) const;
};

struct ComProcessKill {
  uint32_t connection_id = 0;
  static Result<ComProcessKill> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComSetOption {
  static constexpr uint16_t kMultiStatementsOn = 0;
  static constexpr uint16_t kMultiStatementsOff = 1;
  uint16_t option = 0;
  static Result<ComSetOption> Decode(BytesView payload);
  Bytes Encode() const;
};

struct ComFieldList {
  std::string table;
  std::string wildcard;
  static Result<ComFieldList> Decode(BytesView payload);
  Bytes Encode() const;
};

// COM_PING, COM_QUIT, COM_STATISTICS, COM_RESET_CONNECTION, COM_DEBUG: the command byte only.
Bytes EncodeSimpleCommand(Command command);
Status DecodeSimpleCommand(BytesView payload, Command expected);

// --- Statement-id rewriting (execute, send_long_data, close, reset, fetch, MariaDB bulk) ---
bool CarriesStatementId(Command command);
// Statement id at bytes 1..4 of a command payload that carries one.
Result<uint32_t> PeekStatementId(BytesView payload);
// Overwrites bytes 1..4 in place; the rest of the packet is untouched. `payload` may be the first
// frame's payload of a multi-frame packet.
Status RewriteStatementId(std::span<uint8_t> payload, uint32_t new_id);

}  // namespace switchyard::wire
