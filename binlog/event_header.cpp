#include "binlog/event_header.h"

#include <array>

#include <fmt/format.h>

#include "binlog/byte_reader.h"

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

namespace {
// Slicing-by-1 table for the reflected polynomial 0xEDB88320, built at compile time.
constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();
}  // namespace

uint32_t Crc32(std::span<const uint8_t> bytes, uint32_t crc) {
  crc = ~crc;
  for (uint8_t b : bytes) crc = kCrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace switchyard::binlog
