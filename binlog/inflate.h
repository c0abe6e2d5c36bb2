// Minimal zlib (RFC 1950/1951) decompressor for MariaDB compressed binlog events.
// zlib itself is not linked into switchyard; MariaDB compressed events are small and rare, so
// a compact canonical-Huffman inflater is enough. Bounded: never writes past `max_output`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"

namespace switchyard::binlog {

Result<std::vector<uint8_t>> ZlibInflate(std::span<const uint8_t> zlib_stream, size_t max_output);

}  // namespace switchyard::binlog
