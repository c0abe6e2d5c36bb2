#include "binlog/replication_commands.h"

#include <fmt/format.h>

#include "wire/capabilities.h"
#include "wire/payload_reader.h"
#include "wire/payload_writer.h"

namespace switchyard::binlog {
namespace {

using wire::Bytes;
using wire::BytesView;
using wire::PayloadReader;

constexpr uint8_t kRegisterSlave = static_cast<uint8_t>(wire::Command::kRegisterSlave);
constexpr uint8_t kBinlogDump = static_cast<uint8_t>(wire::Command::kBinlogDump);
constexpr uint8_t kBinlogDumpGtid = static_cast<uint8_t>(wire::Command::kBinlogDumpGtid);

Status ExpectCommand(PayloadReader& r, uint8_t expected, const char* name) {
  uint8_t got = r.U8("command");
  if (!r.ok()) return r.status();
  if (got != expected) {
    return MakeError(
        fmt::format("{}: command byte 0x{:02x}, expected 0x{:02x}", name, got, expected));
  }
  return Status::Ok();
}

// string with a 1-byte length prefix (COM_REGISTER_SLAVE's host, user and password).
std::string_view ShortString(PayloadReader& r, std::string_view field) {
  uint8_t n = r.U8(field);
  return r.FixedString(n, field);
}

}  // namespace

Result<ComRegisterSlave> ComRegisterSlave::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_REGISTER_SLAVE");
  if (Status st = ExpectCommand(r, kRegisterSlave, "COM_REGISTER_SLAVE"); !st) return st.error();
  ComRegisterSlave c;
  c.server_id = r.U32("server_id");
  c.host = ShortString(r, "hostname");
  c.user = ShortString(r, "user");
  c.password = ShortString(r, "password");
  c.port = r.U16("port");
  c.replication_rank = r.U32("replication_rank");
  c.master_id = r.U32("master_id");
  r.ExpectEnd();
  if (!r.ok()) return r.status().error();
  return c;
}

Result<Bytes> ComRegisterSlave::Encode() const {
  for (const std::string* s : {&host, &user, &password}) {
    if (s->size() > 255) {
      return MakeError(
          fmt::format("COM_REGISTER_SLAVE: '{}...' is longer than 255 bytes", s->substr(0, 16)));
    }
  }
  Bytes out;
  wire::PutU8(out, kRegisterSlave);
  wire::PutU32(out, server_id);
  for (const std::string* s : {&host, &user, &password}) {
    wire::PutU8(out, static_cast<uint8_t>(s->size()));
    wire::PutString(out, *s);
  }
  wire::PutU16(out, port);
  wire::PutU32(out, replication_rank);
  wire::PutU32(out, master_id);
  return out;
}

Result<ComBinlogDump> ComBinlogDump::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_BINLOG_DUMP");
  if (Status st = ExpectCommand(r, kBinlogDump, "COM_BINLOG_DUMP"); !st) return st.error();
  ComBinlogDump c;
  c.position = r.U32("binlog_pos");
  c.flags = r.U16("flags");
  c.server_id = r.U32("server_id");
  c.file = r.Rest();
  if (!r.ok()) return r.status().error();
  return c;
}

Bytes ComBinlogDump::Encode() const {
  Bytes out;
  wire::PutU8(out, kBinlogDump);
  wire::PutU32(out, position);
  wire::PutU16(out, flags);
  wire::PutU32(out, server_id);
  wire::PutString(out, file);
  return out;
}

Result<Bytes> EncodeGtidSetBlock(const MysqlGtidSet& set) {
  Bytes out;
  wire::PutU64(out, set.sets().size());
  for (const auto& [sid, intervals] : set.sets()) {
    if (!sid.second.empty()) {
      return MakeError(fmt::format("GTID set: tagged GTIDs ({}:{}) cannot be encoded",
                                   sid.first.ToString(), sid.second));
    }
    out.insert(out.end(), sid.first.bytes.begin(), sid.first.bytes.end());
    wire::PutU64(out, intervals.size());
    for (const auto& iv : intervals) {
      wire::PutU64(out, iv.start);
      wire::PutU64(out, iv.end + 1);  // the wire form is half-open
    }
  }
  return out;
}

Result<MysqlGtidSet> DecodeGtidSetBlock(BytesView block) {
  PayloadReader r(block, "GTID set block");
  MysqlGtidSet set;
  uint64_t n_sids = r.U64("n_sids");
  // Each sid needs at least 24 bytes: a count larger than the block is garbage, not a loop.
  if (r.ok() && n_sids > r.remaining() / 24) {
    return MakeError(
        fmt::format("GTID set block: {} sids cannot fit in {} bytes", n_sids, r.remaining()));
  }
  for (uint64_t i = 0; i < n_sids && r.ok(); ++i) {
    Uuid uuid;
    BytesView raw = r.FixedBytes(16, "uuid");
    if (raw.size() == 16) std::copy(raw.begin(), raw.end(), uuid.bytes.begin());
    uint64_t n_intervals = r.U64("n_intervals");
    if (r.ok() && n_intervals > r.remaining() / 16) {
      return MakeError(fmt::format("GTID set block: {} intervals at offset {} cannot fit",
                                   n_intervals, r.offset()));
    }
    for (uint64_t k = 0; k < n_intervals && r.ok(); ++k) {
      size_t at = r.offset();
      uint64_t start = r.U64("interval start");
      uint64_t end = r.U64("interval end");
      if (!r.ok()) break;
      if (start == 0 || end <= start) {
        return MakeError(
            fmt::format("GTID set block: bad interval [{}, {}) at offset {}", start, end, at));
      }
      set.AddInterval(uuid, start, end - 1);
    }
  }
  r.ExpectEnd();
  if (!r.ok()) return r.status().error();
  return set;
}

Result<ComBinlogDumpGtid> ComBinlogDumpGtid::Decode(BytesView payload) {
  PayloadReader r(payload, "COM_BINLOG_DUMP_GTID");
  if (Status st = ExpectCommand(r, kBinlogDumpGtid, "COM_BINLOG_DUMP_GTID"); !st) {
    return st.error();
  }
  ComBinlogDumpGtid c;
  c.flags = r.U16("flags");
  c.server_id = r.U32("server_id");
  uint32_t name_size = r.U32("binlog_name_info_size");
  c.file = r.FixedString(name_size, "binlog_name");
  c.position = r.U64("binlog_pos");
  if (r.ok() && (c.flags & kThroughGtid)) {
    uint32_t data_size = r.U32("data_size");
    BytesView block = r.FixedBytes(data_size, "sid block");
    if (!r.ok()) return r.status().error();
    auto set = DecodeGtidSetBlock(block);
    if (!set) return set.error();
    c.executed = std::move(*set);
  }
  r.ExpectEnd();
  if (!r.ok()) return r.status().error();
  return c;
}

Result<Bytes> ComBinlogDumpGtid::Encode() const {
  Bytes out;
  wire::PutU8(out, kBinlogDumpGtid);
  wire::PutU16(out, flags);
  wire::PutU32(out, server_id);
  wire::PutU32(out, static_cast<uint32_t>(file.size()));
  wire::PutString(out, file);
  wire::PutU64(out, position);
  if (flags & kThroughGtid) {
    auto block = EncodeGtidSetBlock(executed);
    if (!block) return block.error();
    wire::PutU32(out, static_cast<uint32_t>(block->size()));
    wire::PutBytes(out, *block);
  }
  return out;
}

}  // namespace switchyard::binlog
