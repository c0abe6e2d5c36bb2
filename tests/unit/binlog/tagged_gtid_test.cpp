// Tagged GTIDs (MySQL 8.3+): the mysql::serialization varlen integers, GTID_TAGGED events built
// by hand (fields the testdata file does not exercise: originals that differ, newer fields,
// truncation), and the text algebra of tagged GTID sets.
#include <gtest/gtest.h>

#include "binlog/gtid_set_encoding.h"
#include "binlog/mysql_serialization.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

const char* kU1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

std::string Hex(const std::vector<uint8_t>& v) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : v) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

TEST(VarlenIntegers, MatchTheFormatDocumentationAndRoundTrip) {
  std::vector<uint8_t> out;
  AppendVarUint(out, 65535);  // documented: 00000111 11111111 11111011 (big-endian view)
  EXPECT_EQ(Hex(out), "fbff07");
  out.clear();
  AppendVarInt(out, 65535);  // documented: 00001111 11111111 11110011
  EXPECT_EQ(Hex(out), "f3ff0f");
  out.clear();
  AppendVarInt(out, -65535);  // documented: 00001111 11111111 11101011
  EXPECT_EQ(Hex(out), "ebff0f");
  out.clear();
  AppendVarUint(out, ~uint64_t{0});  // 64 significant bits: 0xff then the whole value
  EXPECT_EQ(Hex(out), "ffffffffffffffffff");
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 55,
                     (uint64_t{1} << 56) - 1, uint64_t{1} << 56, uint64_t{1770368687207196}}) {
    std::vector<uint8_t> bytes;
    AppendVarUint(bytes, v);
    ByteReader r(bytes);
    EXPECT_EQ(ReadVarUint(r), v);
    EXPECT_TRUE(r.ok() && r.empty()) << v;
  }
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, INT64_MAX, INT64_MIN}) {
    std::vector<uint8_t> bytes;
    AppendVarInt(bytes, v);
    ByteReader r(bytes);
    EXPECT_EQ(ReadVarInt(r), v);
    EXPECT_TRUE(r.ok() && r.empty()) << v;
  }
  // A first byte announcing more bytes than there are fails the reader.
  std::vector<uint8_t> cut = {0x07, 0x01};
  ByteReader r(cut);
  ReadVarUint(r);
  EXPECT_FALSE(r.ok());
}

// A GTID_TAGGED_LOG_EVENT body: version, self-inclusive size, last non-ignorable id, fields.
struct TaggedEventBuilder {
  std::vector<uint8_t> fields;
  uint64_t last_non_ignorable = 0;
  void Unsigned(uint64_t id, uint64_t v) {
    AppendVarUint(fields, id);
    AppendVarUint(fields, v);
  }
  void Signed(uint64_t id, int64_t v) {
    AppendVarUint(fields, id);
    AppendVarInt(fields, v);
  }
  void Uuid16(const Uuid& u) {
    AppendVarUint(fields, 1);
    for (uint8_t b : u.bytes) AppendVarUint(fields, b);
  }
  void Tag(std::string_view tag) {
    AppendVarUint(fields, 3);
    AppendVarUint(fields, tag.size());
    fields.insert(fields.end(), tag.begin(), tag.end());
  }
  std::string Body() const {
    std::vector<uint8_t> lnif;
    AppendVarUint(lnif, last_non_ignorable);
    size_t size = 1 + 1 + lnif.size() + fields.size();  // size < 128 fits one byte
    std::vector<uint8_t> out = {2};
    AppendVarUint(out, size);
    out.insert(out.end(), lnif.begin(), lnif.end());
    out.insert(out.end(), fields.begin(), fields.end());
    return {out.begin(), out.end()};
  }
};

std::vector<uint8_t> MakeEvent(uint8_t type, const std::string& body) {
  std::vector<uint8_t> e;
  auto le = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) e.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  le(1770368687, 4);
  e.push_back(type);
  le(1, 4);
  le(19 + body.size() + 4, 4);
  le(1000, 4);
  le(0, 2);
  e.insert(e.end(), body.begin(), body.end());
  le(Crc32(e), 4);
  return e;
}

EventDecoder PrimedDecoder() {
  EventDecoder d;
  auto data = ReadWholeFile((testing::TestdataDir() / "mysql96-gtid-tagged.000001").string());
  EXPECT_TRUE(data.ok());
  BinlogFileReader r(*data);
  auto raw = r.Next();
  EXPECT_TRUE(raw.ok() && *raw);
  EXPECT_TRUE(d.Decode((*raw)->bytes, 4).ok());
  return d;
}

TaggedEventBuilder Typical() {
  TaggedEventBuilder b;
  b.Unsigned(0, 1);
  b.Uuid16(*Uuid::Parse(kU1));
  b.Signed(2, 42);
  b.Tag("Batch_7");
  b.Signed(4, 10);
  b.Signed(5, 11);
  b.Unsigned(6, 1770368687207196);
  b.Unsigned(7, 1770368680000000);  // originated earlier on another server
  b.Unsigned(8, 512);
  b.Unsigned(9, 90600);
  b.Unsigned(10, 80400);
  b.Unsigned(11, 5);
  return b;
}

TEST(TaggedGtidEvent, EveryFieldDecodesAndTheTagIsLowerCased) {
  auto d = PrimedDecoder();
  auto bytes = MakeEvent(42, Typical().Body());
  auto ev = d.Decode(bytes);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  auto* g = std::get_if<MysqlGtidEvent>(&ev->body);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->GtidText(), std::string(kU1) + ":batch_7:42");
  EXPECT_EQ(g->flags, 1u);
  EXPECT_EQ(g->last_committed, 10u);
  EXPECT_EQ(g->sequence_number, 11u);
  EXPECT_EQ(g->immediate_commit_timestamp, 1770368687207196u);
  EXPECT_EQ(g->original_commit_timestamp, 1770368680000000u);
  EXPECT_EQ(g->transaction_length, 512u);
  EXPECT_EQ(g->immediate_server_version, 90600u);
  EXPECT_EQ(g->original_server_version, 80400u);
}

TEST(TaggedGtidEvent, NewerIgnorableFieldsAreSkippedNonIgnorableOnesRefused) {
  auto d = PrimedDecoder();
  auto newer = Typical();
  newer.Unsigned(12, 99);  // a field a future server might add
  newer.Unsigned(13, 7);
  auto ok_bytes = MakeEvent(42, newer.Body());
  auto ok = d.Decode(ok_bytes);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(std::get<MysqlGtidEvent>(ok->body).gno, 42u);

  newer.last_non_ignorable = 12;  // the writer says readers must understand field 12
  auto bad_bytes = MakeEvent(42, newer.Body());
  auto bad = d.Decode(bad_bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unknown non-ignorable field 12"), std::string::npos)
      << bad.error().message;
}

TEST(TaggedGtidEvent, MissingGnoTagOrBadValuesAreErrors) {
  auto d = PrimedDecoder();
  TaggedEventBuilder no_tag;
  no_tag.Uuid16(*Uuid::Parse(kU1));
  no_tag.Signed(2, 1);
  auto b1 = MakeEvent(42, no_tag.Body());
  EXPECT_FALSE(d.Decode(b1).ok());

  TaggedEventBuilder negative;
  negative.Signed(2, -5);
  negative.Tag("t");
  auto b2 = MakeEvent(42, negative.Body());
  auto r2 = d.Decode(b2);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("negative gno"), std::string::npos) << r2.error().message;

  TaggedEventBuilder bad_tag;
  bad_tag.Signed(2, 1);
  bad_tag.Tag("no-dash");
  auto b3 = MakeEvent(42, bad_tag.Body());
  auto r3 = d.Decode(b3);
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("malformed GTID tag"), std::string::npos);
}

TEST(TaggedGtidEvent, EveryTruncationIsAnErrorNeverACrash) {
  const std::string body = Typical().Body();
  auto d = PrimedDecoder();
  for (size_t n = 0; n < body.size(); ++n) {
    auto bytes = MakeEvent(42, body.substr(0, n));
    auto ev = d.Decode(bytes);
    EXPECT_FALSE(ev.ok()) << n;
  }
  // The message size is authoritative: a size past the event is an error, bytes after the
  // message are not fields.
  std::string grown = body;
  grown[1] = static_cast<char>((body.size() + 1) << 1);
  auto bytes = MakeEvent(42, grown);
  auto ev = d.Decode(bytes);
  ASSERT_FALSE(ev.ok());
  EXPECT_NE(ev.error().message.find("message size"), std::string::npos) << ev.error().message;
}

MysqlGtidSet Set(std::string_view s) {
  auto r = MysqlGtidSet::Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : MysqlGtidSet{};
}

TEST(TaggedGtidSet, ParsesMysqlTextAndPrintsUntaggedFirstThenTagsSorted) {
  // The syntax of the MySQL manual: a uuid, then intervals and tags in any order.
  auto s =
      Set("3E11FA47-71CA-11E1-9E33-C80AA9429562:tag1:1-5:8,"
          "3E11FA47-71CA-11E1-9E33-C80AA9429562:11-20:Alpha:3");
  EXPECT_EQ(s.ToString(), std::string(kU1) + ":11-20:alpha:3:tag1:1-5:8");
  EXPECT_EQ(s.Count(), 10u + 1 + 6);
  EXPECT_TRUE(s.Contains(*Uuid::Parse(kU1), 8, "tag1"));
  EXPECT_FALSE(s.Contains(*Uuid::Parse(kU1), 8));  // untagged 8 is another GTID
  ASSERT_NE(s.Intervals(*Uuid::Parse(kU1), "tag1"), nullptr);
  EXPECT_EQ(s.Intervals(*Uuid::Parse(kU1), "tag1")->size(), 2u);
  EXPECT_EQ(s.Intervals(*Uuid::Parse(kU1), "nope"), nullptr);
  EXPECT_EQ(Set(s.ToString()), s);
}

TEST(TaggedGtidSet, MalformedTagsAreErrors) {
  for (std::string bad :
       {std::string(kU1) + ":tag",  // a tag needs intervals
        std::string(kU1) + ":a:b:1", std::string(kU1) + ":1:t-x:2",
        std::string(kU1) + ":" + std::string(33, 'a') + ":1", std::string(kU1) + ":t\xc3\xa9:1"}) {
    auto r = MysqlGtidSet::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_TRUE(MysqlGtidSet::Parse(std::string(kU1) + ":" + std::string(32, 'a') + ":1").ok());
  EXPECT_TRUE(MysqlGtidSet::Parse(std::string(kU1) + ":_x9:1").ok());
}

TEST(TaggedGtidSet, UnionContainsSubtractKeepTagsApart) {
  auto a = Set(std::string(kU1) + ":1-10:t:1-5");
  auto b = Set(std::string(kU1) + ":t:4-8:u:1");
  auto u = a;
  u.Union(b);
  EXPECT_EQ(u.ToString(), std::string(kU1) + ":1-10:t:1-8:u:1");
  EXPECT_TRUE(u.Contains(a));
  EXPECT_TRUE(u.Contains(b));
  EXPECT_FALSE(a.Contains(b));
  EXPECT_FALSE(Set(std::string(kU1) + ":1-10").Contains(Set(std::string(kU1) + ":t:1")));
  auto d = u;
  d.Subtract(Set(std::string(kU1) + ":2-9:t:1-8"));
  EXPECT_EQ(d.ToString(), std::string(kU1) + ":1:10:u:1");
  EXPECT_EQ(Compare(a, u), GtidOrder::kBehind);
  EXPECT_EQ(Compare(a, b), GtidOrder::kDiverged);
  // The binary encoding carries the tags through.
  std::vector<uint8_t> bytes;
  AppendGtidSetEncoding(bytes, u);
  auto back = DecodeGtidSetEncoding(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->set, u);
  EXPECT_EQ(back->format, GtidSetFormat::kTagged);
  EXPECT_EQ(back->consumed, bytes.size());
}

}  // namespace
}  // namespace switchyard::binlog
