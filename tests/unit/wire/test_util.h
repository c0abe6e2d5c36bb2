// Helpers for wire tests: hex fixtures -> frames, and "every prefix must fail" checks.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "wire/bytes.h"
#include "wire/packet_framing.h"

namespace switchyard::wire::testing {

// Splits captured wire bytes into owned frame payloads (asserts the capture is whole frames).
inline std::vector<Bytes> FramePayloads(std::string_view hex) {
  Bytes wire = FromHex(hex);
  PacketReader r;
  r.Feed(wire);
  std::vector<Bytes> out;
  while (auto f = r.NextFrame()) out.emplace_back(f->payload.begin(), f->payload.end());
  EXPECT_EQ(r.buffered(), 0u) << "capture is not whole frames";
  return out;
}

// A frame with its own copy of the payload (PacketReader's views die with the reader).
struct OwnedFrame {
  uint8_t seq = 0;
  Bytes payload;
};
inline std::vector<OwnedFrame> Frames(const Bytes& wire) {
  PacketReader r;
  r.Feed(wire);
  std::vector<OwnedFrame> out;
  while (auto f = r.NextFrame())
    out.push_back({f->seq, Bytes(f->payload.begin(), f->payload.end())});
  EXPECT_EQ(r.buffered(), 0u);
  return out;
}

// Calls decode(prefix) for every strict prefix of `full` and expects it to fail.
template <class Decode>
void ExpectEveryPrefixFails(const Bytes& full, Decode decode) {
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes prefix(full.begin(), full.begin() + n);  // own copy so ASan sees the real bound
    EXPECT_FALSE(decode(BytesView(prefix)).ok()) << "prefix of length " << n << " accepted";
  }
}

}  // namespace switchyard::wire::testing
