#include "wire/commands.h"

#include <fmt/format.h>

#include "wire/handshake.h"
#include "wire/payload_reader.h"
#include "wire/payload_writer.h"

namespace switchyard::wire {

namespace {

// Reads and checks the command byte; leaves an error in `r` if it is not `expected`.
void ExpectCommand(PayloadReader& r, Command expected) {
  uint8_t c = r.U8("command");
  if (r.ok() && c != static_cast<uint8_t>(expected)) {
    r.Fail(fmt::format("command byte 0x{:02x} is not {}", c, CommandName(expected)));
  }
}

Bytes WithCommand(Command c) {
  return Bytes{static_cast<uint8_t>(c)};
}

template <class T>
Result<T> Done(PayloadReader& r, T value) {
  if (!r.ok()) return r.status().error();
  return value;
}

}  // namespace

Result<Command> PeekCommand(BytesView payload) {
  if (payload.empty()) return MakeError("command packet: empty payload");
  return static_cast<Command>(payload[0]);
}

Result<ComQuery> ComQuery::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_QUERY");
  ExpectCommand(r, Command::kQuery);
  ComQuery q;
  q.query = std::string(r.Rest());
  return Done(r, std::move(q));
}

Bytes ComQuery::Encode() const {
  Bytes out = WithCommand(Command::kQuery);
  PutString(out, query);
  return out;
}

Result<ComInitDb> ComInitDb::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_INIT_DB");
  ExpectCommand(r, Command::kInitDb);
  ComInitDb c;
  c.schema = std::string(r.Rest());
  return Done(r, std::move(c));
}

Bytes ComInitDb::Encode() const {
  Bytes out = WithCommand(Command::kInitDb);
  PutString(out, schema);
  return out;
}

Result<ComStmtPrepare> ComStmtPrepare::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_STMT_PREPARE");
  ExpectCommand(r, Command::kStmtPrepare);
  ComStmtPrepare c;
  c.query = std::string(r.Rest());
  return Done(r, std::move(c));
}

Bytes ComStmtPrepare::Encode() const {
  Bytes out = WithCommand(Command::kStmtPrepare);
  PutString(out, query);
  return out;
}

Result<ComStmtExecute> ComStmtExecute::Decode(BytesView payload, uint16_t num_params,
                                              std::span<const ValueType> previous_types) {
  PayloadReader r(payload, "COM_STMT_EXECUTE");
  ExpectCommand(r, Command::kStmtExecute);
  ComStmtExecute e;
  e.statement_id = r.U32("statement id");
  e.flags = r.U8("flags");
  e.iteration_count = r.U32("iteration count");
  e.new_params_bound = false;
  if (num_params > 0 && r.ok()) {
    BytesView bitmap = r.FixedBytes((num_params + 7) / 8, "null bitmap");
    e.new_params_bound = r.U8("new params bound flag") != 0;
    std::vector<ValueType> types;
    if (e.new_params_bound) {
      for (uint16_t i = 0; i < num_params && r.ok(); ++i) {
        ValueType t;
        t.type = static_cast<FieldType>(r.U8("parameter type"));
        t.is_unsigned = (r.U8("parameter flag") & 0x80) != 0;
        types.push_back(t);
      }
    } else if (r.ok()) {
      if (previous_types.size() != num_params) {
        return MakeError(fmt::format(
            "COM_STMT_EXECUTE: statement {} re-executed without types and {} of {} types known",
            e.statement_id, previous_types.size(), num_params));
      }
      types.assign(previous_types.begin(), previous_types.end());
    }
    for (uint16_t i = 0; i < num_params && r.ok(); ++i) {
      ExecuteParam p;
      p.type = types[i];
      bool is_null = (bitmap[i / 8] >> (i % 8)) & 1;
      if (!is_null) p.value = ReadBinaryValue(r, p.type);
      e.params.push_back(std::move(p));
    }
  }
  return Done(r, std::move(e));
}

Bytes ComStmtExecute::Encode() const {
  Bytes out = WithCommand(Command::kStmtExecute);
  PutU32(out, statement_id);
  PutU8(out, flags);
  PutU32(out, iteration_count);
  if (params.empty()) return out;
  Bytes bitmap((params.size() + 7) / 8, 0);
  for (size_t i = 0; i < params.size(); ++i) {
    if (std::holds_alternative<std::monostate>(params[i].value)) {
      bitmap[i / 8] = static_cast<uint8_t>(bitmap[i / 8] | (1 << (i % 8)));
    }
  }
  PutBytes(out, bitmap);
  PutU8(out, new_params_bound ? 1 : 0);
  if (new_params_bound) {
    for (const auto& p : params) {
      PutU8(out, static_cast<uint8_t>(p.type.type));
      PutU8(out, p.type.is_unsigned ? 0x80 : 0);
    }
  }
  for (const auto& p : params) {
    if (!std::holds_alternative<std::monostate>(p.value)) WriteBinaryValue(out, p.type, p.value);
  }
  return out;
}

std::vector<ValueType> ComStmtExecute::Types() const {
  std::vector<ValueType> t;
  for (const auto& p : params) t.push_back(p.type);
  return t;
}

Result<ComStmtSendLongData> ComStmtSendLongData::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_STMT_SEND_LONG_DATA");
  ExpectCommand(r, Command::kStmtSendLongData);
  ComStmtSendLongData c;
  c.statement_id = r.U32("statement id");
  c.param_id = r.U16("parameter id");
  c.data = std::string(r.Rest());
  return Done(r, std::move(c));
}

Bytes ComStmtSendLongData::Encode() const {
  Bytes out = WithCommand(Command::kStmtSendLongData);
  PutU32(out, statement_id);
  PutU16(out, param_id);
  PutString(out, data);
  return out;
}

Result<ComStmtClose> ComStmtClose::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_STMT_CLOSE");
  ExpectCommand(r, Command::kStmtClose);
  ComStmtClose c;
  c.statement_id = r.U32("statement id");
  return Done(r, c);
}

Bytes ComStmtClose::Encode() const {
  Bytes out = WithCommand(Command::kStmtClose);
  PutU32(out, statement_id);
  return out;
}

Result<ComStmtReset> ComStmtReset::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_STMT_RESET");
  ExpectCommand(r, Command::kStmtReset);
  ComStmtReset c;
  c.statement_id = r.U32("statement id");
  return Done(r, c);
}

Bytes ComStmtReset::Encode() const {
  Bytes out = WithCommand(Command::kStmtReset);
  PutU32(out, statement_id);
  return out;
}

Result<ComStmtFetch> ComStmtFetch::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_STMT_FETCH");
  ExpectCommand(r, Command::kStmtFetch);
  ComStmtFetch c;
  c.statement_id = r.U32("statement id");
  c.num_rows = r.U32("number of rows");
  return Done(r, c);
}

Bytes ComStmtFetch::Encode() const {
  Bytes out = WithCommand(Command::kStmtFetch);
  PutU32(out, statement_id);
  PutU32(out, num_rows);
  return out;
}

Result<ComChangeUser> ComChangeUser::Decode(BytesView payload, Capabilities caps) {
  PayloadReader r(payload, "COM_CHANGE_USER");
  ExpectCommand(r, Command::kChangeUser);
  ComChangeUser c;
  c.user = std::string(r.NulString("user"));
  if (Has(caps, cap::kSecureConnection)) {
    uint8_t n = r.U8("auth response length");
    BytesView a = r.FixedBytes(n, "auth response");
    c.auth_response.assign(a.begin(), a.end());
  } else {
    std::string_view a = r.NulString("auth response");
    c.auth_response.assign(a.begin(), a.end());
  }
  c.database = std::string(r.NulString("database"));
  if (!r.at_end()) c.charset = r.U16("character set");
  if (Has(caps, cap::kPluginAuth) && !r.at_end()) {
    c.auth_plugin_name = std::string(r.NulOrEofString("auth plugin name"));
  }
  if (Has(caps, cap::kConnectAttrs) && !r.at_end()) {
    if (Status st = ReadConnectAttributes(r, "COM_CHANGE_USER", c.attributes); !st.ok()) return st.error();
  }
  return Done(r, std::move(c));
}

Bytes ComChangeUser::Encode(Capabilities caps) const {
  Bytes out = WithCommand(Command::kChangeUser);
  PutNulString(out, user);
  if (Has(caps, cap::kSecureConnection)) {
    size_t n = std::min<size_t>(auth_response.size(), 255);
    PutU8(out, static_cast<uint8_t>(n));
    PutBytes(out, BytesView(auth_response).first(n));
  } else {
    PutNulString(out, AsString(auth_response));
  }
  PutNulString(out, database);
  PutU16(out, charset);
  if (Has(caps, cap::kPluginAuth)) PutNulString(out, auth_plugin_name);
  if (Has(caps, cap::kConnectAttrs)) {
    PutConnectAttributes(out, attributes);
  }
  return out;
}

Result<ComProcessKill> ComProcessKill::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_PROCESS_KILL");
  ExpectCommand(r, Command::kProcessKill);
  ComProcessKill c;
  c.connection_id = r.U32("connection id");
  return Done(r, c);
}

Bytes ComProcessKill::Encode() const {
  Bytes out = WithCommand(Command::kProcessKill);
  PutU32(out, connection_id);
  return out;
}

Result<ComSetOption> ComSetOption::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_SET_OPTION");
  ExpectCommand(r, Command::kSetOption);
  ComSetOption c;
  c.option = r.U16("option");
  return Done(r, c);
}

Bytes ComSetOption::Encode() const {
  Bytes out = WithCommand(Command::kSetOption);
  PutU16(out, option);
  return out;
}

Result<ComFieldList> ComFieldList::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_FIELD_LIST");
  ExpectCommand(r, Command::kFieldList);
  ComFieldList c;
  c.table = std::string(r.NulString("table"));
  c.wildcard = std::string(r.Rest());
  return Done(r, std::move(c));
}

Bytes ComFieldList::Encode() const {
  Bytes out = WithCommand(Command::kFieldList);
  PutNulString(out, table);
  PutString(out, wildcard);
  return out;
}

Bytes EncodeSimpleCommand(Command command) {
  return WithCommand(command);
}

Status DecodeSimpleCommand(BytesView payload, Command expected) {
  PayloadReader r(payload, "command");
  ExpectCommand(r, expected);
  return r.status();
}

bool CarriesStatementId(Command c) {
  switch (c) {
    case Command::kStmtExecute:
    case Command::kStmtSendLongData:
    case Command::kStmtClose:
    case Command::kStmtReset:
    case Command::kStmtFetch:
    case Command::kStmtBulkExecute:
      return true;
    default:
      return false;
  }
}

Result<uint32_t> PeekStatementId(BytesView payload) {
  if (payload.empty() || !CarriesStatementId(static_cast<Command>(payload[0]))) {
    return MakeError("statement id: packet is not a statement command");
  }
  PayloadReader r(payload, "statement command");
  r.Skip(1, "command");
  uint32_t id = r.U32("statement id");
  if (!r.ok()) return r.status().error();
  return id;
}

Status RewriteStatementId(std::span<uint8_t> payload, uint32_t new_id) {
  auto old = PeekStatementId(payload);
  if (!old.ok()) return old.error();
  for (int i = 0; i < 4; ++i) payload[1 + i] = static_cast<uint8_t>(new_id >> (8 * i));
  return Status::Ok();
}

}  // namespace switchyard::wire
