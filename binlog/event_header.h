// The 19-byte v4 common event header, present at the start of every binlog event.
// ParseEventHeader only reads the fixed fields; it does not check the body.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"

namespace switchyard::binlog {

inline constexpr size_t kEventHeaderSize = 19;
inline constexpr uint8_t kBinlogMagic[4] = {0xfe, 0x62, 0x69, 0x6e};

// Header flags we interpret.
inline constexpr uint16_t kFlagBinlogInUse = 0x0001;
inline constexpr uint16_t kFlagArtificial = 0x0020;
inline constexpr uint16_t kFlagIgnorable = 0x0080;

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // whole event including header and checksum
  uint32_t log_pos = 0;     // end position in the source binlog (0 for some inner events)
  uint16_t flags = 0;
};

// Needs at least 19 bytes; `offset` is only used in the error text.
Result<EventHeader> ParseEventHeader(std::span<const uint8_t> bytes, uint64_t offset = 0);

// CRC32 (ISO-HDLC, as zlib) used for binlog event checksums.
uint32_t Crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

}  // namespace switchyard::binlog
