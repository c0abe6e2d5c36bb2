#include "binlog/replication_commands.h"

#include <fmt/format.h>

#include "binlog/gtid_set_encoding.h"
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
  AppendGtidSetEncoding(out, set);
  return out;
}

Result<MysqlGtidSet> DecodeGtidSetBlock(BytesView block) {
  auto decoded = DecodeGtidSetEncoding(block);
  if (!decoded) return MakeError("GTID set block: " + decoded.error().message);
  if (decoded->consumed != block.size()) {
    return MakeError(fmt::format("GTID set block: {} trailing bytes at offset {}",
                                 block.size() - decoded->consumed, decoded->consumed));
  }
  return std::move(decoded->set);
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
