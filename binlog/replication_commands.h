// The commands a replica sends to ask for the binlog stream, one struct per command with
// Encode() -> payload (command byte first) and Decode(payload) for tests and fuzzing:
// COM_REGISTER_SLAVE, COM_BINLOG_DUMP (MariaDB GTID mode uses it with @slave_connect_state) and
// MySQL's COM_BINLOG_DUMP_GTID with its binary GTID-set block. Pure: bytes in, values out.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "binlog/gtid_set.h"
#include "wire/bytes.h"

namespace switchyard::binlog {

struct ComRegisterSlave {
  uint32_t server_id = 0;
  std::string host;      // report_host; each string is at most 255 bytes (1-byte length)
  std::string user;      // report_user
  std::string password;  // report_password
  uint16_t port = 0;
  uint32_t replication_rank = 0;  // ignored by servers
  uint32_t master_id = 0;

  static Result<ComRegisterSlave> Decode(wire::BytesView payload);
  Result<wire::Bytes> Encode() const;  // Error when a string exceeds 255 bytes
};

struct ComBinlogDump {
  static constexpr uint16_t kNonBlock = 0x01;          // EOF instead of waiting at the end
  static constexpr uint16_t kSendAnnotateRows = 0x02;  // MariaDB: ANNOTATE_ROWS events
  uint32_t position = 4;  // MariaDB GTID mode: ignored (4), the position is @slave_connect_state
  uint16_t flags = 0;
  uint32_t server_id = 0;
  std::string file;  // empty in GTID mode

  static Result<ComBinlogDump> Decode(wire::BytesView payload);
  wire::Bytes Encode() const;
};

struct ComBinlogDumpGtid {
  static constexpr uint16_t kNonBlock = 0x01;
  static constexpr uint16_t kThroughPosition = 0x02;
  static constexpr uint16_t kThroughGtid = 0x04;
  uint16_t flags = kThroughGtid;
  uint32_t server_id = 0;
  std::string file;
  uint64_t position = 4;
  MysqlGtidSet executed;  // sent when flags has kThroughGtid: the server skips these

  static Result<ComBinlogDumpGtid> Decode(wire::BytesView payload);
  // Tagged sources switch the block to MySQL's tagged encoding (understood from 8.3 on; only a
  // server that has tagged GTIDs can be asked for them). Never fails today; Result kept.
  Result<wire::Bytes> Encode() const;
};

// The GTID-set block of COM_BINLOG_DUMP_GTID (Gtid_set::encode, see gtid_set_encoding.h):
// untagged or tagged format; decoding requires the block to be exactly one encoded set.
Result<wire::Bytes> EncodeGtidSetBlock(const MysqlGtidSet& set);
Result<MysqlGtidSet> DecodeGtidSetBlock(wire::BytesView block);

}  // namespace switchyard::binlog
