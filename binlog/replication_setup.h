// ReplicationSetup: what a replica says to its master between login and the first binlog event,
// sans-I/O. Feed it the master's reply packets; it answers with the next command, framed:
//   1. SELECT @@global.binlog_checksum, the master's GTID position and server_id
//   2. SET @master_binlog_checksum, @master_heartbeat_period and, for MariaDB,
//      @mariadb_slave_capability=4 (GTID) and @slave_connect_state=<position>
//   3. COM_REGISTER_SLAVE
//   4. COM_BINLOG_DUMP (MariaDB, GTID from @slave_connect_state) or COM_BINLOG_DUMP_GTID (MySQL)
// after which the connection carries dump packets (ClassifyDumpPacket). Owns its output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "binlog/format_description.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"
#include "wire/ok_err_eof.h"

namespace switchyard::binlog {

struct ReplicationSetupOptions {
  bool mariadb = true;                  // from the server greeting
  wire::Capabilities capabilities = 0;  // negotiated at login (DEPRECATE_EOF matters)
  uint32_t server_id = 0;               // the replica id we register as
  std::string report_host = "switchyard";
  uint32_t heartbeat_period_ms = 1000;  // 0 = no heartbeats
  // GTID position to continue after: MariaDB "0-1-42,1-2-7", MySQL a GTID set. nullopt: the
  // master's current position (only transactions committed from now on are streamed).
  std::optional<std::string> start_position;
};

enum class SetupStep {
  kWriteThenRead,    // write output(), read one packet, OnPacket()
  kRead,             // read one packet, OnPacket()
  kWriteThenStream,  // write output() (the dump request); dump packets follow
  kFail,             // error() / server_error() say why
};

class ReplicationSetup {
 public:
  explicit ReplicationSetup(ReplicationSetupOptions options);

  SetupStep Start();
  SetupStep OnPacket(wire::BytesView payload);

  const wire::Bytes& output() const { return output_; }  // framed packet(s), seq from 0
  const std::string& error() const { return error_; }
  const std::optional<wire::ErrPacket>& server_error() const { return server_error_; }

  // Known after step 1.
  ChecksumAlg checksum() const { return checksum_; }
  uint32_t master_server_id() const { return master_server_id_; }
  // The position the dump starts after (normalised text), known after step 1.
  const std::string& start_position() const { return start_position_; }

  // The statements of steps 1 and 2, for tests and logs.
  std::string VariablesQuery() const;
  std::string SetStatement() const;

 private:
  enum class State {
    kInit,
    kVariablesHeader,
    kVariablesColumns,
    kVariablesEof,
    kVariablesRows,
    kSetVariables,
    kRegister,
    kDone,
    kFailed
  };

  SetupStep Command(wire::BytesView payload, State next);
  SetupStep Fail(std::string why);
  SetupStep ServerError(wire::BytesView payload, const char* during);
  SetupStep OnVariables();  // the SELECT's row is in: send the SET
  SetupStep SendRegister();
  SetupStep SendDump();

  ReplicationSetupOptions options_;
  State state_ = State::kInit;
  wire::Bytes output_;
  std::string error_;
  std::optional<wire::ErrPacket> server_error_;
  uint64_t columns_left_ = 0;
  std::optional<std::vector<std::optional<std::string>>> row_;
  ChecksumAlg checksum_ = ChecksumAlg::kUndefined;
  uint32_t master_server_id_ = 0;
  std::string start_position_;
};

// One packet of the dump stream: an event (after the 0x00 marker), the end of a non-blocking
// dump (EOF), or the master's ERR.
struct DumpPacket {
  enum class Kind { kEvent, kEof, kError };
  Kind kind = Kind::kEvent;
  wire::BytesView event;  // kEvent: view into the payload
  wire::ErrPacket error;  // kError
};
Result<DumpPacket> ClassifyDumpPacket(wire::BytesView payload);

}  // namespace switchyard::binlog
