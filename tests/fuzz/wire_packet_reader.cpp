// Fuzzes PacketReader: the input is split into chunks (sizes from the first byte) and fed; both
// NextFrame and NextPacket are drained, with a small max packet size to hit the guard.
#include <cstddef>
#include <cstdint>

#include "wire/packet_framing.h"

using namespace switchyard::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t chunk = (data[0] % 31) + 1;
  bool frames = data[0] & 0x80;
  PacketReader r(/*max_packet_size=*/4096);
  for (size_t at = 1; at < size; at += chunk) {
    size_t n = std::min(chunk, size - at);
    r.Feed(BytesView(data + at, n));
    while (true) {
      if (frames) {
        auto f = r.NextFrame();
        if (!f) break;
        if (f->raw.size() != f->payload.size() + kFrameHeaderSize) __builtin_trap();
      } else {
        auto p = r.NextPacket();
        if (!p.ok() || !*p) break;
      }
    }
  }
  return 0;
}
