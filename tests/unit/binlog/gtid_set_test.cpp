// GTID set algebra for both flavours, plus the GTID events of the testdata files that the
// manifest does not describe (tagged GTIDs, commit timestamps).
#include <gtest/gtest.h>

#include "binlog/gtid_set.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

const char* kU1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const char* kU2 = "4e11fa47-71ca-11e1-9e33-c80aa9429562";

MysqlGtidSet Set(std::string_view s) {
  auto r = MysqlGtidSet::Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : MysqlGtidSet{};
}
MariadbGtidPos Pos(std::string_view s) {
  auto r = MariadbGtidPos::Parse(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : MariadbGtidPos{};
}

TEST(MysqlGtidSet, ParsePrintRoundTrip) {
  for (std::string s :
       {std::string(""), std::string(kU1) + ":1-5:7-9", std::string(kU1) + ":1," + kU2 + ":3-4",
        std::string(kU1) + ":1-2:tag_a:5:zz:1-3"}) {
    EXPECT_EQ(Set(s).ToString(), s);
  }
}

TEST(MysqlGtidSet, ParseNormalisesAndMerges) {
  std::string in = std::string(" ") + kU2 + ":5-6,\n" + kU1 + ":3:1-2:4:10 ";
  EXPECT_EQ(Set(in).ToString(), std::string(kU1) + ":1-4:10," + kU2 + ":5-6");
  std::string upper = "3E11FA47-71CA-11E1-9E33-C80AA9429562:TAG:1";
  EXPECT_EQ(Set(upper).ToString(), std::string(kU1) + ":tag:1");
  EXPECT_EQ(Set(in).Count(), 7u);
}

TEST(MysqlGtidSet, MalformedInputIsAnError) {
  for (std::string bad :
       {std::string("nonsense"), std::string(kU1), std::string(kU1) + ":", std::string(kU1) + ":0",
        std::string(kU1) + ":5-3", std::string(kU1) + ":1-x", std::string(kU1) + ":1,,",
        std::string("3e11fa47-71ca-11e1-9e33-c80aa942956:1"), std::string(kU1) + ":tag",
        std::string(kU1) + ":-1", std::string(kU1) + ":99999999999999999999"}) {
    auto r = MysqlGtidSet::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(MysqlGtidSet, UnionSubtractContains) {
  auto a = Set(std::string(kU1) + ":1-10");
  auto b = Set(std::string(kU1) + ":5-15," + kU2 + ":1");
  auto u = a;
  u.Union(b);
  EXPECT_EQ(u.ToString(), std::string(kU1) + ":1-15," + kU2 + ":1");
  auto d = u;
  d.Subtract(Set(std::string(kU1) + ":3-4:8," + kU2 + ":1"));
  EXPECT_EQ(d.ToString(), std::string(kU1) + ":1-2:5-7:9-15");
  EXPECT_TRUE(u.Contains(a));
  EXPECT_TRUE(u.Contains(b));
  EXPECT_FALSE(a.Contains(b));
  EXPECT_TRUE(a.Contains(MysqlGtidSet{}));
  auto uuid = Uuid::Parse(kU1);
  ASSERT_TRUE(uuid.ok());
  EXPECT_TRUE(d.Contains(*uuid, 6));
  EXPECT_FALSE(d.Contains(*uuid, 8));
  EXPECT_FALSE(d.Contains(*uuid, 6, "tag"));
  auto all = a;
  all.Subtract(a);
  EXPECT_TRUE(all.empty());
}

TEST(MysqlGtidSet, AheadOfForFailover) {
  auto base = Set(std::string(kU1) + ":1-10");
  auto more = Set(std::string(kU1) + ":1-12");
  auto other = Set(std::string(kU1) + ":1-10," + kU2 + ":1");
  EXPECT_EQ(Compare(more, base), GtidOrder::kAhead);
  EXPECT_EQ(Compare(base, more), GtidOrder::kBehind);
  EXPECT_EQ(Compare(base, base), GtidOrder::kEqual);
  EXPECT_EQ(Compare(more, other), GtidOrder::kDiverged);
  EXPECT_TRUE(IsAheadOf(more, base));
  EXPECT_FALSE(IsAheadOf(base, base));
  EXPECT_FALSE(IsAheadOf(more, other));
}

TEST(MariadbGtidPos, ParsePrintAndErrors) {
  EXPECT_EQ(Pos("1-2-7, 0-1-100").ToString(), "0-1-100,1-2-7");
  EXPECT_EQ(Pos("").ToString(), "");
  for (const char* bad : {"0-1", "a-b-c", "0-1-2-3", "0-1-2,0-1-3", "0-99999999999-1", "1--2"}) {
    EXPECT_FALSE(MariadbGtidPos::Parse(bad).ok()) << bad;
  }
}

TEST(MariadbGtidPos, UnionSubtractContainsAhead) {
  auto a = Pos("0-1-100,1-2-7");
  auto b = Pos("0-3-90,2-1-5");
  auto u = a;
  u.Union(b);
  EXPECT_EQ(u.ToString(), "0-1-100,1-2-7,2-1-5");
  EXPECT_TRUE(u.Contains(a));
  EXPECT_TRUE(u.Contains(b));
  EXPECT_FALSE(a.Contains(b));                      // lacks domain 2
  EXPECT_TRUE(a.Contains(MariadbGtid{0, 9, 100}));  // per domain by seq_no only
  EXPECT_FALSE(a.Contains(MariadbGtid{0, 1, 101}));
  auto d = u;
  d.Subtract(Pos("0-1-100,2-1-4"));
  EXPECT_EQ(d.ToString(), "1-2-7,2-1-5");
  EXPECT_EQ(Compare(Pos("0-1-101"), Pos("0-1-100")), GtidOrder::kAhead);
  EXPECT_EQ(Compare(Pos("0-1-100"), Pos("0-2-100")), GtidOrder::kEqual);
  EXPECT_EQ(Compare(Pos("0-1-99"), Pos("0-1-100")), GtidOrder::kBehind);
  EXPECT_EQ(Compare(Pos("0-1-101,1-1-1"), Pos("0-1-100,1-1-2")), GtidOrder::kDiverged);
  EXPECT_TRUE(IsAheadOf(Pos("0-1-5,1-1-1"), Pos("0-1-5")));
  MariadbGtidPos p;
  p.Update({0, 1, 10});
  p.Update({0, 2, 9});  // lower seq_no does not move the position back
  EXPECT_EQ(p.ToString(), "0-1-10");
}

testing::DecodedFile Decode(const std::string& name) {
  auto d = testing::DecodeFile(testing::TestdataDir() / name);
  EXPECT_FALSE(d.error.has_value()) << *d.error;
  return d;
}

TEST(GtidEvents, TaggedGtidAndTaggedPreviousGtids) {
  auto d = Decode("mysql96-gtid-tagged.000001");
  const MysqlGtidEvent* gtid = nullptr;
  const PreviousGtidsEvent* prev = nullptr;
  for (const auto& de : d.events) {
    if (auto* g = std::get_if<MysqlGtidEvent>(&de.event.body)) gtid = g;
    if (auto* p = std::get_if<PreviousGtidsEvent>(&de.event.body)) prev = p;
  }
  ASSERT_TRUE(prev && gtid);
  EXPECT_EQ(prev->gtids.ToString(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2");
  EXPECT_EQ(gtid->GtidText(), "55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3");
  // Every field of the serialized message (hand-decoded from the event bytes).
  EXPECT_FALSE(gtid->anonymous);
  EXPECT_EQ(gtid->flags, 0u);
  EXPECT_EQ(gtid->tag, "mytag");
  EXPECT_EQ(gtid->gno, 3u);
  EXPECT_EQ(gtid->last_committed, 0u);
  EXPECT_EQ(gtid->sequence_number, 1u);
  EXPECT_EQ(gtid->immediate_commit_timestamp, 1770368687207196u);
  // Not in the message: the transaction originated here, so the originals equal the immediates.
  EXPECT_EQ(gtid->original_commit_timestamp, 1770368687207196u);
  // GTID event at 245, XID ends at 541: the whole transaction.
  EXPECT_EQ(gtid->transaction_length, 541u - 245u);
  EXPECT_EQ(gtid->immediate_server_version, 90600u);
  EXPECT_EQ(gtid->original_server_version, 90600u);
  // The prefix set plus this transaction is what the server would have executed.
  auto after = prev->gtids;
  after.Add(gtid->uuid, gtid->gno, gtid->tag);
  EXPECT_EQ(after.ToString(), "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-3");
}

TEST(GtidEvents, CommitTimestampsForLagTracking) {
  auto d = Decode("mysql80-gtid-rows.000001");
  int n = 0;
  for (const auto& de : d.events) {
    if (auto* g = std::get_if<MysqlGtidEvent>(&de.event.body)) {
      ASSERT_TRUE(g->immediate_commit_timestamp.has_value());
      // Microseconds since the epoch; the commit happens at or after the statement start
      // that the header's seconds timestamp records.
      uint64_t secs = *g->immediate_commit_timestamp / 1000000;
      EXPECT_GE(secs, de.event.header.timestamp);
      EXPECT_LE(secs, de.event.header.timestamp + 60u);
      EXPECT_EQ(g->original_commit_timestamp, g->immediate_commit_timestamp);
      EXPECT_TRUE(g->transaction_length.has_value());
      ++n;
    }
  }
  EXPECT_EQ(n, 4);
}

TEST(GtidEvents, MariadbGtidFlagsAndList) {
  auto d = Decode("mariadb118-dumpstream-alltypes-compressed.events");
  MariadbGtidPos pos;
  for (const auto& de : d.events) {
    if (auto* g = std::get_if<MariadbGtidEvent>(&de.event.body)) pos.Update(g->gtid);
    if (auto* l = std::get_if<MariadbGtidListEvent>(&de.event.body)) {
      ASSERT_EQ(l->gtids.size(), 1u);
      EXPECT_EQ(l->gtids[0].ToString(), "0-1-16");
    }
  }
  EXPECT_EQ(pos.ToString(), "0-1-16");
}

}  // namespace
}  // namespace switchyard::binlog
