// Parsers for GTID-related events: MySQL GTID / ANONYMOUS_GTID / GTID_TAGGED / PREVIOUS_GTIDS
// and MariaDB GTID / GTID_LIST.
#include <bit>

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/event_parsers.h"

namespace switchyard::binlog {

std::string MysqlGtidEvent::GtidText() const {
  if (anonymous) return "ANONYMOUS";
  if (!tag.empty()) return fmt::format("{}:{}:{}", uuid.ToString(), tag, gno);
  return fmt::format("{}:{}", uuid.ToString(), gno);
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

// mysql::serialization variable-length unsigned integer (MySQL 8.4+): the number of trailing
// one bits in the first byte is the number of extra bytes.
uint64_t VarUint(ByteReader& r) {
  if (r.remaining() == 0) {
    r.Fail();
    return 0;
  }
  uint8_t first = r.U8();
  int extra = std::countr_one(first);
  if (extra >= 8) return r.U64();
  uint64_t v = first;
  for (int i = 0; i < extra; ++i) v |= static_cast<uint64_t>(r.U8()) << (8 * (i + 1));
  return v >> (extra + 1);
}
int64_t VarInt(ByteReader& r) {
  uint64_t v = VarUint(r);  // zigzag-like: sign in the lowest bit
  return (v & 1) ? -static_cast<int64_t>(v >> 1) - 1 : static_cast<int64_t>(v >> 1);
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

Result<EventBody> ParseTaggedGtid(const ParseInput& in) {
  // mysql::serialization message (8.4+): a leading format/version number, the message size,
  // the last non-ignorable field id, then (field id, value) pairs with varlen integers.
  ByteReader r(in.data);
  MysqlGtidEvent ev;
  VarUint(r);  // format version
  uint64_t size = VarUint(r);
  VarUint(r);  // last non-ignorable field id
  if (!r.ok() || size > in.data.size()) return Truncated("GTID_TAGGED", r);
  while (r.ok() && r.remaining() > 0) {
    uint64_t field = VarUint(r);
    switch (field) {
      case 0:
        ev.flags = static_cast<uint8_t>(VarUint(r));
        break;
      case 1:
        for (auto& b : ev.uuid.bytes) b = static_cast<uint8_t>(VarUint(r));
        break;
      case 2:
        ev.gno = static_cast<uint64_t>(VarInt(r));
        break;
      case 3:
        ev.tag = std::string(r.String(VarUint(r)));
        break;
      case 4:
        ev.last_committed = static_cast<uint64_t>(VarInt(r));
        break;
      case 5:
        ev.sequence_number = static_cast<uint64_t>(VarInt(r));
        break;
      case 6:
        ev.immediate_commit_timestamp = VarUint(r);
        break;
      case 7:
        ev.original_commit_timestamp = VarUint(r);
        break;
      case 8:
        ev.transaction_length = VarUint(r);
        break;
      case 9:
        ev.immediate_server_version = static_cast<uint32_t>(VarUint(r));
        break;
      case 10:
        ev.original_server_version = static_cast<uint32_t>(VarUint(r));
        break;
      case 11:
        VarUint(r);
        break;  // commit_group_ticket
      default:
        return MakeError(fmt::format("GTID_TAGGED: unknown field {}", field));
    }
  }
  if (!r.ok()) return Truncated("GTID_TAGGED", r);
  if (!ev.original_commit_timestamp) ev.original_commit_timestamp = ev.immediate_commit_timestamp;
  if (!ev.original_server_version) ev.original_server_version = ev.immediate_server_version;
  return EventBody(std::move(ev));
}

Result<EventBody> ParsePreviousGtids(const ParseInput& in) {
  ByteReader r(in.data);
  PreviousGtidsEvent ev;
  auto head = r.Bytes(8);
  if (!r.ok()) return Truncated("PREVIOUS_GTIDS", r);
  // 8.4+ tagged-capable encoding marks the count with a format byte at both ends.
  bool tagged = head[0] == 1 && head[7] == 1;
  uint64_t n_sids = 0;
  if (tagged) {
    for (int i = 6; i >= 1; --i) n_sids = n_sids << 8 | head[i];
  } else {
    for (int i = 7; i >= 0; --i) n_sids = n_sids << 8 | head[i];
  }
  if (n_sids > r.remaining() / 24) return MakeError("PREVIOUS_GTIDS: sid count exceeds event");
  for (uint64_t i = 0; i < n_sids && r.ok(); ++i) {
    Uuid uuid = ReadUuid(r);
    std::string tag;
    if (tagged) tag = std::string(r.String(VarUint(r)));
    uint64_t n_intervals = r.U64();
    if (!r.ok() || n_intervals > r.remaining() / 16) return Truncated("PREVIOUS_GTIDS", r);
    for (uint64_t k = 0; k < n_intervals; ++k) {
      uint64_t start = r.U64();
      uint64_t end = r.U64();  // exclusive
      if (start == 0 || end <= start) {
        return MakeError(fmt::format("PREVIOUS_GTIDS: bad interval [{}, {})", start, end));
      }
      ev.gtids.AddInterval(uuid, start, end - 1, tag);
    }
  }
  if (!r.ok()) return Truncated("PREVIOUS_GTIDS", r);
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
