#include "wire/packet_framing.h"

#include <gtest/gtest.h>

#include "wire/payload_reader.h"
#include "wire/payload_writer.h"

namespace switchyard::wire {
namespace {

TEST(PacketFraming, HeaderRoundTrip) {
  uint8_t h[4];
  EncodeFrameHeader(h, 0x123456, 7);
  EXPECT_EQ(h[0], 0x56);
  EXPECT_EQ(h[1], 0x34);
  EXPECT_EQ(h[2], 0x12);
  EXPECT_EQ(h[3], 7);
  FrameHeader d = DecodeFrameHeader(h);
  EXPECT_EQ(d.payload_length, 0x123456u);
  EXPECT_EQ(d.seq, 7);
}

TEST(PacketFraming, ReaderYieldsPacketsFedOneByteAtATime) {
  Bytes wire;
  uint8_t seq = AppendPacket(wire, 0, AsBytes("hello"));
  seq = AppendPacket(wire, seq, AsBytes(""));
  AppendPacket(wire, seq, AsBytes("x"));
  PacketReader r;
  std::vector<std::string> got;
  std::vector<uint8_t> seqs;
  for (uint8_t b : wire) {
    r.Feed(BytesView(&b, 1));
    auto p = r.NextPacket();
    ASSERT_TRUE(p.ok());
    if (p.value()) {
      got.emplace_back(AsString(p.value()->payload));
      seqs.push_back(p.value()->seq);
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"hello", "", "x"}));
  EXPECT_EQ(seqs, (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(PacketFraming, LargePayloadSplitAndReassembled) {
  // 16 MiB + 5 bytes: frames of 0xFFFFFF, then the remainder.
  Bytes payload(16 * 1024 * 1024 + 5);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 31 + 7);
  Bytes wire;
  uint8_t next = AppendPacket(wire, 3, payload);
  EXPECT_EQ(next, 5);
  ASSERT_EQ(wire.size(), payload.size() + 8);
  EXPECT_EQ(DecodeFrameHeader(wire.data()).payload_length, kMaxFramePayload);

  PacketReader r;
  // Feed in uneven chunks.
  size_t at = 0, chunk = 1;
  std::optional<Packet> got;
  while (at < wire.size()) {
    size_t n = std::min(chunk, wire.size() - at);
    r.Feed(BytesView(wire).subspan(at, n));
    at += n;
    chunk = chunk * 3 + 1;
    auto p = r.NextPacket();
    ASSERT_TRUE(p.ok()) << p.error().message;
    if (p.value()) {
      ASSERT_EQ(at, wire.size());
      got = *p.value();
      EXPECT_EQ(got->frame_count, 2u);
      EXPECT_EQ(got->seq, 3);
      EXPECT_EQ(got->last_seq, 4);
      EXPECT_TRUE(
          std::equal(got->payload.begin(), got->payload.end(), payload.begin(), payload.end()));
      EXPECT_EQ(got->raw.size(), wire.size());
    }
  }
  EXPECT_TRUE(got.has_value());
}

TEST(PacketFraming, ExactMultipleOfFrameSizeEndsWithEmptyFrame) {
  Bytes payload(kMaxFramePayload, 'a');
  Bytes wire;
  EXPECT_EQ(AppendPacket(wire, 0, payload), 2);
  ASSERT_EQ(wire.size(), kMaxFramePayload + 8);
  EXPECT_EQ(DecodeFrameHeader(wire.data() + 4 + kMaxFramePayload).payload_length, 0u);

  PacketReader r;
  r.Feed(wire);
  auto f1 = r.NextFrame();
  ASSERT_TRUE(f1);
  EXPECT_TRUE(f1->has_continuation());
  EXPECT_EQ(f1->raw.size(), kMaxFramePayload + 4);
  auto f2 = r.NextFrame();
  ASSERT_TRUE(f2);
  EXPECT_FALSE(f2->has_continuation());
  EXPECT_EQ(f2->seq, 1);
  EXPECT_FALSE(r.NextFrame());

  PacketReader r2;
  r2.Feed(wire);
  auto p = r2.NextPacket();
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p.value());
  EXPECT_EQ(p.value()->payload.size(), kMaxFramePayload);
}

TEST(PacketFraming, MaxPacketGuard) {
  Bytes wire;
  AppendPacket(wire, 0, Bytes(100, 1));
  PacketReader r(/*max_packet_size=*/99);
  r.Feed(wire);
  auto p = r.NextPacket();
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("exceeds"), std::string::npos);
}

TEST(PacketFraming, BadSequenceInsideMultiFramePacket) {
  Bytes wire;
  AppendPacket(wire, 0, Bytes(kMaxFramePayload + 1, 1));
  wire[4 + kMaxFramePayload + 3] = 9;  // second frame's seq should be 1
  PacketReader r;
  r.Feed(wire);
  EXPECT_FALSE(r.NextPacket().ok());
}

TEST(PacketFraming, PrepareWriteCommitZeroCopy) {
  Bytes wire;
  AppendPacket(wire, 5, AsBytes("abc"));
  PacketReader r;
  auto space = r.PrepareWrite(2);
  ASSERT_GE(space.size(), 2u);
  std::copy(wire.begin(), wire.begin() + 2, space.begin());
  r.Commit(2);
  EXPECT_FALSE(r.NextFrame());
  space = r.PrepareWrite(wire.size() - 2);
  std::copy(wire.begin() + 2, wire.end(), space.begin());
  r.Commit(wire.size() - 2);
  auto f = r.NextFrame();
  ASSERT_TRUE(f);
  EXPECT_EQ(AsString(f->payload), "abc");
  EXPECT_EQ(f->seq, 5);
}

TEST(PacketFraming, StorageIsOnlyGivenUpWhenNothingIsBuffered) {
  Bytes wire;
  AppendPacket(wire, 0, AsBytes("select 1"));
  PacketReader r;
  r.Feed(BytesView(wire).first(6));  // half a packet
  EXPECT_FALSE(r.TakeStorage().data) << "a partial packet must stay";
  r.Feed(BytesView(wire).subspan(6));
  auto p = r.NextPacket();
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ(AsString((*p)->payload), "select 1");
  ReceiveStorage s = r.TakeStorage();
  ASSERT_TRUE(s.data);
  EXPECT_GE(s.size, wire.size());
  EXPECT_EQ(r.capacity(), 0u);
  EXPECT_EQ(r.buffered(), 0u);
  // Adopted storage is reused as is; the reader keeps working on it.
  size_t size = s.size;
  r.AdoptStorage(std::move(s));
  EXPECT_EQ(r.capacity(), size);
  r.Feed(wire);
  EXPECT_EQ(r.capacity(), size);
  p = r.NextPacket();
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ(AsString((*p)->payload), "select 1");
}

TEST(PacketFraming, ReplacingStorageKeepsThePartialPacket) {
  // A client's command starts in the small idle buffer and continues in a larger one.
  Bytes wire;
  AppendPacket(wire, 3, Bytes(600, 'q'));
  PacketReader r;
  r.AdoptStorage({std::make_unique<uint8_t[]>(512), 512});
  auto space = r.PrepareWrite(1);
  ASSERT_EQ(space.size(), 512u);
  std::copy(wire.begin(), wire.begin() + 512, space.begin());
  r.Commit(512);
  EXPECT_FALSE(r.NextFrame());
  ReceiveStorage too_small = r.ReplaceStorage({std::make_unique<uint8_t[]>(100), 100});
  EXPECT_EQ(too_small.size, 100u) << "storage smaller than the buffered bytes comes back unused";
  EXPECT_EQ(r.capacity(), 512u);
  ReceiveStorage old = r.ReplaceStorage({std::make_unique<uint8_t[]>(4096), 4096});
  EXPECT_EQ(old.size, 512u);
  EXPECT_EQ(r.capacity(), 4096u);
  EXPECT_EQ(r.buffered(), 512u);
  r.Feed(BytesView(wire).subspan(512));
  auto p = r.NextPacket();
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->payload.size(), 600u);
  EXPECT_EQ((*p)->seq, 3);
}

TEST(PacketFraming, GrowingKeepsUnconsumedBytes) {
  Bytes wire;
  AppendPacket(wire, 0, AsBytes("first"));
  Bytes big(100000, 'z');
  AppendPacket(wire, 1, big);
  PacketReader r;
  r.Feed(BytesView(wire).first(9 + 1000));  // all of the first, a bit of the second
  auto f = r.NextFrame();
  ASSERT_TRUE(f);
  EXPECT_EQ(AsString(f->payload), "first");
  EXPECT_EQ(r.MissingFrameBytes(), 4 + big.size() - 1000);
  r.Feed(BytesView(wire).subspan(9 + 1000));  // forces a larger buffer
  EXPECT_EQ(r.MissingFrameBytes(), 0u);
  f = r.NextFrame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->seq, 1);
  EXPECT_TRUE(std::equal(f->payload.begin(), f->payload.end(), big.begin(), big.end()));
}

TEST(PacketWriter, ConsecutiveSeqIds) {
  PacketWriter w(1);
  w.Append(AsBytes("a"));
  w.Append(AsBytes("bc"));
  EXPECT_EQ(w.next_seq(), 3);
  EXPECT_EQ(ToHex(w.bytes()),
            "010000016102000002626"
            "3");
}

TEST(PayloadCodec, LenencBoundaries) {
  for (uint64_t v : {0ull, 250ull, 251ull, 0xFFFFull, 0x10000ull, 0xFFFFFFull, 0x1000000ull,
                     0xFFFFFFFFFFFFFFFFull}) {
    Bytes b;
    PutLenenc(b, v);
    EXPECT_EQ(b.size(), LenencSize(v));
    PayloadReader r(b);
    EXPECT_EQ(r.Lenenc(), v);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
    // Every strict prefix fails cleanly.
    for (size_t n = 0; n < b.size(); ++n) {
      PayloadReader t(BytesView(b).first(n));
      (void)t.Lenenc();
      EXPECT_FALSE(t.ok());
    }
  }
}

TEST(PayloadCodec, FixedIntsAndStrings) {
  Bytes b;
  PutU8(b, 0xAB);
  PutU16(b, 0x1234);
  PutU24(b, 0x56789A);
  PutU32(b, 0xDEADBEEF);
  PutU48(b, 0x010203040506ull);
  PutU64(b, 0x1122334455667788ull);
  PutLenencString(b, "lenenc");
  PutNulString(b, "nul");
  PutString(b, "rest");
  PayloadReader r(b, "test");
  EXPECT_EQ(r.U8(), 0xAB);
  EXPECT_EQ(r.U16(), 0x1234);
  EXPECT_EQ(r.U24(), 0x56789Au);
  EXPECT_EQ(r.U32(), 0xDEADBEEFu);
  EXPECT_EQ(r.U48(), 0x010203040506ull);
  EXPECT_EQ(r.U64(), 0x1122334455667788ull);
  EXPECT_EQ(r.LenencString(), "lenenc");
  EXPECT_EQ(r.NulString(), "nul");
  EXPECT_EQ(r.Rest(), "rest");
  EXPECT_TRUE(r.ok());
}

TEST(PayloadCodec, ErrorsNameFieldAndOffset) {
  Bytes b = {1, 2, 3};
  PayloadReader r(b, "OK packet");
  r.U16("status");
  r.U16("warnings");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().error().message,
            "OK packet: warnings truncated at offset 2 (need 2 bytes, have 1)");
  // Sticky: later reads return zero and keep the first error.
  EXPECT_EQ(r.U8(), 0);
  EXPECT_NE(r.status().error().message.find("warnings"), std::string::npos);
}

TEST(PayloadCodec, LenencNullAndInvalid) {
  Bytes null_byte = {0xFB};
  PayloadReader r1(null_byte);
  EXPECT_FALSE(r1.LenencOrNull().has_value());
  EXPECT_TRUE(r1.ok());
  PayloadReader r2(null_byte);
  r2.Lenenc();
  EXPECT_FALSE(r2.ok());
  Bytes ff = {0xFF};
  PayloadReader r3(ff);
  r3.Lenenc();
  EXPECT_FALSE(r3.ok());
  Bytes long_len = {0x05, 'a', 'b'};  // claims 5 bytes, has 2
  PayloadReader r4(long_len);
  EXPECT_EQ(r4.LenencString(), "");
  EXPECT_FALSE(r4.ok());
}

TEST(PayloadCodec, NulStringWithoutTerminator) {
  Bytes b = {'a', 'b'};
  PayloadReader r(b);
  r.NulString();
  EXPECT_FALSE(r.ok());
  PayloadReader r2(b);
  EXPECT_EQ(r2.NulOrEofString(), "ab");
  EXPECT_TRUE(r2.ok());
  PayloadReader empty(BytesView{});
  EXPECT_EQ(empty.NulOrEofString(), "");
  empty.NulString();
  EXPECT_FALSE(empty.ok());
}

TEST(PayloadCodec, Hex) {
  EXPECT_EQ(ToHex(FromHex("00 ff A0")), "00ffa0");
  EXPECT_TRUE(FromHex("abc").empty());
  EXPECT_TRUE(FromHex("zz").empty());
}

}  // namespace
}  // namespace switchyard::wire
