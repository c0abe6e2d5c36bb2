#include "wire/payload_writer.h"

namespace switchyard::wire {

namespace {
void PutLe(Bytes& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
}  // namespace

void PutU8(Bytes& out, uint8_t v) {
  out.push_back(v);
}
void PutU16(Bytes& out, uint16_t v) {
  PutLe(out, v, 2);
}
void PutU24(Bytes& out, uint32_t v) {
  PutLe(out, v, 3);
}
void PutU32(Bytes& out, uint32_t v) {
  PutLe(out, v, 4);
}
void PutU48(Bytes& out, uint64_t v) {
  PutLe(out, v, 6);
}
void PutU64(Bytes& out, uint64_t v) {
  PutLe(out, v, 8);
}

size_t LenencSize(uint64_t v) {
  if (v < 0xFB) return 1;
  if (v <= 0xFFFF) return 3;
  if (v <= 0xFFFFFF) return 4;
  return 9;
}

void PutLenenc(Bytes& out, uint64_t v) {
  if (v < 0xFB) {
    out.push_back(static_cast<uint8_t>(v));
  } else if (v <= 0xFFFF) {
    out.push_back(0xFC);
    PutLe(out, v, 2);
  } else if (v <= 0xFFFFFF) {
    out.push_back(0xFD);
    PutLe(out, v, 3);
  } else {
    out.push_back(0xFE);
    PutLe(out, v, 8);
  }
}

void PutLenencString(Bytes& out, std::string_view s) {
  PutLenenc(out, s.size());
  PutString(out, s);
}

void PutNulString(Bytes& out, std::string_view s) {
  PutString(out, s);
  out.push_back(0);
}

void PutString(Bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
}
void PutBytes(Bytes& out, BytesView b) {
  out.insert(out.end(), b.begin(), b.end());
}
void PutZeros(Bytes& out, size_t n) {
  out.insert(out.end(), n, 0);
}

}  // namespace switchyard::wire
