// Generic response packets: OK (incl. session-state tracking), ERR (incl. MariaDB progress
// reports), EOF, and the DEPRECATE_EOF "OK with 0xFE header" that ends a result set, plus the
// helpers that tell them apart from a payload's first byte, its length and the capabilities.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"

namespace switchyard::wire {

// One session-state-change entry (CLIENT_SESSION_TRACK + SERVER_SESSION_STATE_CHANGED).
struct SessionTrackEntry {
  SessionTrackType type = SessionTrackType::kSystemVariables;
  std::string name;           // system variable name (kSystemVariables only)
  std::string value;          // variable value / schema / "1" / GTID set / characteristics / state;
                              // the raw entry data for unknown types
  uint8_t gtid_encoding = 0;  // kGtids only (MySQL: 0 = text GTID set)

  bool operator==(const SessionTrackEntry&) const = default;
};

struct OkPacket {
  uint8_t header = 0x00;  // 0x00, or 0xFE when it ends a result set under DEPRECATE_EOF
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t status_flags = 0;
  uint16_t warnings = 0;
  std::string info;
  std::vector<SessionTrackEntry> session_state;

  // `caps`: negotiated capabilities (PROTOCOL_41 / SESSION_TRACK change the layout).
  static Result<OkPacket> Decode(BytesView payload, Capabilities caps);
  Bytes Encode(Capabilities caps) const;

  // Value of a tracked system variable (last one wins), e.g. SystemVariable("last_gtid").
  std::optional<std::string_view> SystemVariable(std::string_view name) const;
  std::optional<std::string_view> Schema() const;            // SESSION_TRACK_SCHEMA
  std::optional<std::string_view> Gtids() const;             // MySQL SESSION_TRACK_GTIDS
  std::optional<std::string_view> TransactionState() const;  // SESSION_TRACK_TRANSACTION_STATE
  // The GTID of the session's last write: MySQL's SESSION_TRACK_GTIDS if present, else MariaDB's
  // tracked system variable last_gtid (needs session_track_system_variables to include it).
  std::optional<std::string_view> LastGtid() const;

  bool operator==(const OkPacket&) const = default;
};

struct ErrPacket {
  static constexpr uint8_t kHeader = 0xFF;
  static constexpr uint16_t kProgressReportCode = 0xFFFF;  // MariaDB progress indication
  uint16_t error_code = 0;
  std::string sql_state = "HY000";  // 5 chars; empty if the server sent no '#' marker
  std::string message;

  // Accepts the marker-less pre-4.1 form too (servers use it before capabilities are known).
  static Result<ErrPacket> Decode(BytesView payload);
  Bytes Encode() const;  // always the 4.1 form with '#' + sql_state

  // 1045 28000 "Access denied for user 'x'@'host' (using password: YES)".
  static ErrPacket AccessDenied(std::string_view user, std::string_view host, bool using_password);
  bool operator==(const ErrPacket&) const = default;
};

// MariaDB progress report (ERR header with code 0xFFFF; only sent to MARIADB_CLIENT_PROGRESS
// clients, never terminates a response).
struct ProgressReport {
  uint8_t stage = 0;
  uint8_t max_stage = 0;
  uint32_t progress = 0;  // thousandths of a percent
  std::string info;
  static Result<ProgressReport> Decode(BytesView payload);
};

struct EofPacket {
  static constexpr uint8_t kHeader = 0xFE;
  uint16_t warnings = 0;
  uint16_t status_flags = 0;

  static Result<EofPacket> Decode(BytesView payload);
  Bytes Encode() const;
  bool operator==(const EofPacket&) const = default;
};

// --- Classification from the first frame's payload (no parsing). ---
inline bool IsErrPacket(BytesView p) {
  return !p.empty() && p[0] == 0xFF;
}
inline bool IsProgressReport(BytesView p) {
  return p.size() >= 3 && p[0] == 0xFF && p[1] == 0xFF && p[2] == 0xFF;
}
inline bool IsOkPacket(BytesView p) {
  return !p.empty() && p[0] == 0x00;
}
// Classic EOF: 0xFE and shorter than 9 bytes (a row can start with 0xFE only if far longer).
inline bool IsEofPacket(BytesView p) {
  return !p.empty() && p[0] == 0xFE && p.size() < 9;
}
// OK-as-EOF under DEPRECATE_EOF: 0xFE and shorter than one full frame.
inline bool IsOkAsEofPacket(BytesView p) {
  return !p.empty() && p[0] == 0xFE && p.size() < 0xFFFFFF;
}
// Does this packet end a run of rows (or column definitions)? EOF or OK-as-EOF per `caps`.
bool IsResultSetTerminator(BytesView first_frame_payload, Capabilities caps);

// What an EOF or OK-as-EOF said.
struct ResultSetEnd {
  uint16_t status_flags = 0;
  uint16_t warnings = 0;
  std::optional<OkPacket> ok;  // set when it was an OK-as-EOF (affected rows, session state)
};
Result<ResultSetEnd> DecodeResultSetTerminator(BytesView payload, Capabilities caps);

}  // namespace switchyard::wire
