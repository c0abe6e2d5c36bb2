// Binlog event type codes (MySQL and MariaDB) and their printable names.
// Names follow the testdata manifest convention (e.g. WRITE_ROWS_V2, MARIA_GTID, TYPE_100).
#pragma once

#include <cstdint>
#include <string>

namespace switchyard::binlog {

enum class EventType : uint8_t {
  kUnknown = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kLoad = 6,
  kSlave = 7,
  kCreateFile = 8,
  kAppendBlock = 9,
  kExecLoad = 10,
  kDeleteFile = 11,
  kNewLoad = 12,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kBeginLoadQuery = 17,
  kExecuteLoadQuery = 18,
  kTableMap = 19,
  kPreGaWriteRows = 20,
  kPreGaUpdateRows = 21,
  kPreGaDeleteRows = 22,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kGtid = 33,
  kAnonymousGtid = 34,
  kPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,
  kTransactionPayload = 40,
  kHeartbeatV2 = 41,
  kGtidTagged = 42,
  kMariaAnnotateRows = 160,
  kMariaBinlogCheckpoint = 161,
  kMariaGtid = 162,
  kMariaGtidList = 163,
  kMariaStartEncryption = 164,
  kMariaQueryCompressed = 165,
  kMariaWriteRowsCompressedV1 = 166,
  kMariaUpdateRowsCompressedV1 = 167,
  kMariaDeleteRowsCompressedV1 = 168,
  kMariaWriteRowsCompressed = 169,
  kMariaUpdateRowsCompressed = 170,
  kMariaDeleteRowsCompressed = 171,
};

// "QUERY", "WRITE_ROWS_V2", ...; unknown codes print as "TYPE_<n>".
std::string EventTypeName(uint8_t type_code);
inline std::string EventTypeName(EventType t) {
  return EventTypeName(static_cast<uint8_t>(t));
}

enum class RowsKind : uint8_t { kNone, kWrite, kUpdate, kDelete };

// Shape of a rows event type: which operation, v2 extra-data header, compressed body.
struct RowsEventShape {
  RowsKind kind = RowsKind::kNone;
  bool has_extra_data = false;  // v2 (types 30-32, 39, MariaDB 169-171)
  bool compressed = false;      // MariaDB 166-171
  bool partial_json = false;    // PARTIAL_UPDATE_ROWS (39)
};
RowsEventShape RowsShapeOf(uint8_t type_code);

}  // namespace switchyard::binlog
