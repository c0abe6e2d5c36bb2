// Events the testdata files do not contain (heartbeats, XA_PREPARE, MariaDB compressed QUERY)
// built by hand, the zlib inflater, statement-event fields and payload expansion checked
// against the reference decodes and the derived (pre-expanded) files.
#include <gtest/gtest.h>

#include "binlog/inflate.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

std::string Bytes(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

using testing::PrimedDecoder;

std::vector<uint8_t> MakeEvent(uint8_t type, const std::string& body, bool crc = true) {
  std::vector<uint8_t> e;
  auto le = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) e.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  uint32_t size = static_cast<uint32_t>(19 + body.size() + (crc ? 4 : 0));
  le(1700000000, 4);
  e.push_back(type);
  le(7, 4);
  le(size, 4);
  le(12345, 4);
  le(0, 2);
  e.insert(e.end(), body.begin(), body.end());
  if (crc) le(Crc32(e), 4);
  return e;
}

std::string Le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

TEST(HandBuiltEvents, HeartbeatV1AndV2) {
  auto d = PrimedDecoder("mysql80-gtid-rows.000002");
  auto bytes1 = MakeEvent(27, "binlog.000007");  // events view their input: keep it alive
  auto ev = d.Decode(bytes1);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  auto* hb = std::get_if<HeartbeatEvent>(&ev->body);
  ASSERT_TRUE(hb);
  EXPECT_FALSE(hb->v2);
  EXPECT_EQ(hb->log_file, "binlog.000007");
  EXPECT_EQ(ev->header.log_pos, 12345u);

  // v2: (type, length, value) fields; position as a length-encoded integer (0xfd + 3 bytes).
  std::string body = std::string("\x01\x0d", 2) + "binlog.000008" + std::string("\x02\x04\xfd", 3) +
                     Le(0x123456, 3) + std::string("\x00", 1);
  auto bytes2 = MakeEvent(41, body);  // events view their input: keep it alive
  ev = d.Decode(bytes2);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  hb = std::get_if<HeartbeatEvent>(&ev->body);
  ASSERT_TRUE(hb);
  EXPECT_TRUE(hb->v2);
  EXPECT_EQ(hb->log_file, "binlog.000008");
  EXPECT_EQ(hb->log_position, 0x123456u);

  // A field running past the event is an error, not a read past the end.
  EXPECT_FALSE(d.Decode(MakeEvent(41, std::string("\x01\x40"
                                                  "abc",
                                                  5)))
                   .ok());
}

TEST(HandBuiltEvents, XaPrepare) {
  auto d = PrimedDecoder("mysql80-gtid-rows.000002");
  std::string body = std::string("\x00", 1) + Le(1, 4) + Le(3, 4) + Le(2, 4) + "abcde";
  auto bytes3 = MakeEvent(38, body);  // events view their input: keep it alive
  auto ev = d.Decode(bytes3);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  auto* xa = std::get_if<XaPrepareEvent>(&ev->body);
  ASSERT_TRUE(xa);
  EXPECT_FALSE(xa->one_phase);
  EXPECT_EQ(xa->format_id, 1u);
  EXPECT_EQ(xa->gtrid, "abc");
  EXPECT_EQ(xa->bqual, "de");
  EXPECT_FALSE(d.Decode(MakeEvent(38, body.substr(0, body.size() - 1))).ok());
}

TEST(HandBuiltEvents, CrcMismatchNamesOffset) {
  auto d = PrimedDecoder("mysql80-gtid-rows.000002");
  auto e = MakeEvent(16, Le(99, 8));
  e[20] ^= 1;
  auto ev = d.Decode(e, 777);
  ASSERT_FALSE(ev.ok());
  EXPECT_NE(ev.error().message.find("CRC32 mismatch in XID event at offset 777"), std::string::npos)
      << ev.error().message;
}

const char kFixedZlib[] =
    "\x78\x01\xf3\xf4\x0b\x76\x0d\x0a\x51\xf0\xf4\x0b\xf1\x57\x28\x51\x08\x73\xf4\x09\x75\x0d"
    "\x56\xd0\x30\xd4\x51\x50\xcf\x48\xcd\xc9\xc9\x57\xc0\x20\xd5\x35\x01\x80\xae\x0f\xa0";
const char kStoredZlib[] =
    "\x78\x01\x01\x33\x00\xcc\xff"
    "INSERT INTO t VALUES (1, 'hello hello hello hello')"
    "\x80\xae\x0f\xa0";
const char kDynamicZlib[] =
    "\x78\xda\x3d\xd4\x4b\x6a\x5d\x41\x0c\x04\xd0\xad\xbc\x25\xb4\xfe"
    "\x12\x5e\x4d\x06\x9e\x19\x0c\x0f\x12\x6f\xdf\xe1\x56\xab\x86\x55"
    "\xa3\x43\xab\xa5\xf7\xf7\xcf\xeb\xbc\xfe\xfd\xf9\xfa\xfb\xf9\x3a"
    "\x1f\xef\xff\x49\x6e\xaa\x27\xe9\x4d\xe2\x4f\xb4\x1b\x55\x9e\xe8"
    "\x1b\xfb\x89\x71\xa3\xc5\x13\xf3\x46\xd7\x27\xd6\xc6\x79\x62\xdf"
    "\x18\xf9\xc4\xb9\x31\x0d\x8a\x45\xd5\x55\x91\x05\x97\x2c\xac\x01"
    "\x93\x95\x0d\x64\xb2\xb4\x01\x4d\xd6\x26\x07\x38\x59\x9d\x08\x78"
    "\x52\x2c\x00\x94\x15\x8a\x82\x28\x6b\x14\x03\x52\x0f\x5f\x07\x4a"
    "\x15\x16\xf7\xf9\xf8\x7e\x01\xa7\xae\x53\x12\x50\x75\x16\x90\x2a"
    "\xa5\x05\xa9\x52\xda\x90\x2a\xa5\x0d\xa9\x52\x3a\x90\xea\x4a\xf5"
    "\x40\x6a\x87\x83\x83\xd4\x84\x05\xa4\xb6\x52\xd5\x3b\x6a\xce\xda"
    "\x20\x35\x4e\xdb\x20\xb5\x95\xaa\x43\x6a\x2b\xd5\x80\xd4\x8a\x05"
    "\xa4\xb6\x52\x4d\x48\x8d\xd2\x82\xd4\x29\x6d\x48\x9d\xd2\x86\xd4"
    "\x29\x1d\x48\x7d\xa5\x76\xee\xb7\x74\x16\x90\x3a\x7f\xa6\x40\xea"
    "\x2b\x35\x85\xd4\x8b\x05\xa4\xbe\x52\x33\x48\x7d\xa5\xe6\x90\xc6"
    "\xe1\x77\x87\x34\x84\x05\xa4\xb1\x52\x4b\x48\x83\xd2\x82\x34\x28"
    "\xad\xbb\x42\x94\x36\xa4\x41\xe9\x40\x1a\x94\x0e\xa4\xb1\x52\x3f"
    "\x90\xc6\x4a\x5d\x20\xcd\xc3\x4d\x84\x34\x85\x05\xa4\xb9\x52\x37"
    "\x48\x73\xa5\xee\x90\xa6\xb3\x80\x34\x57\xea\x71\xd7\x9d\xfb\x9e"
    "\x90\x26\x37\x3e\x21\x4d\x4a\x0b\xd2\xa4\xb4\x21\x2d\x4a\x07\xd2"
    "\xa2\x74\x20\xad\x95\xc6\x81\xb4\x56\x1a\x02\x69\x39\x0b\x48\x6b"
    "\xa5\xa1\x90\xd6\x4a\xc3\xee\x69\x2a\x16\x90\x16\xaf\x93\x43\x5a"
    "\x2b\x8d\x80\xb4\x0f\xef\x17\xa4\x2d\x2c\x20\x6d\x4a\x0b\xd2\xa6"
    "\xb4\x21\x6d\x4a\x1b\xd2\xa6\x74\x20\xed\x95\xe6\x81\xb4\x8b\xc5"
    "\x3d\xa3\x2b\x4d\x81\xb4\x79\x49\x15\xd2\x39\x3c\xad\x90\x8e\xb0"
    "\x80\x74\x56\x9a\x0e\xe9\xac\x34\x03\xd2\x71\x16\x90\xce\x4a\x33"
    "\x21\x1d\x4a\x0b\xd2\xa1\xb4\x20\x1d\x4a\xfb\x9e\x7c\x4a\xc7\x3e"
    "\x7e\x01\x63\xa4\xf7\x31";
const char kQuery[] = "INSERT INTO t VALUES (1, 'hello hello hello hello')";

std::string DynamicText() {
  std::string s;
  for (int n = 0; n < 100; ++n)
    s += "row " + std::to_string(n) + " value " + std::to_string(n * 7) + ";";
  return s;
}

std::span<const uint8_t> Span(const char* p, size_t n) {
  return {reinterpret_cast<const uint8_t*>(p), n};
}

TEST(Inflate, StoredFixedAndDynamicBlocks) {
  auto fixed = ZlibInflate(Span(kFixedZlib, sizeof kFixedZlib - 1), 1000);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(Bytes(*fixed), kQuery);
  auto stored = ZlibInflate(Span(kStoredZlib, sizeof kStoredZlib - 1), 1000);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(Bytes(*stored), kQuery);
  auto dynamic = ZlibInflate(Span(kDynamicZlib, sizeof kDynamicZlib - 1), 5000);
  ASSERT_TRUE(dynamic.ok()) << dynamic.error().message;
  EXPECT_EQ(Bytes(*dynamic), DynamicText());
  // Output bound and truncation are errors.
  EXPECT_FALSE(ZlibInflate(Span(kDynamicZlib, sizeof kDynamicZlib - 1), 100).ok());
  for (size_t n = 0; n + 5 < sizeof kDynamicZlib - 1; n += 3) {
    EXPECT_FALSE(ZlibInflate(Span(kDynamicZlib, n), 5000).ok()) << n;
  }
}

TEST(HandBuiltEvents, MariadbCompressedQuery) {
  auto d = PrimedDecoder("mariadb105-gtid-annotate-full-metadata.000001");
  // post-header: thread_id, exec_time, db_len, error_code, status_vars_len; db + NUL; query.
  std::string head = Le(5, 4) + Le(0, 4) + Le(1, 1) + Le(0, 2) + Le(0, 2) + std::string("t\0", 2);
  std::string fixed = head + std::string("\x81", 1) + std::string(1, char(sizeof kQuery - 1)) +
                      std::string(kFixedZlib, sizeof kFixedZlib - 1);
  auto bytes4 = MakeEvent(165, fixed);  // events view their input: keep it alive
  auto ev = d.Decode(bytes4);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  auto* q = std::get_if<QueryEvent>(&ev->body);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->database, "t");
  EXPECT_EQ(q->query, kQuery);

  std::string text = DynamicText();
  std::string dyn = head + std::string("\x82", 1) + char(text.size() >> 8) +
                    char(text.size() & 0xff) + std::string(kDynamicZlib, sizeof kDynamicZlib - 1);
  auto bytes5 = MakeEvent(165, dyn);  // events view their input: keep it alive
  ev = d.Decode(bytes5);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  EXPECT_EQ(std::get<QueryEvent>(ev->body).query, text);
  // Declared length disagreeing with the stream is an error.
  std::string bad =
      head + std::string("\x81\x10", 2) + std::string(kFixedZlib, sizeof kFixedZlib - 1);
  EXPECT_FALSE(d.Decode(MakeEvent(165, bad)).ok());
}

template <class T>
std::vector<const T*> All(const testing::DecodedFile& f) {
  std::vector<const T*> out;
  for (const auto& de : f.events) {
    if (auto* p = std::get_if<T>(&de.event.body)) out.push_back(p);
  }
  return out;
}

TEST(StatementEvents, FieldsMatchReferenceDecodes) {
  auto rand = testing::DecodeFile(testing::TestdataDir() / "mysql57-gtid-rand.000001");
  ASSERT_EQ(All<RandEvent>(rand).size(), 1u);
  EXPECT_EQ(All<RandEvent>(rand)[0]->seed1, 694882935u);  // SET @@RAND_SEED1=694882935
  EXPECT_EQ(All<RandEvent>(rand)[0]->seed2, 292094996u);
  EXPECT_EQ(All<XidEvent>(rand).back()->xid, 53u);

  auto uv = testing::DecodeFile(testing::TestdataDir() / "mysql57-gtid-intvar-uservar.000001");
  auto intvars = All<IntvarEvent>(uv);
  ASSERT_EQ(intvars.size(), 1u);
  EXPECT_EQ(intvars[0]->type, 2);  // INSERT_ID
  EXPECT_EQ(intvars[0]->value, 1u);
  auto vars = All<UserVarEvent>(uv);
  ASSERT_EQ(vars.size(), 3u);
  EXPECT_EQ(vars[0]->name, "val_s");
  EXPECT_EQ(Bytes(vars[0]->value), "test blog");  // X'7465737420626C6F67'
  EXPECT_EQ(vars[1]->name, "val_i");
  EXPECT_EQ(vars[1]->value_type, 2);  // INT_RESULT
  EXPECT_EQ(vars[1]->value.size(), 8u);
  EXPECT_EQ(vars[1]->value[0], 100);

  auto rot = testing::DecodeFile(testing::TestdataDir() / "mysql80-gtid-rows.000001");
  auto rotates = All<RotateEvent>(rot);
  ASSERT_EQ(rotates.size(), 1u);
  EXPECT_EQ(rotates[0]->next_file, "binlog.000002");
  EXPECT_EQ(rotates[0]->position, 4u);
  for (auto* q : All<QueryEvent>(rot)) {
    EXPECT_TRUE(q->status.sql_mode.has_value());
    if (q->query == "BEGIN") {
      EXPECT_EQ(q->database, "test");
    }
  }

  auto inc = testing::DecodeFile(testing::TestdataDir() / "mysql51-incident.000001");
  ASSERT_EQ(All<IncidentEvent>(inc).size(), 1u);
  EXPECT_EQ(All<IncidentEvent>(inc)[0]->incident, 66);  // bytes 42 00 of this debug-build file
  EXPECT_EQ(All<IncidentEvent>(inc)[0]->message, "");

  auto aurora = testing::DecodeFile(testing::TestdataDir() / "aurora57-padding-event.000001");
  ASSERT_FALSE(aurora.error.has_value());
  bool opaque = false;
  for (const auto& de : aurora.events) {
    opaque |= de.event.header.type == 100 && std::holds_alternative<OpaqueEvent>(de.event.body);
  }
  EXPECT_TRUE(opaque);  // unknown vendor event kept, not an error
}

// The inner events of a TRANSACTION_PAYLOAD equal the events of the derived expanded file.
TEST(TransactionPayload, InnerEventsEqualDerivedExpansion) {
  for (const char* name : {"mysql80-transaction-payload-insert.000001",
                           "mysql80-gtid-transaction-payload-json.000057"}) {
    auto orig = testing::DecodeFile(testing::TestdataDir() / name);
    auto derived = testing::DecodeFile(testing::TestdataDir() / "derived" /
                                       (std::string(name) + ".payload-expanded"));
    ASSERT_FALSE(orig.error.has_value()) << *orig.error;
    ASSERT_FALSE(derived.error.has_value()) << *derived.error;
    std::vector<const Event*> a, b;
    for (const auto& de : orig.events) {
      if (de.inner.empty()) {
        a.push_back(&de.event);
      } else {
        for (const auto& in : de.inner) a.push_back(&in);
      }
    }
    for (const auto& de : derived.events) b.push_back(&de.event);
    ASSERT_EQ(a.size(), b.size()) << name;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i]->header.type, b[i]->header.type) << name << " #" << i;
      auto* ra = std::get_if<RowsEvent>(&a[i]->body);
      auto* rb = std::get_if<RowsEvent>(&b[i]->body);
      ASSERT_EQ(ra == nullptr, rb == nullptr);
      if (ra) {
        EXPECT_EQ(Bytes(ra->rows), Bytes(rb->rows)) << name << " #" << i;
      }
      if (auto* qa = std::get_if<QueryEvent>(&a[i]->body)) {
        EXPECT_EQ(qa->query, std::get<QueryEvent>(b[i]->body).query);
      }
    }
  }
}

}  // namespace
}  // namespace switchyard::binlog
