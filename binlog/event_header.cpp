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
// Slicing-by-8 tables for the reflected polynomial 0xEDB88320, built at compile time:
// eight bytes per step keeps checksum verification well above the row decoder's speed.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr CrcTables MakeCrcTables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
  return t;
}
constexpr CrcTables kCrc = MakeCrcTables();
}  // namespace

uint32_t Crc32(std::span<const uint8_t> bytes, uint32_t crc) {
  crc = ~crc;
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    uint32_t lo = (p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24) ^ crc;
    uint32_t hi = p[4] | p[5] << 8 | p[6] << 16 | static_cast<uint32_t>(p[7]) << 24;
    crc = kCrc[7][lo & 0xff] ^ kCrc[6][(lo >> 8) & 0xff] ^ kCrc[5][(lo >> 16) & 0xff] ^
          kCrc[4][lo >> 24] ^ kCrc[3][hi & 0xff] ^ kCrc[2][(hi >> 8) & 0xff] ^
          kCrc[1][(hi >> 16) & 0xff] ^ kCrc[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = kCrc[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace switchyard::binlog
