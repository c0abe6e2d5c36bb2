// Truncated and corrupted input must give an Error naming an offset, never a crash or UB.
// Every truncation point and every flipped byte of a small CRC32 file is tried; for a
// checksum-less file (where corruption reaches the row decoder) a stride of offsets is tried.
#include <gtest/gtest.h>

#include "binlog/json_binary.h"
#include "binlog/value_format.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

// Frames, decodes and fully renders every event; returns the first error, if any.
std::optional<std::string> DecodeEverything(std::span<const uint8_t> bytes) {
  BinlogFileReader reader(bytes);
  EventDecoder decoder;
  Row before, after;
  std::string sink;
  while (true) {
    auto raw = reader.Next();
    if (!raw.ok()) return raw.error().message;
    if (!*raw) return std::nullopt;
    auto ev = decoder.Decode((*raw)->bytes, (*raw)->offset);
    if (!ev.ok()) return ev.error().message;
    std::vector<Event> events;
    if (auto* p = std::get_if<TransactionPayloadEvent>(&ev->body)) {
      auto inner = decoder.DecodePayloadEvents(*p, (*raw)->offset);
      if (!inner.ok()) return inner.error().message;
      events = std::move(*inner);
    }
    events.push_back(std::move(*ev));
    for (const auto& e : events) {
      auto* rows = std::get_if<RowsEvent>(&e.body);
      if (!rows || !rows->table) continue;
      RowReader rr(*rows);
      while (rr.Next(&before, &after)) {
        for (const Row* row : {&before, &after}) {
          for (size_t i = 0; i < row->size(); ++i) {
            sink.clear();
            AppendValueMariadbStyle(sink, (*row)[i], rows->table->columns[i]);
            (void)ColumnValueToJson((*row)[i], rows->table->columns[i]);
          }
        }
      }
      if (!rr.status().ok())
        return "offset " + std::to_string((*raw)->offset) + ": " + rr.status().error().message;
    }
  }
}

std::vector<uint8_t> Load(const char* name) {
  auto data = ReadWholeFile((testing::TestdataDir() / name).string());
  EXPECT_TRUE(data.ok());
  return data.ok() ? *data : std::vector<uint8_t>{};
}

std::vector<uint64_t> EventStarts(std::span<const uint8_t> bytes) {
  std::vector<uint64_t> starts;
  BinlogFileReader reader(bytes);
  while (true) {
    auto raw = reader.Next();
    if (!raw.ok() || !*raw) break;
    starts.push_back((*raw)->offset);
  }
  starts.push_back(bytes.size());
  return starts;
}

TEST(Corruption, IntactFilesDecode) {
  for (const char* f : {"mysql80-gtid-rows.000002", "mysql57-rows-checksum-none.000001",
                        "mysql80-gtid-transaction-payload-json.000057"}) {
    auto data = Load(f);
    EXPECT_EQ(DecodeEverything(data), std::nullopt) << f;
  }
}

TEST(Corruption, TruncationAtEveryOffset) {
  auto data = Load("mysql80-gtid-rows.000002");
  ASSERT_FALSE(data.empty());
  auto starts = EventStarts(data);
  for (size_t len = 4; len < data.size(); ++len) {
    auto err = DecodeEverything(std::span<const uint8_t>(data).first(len));
    bool at_boundary = std::find(starts.begin(), starts.end(), len) != starts.end();
    if (at_boundary) {
      EXPECT_EQ(err, std::nullopt) << "cut at " << len;
    } else {
      ASSERT_TRUE(err.has_value()) << "cut at " << len;
      // The error names the offset of the event that was cut.
      uint64_t cut_event = *(std::upper_bound(starts.begin(), starts.end(), len) - 1);
      EXPECT_NE(err->find("offset " + std::to_string(cut_event)), std::string::npos)
          << "cut at " << len << ": " << *err;
    }
  }
}

TEST(Corruption, EveryFlippedByteIsCaughtByCrc) {
  auto data = Load("mysql80-gtid-rows.000002");
  ASSERT_FALSE(data.empty());
  for (size_t i = 4; i < data.size(); ++i) {
    auto copy = data;
    copy[i] ^= 0x5a;
    auto err = DecodeEverything(copy);
    ASSERT_TRUE(err.has_value()) << "flip at " << i;
    EXPECT_NE(err->find("offset"), std::string::npos) << *err;
  }
}

TEST(Corruption, FlippedBytesWithoutChecksumNeverCrash) {
  for (const char* f : {"mysql57-rows-checksum-none.000001", "mariadb100-gtid-list-rows-v1.000001",
                        "mysql51-rows-v1.000001"}) {
    auto data = Load(f);
    ASSERT_FALSE(data.empty());
    size_t stride = std::max<size_t>(7, data.size() / 150);  // bounded run time
    for (size_t i = 0; i < data.size(); i += stride) {
      for (uint8_t mask : {0x01, 0x80, 0xff}) {
        auto copy = data;
        copy[i] ^= mask;
        auto err = DecodeEverything(copy);
        if (err) {
          EXPECT_NE(err->find("offset"), std::string::npos)
              << f << " flip at " << i << ": " << *err;
        }
      }
    }
  }
}

TEST(Corruption, JsonBinaryGarbage) {
  // Every prefix and a few mutations of a real JSON value: errors or text, never a crash.
  std::string doc =
      "\x00\x02\x00\x1c\x00\x12\x00\x01\x00\x13\x00\x01\x00\x0c\x14\x00\x05\x16\x00"
      "ab\x02x\x05\x00\x00";
  for (size_t n = 0; n <= doc.size(); ++n) (void)JsonBinaryToText(doc.substr(0, n));
  for (size_t i = 0; i < doc.size(); ++i) {
    std::string m = doc;
    m[i] = static_cast<char>(m[i] ^ 0xff);
    (void)JsonBinaryToText(m);
    (void)JsonDiffToText(m);
  }
  EXPECT_FALSE(JsonBinaryToText(std::string("\x0c\x05"
                                            "ab",
                                            4))
                   .ok());                      // string too short
  EXPECT_FALSE(JsonBinaryToText("\x20").ok());  // unknown type
}

}  // namespace
}  // namespace switchyard::binlog
