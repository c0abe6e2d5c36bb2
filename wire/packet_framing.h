// Packet framing: every MySQL packet is a 4-byte header (3-byte little-endian payload length,
// 1-byte sequence id) and a payload; payloads of 0xFFFFFF bytes or more are split into frames of
// exactly 0xFFFFFF bytes followed by a shorter (possibly empty) one.
// PacketReader owns a growable receive buffer; the views it returns stay valid until the next
// call that adds room or bytes to it (Feed / PrepareWrite), Compact() or TakeStorage(); a
// reassembled (multi-frame) payload additionally only until the next NextPacket().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/result.h"
#include "wire/bytes.h"

namespace switchyard::wire {

inline constexpr size_t kFrameHeaderSize = 4;
inline constexpr size_t kMaxFramePayload = 0xFFFFFF;
// Default guard on one logical (reassembled) packet: MySQL's own max_allowed_packet ceiling.
inline constexpr size_t kDefaultMaxPacketSize = 1024u * 1024u * 1024u;

struct FrameHeader {
  uint32_t payload_length = 0;
  uint8_t seq = 0;
};
// Reads a header from the first 4 bytes of `header` (the caller guarantees 4 bytes).
FrameHeader DecodeFrameHeader(const uint8_t* header);
void EncodeFrameHeader(uint8_t* header, uint32_t payload_length, uint8_t seq);

// One frame as it came off the wire.
struct Frame {
  uint8_t seq = 0;
  BytesView payload;  // this frame's payload only
  BytesView raw;      // header + payload, for forwarding untouched
  // True when another frame of the same logical packet follows (payload is 0xFFFFFF bytes).
  bool has_continuation() const { return payload.size() == kMaxFramePayload; }
};

// One logical packet: the frames' payloads joined.
struct Packet {
  uint8_t seq = 0;       // sequence id of the first frame
  uint8_t last_seq = 0;  // sequence id of the last frame (reply with last_seq + 1)
  BytesView payload;
  BytesView raw;  // all frames with headers, for forwarding untouched
  size_t frame_count = 1;
};

// A receive buffer's memory, handed between a PacketReader and a cache of free blocks.
struct ReceiveStorage {
  std::unique_ptr<uint8_t[]> data;
  size_t size = 0;
};

class PacketReader {
 public:
  explicit PacketReader(size_t max_packet_size = kDefaultMaxPacketSize)
      : max_packet_size_(max_packet_size) {}

  // Copies `data` into the buffer.
  void Feed(BytesView data);
  // Zero-copy receive for async reads: returns writable space of at least `min_size` bytes at the
  // end of the buffer; after the read, Commit(bytes_read).
  std::span<uint8_t> PrepareWrite(size_t min_size = 16 * 1024);
  void Commit(size_t n);

  // Next complete frame, or nullopt if more bytes are needed. Never reassembles.
  std::optional<Frame> NextFrame();
  // Next complete logical packet (joins continuation frames; single-frame packets are not copied),
  // nullopt if more bytes are needed, Error if the packet exceeds max_packet_size or the frames'
  // sequence ids are not consecutive. Do not mix with NextFrame in the middle of a packet.
  Result<std::optional<Packet>> NextPacket();

  // Bytes received and not yet returned as frames/packets.
  size_t buffered() const { return end_ - begin_; }
  BytesView buffered_bytes() const { return BytesView(buf_.get() + begin_, end_ - begin_); }
  size_t capacity() const { return capacity_; }
  // Bytes still missing to complete the frame whose start is buffered (0 if none is started or
  // its header is incomplete): lets a reader grow its buffer once to the frame's size.
  size_t MissingFrameBytes() const;
  // Gives up the receive buffer (and the reassembly area) when nothing is buffered, so an idle
  // connection holds no buffer; empty storage otherwise. Invalidates every view handed out.
  ReceiveStorage TakeStorage();
  // Uses `storage` as the receive buffer if the reader has none (else it is simply freed).
  void AdoptStorage(ReceiveStorage storage);
  // Moves the buffered bytes into `larger` (at least buffered() bytes) and returns the previous
  // buffer, e.g. to give a small one back to its cache. Invalidates every view handed out.
  ReceiveStorage ReplaceStorage(ReceiveStorage larger);
  // Drops consumed bytes from the buffer front (invalidates views). Called by Feed/PrepareWrite.
  void Compact();
  size_t max_packet_size() const { return max_packet_size_; }

 private:
  // Not a vector: growing must not zero-fill (untouched pages of a large buffer cost no RSS).
  std::unique_ptr<uint8_t[]> buf_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // end of received bytes (capacity_ may be larger after PrepareWrite)
  Bytes assembled_;   // reassembly area for multi-frame packets
  size_t max_packet_size_;
};

// Appends `payload` framed as one logical packet starting at sequence id `seq` (split into
// 0xFFFFFF-byte frames plus a final shorter, possibly empty, frame). Returns the next seq id.
uint8_t AppendPacket(Bytes& out, uint8_t seq, BytesView payload);

// Frames several packets with consecutive sequence ids into one output buffer.
class PacketWriter {
 public:
  explicit PacketWriter(uint8_t first_seq = 0) : seq_(first_seq) {}
  void Append(BytesView payload) { seq_ = AppendPacket(out_, seq_, payload); }
  uint8_t next_seq() const { return seq_; }
  void set_seq(uint8_t seq) { seq_ = seq; }
  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }
  void Clear() { out_.clear(); }

 private:
  Bytes out_;
  uint8_t seq_;
};

}  // namespace switchyard::wire
