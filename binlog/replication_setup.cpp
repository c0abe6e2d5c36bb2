#include "binlog/replication_setup.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "binlog/gtid_set.h"
#include "binlog/replication_commands.h"
#include "wire/commands.h"
#include "wire/packet_framing.h"
#include "wire/payload_reader.h"
#include "wire/rows.h"

namespace switchyard::binlog {

using wire::Bytes;
using wire::BytesView;

ReplicationSetup::ReplicationSetup(ReplicationSetupOptions options)
    : options_(std::move(options)) {}

std::string ReplicationSetup::VariablesQuery() const {
  return fmt::format("SELECT @@global.binlog_checksum, @@global.{}, @@global.server_id",
                     options_.mariadb ? "gtid_binlog_pos" : "gtid_executed");
}

std::string ReplicationSetup::SetStatement() const {
  const char* checksum = checksum_ == ChecksumAlg::kCrc32 ? "CRC32" : "NONE";
  const uint64_t period_ns = uint64_t{options_.heartbeat_period_ms} * 1000000;
  if (options_.mariadb) {
    // Strict mode: a position the master cannot continue from exactly is an error, never a
    // silent jump. start_position_ is the normalised output of MariadbGtidPos (digits, '-', ',').
    return fmt::format(
        "SET @master_binlog_checksum='{}', @master_heartbeat_period={}, "
        "@mariadb_slave_capability=4, @slave_connect_state='{}', @slave_gtid_strict_mode=1, "
        "@slave_gtid_ignore_duplicates=0",
        checksum, period_ns, start_position_);
  }
  // MySQL 8.0.26+ reads the source_* names, older servers the master_* ones.
  return fmt::format(
      "SET @master_binlog_checksum='{0}', @source_binlog_checksum='{0}', "
      "@master_heartbeat_period={1}, @source_heartbeat_period={1}",
      checksum, period_ns);
}

SetupStep ReplicationSetup::Command(BytesView payload, State next) {
  output_.clear();
  wire::AppendPacket(output_, 0, payload);
  state_ = next;
  return SetupStep::kWriteThenRead;
}

SetupStep ReplicationSetup::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  return SetupStep::kFail;
}

SetupStep ReplicationSetup::ServerError(BytesView payload, const char* during) {
  auto err = wire::ErrPacket::Decode(payload);
  if (!err) return Fail(fmt::format("{}: malformed ERR: {}", during, err.error().message));
  server_error_ = *err;
  return Fail(fmt::format("{}: server error {} ({}): {}", during, err->error_code, err->sql_state,
                          err->message));
}

SetupStep ReplicationSetup::Start() {
  if (options_.start_position) {
    // Normalise (and validate: the text ends up inside a SET statement).
    if (options_.mariadb) {
      auto pos = MariadbGtidPos::Parse(*options_.start_position);
      if (!pos) return Fail("start position: " + pos.error().message);
      start_position_ = pos->ToString();
    } else {
      auto set = MysqlGtidSet::Parse(*options_.start_position);
      if (!set) return Fail("start position: " + set.error().message);
      start_position_ = set->ToString();
    }
  }
  return Command(wire::ComQuery{VariablesQuery()}.Encode(), State::kVariablesHeader);
}

SetupStep ReplicationSetup::OnPacket(BytesView payload) {
  const bool deprecate_eof = (options_.capabilities & wire::cap::kDeprecateEof) != 0;
  switch (state_) {
    case State::kVariablesHeader: {
      if (wire::IsErrPacket(payload)) return ServerError(payload, "reading master variables");
      if (wire::IsOkPacket(payload)) return Fail("reading master variables: no result set");
      wire::PayloadReader r(payload, "column count");
      columns_left_ = r.Lenenc("column count");
      if (!r.ok() || columns_left_ != 3) {
        return Fail(
            fmt::format("reading master variables: expected 3 columns, got {}",
                        r.ok() ? std::to_string(columns_left_) : r.status().error().message));
      }
      state_ = State::kVariablesColumns;
      return SetupStep::kRead;
    }
    case State::kVariablesColumns:
      if (wire::IsErrPacket(payload)) return ServerError(payload, "reading master variables");
      if (--columns_left_ == 0)
        state_ = deprecate_eof ? State::kVariablesRows : State::kVariablesEof;
      return SetupStep::kRead;
    case State::kVariablesEof:
      if (!wire::IsEofPacket(payload)) return Fail("reading master variables: missing EOF");
      state_ = State::kVariablesRows;
      return SetupStep::kRead;
    case State::kVariablesRows: {
      if (wire::IsErrPacket(payload)) return ServerError(payload, "reading master variables");
      if (wire::IsResultSetTerminator(payload, options_.capabilities)) {
        if (!row_) return Fail("reading master variables: no row");
        return OnVariables();
      }
      auto row = wire::DecodeTextRow(payload, 3);
      if (!row) return Fail("reading master variables: " + row.error().message);
      if (!row_) {
        row_.emplace();
        for (const auto& v : *row)
          row_->push_back(v ? std::optional<std::string>(*v) : std::nullopt);
      }
      return SetupStep::kRead;
    }
    case State::kSetVariables:
      if (wire::IsErrPacket(payload)) return ServerError(payload, "setting replication variables");
      if (!wire::IsOkPacket(payload)) return Fail("setting replication variables: expected OK");
      return SendRegister();
    case State::kRegister:
      if (wire::IsErrPacket(payload)) return ServerError(payload, "COM_REGISTER_SLAVE");
      if (!wire::IsOkPacket(payload)) return Fail("COM_REGISTER_SLAVE: expected OK");
      return SendDump();
    case State::kInit:
    case State::kDone:
    case State::kFailed:
      break;
  }
  return Fail("replication setup: unexpected packet");
}

SetupStep ReplicationSetup::OnVariables() {
  const auto& row = *row_;
  std::string checksum = row[0].value_or("NONE");
  for (char& c : checksum) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (checksum == "CRC32") {
    checksum_ = ChecksumAlg::kCrc32;
  } else if (checksum == "NONE") {
    checksum_ = ChecksumAlg::kOff;
  } else {
    return Fail("master binlog_checksum '" + checksum + "' is not supported");
  }
  if (row[2]) {
    master_server_id_ = static_cast<uint32_t>(std::strtoul(row[2]->c_str(), nullptr, 10));
  }
  if (!options_.start_position) {
    const std::string current = row[1].value_or("");
    if (options_.mariadb) {
      auto pos = MariadbGtidPos::Parse(current);
      if (!pos) return Fail("master gtid_binlog_pos: " + pos.error().message);
      start_position_ = pos->ToString();
    } else {
      auto set = MysqlGtidSet::Parse(current);
      if (!set) return Fail("master gtid_executed: " + set.error().message);
      start_position_ = set->ToString();
    }
  }
  return Command(wire::ComQuery{SetStatement()}.Encode(), State::kSetVariables);
}

SetupStep ReplicationSetup::SendRegister() {
  ComRegisterSlave reg;
  reg.server_id = options_.server_id;
  reg.host = options_.report_host;
  auto bytes = reg.Encode();
  if (!bytes) return Fail(bytes.error().message);
  return Command(*bytes, State::kRegister);
}

SetupStep ReplicationSetup::SendDump() {
  Bytes payload;
  if (options_.mariadb) {
    ComBinlogDump dump;
    dump.server_id = options_.server_id;
    payload = dump.Encode();
  } else {
    ComBinlogDumpGtid dump;
    dump.server_id = options_.server_id;
    auto set = MysqlGtidSet::Parse(start_position_);
    if (!set) return Fail("start position: " + set.error().message);
    dump.executed = std::move(*set);
    auto bytes = dump.Encode();
    if (!bytes) return Fail(bytes.error().message);
    payload = std::move(*bytes);
  }
  output_.clear();
  wire::AppendPacket(output_, 0, payload);
  state_ = State::kDone;
  return SetupStep::kWriteThenStream;
}

Result<DumpPacket> ClassifyDumpPacket(BytesView payload) {
  DumpPacket p;
  if (payload.empty()) return MakeError("dump stream: empty packet");
  if (payload[0] == 0x00) {
    p.kind = DumpPacket::Kind::kEvent;
    p.event = payload.subspan(1);
    return p;
  }
  if (wire::IsErrPacket(payload)) {
    auto err = wire::ErrPacket::Decode(payload);
    if (!err) return MakeError("dump stream: malformed ERR: " + err.error().message);
    p.kind = DumpPacket::Kind::kError;
    p.error = std::move(*err);
    return p;
  }
  if (wire::IsEofPacket(payload)) {
    p.kind = DumpPacket::Kind::kEof;
    return p;
  }
  return MakeError(fmt::format("dump stream: unexpected packet header 0x{:02x} ({} bytes)",
                               payload[0], payload.size()));
}

}  // namespace switchyard::binlog
