// ResponseReader follows the server's response to ONE client command, frame by frame, and says
// when it is complete, so the proxy can stream every frame through as it arrives (it never copies
// or buffers rows: it only looks at the first bytes of each packet's first frame).
// Sans-I/O: the caller feeds server frames (OnServerFrame) and, while it is told kNeedClientData,
// the client's frames (OnClientFrame: LOCAL INFILE data, or auth data during COM_CHANGE_USER).
// It must be given the capabilities negotiated on the server connection (DEPRECATE_EOF etc.).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"
#include "wire/ok_err_eof.h"
#include "wire/packet_framing.h"

namespace switchyard::wire {

enum class ResponseStep {
  kNeedMore,        // keep forwarding server frames
  kComplete,        // the response is over; see outcome()
  kNeedClientData,  // the server waits for the client (LOCAL INFILE file, auth data)
};

// Parsed COM_STMT_PREPARE_OK header.
struct PrepareOk {
  uint32_t statement_id = 0;
  uint16_t num_columns = 0;
  uint16_t num_params = 0;
  uint16_t warnings = 0;
};

struct ResponseOutcome {
  // Server status of the last OK/EOF (absent for ERR-only, prepare without EOFs, statistics...).
  std::optional<uint16_t> status_flags;
  uint16_t warnings = 0;
  std::optional<OkPacket> ok;    // the last OK (or OK-as-EOF) seen
  std::optional<ErrPacket> err;  // set if an ERR ended the response
  // Session-state entries of every OK of the response, in order (multi-statement queries have
  // one OK per statement; use the latest last_gtid etc.).
  std::vector<SessionTrackEntry> session_state;
  std::optional<PrepareOk> prepare;  // COM_STMT_PREPARE success
  size_t result_sets = 0;            // result sets with columns (not counting plain OKs)
  uint64_t rows = 0;                 // rows seen (text, binary or fetched)
  bool cursor_opened = false;        // COM_STMT_EXECUTE opened a cursor: rows come via FETCH
  uint64_t frames = 0;               // server frames consumed

  bool failed() const { return err.has_value(); }
  // Latest last_gtid in session_state (MySQL SESSION_TRACK_GTIDS or MariaDB's last_gtid).
  std::optional<std::string_view> LastGtid() const;
};

struct ResponseOptions {
  // COM_STMT_EXECUTE: the client asked for a cursor (flags != 0). Then column definitions may be
  // followed by an EOF/OK-as-EOF with SERVER_STATUS_CURSOR_EXISTS and nothing else.
  bool cursor_requested = false;
};

class ResponseReader {
 public:
  explicit ResponseReader(Capabilities negotiated) : caps_(negotiated) {}

  void set_capabilities(Capabilities negotiated) { caps_ = negotiated; }
  Capabilities capabilities() const { return caps_; }

  // Starts following the response to `command`. Returns kComplete right away for commands
  // without a response (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_QUIT).
  ResponseStep Start(Command command, ResponseOptions options = {});
  // Same, reading the command byte (and COM_STMT_EXECUTE's cursor flags) from the client's
  // command packet payload (first frame is enough). Error on an empty payload.
  Result<ResponseStep> StartFromCommand(BytesView command_payload);

  // One frame from the server: its payload, possibly the first or a later frame of a packet of
  // 16 MiB or more (continuations are recognized by the previous frame being 0xFFFFFF long).
  Result<ResponseStep> OnServerFrame(BytesView frame_payload) {
    // Inline for the bulk of a large result: a whole-frame row (not 0xFF ERR or progress, not a
    // 0xFE EOF/OK-as-EOF) is only counted. Everything else takes the state machine.
    if (state_ == State::kRows && !in_continuation_ && !frame_payload.empty() &&
        frame_payload.size() < kMaxFramePayload && frame_payload[0] < 0xFE) {
      ++outcome_.frames;
      ++outcome_.rows;
      return ResponseStep::kNeedMore;
    }
    return OnServerFrameInState(frame_payload);
  }
  // A whole reassembled packet (for callers that use PacketReader::NextPacket).
  Result<ResponseStep> OnServerPacket(BytesView packet_payload);
  // One frame from the client while kNeedClientData. For LOCAL INFILE the empty packet that ends
  // the file returns kNeedMore (now the server's OK/ERR follows); other data returns
  // kNeedClientData. For auth data every client packet returns kNeedMore.
  Result<ResponseStep> OnClientFrame(BytesView frame_payload);

  bool complete() const { return state_ == State::kIdle; }
  bool waiting_for_client() const {
    return state_ == State::kInfileData || state_ == State::kAuthClient;
  }
  const ResponseOutcome& outcome() const { return outcome_; }
  // A frame too large to buffer whole (`length` payload bytes, starting with `first`), to be
  // streamed through: the step if it can only be (part of) a row, nullopt when its payload must
  // be seen (anything that may end or change the response). Counts it like OnServerFrame.
  std::optional<ResponseStep> OnLargeServerFrame(size_t length, uint8_t first);
  // Moves the outcome out once the response is complete (the reader is done with it).
  ResponseOutcome TakeOutcome() { return std::move(outcome_); }
  // File name of the LOCAL INFILE request (valid while waiting for client data).
  const std::string& local_infile_name() const { return infile_name_; }
  Command command() const { return command_; }

 private:
  Result<ResponseStep> OnServerFrameInState(BytesView frame_payload);
  enum class State {
    kIdle,
    kFirst,  // OK | ERR | LOCAL INFILE | column count
    kColumnDefs,
    kColumnsEof,
    kRows,
    kInfileData,    // client is sending the file
    kInfileResult,  // OK/ERR after the file
    kPrepareFirst,
    kPrepareParams,
    kPrepareParamsEof,
    kPrepareColumns,
    kPrepareColumnsEof,
    kFieldList,     // column definitions until EOF
    kOkOrErr,       // exactly one OK or ERR
    kAnyOnePacket,  // COM_STATISTICS: one string packet (or ERR)
    kAuth,          // COM_CHANGE_USER: OK | ERR | auth switch | more data
    kAuthClient,
  };

  Result<ResponseStep> HandlePacket(BytesView payload);
  Result<ResponseStep> HandleFirst(BytesView payload);
  Result<ResponseStep> HandleOk(BytesView payload, bool may_continue);
  Result<ResponseStep> HandleErr(BytesView payload);
  Result<ResponseStep> HandleEndOfRows(BytesView payload);
  Result<ResponseStep> AfterColumns();
  Result<ResponseStep> AfterPrepareParams();
  Result<ResponseStep> StartPrepareColumns();
  ResponseStep Finish();
  Error Unexpected(BytesView payload, const char* where) const;

  Capabilities caps_;
  Command command_ = Command::kSleep;
  ResponseOptions options_;
  State state_ = State::kIdle;
  bool binary_rows_ = false;
  bool in_continuation_ = false;
  uint64_t columns_left_ = 0;
  uint16_t prepare_columns_ = 0;
  std::string infile_name_;
  ResponseOutcome outcome_;
};

}  // namespace switchyard::wire
