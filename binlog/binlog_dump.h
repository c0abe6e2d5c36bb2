// `switchyard binlog dump FILE [--json] [--start-position N] [--stop-position N]`:
// decodes a binlog file (or a raw `*.events` dump: no magic, detected automatically) offline.
// Text: one line per event (position, type, key fields) plus mariadb-binlog style `###` row
// lines; JSON: one object per event per line. The CLI wiring lives in app/.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace switchyard::binlog {

struct BinlogDumpOptions {
  std::string path;
  bool json = false;
  std::optional<uint64_t> start_position;  // print events at offset >= N
  std::optional<uint64_t> stop_position;   // stop before the first event at offset >= N
  bool print_rows = true;                  // row values of rows events
};

// Exit codes: 0 ok, 1 decode error (message with the offset on `err`), 2 usage or IO error.
int RunBinlogDump(const BinlogDumpOptions& options, std::ostream& out, std::ostream& err);

}  // namespace switchyard::binlog
