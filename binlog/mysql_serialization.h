// Variable-length integers of MySQL's mysql::serialization format (8.3+): the encoding of
// GTID_TAGGED_LOG_EVENT fields and of the tag lengths in the tagged GTID-set encoding.
// 1-9 bytes, little-endian; the number of trailing one bits of the first byte is the number of
// bytes that follow it, and the value sits above those bits. A first byte 0xff is followed by
// the whole 64-bit value. Signed values are zigzag-mapped (sign in the lowest bit). Pure.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "binlog/byte_reader.h"

namespace switchyard::binlog {

// Fails the reader (and returns 0) when the bytes the first byte announces are missing.
inline uint64_t ReadVarUint(ByteReader& r) {
  if (r.remaining() == 0) {
    r.Fail();
    return 0;
  }
  const uint8_t first = r.U8();
  const int extra = std::countr_one(first);
  if (extra == 8) return r.U64();
  uint64_t v = first;
  for (int i = 0; i < extra; ++i) v |= static_cast<uint64_t>(r.U8()) << (8 * (i + 1));
  if (!r.ok()) return 0;
  return v >> (extra + 1);
}

inline int64_t ReadVarInt(ByteReader& r) {
  const uint64_t v = ReadVarUint(r);
  // -(x + 1) is stored as (x << 1) | 1: unmapping never overflows.
  return (v & 1) ? -static_cast<int64_t>(v >> 1) - 1 : static_cast<int64_t>(v >> 1);
}

inline void AppendVarUint(std::vector<uint8_t>& out, uint64_t v) {
  // Bytes needed: one per 7 value bits (the length marker takes one bit per byte).
  const int bits = 64 - std::countl_zero(v | 1);
  const int bytes = (bits + 6) / 7;
  if (bytes > 8) {
    out.push_back(0xff);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return;
  }
  // `bytes - 1` trailing ones, then a zero, then the value.
  const uint64_t word = (v << bytes) | ((uint64_t{1} << (bytes - 1)) - 1);
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(word >> (8 * i)));
}

inline void AppendVarInt(std::vector<uint8_t>& out, int64_t v) {
  const uint64_t mapped =
      v >= 0 ? static_cast<uint64_t>(v) << 1 : (static_cast<uint64_t>(-(v + 1)) << 1) | 1;
  AppendVarUint(out, mapped);
}

}  // namespace switchyard::binlog
