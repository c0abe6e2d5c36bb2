// Parsers for statement and control events: ROTATE, QUERY, XID, INTVAR, RAND, USER_VAR,
// INCIDENT, HEARTBEAT, ROWS_QUERY, XA_PREPARE, MariaDB ANNOTATE_ROWS and BINLOG_CHECKPOINT.
#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/event_parsers.h"

namespace switchyard::binlog::detail {

namespace {

Error Truncated(const char* what, const ByteReader& r) {
  return MakeError(fmt::format("{} event truncated at body offset {}", what, r.failed_at()));
}

// Parses QUERY status variables; stops silently at an unknown code (as the server does),
// since later codes cannot be sized.
void ParseStatusVars(std::span<const uint8_t> raw, QueryStatusVars& s) {
  ByteReader r(raw);
  while (r.remaining() > 0) {
    uint8_t code = r.U8();
    switch (code) {
      case 0:
        s.flags2 = r.U32();
        break;
      case 1:
        s.sql_mode = r.U64();
        break;
      case 2:
        s.catalog = r.String(r.U8());
        r.Skip(1);
        break;
      case 3:
        r.Skip(4);
        break;  // auto_increment increment/offset
      case 4:
        s.charset_client = r.U16();
        s.collation_connection = r.U16();
        s.collation_server = r.U16();
        break;
      case 5:
        s.time_zone = r.String(r.U8());
        break;
      case 6:
        s.catalog = r.String(r.U8());
        break;
      case 7:
        s.lc_time_names = r.U16();
        break;
      case 8:
        s.charset_database = r.U16();
        break;
      case 9:
        s.table_map_for_update = r.U64();
        break;
      case 10:
        r.Skip(4);
        break;  // master_data_written
      case 11:
        s.invoker_user = r.String(r.U8());
        s.invoker_host = r.String(r.U8());
        break;
      case 12: {
        uint8_t count = r.U8();
        if (count == 254) break;  // OVER_MAX_DBS_IN_EVENT_MTS: no names follow
        for (uint8_t i = 0; i < count && r.ok(); ++i) {
          std::string_view rest = AsStringView(raw.subspan(r.offset()));
          size_t nul = rest.find('\0');
          if (nul == std::string_view::npos) {
            r.Fail();
            break;
          }
          s.updated_db_names.push_back(rest.substr(0, nul));
          r.Skip(nul + 1);
        }
        break;
      }
      case 13:
        s.microseconds = r.U24();
        break;
      case 16:
        r.Skip(1);
        break;  // explicit_defaults_for_timestamp
      case 17:
        s.ddl_xid = r.U64();
        break;
      case 18:
        s.default_collation_utf8mb4 = r.U16();
        break;
      case 19:
        r.Skip(1);
        break;  // sql_require_primary_key
      case 20:
        r.Skip(1);
        break;  // default_table_encryption
      case 128:
        r.Skip(3);
        break;  // MariaDB Q_HRNOW
      case 129:
        s.mariadb_xid = r.U64();
        break;
      case 130:
        r.Skip(1);
        break;  // MariaDB Q_GTID_FLAGS3
      case 131:
        r.Skip(static_cast<size_t>(r.U8()) * 4);
        break;  // character_set_collations
      default:
        return;
    }
    if (!r.ok()) return;
  }
}

}  // namespace

Result<EventBody> ParseRotate(const ParseInput& in) {
  ByteReader r(in.data);
  RotateEvent ev;
  if (in.post_header_len >= 8) ev.position = r.U64();
  ev.next_file = r.RestString();
  if (!r.ok()) return Truncated("ROTATE", r);
  return EventBody(ev);
}

Result<EventBody> ParseQuery(const ParseInput& in) {
  ByteReader r(in.data);
  QueryEvent ev;
  ev.thread_id = r.U32();
  ev.exec_time = r.U32();
  uint8_t db_len = r.U8();
  ev.error_code = r.U16();
  uint16_t status_len = 0;
  if (in.post_header_len >= 13) status_len = r.U16();
  if (in.post_header_len > 13) r.Skip(in.post_header_len - 13);
  ev.status_vars_raw = r.Bytes(status_len);
  ev.database = r.String(db_len);
  r.Skip(1);
  if (!r.ok()) return Truncated("QUERY", r);
  ParseStatusVars(ev.status_vars_raw, ev.status);
  if (in.header.type == static_cast<uint8_t>(EventType::kMariaQueryCompressed)) {
    auto raw = MariadbUncompress(r.Rest());
    if (!raw.ok()) return MakeError("QUERY_COMPRESSED: " + raw.error().message);
    auto owned = std::make_shared<std::string>(raw->begin(), raw->end());
    ev.query = *owned;
    ev.owned = std::move(owned);
  } else {
    ev.query = r.RestString();
  }
  return EventBody(std::move(ev));
}

Result<EventBody> ParseXid(const ParseInput& in) {
  ByteReader r(in.data);
  XidEvent ev{r.U64()};
  if (!r.ok()) return Truncated("XID", r);
  return EventBody(ev);
}

Result<EventBody> ParseIntvar(const ParseInput& in) {
  ByteReader r(in.data);
  IntvarEvent ev;
  ev.type = r.U8();
  ev.value = r.U64();
  if (!r.ok()) return Truncated("INTVAR", r);
  return EventBody(ev);
}

Result<EventBody> ParseRand(const ParseInput& in) {
  ByteReader r(in.data);
  RandEvent ev;
  ev.seed1 = r.U64();
  ev.seed2 = r.U64();
  if (!r.ok()) return Truncated("RAND", r);
  return EventBody(ev);
}

Result<EventBody> ParseUserVar(const ParseInput& in) {
  ByteReader r(in.data);
  UserVarEvent ev;
  uint32_t name_len = r.U32();
  ev.name = r.String(name_len);
  ev.is_null = r.U8() != 0;
  if (!ev.is_null) {
    ev.value_type = r.U8();
    ev.charset = r.U32();
    uint32_t len = r.U32();
    ev.value = r.Bytes(len);
    if (r.remaining() > 0) ev.flags = r.U8();
  }
  if (!r.ok()) return Truncated("USER_VAR", r);
  return EventBody(ev);
}

Result<EventBody> ParseIncident(const ParseInput& in) {
  ByteReader r(in.data);
  IncidentEvent ev;
  ev.incident = r.U16();
  if (in.post_header_len > 2) r.Skip(in.post_header_len - 2);
  if (r.remaining() > 0) ev.message = r.String(r.U8());
  if (!r.ok()) return Truncated("INCIDENT", r);
  return EventBody(ev);
}

Result<EventBody> ParseHeartbeat(const ParseInput& in) {
  ByteReader r(in.data);
  HeartbeatEvent ev;
  if (in.header.type == static_cast<uint8_t>(EventType::kHeartbeat)) {
    ev.log_file = r.RestString();
    return EventBody(ev);
  }
  // v2: (type, length, value) fields; 1 = log file name, 2 = log position.
  ev.v2 = true;
  while (r.ok() && r.remaining() > 0) {
    uint64_t type = r.PackedInt();
    if (type == 0) break;
    uint64_t len = r.PackedInt();
    if (!r.ok() || len > r.remaining()) return Truncated("HEARTBEAT_V2", r);
    ByteReader v(r.Bytes(len));
    if (type == 1) ev.log_file = v.RestString();
    if (type == 2) ev.log_position = v.PackedInt();
  }
  if (!r.ok()) return Truncated("HEARTBEAT_V2", r);
  return EventBody(ev);
}

Result<EventBody> ParseRowsQuery(const ParseInput& in) {
  ByteReader r(in.data);
  r.Skip(1);  // length byte, unreliable for queries longer than 255 bytes
  RowsQueryEvent ev{r.RestString()};
  if (!r.ok()) return Truncated("ROWS_QUERY", r);
  return EventBody(ev);
}

Result<EventBody> ParseXaPrepare(const ParseInput& in) {
  ByteReader r(in.data);
  XaPrepareEvent ev;
  ev.one_phase = r.U8() != 0;
  ev.format_id = r.U32();
  uint32_t gtrid_len = r.U32();
  uint32_t bqual_len = r.U32();
  if (gtrid_len > 64 || bqual_len > 64) return MakeError("XA_PREPARE: xid parts exceed 64 bytes");
  ev.gtrid = r.String(gtrid_len);
  ev.bqual = r.String(bqual_len);
  if (!r.ok()) return Truncated("XA_PREPARE", r);
  return EventBody(ev);
}

Result<EventBody> ParseAnnotateRows(const ParseInput& in) {
  ByteReader r(in.data);
  return EventBody(AnnotateRowsEvent{r.RestString()});
}

Result<EventBody> ParseBinlogCheckpoint(const ParseInput& in) {
  ByteReader r(in.data);
  uint32_t len = r.U32();
  BinlogCheckpointEvent ev{r.String(len)};
  if (!r.ok()) return Truncated("BINLOG_CHECKPOINT", r);
  return EventBody(ev);
}

}  // namespace switchyard::binlog::detail
