#include "binlog/event_header.h"

#include <fmt/format.h>
#include <zlib.h>

#include "binlog/byte_reader.h"
#include "binlog/crc32_clmul.h"

namespace switchyard::binlog {

Result<EventHeader> ParseEventHeader(std::span<const uint8_t> bytes, uint64_t offset) {
  if (bytes.size() < kEventHeaderSize) {
    return MakeError(fmt::format("truncated event header at offset {}: {} of {} bytes", offset,
                                 bytes.size(), kEventHeaderSize));
  }
  ByteReader r(bytes);
  EventHeader h;
  h.timestamp = r.U32();
  h.type = r.U8();
  h.server_id = r.U32();
  h.event_size = r.U32();
  h.log_pos = r.U32();
  h.flags = r.U16();
  return h;
}

// Whole 16-byte blocks by carry-less multiplication when the CPU has it, the rest (and
// everything on other CPUs) through zlib's crc32, the same CRC (reflected 0xEDB88320, pre- and
// post-inverted).
uint32_t Crc32(std::span<const uint8_t> bytes, uint32_t crc) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  if (n >= 64 && HaveCrc32Clmul()) {
    const size_t blocks = n & ~size_t{15};
    crc = ~Crc32ClmulBlocks(~crc, p, blocks);
    p += blocks;
    n -= blocks;
  }
  return static_cast<uint32_t>(crc32_z(crc, p, n));
}

}  // namespace switchyard::binlog
