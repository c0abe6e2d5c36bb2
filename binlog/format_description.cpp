#include "binlog/format_description.h"

#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/event_header.h"

namespace switchyard::binlog {

bool VersionHasChecksumAlg(const std::string& v) {
  unsigned major = 0, minor = 0, patch = 0;
  if (std::sscanf(v.c_str(), "%u.%u.%u", &major, &minor, &patch) < 2) return false;
  // MySQL added the checksum byte in 5.6.1, MariaDB in 5.3.0.
  bool mariadb = v.find("MariaDB") != std::string::npos;
  unsigned have = major * 10000 + minor * 100 + patch;
  return have >= (mariadb ? 50300u : 50601u);
}

Result<FormatDescription> ParseFormatDescription(std::span<const uint8_t> event, bool verify_crc) {
  if (event.size() < kEventHeaderSize + 2 + 50 + 4 + 1) {
    return MakeError(fmt::format("FORMAT_DESCRIPTION too short: {} bytes", event.size()));
  }
  ByteReader r(event.subspan(kEventHeaderSize));
  FormatDescription fd;
  fd.binlog_version = r.U16();
  std::string_view ver = r.String(50);
  fd.server_version = std::string(ver.substr(0, ver.find('\0')));
  fd.create_timestamp = r.U32();
  fd.header_length = r.U8();
  fd.mariadb = fd.server_version.find("MariaDB") != std::string::npos;
  size_t rest = r.remaining();
  if (VersionHasChecksumAlg(fd.server_version)) {
    if (rest < 5) return MakeError("FORMAT_DESCRIPTION too short for its checksum trailer");
    auto table = r.Bytes(rest - 5);
    fd.post_header_lengths.assign(table.begin(), table.end());
    uint8_t alg = r.U8();
    fd.checksum = alg == 0   ? ChecksumAlg::kOff
                  : alg == 1 ? ChecksumAlg::kCrc32
                             : ChecksumAlg::kUndefined;
    if (alg > 1) return MakeError(fmt::format("unknown binlog checksum algorithm {}", alg));
    if (fd.checksum == ChecksumAlg::kCrc32 && verify_crc) {
      // The server computes the FDE checksum with LOG_EVENT_BINLOG_IN_USE_F cleared.
      std::vector<uint8_t> copy(event.begin(), event.end() - 4);
      copy[17] &= static_cast<uint8_t>(~kFlagBinlogInUse);
      ByteReader tail(event.subspan(event.size() - 4));
      uint32_t want = tail.U32();
      uint32_t got = Crc32(copy);
      if (want != got) {
        return MakeError(
            fmt::format("CRC32 mismatch in FORMAT_DESCRIPTION: stored {:#010x}, "
                        "computed {:#010x}",
                        want, got));
      }
    }
  } else {
    auto table = r.Rest();
    fd.post_header_lengths.assign(table.begin(), table.end());
    fd.checksum = ChecksumAlg::kOff;
  }
  if (fd.header_length < kEventHeaderSize) {
    return MakeError(fmt::format("FORMAT_DESCRIPTION header length {} < 19", fd.header_length));
  }
  return fd;
}

}  // namespace switchyard::binlog
