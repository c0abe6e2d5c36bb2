// Parsers for GTID-related events: MySQL GTID / ANONYMOUS_GTID / GTID_TAGGED / PREVIOUS_GTIDS
// and MariaDB GTID / GTID_LIST.
#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/event_parsers.h"
#include "binlog/gtid_set_encoding.h"
#include "binlog/mysql_serialization.h"

namespace switchyard::binlog {

std::string MysqlGtidEvent::GtidText() const {
  if (anonymous) return "ANONYMOUS";
  return MysqlGtid{uuid, tag, gno}.ToString();
}

namespace detail {

namespace {

Error Truncated(const char* what, const ByteReader& r) {
  return MakeError(fmt::format("{} event truncated at body offset {}", what, r.failed_at()));
}

Uuid ReadUuid(ByteReader& r) {
  Uuid u;
  auto b = r.Bytes(16);
  if (b.size() == 16) std::copy(b.begin(), b.end(), u.bytes.begin());
  return u;
}

}  // namespace

Result<EventBody> ParseMysqlGtid(const ParseInput& in) {
  ByteReader r(in.data);
  MysqlGtidEvent ev;
  ev.anonymous = in.header.type == static_cast<uint8_t>(EventType::kAnonymousGtid);
  ev.flags = r.U8();
  ev.uuid = ReadUuid(r);
  ev.gno = r.U64();
  if (!r.ok()) return Truncated("GTID", r);
  // Logical clock (5.7+): type code 2 then last_committed, sequence_number.
  if (r.remaining() >= 17) {
    uint8_t lt_type = r.U8();
    if (lt_type == 2) {
      ev.last_committed = r.U64();
      ev.sequence_number = r.U64();
    }
  }
  // Commit timestamps (8.0.1+): 7 bytes each; the top bit of the immediate one says an
  // original timestamp follows, otherwise both are equal.
  if (r.remaining() >= 7) {
    uint64_t imm = r.U56();
    const uint64_t kHigh = 1ULL << 55;
    ev.immediate_commit_timestamp = imm & ~kHigh;
    ev.original_commit_timestamp = (imm & kHigh) ? r.U56() : *ev.immediate_commit_timestamp;
  }
  if (r.ok() && r.remaining() > 0) ev.transaction_length = r.PackedInt();
  if (r.ok() && r.remaining() >= 4) {
    uint32_t v = r.U32();
    const uint32_t kHigh = 1u << 31;
    ev.immediate_server_version = v & ~kHigh;
    ev.original_server_version = (v & kHigh) ? r.U32() : *ev.immediate_server_version;
  }
  if (!r.ok()) return Truncated("GTID", r);
  return EventBody(std::move(ev));
}

// GTID_TAGGED_LOG_EVENT (8.3+) is one mysql::serialization message: a 1-byte format version,
// the message size (varlen, counted from the version byte), the id of the last field a reader
// must understand, then (varlen field id, value) pairs in ascending id order. Field ids follow
// Gtid_event::define_fields(); integers are varlen (signed ones zigzag), the uuid is 16 varlen
// bytes, the tag a varlen length and its bytes. Absent fields keep MySQL's defaults.
Result<EventBody> ParseTaggedGtid(const ParseInput& in) {
  ByteReader r(in.data);
  MysqlGtidEvent ev;
  auto bad = [&](std::string_view what, size_t at) {
    return MakeError(fmt::format("GTID_TAGGED event: {} at body offset {}", what, at));
  };
  r.U8();  // serialization framework version (2 as written by 9.6); the message layout is fixed
  const uint64_t message_size = ReadVarUint(r);
  const uint64_t last_non_ignorable = ReadVarUint(r);
  if (!r.ok()) return Truncated("GTID_TAGGED", r);
  if (message_size < r.offset() || message_size > in.data.size()) {
    return bad(
        fmt::format("message size {} outside the {}-byte event", message_size, in.data.size()), 1);
  }
  ByteReader fields(in.data.subspan(r.offset(), message_size - r.offset()));
  const size_t base = r.offset();
  auto signed_field = [&](const char* name, size_t at) -> Result<uint64_t> {
    int64_t v = ReadVarInt(fields);
    if (fields.ok() && v < 0) return bad(fmt::format("negative {} {}", name, v), at);
    return static_cast<uint64_t>(v);
  };
  bool have_tag = false;
  std::optional<uint64_t> original_commit, gno;
  std::optional<uint32_t> original_version;
  while (fields.ok() && fields.remaining() > 0) {
    const size_t at = base + fields.offset();
    const uint64_t id = ReadVarUint(fields);
    switch (id) {
      case 0: {
        uint64_t flags = ReadVarUint(fields);
        if (flags > 0xff) return bad(fmt::format("gtid_flags {}", flags), at);
        ev.flags = static_cast<uint8_t>(flags);
        break;
      }
      case 1:
        for (auto& b : ev.uuid.bytes) {
          uint64_t v = ReadVarUint(fields);
          if (v > 0xff) return bad(fmt::format("uuid byte {}", v), at);
          b = static_cast<uint8_t>(v);
        }
        break;
      case 2: {
        auto v = signed_field("gno", at);
        if (!v) return v.error();
        gno = *v;
        break;
      }
      case 3: {
        uint64_t len = ReadVarUint(fields);
        if (fields.ok() && len > kMaxGtidTagLength) {
          return bad(fmt::format("tag of {} bytes", len), at);
        }
        std::string_view tag = fields.String(len);
        if (!fields.ok()) break;
        have_tag = true;
        if (!tag.empty()) {
          auto normal = NormalizeGtidTag(tag);
          if (!normal) return bad(normal.error().message, at);
          ev.tag = std::move(*normal);
        }
        break;
      }
      case 4:
      case 5: {
        auto v = signed_field(id == 4 ? "last_committed" : "sequence_number", at);
        if (!v) return v.error();
        (id == 4 ? ev.last_committed : ev.sequence_number) = *v;
        break;
      }
      case 6:
        ev.immediate_commit_timestamp = ReadVarUint(fields);
        break;
      case 7:
        original_commit = ReadVarUint(fields);
        break;
      case 8:
        ev.transaction_length = ReadVarUint(fields);
        break;
      case 9:
      case 10: {
        uint64_t v = ReadVarUint(fields);
        if (v > UINT32_MAX) return bad(fmt::format("server version {}", v), at);
        if (id == 9) {
          ev.immediate_server_version = static_cast<uint32_t>(v);
        } else {
          original_version = static_cast<uint32_t>(v);
        }
        break;
      }
      case 11:
        ReadVarUint(fields);  // commit_group_ticket: a group-commit detail, not needed here
        break;
      default:
        if (!fields.ok()) break;
        // A newer server's field: fatal only if the writer says readers must understand it.
        // Fields come in id order, so everything after it is newer too: skip to the end.
        if (id <= last_non_ignorable) {
          return bad(fmt::format("unknown non-ignorable field {}", id), at);
        }
        fields.Skip(fields.remaining());
        break;
    }
  }
  if (!fields.ok()) {
    return MakeError(
        fmt::format("GTID_TAGGED event truncated at body offset {}", base + fields.failed_at()));
  }
  if (!gno || *gno == 0 || *gno > kMaxGno - 1) {
    return bad(gno ? fmt::format("gno {} out of range", *gno) : std::string("no gno field"), 1);
  }
  if (!have_tag) return bad("no tag field", 1);
  ev.gno = *gno;
  // Missing originals mean "same as immediate" (the transaction originated on this server).
  ev.original_commit_timestamp = original_commit ? original_commit : ev.immediate_commit_timestamp;
  ev.original_server_version = original_version ? original_version : ev.immediate_server_version;
  return EventBody(std::move(ev));
}

Result<EventBody> ParsePreviousGtids(const ParseInput& in) {
  // Trailing bytes after the set are tolerated (the server sizes the event from the set).
  auto decoded = DecodeGtidSetEncoding(in.data);
  if (!decoded) return MakeError("PREVIOUS_GTIDS: " + decoded.error().message);
  PreviousGtidsEvent ev;
  ev.gtids = std::move(decoded->set);
  return EventBody(std::move(ev));
}

Result<EventBody> ParseMariadbGtid(const ParseInput& in) {
  ByteReader r(in.data);
  MariadbGtidEvent ev;
  ev.gtid.seq_no = r.U64();
  ev.gtid.domain_id = r.U32();
  ev.gtid.server_id = in.header.server_id;
  ev.flags = r.U8();
  if (ev.flags & 2) ev.commit_id = r.U64();
  if (ev.flags & (64 | 128)) {
    ev.xa_format_id = r.U32();
    uint8_t gtrid_len = r.U8();
    uint8_t bqual_len = r.U8();
    ev.xa_gtrid = r.String(gtrid_len);
    ev.xa_bqual = r.String(bqual_len);
  }
  if (!r.ok()) return Truncated("MARIA_GTID", r);
  return EventBody(ev);
}

Result<EventBody> ParseMariadbGtidList(const ParseInput& in) {
  ByteReader r(in.data);
  MariadbGtidListEvent ev;
  uint32_t v = r.U32();
  uint32_t count = v & 0x0fffffff;
  ev.flags = v >> 28;
  if (!r.ok() || count > r.remaining() / 16)
    return MakeError("MARIA_GTID_LIST: count exceeds event");
  for (uint32_t i = 0; i < count; ++i) {
    MariadbGtid g;
    g.domain_id = r.U32();
    g.server_id = r.U32();
    g.seq_no = r.U64();
    ev.gtids.push_back(g);
  }
  if (!r.ok()) return Truncated("MARIA_GTID_LIST", r);
  return EventBody(std::move(ev));
}

}  // namespace detail
}  // namespace switchyard::binlog
