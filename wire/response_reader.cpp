#include "wire/response_reader.h"

#include <fmt/format.h>

#include "wire/packet_framing.h"
#include "wire/payload_reader.h"

namespace switchyard::wire {

std::optional<std::string_view> ResponseOutcome::LastGtid() const {
  std::optional<std::string_view> found;
  for (const auto& e : session_state) {
    if ((e.type == SessionTrackType::kGtids && !e.value.empty()) ||
        (e.type == SessionTrackType::kSystemVariables && e.name == "last_gtid")) {
      found = e.value;
    }
  }
  return found;
}

ResponseStep ResponseReader::Start(Command command, ResponseOptions options) {
  command_ = command;
  options_ = options;
  outcome_ = ResponseOutcome{};
  in_continuation_ = false;
  binary_rows_ = false;
  columns_left_ = 0;
  infile_name_.clear();
  switch (command) {
    case Command::kStmtClose:
    case Command::kStmtSendLongData:
    case Command::kQuit:
      state_ = State::kIdle;
      return ResponseStep::kComplete;
    case Command::kStmtPrepare:
      state_ = State::kPrepareFirst;
      break;
    case Command::kStmtExecute:
      binary_rows_ = true;
      state_ = State::kFirst;
      break;
    case Command::kStmtFetch:
      binary_rows_ = true;
      state_ = State::kRows;
      break;
    case Command::kFieldList:
      state_ = State::kFieldList;
      break;
    case Command::kStatistics:
      state_ = State::kAnyOnePacket;
      break;
    case Command::kChangeUser:
      state_ = State::kAuth;
      break;
    case Command::kPing:
    case Command::kInitDb:
    case Command::kResetConnection:
    case Command::kSetOption:
    case Command::kStmtReset:
    case Command::kProcessKill:
    case Command::kRefresh:
    case Command::kShutdown:
    case Command::kCreateDb:
    case Command::kDropDb:
      state_ = State::kOkOrErr;
      break;
    default:
      // COM_QUERY and anything else (COM_PROCESS_INFO, COM_DEBUG...): OK | ERR | EOF | result set.
      state_ = State::kFirst;
      break;
  }
  return ResponseStep::kNeedMore;
}

Result<ResponseStep> ResponseReader::StartFromCommand(BytesView command_payload) {
  if (command_payload.empty()) return MakeError("response reader: empty command packet");
  auto command = static_cast<Command>(command_payload[0]);
  ResponseOptions options;
  if (command == Command::kStmtExecute && command_payload.size() >= 6) {
    options.cursor_requested = command_payload[5] != 0;
  }
  return Start(command, options);
}

Error ResponseReader::Unexpected(BytesView payload, const char* where) const {
  return MakeError(
      fmt::format("unexpected packet (first byte 0x{:02x}, {} bytes) {} in response "
                  "to {}",
                  payload.empty() ? 0 : payload[0], payload.size(), where, CommandName(command_)));
}

Result<ResponseStep> ResponseReader::OnServerFrameInState(BytesView frame) {
  if (state_ == State::kIdle) {
    return MakeError(fmt::format("server sent {} bytes after the response to {} was complete",
                                 frame.size(), CommandName(command_)));
  }
  if (waiting_for_client()) {
    return MakeError(
        fmt::format("server sent data while waiting for the client ({})", CommandName(command_)));
  }
  ++outcome_.frames;
  bool continuation = in_continuation_;
  in_continuation_ = frame.size() == kMaxFramePayload;
  if (continuation) return ResponseStep::kNeedMore;  // rest of a big row: pass it through
  auto step = HandlePacket(frame);
  if (step.ok() && step.value() != ResponseStep::kNeedMore && in_continuation_) {
    return MakeError("a response-ending packet spans several frames");
  }
  return step;
}

std::optional<ResponseStep> ResponseReader::OnLargeServerFrame(size_t length, uint8_t first) {
  if (state_ == State::kIdle || waiting_for_client()) return std::nullopt;
  // 0xFF starts an ERR; 0xFE an OK-as-EOF (under 16 MiB) as well as a row whose first value is
  // 16 MiB or more: a 0xFE frame counts as a row only when far larger than any OK/EOF can be.
  constexpr size_t kSurelyNotOk = 1 << 20;
  bool row = state_ == State::kRows && first != 0xFF && (first != 0xFE || length >= kSurelyNotOk);
  if (!in_continuation_ && !row) return std::nullopt;
  ++outcome_.frames;
  if (!in_continuation_) ++outcome_.rows;
  in_continuation_ = length == kMaxFramePayload;
  return ResponseStep::kNeedMore;
}

Result<ResponseStep> ResponseReader::OnServerPacket(BytesView packet) {
  if (state_ == State::kIdle || waiting_for_client()) return OnServerFrame(packet);
  ++outcome_.frames;
  in_continuation_ = false;
  return HandlePacket(packet);
}

Result<ResponseStep> ResponseReader::OnClientFrame(BytesView frame) {
  if (state_ == State::kInfileData) {
    // The file ends with an empty packet; a 0xFFFFFF-long frame is followed by more.
    if (frame.empty() && !in_continuation_) {
      state_ = State::kInfileResult;
      return ResponseStep::kNeedMore;
    }
    in_continuation_ = frame.size() == kMaxFramePayload;
    return ResponseStep::kNeedClientData;
  }
  if (state_ == State::kAuthClient) {
    state_ = State::kAuth;
    return ResponseStep::kNeedMore;
  }
  return MakeError(fmt::format("client sent data while the response to {} was not waiting for it",
                               CommandName(command_)));
}

ResponseStep ResponseReader::Finish() {
  state_ = State::kIdle;
  return ResponseStep::kComplete;
}

Result<ResponseStep> ResponseReader::HandleErr(BytesView payload) {
  auto err = ErrPacket::Decode(payload);
  if (!err.ok()) return err.error();
  outcome_.err = std::move(err.value());
  return Finish();
}

Result<ResponseStep> ResponseReader::HandleOk(BytesView payload, bool may_continue) {
  auto ok = OkPacket::Decode(payload, caps_);
  if (!ok.ok()) return ok.error();
  outcome_.status_flags = ok->status_flags;
  outcome_.warnings = ok->warnings;
  outcome_.session_state.insert(outcome_.session_state.end(), ok->session_state.begin(),
                                ok->session_state.end());
  bool more = may_continue && (ok->status_flags & status::kMoreResultsExists);
  outcome_.ok = std::move(ok.value());
  if (more) {
    state_ = State::kFirst;
    return ResponseStep::kNeedMore;
  }
  return Finish();
}

Result<ResponseStep> ResponseReader::HandleEndOfRows(BytesView payload) {
  auto end = DecodeResultSetTerminator(payload, caps_);
  if (!end.ok()) return end.error();
  outcome_.status_flags = end->status_flags;
  outcome_.warnings = end->warnings;
  if (end->ok) {
    outcome_.session_state.insert(outcome_.session_state.end(), end->ok->session_state.begin(),
                                  end->ok->session_state.end());
    outcome_.ok = std::move(end->ok);
  }
  // COM_STMT_FETCH answers one batch; more batches need another FETCH.
  if (command_ != Command::kStmtFetch && (end->status_flags & status::kMoreResultsExists)) {
    state_ = State::kFirst;
    return ResponseStep::kNeedMore;
  }
  return Finish();
}

Result<ResponseStep> ResponseReader::AfterColumns() {
  // Classic protocol: an EOF follows the definitions. DEPRECATE_EOF: rows follow directly,
  // except that an opened cursor is announced by an OK-as-EOF (handled in kColumnsEof too).
  if (!Has(caps_, cap::kDeprecateEof) || options_.cursor_requested) {
    state_ = State::kColumnsEof;
  } else {
    state_ = State::kRows;
  }
  return ResponseStep::kNeedMore;
}

Result<ResponseStep> ResponseReader::HandleFirst(BytesView p) {
  if (p.empty()) return Unexpected(p, "(empty) at the start of a result");
  if (IsProgressReport(p)) return ResponseStep::kNeedMore;
  switch (p[0]) {
    case 0x00:
      return HandleOk(p, /*may_continue=*/true);
    case 0xFF:
      return HandleErr(p);
    case 0xFB:
      if (command_ == Command::kQuery) {
        infile_name_ = std::string(AsString(p.subspan(1)));
        in_continuation_ = false;
        state_ = State::kInfileData;
        return ResponseStep::kNeedClientData;
      }
      break;
    case 0xFE:
      if (IsEofPacket(p)) return HandleEndOfRows(p);  // e.g. COM_DEBUG answers with EOF
      break;
    default:
      break;
  }
  PayloadReader r(p, "column count");
  uint64_t count = r.Lenenc("column count");
  bool metadata_follows = true;
  if (Has(caps_, cap::kOptionalResultsetMetadata)) {
    metadata_follows = r.U8("metadata follows") != 0;
  } else if (Has(caps_, cap::kMariadbCacheMetadata)) {
    // MariaDB sends this byte for text and binary results alike (seen from 10.11).
    metadata_follows = r.U8("metadata follows") != 0;
  }
  if (r.ok()) r.ExpectEnd();
  if (!r.ok()) return r.status().error();
  if (count == 0) return Unexpected(p, "(zero column count)");
  ++outcome_.result_sets;
  if (!metadata_follows) return AfterColumns();
  columns_left_ = count;
  state_ = State::kColumnDefs;
  return ResponseStep::kNeedMore;
}

Result<ResponseStep> ResponseReader::StartPrepareColumns() {
  if (prepare_columns_ > 0) {
    columns_left_ = prepare_columns_;
    state_ = State::kPrepareColumns;
    return ResponseStep::kNeedMore;
  }
  return Finish();
}

Result<ResponseStep> ResponseReader::AfterPrepareParams() {
  if (!Has(caps_, cap::kDeprecateEof)) {
    state_ = State::kPrepareParamsEof;
    return ResponseStep::kNeedMore;
  }
  return StartPrepareColumns();
}

Result<ResponseStep> ResponseReader::HandlePacket(BytesView p) {
  switch (state_) {
    case State::kFirst:
      return HandleFirst(p);

    case State::kColumnDefs:
      if (IsErrPacket(p) && !IsProgressReport(p)) return HandleErr(p);
      if (--columns_left_ == 0) return AfterColumns();
      return ResponseStep::kNeedMore;

    case State::kColumnsEof:
      if (IsErrPacket(p)) return HandleErr(p);
      if (IsResultSetTerminator(p, caps_) || IsEofPacket(p)) {
        auto end = DecodeResultSetTerminator(p, caps_);
        if (!end.ok()) return end.error();
        outcome_.status_flags = end->status_flags;
        outcome_.warnings = end->warnings;
        if (options_.cursor_requested && (end->status_flags & status::kCursorExists)) {
          outcome_.cursor_opened = true;
          if (end->ok) outcome_.ok = std::move(end->ok);
          return Finish();
        }
        if (Has(caps_, cap::kDeprecateEof)) {
          // Under DEPRECATE_EOF a terminator here is the (empty) end of the rows.
          return HandleEndOfRows(p);
        }
        state_ = State::kRows;
        return ResponseStep::kNeedMore;
      }
      if (Has(caps_, cap::kDeprecateEof)) {
        // No cursor after all: this is the first row.
        state_ = State::kRows;
        ++outcome_.rows;
        return ResponseStep::kNeedMore;
      }
      return Unexpected(p, "where an EOF after column definitions belongs");

    case State::kRows:
      if (IsErrPacket(p)) {
        if (IsProgressReport(p)) return ResponseStep::kNeedMore;
        return HandleErr(p);
      }
      if (IsResultSetTerminator(p, caps_)) return HandleEndOfRows(p);
      ++outcome_.rows;
      return ResponseStep::kNeedMore;

    case State::kInfileResult:
      if (IsProgressReport(p)) return ResponseStep::kNeedMore;
      if (IsErrPacket(p)) return HandleErr(p);
      if (IsOkPacket(p)) return HandleOk(p, /*may_continue=*/true);
      return Unexpected(p, "after LOCAL INFILE data");

    case State::kPrepareFirst: {
      if (IsErrPacket(p)) return HandleErr(p);
      if (!IsOkPacket(p)) return Unexpected(p, "where COM_STMT_PREPARE_OK belongs");
      PayloadReader r(p, "COM_STMT_PREPARE_OK");
      r.U8("status");
      PrepareOk ok;
      ok.statement_id = r.U32("statement id");
      ok.num_columns = r.U16("num columns");
      ok.num_params = r.U16("num params");
      r.Skip(1, "reserved");
      if (!r.at_end()) ok.warnings = r.U16("warning count");
      bool metadata_follows = true;
      if (Has(caps_, cap::kOptionalResultsetMetadata) && !r.at_end()) {
        metadata_follows = r.U8("metadata follows") != 0;
      }
      if (!r.ok()) return r.status().error();
      outcome_.prepare = ok;
      outcome_.warnings = ok.warnings;
      if (!metadata_follows) return Finish();
      prepare_columns_ = ok.num_columns;
      if (ok.num_params > 0) {
        columns_left_ = ok.num_params;
        state_ = State::kPrepareParams;
        return ResponseStep::kNeedMore;
      }
      return StartPrepareColumns();
    }

    case State::kPrepareParams:
      if (--columns_left_ == 0) return AfterPrepareParams();
      return ResponseStep::kNeedMore;

    case State::kPrepareParamsEof:
      if (!IsEofPacket(p))
        return Unexpected(p, "where the EOF after parameter definitions belongs");
      if (auto eof = EofPacket::Decode(p); eof.ok()) outcome_.status_flags = eof->status_flags;
      return StartPrepareColumns();

    case State::kPrepareColumns:
      if (--columns_left_ == 0) {
        if (!Has(caps_, cap::kDeprecateEof)) {
          state_ = State::kPrepareColumnsEof;
          return ResponseStep::kNeedMore;
        }
        return Finish();
      }
      return ResponseStep::kNeedMore;

    case State::kPrepareColumnsEof:
      if (!IsEofPacket(p)) return Unexpected(p, "where the EOF after column definitions belongs");
      if (auto eof = EofPacket::Decode(p); eof.ok()) outcome_.status_flags = eof->status_flags;
      return Finish();

    case State::kFieldList:
      if (IsErrPacket(p)) return HandleErr(p);
      if (IsResultSetTerminator(p, caps_) || IsEofPacket(p)) return HandleEndOfRows(p);
      ++outcome_.rows;  // one column definition
      return ResponseStep::kNeedMore;

    case State::kOkOrErr:
      if (IsErrPacket(p)) return HandleErr(p);
      if (IsOkPacket(p)) return HandleOk(p, /*may_continue=*/false);
      return Unexpected(p, "where OK or ERR belongs");

    case State::kAnyOnePacket:
      if (IsErrPacket(p)) return HandleErr(p);
      return Finish();

    case State::kAuth:
      if (p.empty()) return Unexpected(p, "during authentication");
      if (p[0] == 0x00) return HandleOk(p, /*may_continue=*/false);
      if (p[0] == 0xFF) return HandleErr(p);
      if (p[0] == 0x01 && p.size() == 2 && p[1] == 0x03) {
        return ResponseStep::kNeedMore;  // caching_sha2 fast auth succeeded; OK follows
      }
      if (p[0] == 0xFE || p[0] == 0x01) {
        state_ = State::kAuthClient;
        return ResponseStep::kNeedClientData;
      }
      return Unexpected(p, "during authentication");

    case State::kIdle:
    case State::kInfileData:
    case State::kAuthClient:
      break;
  }
  return Unexpected(p, "in an impossible state");
}

}  // namespace switchyard::wire
