// CRC32 (reflected 0xEDB88320, as zlib) over whole 16-byte blocks by carry-less multiplication
// folding (Intel, "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ", 2009): about
// 4x zlib's table-driven crc32 on the dump's hot path, where every event's checksum is verified.
#pragma once

#include <cstddef>
#include <cstdint>

namespace switchyard::binlog {

// True when the CPU has PCLMULQDQ and SSE4.1 (checked once).
bool HaveCrc32Clmul();

// Advances the raw CRC register `state` (not inverted) over `n` bytes at `p`; n must be a
// multiple of 16 and at least 64. Only call when HaveCrc32Clmul().
uint32_t Crc32ClmulBlocks(uint32_t state, const uint8_t* p, size_t n);

}  // namespace switchyard::binlog
