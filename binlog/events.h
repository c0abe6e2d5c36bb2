// Typed binlog events: one struct per event family, held in the Event variant.
// string_view/span members point into the event bytes given to EventDecoder::Decode (or into
// a buffer the event owns via shared_ptr, for decompressed payloads); the caller keeps the
// input alive while it uses the event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "binlog/event_header.h"
#include "binlog/format_description.h"
#include "binlog/gtid_set.h"
#include "binlog/rows.h"
#include "binlog/table_map.h"

namespace switchyard::binlog {

// Known-but-undecoded and unknown event types (LOAD DATA blocks, vendor events...).
struct OpaqueEvent {
  std::span<const uint8_t> body;
};

struct FormatDescriptionEvent {
  FormatDescription fd;
};

struct RotateEvent {
  uint64_t position = 0;
  std::string_view next_file;
};

// Selected QUERY status variables (the raw block is kept for anything else).
struct QueryStatusVars {
  std::optional<uint32_t> flags2;
  std::optional<uint64_t> sql_mode;
  std::optional<std::string_view> catalog;
  std::optional<uint16_t> charset_client, collation_connection, collation_server;
  std::optional<std::string_view> time_zone;
  std::optional<uint16_t> lc_time_names;
  std::optional<uint16_t> charset_database;
  std::optional<uint64_t> table_map_for_update;
  std::optional<std::string_view> invoker_user, invoker_host;
  std::vector<std::string_view> updated_db_names;
  std::optional<uint32_t> microseconds;
  std::optional<uint64_t> ddl_xid;      // MySQL Q_DDL_LOGGED_WITH_XID
  std::optional<uint64_t> mariadb_xid;  // MariaDB Q_XID
  std::optional<uint16_t> default_collation_utf8mb4;
};

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string_view database;
  std::string_view query;  // for MARIA_QUERY_COMPRESSED: points into `owned`
  std::span<const uint8_t> status_vars_raw;
  QueryStatusVars status;
  std::shared_ptr<const std::string> owned;
};

struct XidEvent {
  uint64_t xid = 0;
};
struct IntvarEvent {
  uint8_t type = 0;  // 1 LAST_INSERT_ID, 2 INSERT_ID
  uint64_t value = 0;
};
struct RandEvent {
  uint64_t seed1 = 0, seed2 = 0;
};
struct UserVarEvent {
  std::string_view name;
  bool is_null = true;
  uint8_t value_type = 0;  // STRING_RESULT 0, REAL 1, INT 2, ROW 3, DECIMAL 4
  uint32_t charset = 0;
  std::span<const uint8_t> value;
  uint8_t flags = 0;  // 1 = unsigned
};
struct StopEvent {};
struct IncidentEvent {
  uint16_t incident = 0;
  std::string_view message;
};
struct HeartbeatEvent {
  bool v2 = false;
  std::string_view log_file;
  std::optional<uint64_t> log_position;  // v2 only
};
struct RowsQueryEvent {
  std::string_view query;
};
struct XaPrepareEvent {
  bool one_phase = false;
  uint32_t format_id = 0;
  std::string_view gtrid, bqual;
};

// MySQL GTID and ANONYMOUS_GTID (and GTID_TAGGED when decodable).
struct MysqlGtidEvent {
  bool anonymous = false;
  uint8_t flags = 0;  // 1 = may have been committed (commit flag)
  Uuid uuid;
  std::string tag;  // 8.4+ tagged GTIDs
  uint64_t gno = 0;
  std::optional<uint64_t> last_committed, sequence_number;
  // Microseconds since the epoch; present from 8.0.1 on.
  std::optional<uint64_t> immediate_commit_timestamp, original_commit_timestamp;
  std::optional<uint64_t> transaction_length;
  std::optional<uint32_t> immediate_server_version, original_server_version;
  std::string GtidText() const;  // "uuid:gno", "uuid:tag:gno" or "ANONYMOUS"
};

struct PreviousGtidsEvent {
  MysqlGtidSet gtids;
};

struct TransactionPayloadEvent {
  uint64_t compression_type = 0;  // 0 = ZSTD, 255 = NONE
  uint64_t payload_size = 0;
  uint64_t uncompressed_size = 0;
  // Inner events, back to back, without checksums; decode them with
  // EventDecoder::DecodePayloadEvents.
  std::shared_ptr<const std::vector<uint8_t>> uncompressed;
};

struct MariadbGtidEvent {
  MariadbGtid gtid;   // server_id from the event header
  uint8_t flags = 0;  // FL_STANDALONE 1, FL_GROUP_COMMIT_ID 2, FL_TRANSACTIONAL 4, ...
  std::optional<uint64_t> commit_id;
  std::optional<uint32_t> xa_format_id;
  std::string_view xa_gtrid, xa_bqual;
  bool standalone() const { return flags & 1; }
};

struct MariadbGtidListEvent {
  uint32_t flags = 0;
  std::vector<MariadbGtid> gtids;
};

struct BinlogCheckpointEvent {
  std::string_view file;
};

struct AnnotateRowsEvent {
  std::string_view query;
};

struct TableMapEvent {
  std::shared_ptr<const TableMap> table;
};

using EventBody =
    std::variant<OpaqueEvent, FormatDescriptionEvent, RotateEvent, QueryEvent, XidEvent,
                 IntvarEvent, RandEvent, UserVarEvent, StopEvent, IncidentEvent, HeartbeatEvent,
                 RowsQueryEvent, XaPrepareEvent, MysqlGtidEvent, PreviousGtidsEvent,
                 TransactionPayloadEvent, MariadbGtidEvent, MariadbGtidListEvent,
                 BinlogCheckpointEvent, AnnotateRowsEvent, TableMapEvent, RowsEvent>;

struct Event {
  EventHeader header;
  EventBody body;
  std::optional<uint32_t> checksum;  // stored CRC32, when the event carried one
};

}  // namespace switchyard::binlog
