#include "wire/packet_framing.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace switchyard::wire {

FrameHeader DecodeFrameHeader(const uint8_t* header) {
  return FrameHeader{uint32_t{header[0]} | uint32_t{header[1]} << 8 | uint32_t{header[2]} << 16,
                     header[3]};
}

void EncodeFrameHeader(uint8_t* header, uint32_t payload_length, uint8_t seq) {
  header[0] = static_cast<uint8_t>(payload_length);
  header[1] = static_cast<uint8_t>(payload_length >> 8);
  header[2] = static_cast<uint8_t>(payload_length >> 16);
  header[3] = seq;
}

void PacketReader::Compact() {
  if (begin_ == 0) return;
  if (end_ > begin_) std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
}

void PacketReader::Feed(BytesView data) {
  auto space = PrepareWrite(data.size());
  if (!data.empty()) std::memcpy(space.data(), data.data(), data.size());
  Commit(data.size());
}

std::span<uint8_t> PacketReader::PrepareWrite(size_t min_size) {
  // Compact only when it frees real room; views handed out before are invalidated either way.
  if (begin_ > 0 && (begin_ == end_ || begin_ >= capacity_ / 2)) Compact();
  if (capacity_ - end_ < min_size) {
    size_t kept = end_ - begin_;
    size_t grown = kept + std::max(min_size, capacity_ / 2);
    auto bigger = std::make_unique_for_overwrite<uint8_t[]>(grown);
    if (kept > 0) std::memcpy(bigger.get(), buf_.get() + begin_, kept);
    buf_ = std::move(bigger);
    capacity_ = grown;
    begin_ = 0;
    end_ = kept;
  }
  return std::span<uint8_t>(buf_.get() + end_, capacity_ - end_);
}

void PacketReader::Commit(size_t n) {
  end_ = std::min(end_ + n, capacity_);
}

size_t PacketReader::MissingFrameBytes() const {
  if (buffered() < kFrameHeaderSize) return 0;
  size_t total = kFrameHeaderSize + DecodeFrameHeader(buf_.get() + begin_).payload_length;
  return total > buffered() ? total - buffered() : 0;
}

ReceiveStorage PacketReader::TakeStorage() {
  if (buffered() != 0) return {};
  assembled_ = Bytes();
  begin_ = end_ = 0;
  ReceiveStorage s{std::move(buf_), capacity_};
  capacity_ = 0;
  return s;
}

ReceiveStorage PacketReader::ReplaceStorage(ReceiveStorage larger) {
  size_t kept = end_ - begin_;
  if (!larger.data || larger.size < kept) return larger;
  if (kept > 0) std::memcpy(larger.data.get(), buf_.get() + begin_, kept);
  ReceiveStorage previous{std::move(buf_), capacity_};
  buf_ = std::move(larger.data);
  capacity_ = larger.size;
  begin_ = 0;
  end_ = kept;
  return previous;
}

void PacketReader::AdoptStorage(ReceiveStorage storage) {
  if (capacity_ != 0 || !storage.data) return;
  buf_ = std::move(storage.data);
  capacity_ = storage.size;
  begin_ = end_ = 0;
}

std::optional<Frame> PacketReader::NextFrame() {
  if (buffered() < kFrameHeaderSize) return std::nullopt;
  FrameHeader h = DecodeFrameHeader(buf_.get() + begin_);
  size_t total = kFrameHeaderSize + h.payload_length;
  if (buffered() < total) return std::nullopt;
  BytesView raw(buf_.get() + begin_, total);
  begin_ += total;
  return Frame{h.seq, raw.subspan(kFrameHeaderSize), raw};
}

Result<std::optional<Packet>> PacketReader::NextPacket() {
  // Walk the frame headers first so that nothing is consumed until the whole packet is here.
  size_t pos = begin_;
  size_t payload_total = 0;
  size_t frames = 0;
  uint8_t first_seq = 0, last_seq = 0;
  while (true) {
    if (end_ - pos < kFrameHeaderSize) return std::optional<Packet>();
    FrameHeader h = DecodeFrameHeader(buf_.get() + pos);
    if (frames == 0) {
      first_seq = h.seq;
    } else if (h.seq != static_cast<uint8_t>(last_seq + 1)) {
      return MakeError(fmt::format("packet frame {} has sequence id {}, expected {}", frames, h.seq,
                                   static_cast<uint8_t>(last_seq + 1)));
    }
    last_seq = h.seq;
    payload_total += h.payload_length;
    ++frames;
    if (payload_total > max_packet_size_) {
      return MakeError(fmt::format("packet of at least {} bytes exceeds the maximum of {}",
                                   payload_total, max_packet_size_));
    }
    if (end_ - pos - kFrameHeaderSize < h.payload_length) return std::optional<Packet>();
    pos += kFrameHeaderSize + h.payload_length;
    if (h.payload_length < kMaxFramePayload) break;
  }
  BytesView raw(buf_.get() + begin_, pos - begin_);
  Packet p;
  p.seq = first_seq;
  p.last_seq = last_seq;
  p.raw = raw;
  p.frame_count = frames;
  if (frames == 1) {
    p.payload = raw.subspan(kFrameHeaderSize);
  } else {
    assembled_.clear();
    assembled_.reserve(payload_total);
    size_t at = 0;
    while (at < raw.size()) {
      FrameHeader h = DecodeFrameHeader(raw.data() + at);
      auto part = raw.subspan(at + kFrameHeaderSize, h.payload_length);
      assembled_.insert(assembled_.end(), part.begin(), part.end());
      at += kFrameHeaderSize + h.payload_length;
    }
    p.payload = assembled_;
  }
  begin_ = pos;
  return std::optional<Packet>(p);
}

uint8_t AppendPacket(Bytes& out, uint8_t seq, BytesView payload) {
  size_t at = 0;
  while (true) {
    size_t n = std::min(payload.size() - at, kMaxFramePayload);
    uint8_t header[kFrameHeaderSize];
    EncodeFrameHeader(header, static_cast<uint32_t>(n), seq++);
    out.insert(out.end(), header, header + kFrameHeaderSize);
    out.insert(out.end(), payload.begin() + at, payload.begin() + at + n);
    at += n;
    if (n < kMaxFramePayload) break;
  }
  return seq;
}

}  // namespace switchyard::wire
