// Fuzzes ResponseReader: byte 0 picks the command and capabilities, the rest is a stream of
// frames (1-byte length, payload) fed as server frames (or client frames when it waits for them).
#include <cstddef>
#include <cstdint>

#include "wire/response_reader.h"

using namespace switchyard::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static constexpr Command kCommands[] = {
      Command::kQuery,     Command::kStmtPrepare, Command::kStmtExecute, Command::kStmtFetch,
      Command::kFieldList, Command::kStatistics,  Command::kPing,        Command::kChangeUser};
  Capabilities caps = cap::kProtocol41 | cap::kTransactions;
  if (data[0] & 0x10) caps |= cap::kDeprecateEof;
  if (data[0] & 0x20) caps |= cap::kSessionTrack;
  if (data[0] & 0x40) caps |= cap::kMariadbCacheMetadata;
  ResponseReader r(caps);
  r.Start(kCommands[data[0] % 8], {.cursor_requested = (data[0] & 0x80) != 0});
  size_t at = 1;
  while (at < size && !r.complete()) {
    size_t n = std::min<size_t>(data[at], size - at - 1);
    Bytes frame(data + at + 1, data + at + 1 + n);
    at += 1 + n;
    auto step = r.waiting_for_client() ? r.OnClientFrame(frame) : r.OnServerFrame(frame);
    if (!step.ok()) break;
  }
  return 0;
}
