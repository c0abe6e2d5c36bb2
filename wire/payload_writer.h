// Append-only encoders for protocol primitives (little-endian fixed ints, lenenc ints/strings,
// NUL-terminated strings). They append to a caller-owned Bytes and never fail.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/bytes.h"

namespace switchyard::wire {

void PutU8(Bytes& out, uint8_t v);
void PutU16(Bytes& out, uint16_t v);
void PutU24(Bytes& out, uint32_t v);
void PutU32(Bytes& out, uint32_t v);
void PutU48(Bytes& out, uint64_t v);
void PutU64(Bytes& out, uint64_t v);
void PutLenenc(Bytes& out, uint64_t v);
void PutLenencString(Bytes& out, std::string_view s);
void PutNulString(Bytes& out, std::string_view s);  // s must not contain NUL
void PutString(Bytes& out, std::string_view s);     // string<fix>/string<EOF>: raw bytes
void PutBytes(Bytes& out, BytesView b);
void PutZeros(Bytes& out, size_t n);
// Bytes needed to encode v as a lenenc integer (1, 3, 4 or 9).
size_t LenencSize(uint64_t v);

}  // namespace switchyard::wire
