// FORMAT_DESCRIPTION event: binlog version, server version, header length, per-type post-header
// lengths and the checksum algorithm that applies to the events that follow it.
// Also the "default" description used before any FDE is seen (e.g. a dump stream's first ROTATE).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace switchyard::binlog {

enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1, kUndefined = 255 };

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;
  uint32_t create_timestamp = 0;
  uint8_t header_length = 19;
  std::vector<uint8_t> post_header_lengths;  // index = type code - 1
  ChecksumAlg checksum = ChecksumAlg::kUndefined;
  bool mariadb = false;

  // Post-header length for a type code, or `fallback` when the FDE does not list it.
  uint8_t PostHeaderLength(uint8_t type, uint8_t fallback) const {
    if (type == 0 || type > post_header_lengths.size()) return fallback;
    return post_header_lengths[type - 1];
  }
};

// Parses a whole FDE event (header included). The FDE carries its own checksum algorithm,
// so the CRC trailer (if any) is included in `event` and verified here, with the in-use flag
// cleared as the server computes it.
Result<FormatDescription> ParseFormatDescription(std::span<const uint8_t> event,
                                                 bool verify_crc = true);

// True when the server version is new enough to write the checksum-algorithm byte.
bool VersionHasChecksumAlg(const std::string& server_version);

}  // namespace switchyard::binlog
