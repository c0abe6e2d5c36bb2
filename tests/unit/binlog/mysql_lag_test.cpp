// Replica lag behind a MySQL master, measured the way the proxy does it: the testdata binlogs
// streamed event by event through the follower's path (EventDecoder -> TransactionTracker ->
// TransactionFeed -> ReplicaLagTracker) and compared with replica gtid_executed sets. Expected
// ages come from the GTID events' immediate_commit_timestamp, read independently.
#include <gtest/gtest.h>

#include <map>

#include "binlog/replica_lag_tracker.h"
#include "binlog/transaction_feed.h"
#include "binlog/transaction_tracker.h"
#include "testdata_util.h"

namespace switchyard::binlog {
namespace {

const char* kMaster = "db1:3306";

struct Streamed {
  std::map<std::string, uint64_t> commit_ms;  // "uuid[:tag]:gno" -> ms, from the GTID events
  std::string first_previous_gtids;           // the first file's PREVIOUS_GTIDS
  uint64_t last_ms = 0;
};

// Streams `files` as one master stream. Receive times start at `receive_ms` and advance 10 ms per
// event (used as commit times only when the GTID event has no timestamp: MySQL 5.7).
Streamed Stream(const std::vector<std::string>& files, ReplicaLagTracker& lag,
                uint64_t receive_ms = 1000) {
  Streamed out;
  auto tracker = TransactionTracker::Create(/*mariadb=*/false, "");
  EXPECT_TRUE(tracker.ok());
  TransactionFeed feed;
  feed.SetConnected(true, kMaster);
  std::string pending_gtid;
  for (const auto& file : files) {
    auto decoded = testing::DecodeFile(testing::TestdataDir() / file);
    EXPECT_FALSE(decoded.error.has_value()) << file << ": " << decoded.error.value_or("");
    for (const auto& de : decoded.events) {
      receive_ms += 10;
      if (const auto* g = std::get_if<MysqlGtidEvent>(&de.event.body)) {
        pending_gtid = g->anonymous ? "" : g->GtidText();
        if (!pending_gtid.empty() && g->immediate_commit_timestamp) {
          out.commit_ms[pending_gtid] = *g->immediate_commit_timestamp / 1000;
        }
      }
      if (const auto* p = std::get_if<PreviousGtidsEvent>(&de.event.body)) {
        if (out.first_previous_gtids.empty()) out.first_previous_gtids = p->gtids.ToString();
      }
      auto done = tracker->OnEvent(de.event, de.event.header.event_size, receive_ms);
      if (!done) continue;
      // What BinlogFollower's tailer callback does.
      feed.Push(*done);
      if (!pending_gtid.empty() && !out.commit_ms.count(pending_gtid)) {
        out.commit_ms[pending_gtid] = receive_ms;  // 5.7: the receive time of the commit
      }
      out.last_ms = std::max(out.last_ms, done->commit_time_ms);
    }
  }
  // What the monitor does with each batch.
  auto batch = feed.Drain(kMaster);
  EXPECT_TRUE(batch.exact);
  for (const auto& r : batch.records) lag.RecordTransaction(r.gtid, r.commit_time_ms);
  return out;
}

LagEstimate LagOf(const ReplicaLagTracker& t, std::string_view executed, uint64_t now) {
  auto r = t.LagFromGtidExecuted(executed, now);
  EXPECT_TRUE(r.ok()) << executed << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : LagEstimate{999999999, true};
}

const std::string k80 = "396e294c-1ca4-11f1-9ae7-00155da79c6b";

TEST(MysqlLag, Mysql80StreamCaughtUpMissingTailHoleAndEmpty) {
  ReplicaLagTracker lag;
  auto s = Stream({"mysql80-gtid-rows.000001", "mysql80-gtid-rows.000002"}, lag);
  ASSERT_EQ(s.commit_ms.size(), 6u);
  const uint64_t now = s.last_ms + 5000;
  auto at = [&](int gno) { return s.commit_ms.at(k80 + ":" + std::to_string(gno)); };
  // The feed carried the exact times: the newest one is transaction 6's.
  EXPECT_EQ(s.last_ms, at(6));

  auto caught_up = LagOf(lag, k80 + ":1-6", now);
  EXPECT_EQ(caught_up.lag_ms, 0u);
  EXPECT_FALSE(caught_up.lower_bound);
  // Missing the last two: as old as transaction 5.
  auto tail = LagOf(lag, k80 + ":1-4", now);
  EXPECT_EQ(tail.lag_ms, now - at(5));
  EXPECT_FALSE(tail.lower_bound);
  // Missing the last one only.
  EXPECT_EQ(LagOf(lag, k80 + ":1-5", now).lag_ms, now - at(6));
  // A hole at 4 counts although 5 and 6 are applied.
  EXPECT_EQ(LagOf(lag, k80 + ":1-3:5-6", now).lag_ms, now - at(4));
  // Nothing applied: as old as the first transaction (the stream began at gno 1, so there is
  // no earlier history and the figure is exact).
  auto none = LagOf(lag, "", now);
  EXPECT_EQ(none.lag_ms, now - at(1));
  EXPECT_FALSE(none.lower_bound);
  // Transactions of other sources in the replica's set (its own writes) change nothing.
  EXPECT_EQ(LagOf(lag, k80 + ":1-6,4e11fa47-71ca-11e1-9e33-c80aa9429562:1-9", now).lag_ms, 0u);
  // The ages are those of real commits, not of the stream: at `now` equal to transaction 5's
  // commit, a replica missing it is 0 ms behind.
  EXPECT_EQ(LagOf(lag, k80 + ":1-4", at(5)).lag_ms, 0u);
}

TEST(MysqlLag, StartingMidHistoryGivesALowerBoundForOlderGaps) {
  // The tailer starts at the second file: its PREVIOUS_GTIDS (1-4) is history the tracker did
  // not see committed; the monitor's poll of the master's gtid_executed gives it as baseline.
  ReplicaLagTracker lag;
  ASSERT_TRUE(lag.ObserveMysqlMasterBaseline(k80 + ":1-4", 500).ok());
  auto s = Stream({"mysql80-gtid-rows.000002"}, lag);
  EXPECT_EQ(s.first_previous_gtids, k80 + ":1-4");
  const uint64_t now = s.last_ms + 1000;
  auto behind = LagOf(lag, k80 + ":1-2", now);
  EXPECT_TRUE(behind.lower_bound);
  EXPECT_EQ(behind.lag_ms, now - 500);
  auto in_window = LagOf(lag, k80 + ":1-5", now);
  EXPECT_FALSE(in_window.lower_bound);
  EXPECT_EQ(in_window.lag_ms, now - s.commit_ms.at(k80 + ":6"));
  EXPECT_EQ(LagOf(lag, k80 + ":1-6", now).lag_ms, 0u);
}

TEST(MysqlLag, WindowBoundPrunesToALowerBound) {
  ReplicaLagTracker lag(ReplicaLagTracker::Limits{2, 10 * 60 * 1000});
  auto s = Stream({"mysql80-gtid-rows.000001", "mysql80-gtid-rows.000002"}, lag);
  const uint64_t now = s.last_ms + 1000;
  // Only 5 and 6 are still tracked one by one; 1-4 are behind the window, at most as old as 4.
  auto old = LagOf(lag, k80 + ":1-3", now);
  EXPECT_TRUE(old.lower_bound);
  EXPECT_EQ(old.lag_ms, now - s.commit_ms.at(k80 + ":4"));
  auto recent = LagOf(lag, k80 + ":1-5", now);
  EXPECT_FALSE(recent.lower_bound);
  EXPECT_EQ(recent.lag_ms, now - s.commit_ms.at(k80 + ":6"));
}

TEST(MysqlLag, TaggedGtidsAreTheirOwnSource) {
  const std::string u = "55778904-0299-11f1-b1b8-4ef0c4956feb";
  ReplicaLagTracker lag;
  auto s = Stream({"mysql96-gtid-tagged.000001"}, lag);
  ASSERT_EQ(s.commit_ms.size(), 1u);
  const uint64_t committed = s.commit_ms.at(u + ":mytag:3");
  EXPECT_EQ(committed, 1770368687207u);  // immediate_commit_timestamp, in ms
  const uint64_t now = committed + 2500;
  EXPECT_EQ(LagOf(lag, u + ":1-13:mytag:1-3", now).lag_ms, 0u);
  EXPECT_EQ(LagOf(lag, u + ":1-13:mytag:1-2", now).lag_ms, 2500u);
  // Untagged 3 is another transaction: it does not make the tagged one applied.
  EXPECT_EQ(LagOf(lag, u + ":1-13:mytag:1-2:other:3", now).lag_ms, 2500u);
  // mytag:1-2 were before the stream: a replica lacking them is at least that far behind.
  auto early = LagOf(lag, u + ":1-13", now);
  EXPECT_TRUE(early.lower_bound);
  EXPECT_EQ(early.lag_ms, 2500u);
  // Case does not matter in the replica's text.
  EXPECT_EQ(LagOf(lag, u + ":MyTag:1-3", now).lag_ms, 0u);
}

TEST(MysqlLag, Mysql57HasNoCommitTimestampsSoReceiveTimesAreUsed) {
  const std::string u = "214eb71f-96ec-11e8-ab4f-fa163e72d4ae";
  ReplicaLagTracker lag;
  auto s = Stream({"mysql57-gtid-rows.000012"}, lag, /*receive_ms=*/100000);
  ASSERT_EQ(s.commit_ms.size(), 10u);  // 11801..11810, times recorded at their commit events
  const uint64_t now = s.last_ms + 700;
  EXPECT_EQ(LagOf(lag, u + ":1-11810", now).lag_ms, 0u);
  EXPECT_EQ(LagOf(lag, u + ":1-11805", now).lag_ms, now - s.commit_ms.at(u + ":11806"));
  EXPECT_LT(s.commit_ms.at(u + ":11806"), s.last_ms);  // distinct receive times per commit
  // Before the first streamed transaction: a lower bound, as old as that transaction.
  auto early = LagOf(lag, u + ":1-11000", now);
  EXPECT_TRUE(early.lower_bound);
  EXPECT_EQ(early.lag_ms, now - s.commit_ms.at(u + ":11801"));
}

TEST(MysqlLag, AnonymousTransactionsAreNotTracked) {
  ReplicaLagTracker lag;
  auto s = Stream({"mysql80-anon-gtid-rows.000001"}, lag);
  EXPECT_TRUE(s.commit_ms.empty());
  EXPECT_EQ(LagOf(lag, "", s.last_ms + 1000).lag_ms, 0u);
}

TEST(MysqlLag, CoarseFeedFromTheMastersGtidExecuted) {
  const std::string u = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  ReplicaLagTracker lag;
  ASSERT_TRUE(lag.ObserveMysqlMasterPosition(u + ":1-10", 1000).ok());  // baseline
  ASSERT_TRUE(lag.ObserveMysqlMasterPosition(u + ":1-15", 2000).ok());
  ASSERT_TRUE(lag.ObserveMysqlMasterPosition(u + ":1-20:t:1-2", 3000).ok());  // t: baseline
  ASSERT_TRUE(lag.ObserveMysqlMasterPosition(u + ":1-20:t:1-4", 3500).ok());
  EXPECT_EQ(LagOf(lag, u + ":1-20:t:1-4", 5000).lag_ms, 0u);
  EXPECT_EQ(LagOf(lag, u + ":1-12:t:1-4", 5000).lag_ms, 3000u);
  EXPECT_EQ(LagOf(lag, u + ":1-10:12-20:t:1-4", 5000).lag_ms, 3000u);  // hole at 11
  EXPECT_EQ(LagOf(lag, u + ":1-15:t:1-4", 5000).lag_ms, 2000u);
  EXPECT_EQ(LagOf(lag, u + ":1-20:t:1-3", 5000).lag_ms, 1500u);
  auto below = LagOf(lag, u + ":1-9:t:1-4", 5000);
  EXPECT_TRUE(below.lower_bound);
  EXPECT_EQ(below.lag_ms, 4000u);
  // Idle master: a caught-up replica stays at 0, a stopped one ages.
  ASSERT_TRUE(lag.ObserveMysqlMasterPosition(u + ":1-20:t:1-4", 9000).ok());
  EXPECT_EQ(LagOf(lag, u + ":1-20:t:1-4", 9000).lag_ms, 0u);
  EXPECT_EQ(LagOf(lag, u + ":1-19:t:1-4", 9000).lag_ms, 6000u);
  EXPECT_EQ(LagOf(lag, u + ":1-19:t:1-4", 10000).lag_ms, 7000u);
}

TEST(MysqlLag, BaselineDoesNotOverrideExactTimesAndOldGnosAreIgnored) {
  const std::string u = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  auto uuid = *Uuid::Parse(u);
  ReplicaLagTracker lag;
  ASSERT_TRUE(lag.ObserveMysqlMasterBaseline(u + ":1-10", 1000).ok());
  lag.RecordTransaction(MysqlGtid{uuid, "", 11}, 1500);
  lag.RecordTransaction(MysqlGtid{uuid, "", 12}, 1600);
  lag.RecordTransaction(MysqlGtid{uuid, "", 11}, 9999);                 // a repeat: ignored
  lag.RecordTransaction(MysqlGtid{uuid, "", 0}, 9999);                  // no GTID: ignored
  ASSERT_TRUE(lag.ObserveMysqlMasterBaseline(u + ":1-30", 5000).ok());  // seen source: no-op
  EXPECT_EQ(LagOf(lag, u + ":1-10", 2000).lag_ms, 500u);
  EXPECT_EQ(LagOf(lag, u + ":1-11", 2000).lag_ms, 400u);
  EXPECT_EQ(LagOf(lag, u + ":1-12", 2000).lag_ms, 0u);
  // MariaDB and MySQL histories live side by side; Reset forgets both.
  lag.RecordTransaction(AnyGtid(MariadbGtid{0, 1, 5}), 1000);
  EXPECT_EQ(lag.Lag(AppliedSeqByDomain{}, 3000).lag_ms, 2000u);
  lag.Reset();
  EXPECT_EQ(LagOf(lag, "", 5000).lag_ms, 0u);
  EXPECT_EQ(lag.Lag(AppliedSeqByDomain{}, 5000).lag_ms, 0u);
  EXPECT_FALSE(lag.LagFromGtidExecuted("garbage", 1).ok());
  EXPECT_FALSE(lag.ObserveMysqlMasterPosition("garbage", 1).ok());
}

}  // namespace
}  // namespace switchyard::binlog
