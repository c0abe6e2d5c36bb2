#include "binlog/replica_lag_tracker.h"

#include <gtest/gtest.h>

namespace switchyard::binlog {
namespace {

TEST(ParseAppliedPosition, ReadsDomainsAndKeepsHighestSeq) {
  auto p = ParseAppliedPosition("0-1-42,1-2-7, 5-3-100\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ((AppliedSeqByDomain{{0, 42}, {1, 7}, {5, 100}}), *p);
  auto dup = ParseAppliedPosition("0-1-42,0-2-40");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(42u, dup->at(0));
}

TEST(ParseAppliedPosition, EmptyMeansNothingApplied) {
  auto p = ParseAppliedPosition("  ");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

TEST(ParseAppliedPosition, GarbageNamesEntryAndOffset) {
  for (const char* bad : {"0-1", "a-1-2", "0-1-2,", "0-1-2,,1-1-1", "0-1-2x", "0--1-2",
                          "99999999999-1-1", "0-1-99999999999999999999999"}) {
    auto p = ParseAppliedPosition(bad);
    EXPECT_FALSE(p.ok()) << bad;
  }
  auto p = ParseAppliedPosition("0-1-2,zz");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(std::string::npos, p.error().message.find("'zz' at offset 6"));
}

TEST(ReplicaLagTracker, CaughtUpReplicaHasZeroLag) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-10", 1000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-15", 2000).ok());
  auto lag = t.Lag("0-1-15", 5000);
  ASSERT_TRUE(lag.ok());
  EXPECT_EQ(0u, lag->lag_ms);
  EXPECT_FALSE(lag->lower_bound);
  // A replica "ahead" of what the tracker saw (probed a moment later) is caught up too.
  EXPECT_EQ(0u, t.Lag("0-1-16", 5000)->lag_ms);
}

TEST(ReplicaLagTracker, LagIsAgeOfOldestUnappliedTransaction) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-10", 1000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-20", 2000).ok());  // 11..20 first seen at 2000
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-30", 3000).ok());  // 21..30 at 3000
  EXPECT_EQ(1500u, t.Lag("0-1-10", 3500)->lag_ms);
  EXPECT_EQ(1500u, t.Lag("0-1-19", 3500)->lag_ms);
  EXPECT_EQ(500u, t.Lag("0-1-20", 3500)->lag_ms);
  EXPECT_EQ(500u, t.Lag("0-1-29", 3500)->lag_ms);
  EXPECT_EQ(0u, t.Lag("0-1-30", 3500)->lag_ms);
}

TEST(ReplicaLagTracker, IdleMasterKeepsCaughtUpReplicaAtZero) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-10", 1000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-11", 1250).ok());
  for (uint64_t now = 1500; now < 600000; now += 250) {
    ASSERT_TRUE(t.ObserveMasterPosition("0-1-11", now).ok());
    ASSERT_EQ(0u, t.Lag("0-1-11", now)->lag_ms) << now;
  }
}

TEST(ReplicaLagTracker, StoppedReplicaLagGrowsWithTimeWhileMasterWrites) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-100", 0).ok());
  uint64_t seq = 100;
  uint64_t previous = 0;
  for (uint64_t now = 250; now <= 10000; now += 250) {
    seq += 3;
    ASSERT_TRUE(t.ObserveMasterPosition("0-1-" + std::to_string(seq), now).ok());
    uint64_t lag = t.Lag("0-1-100", now)->lag_ms;
    EXPECT_EQ(now - 250, lag);  // first unapplied (101) was revealed at 250
    EXPECT_GE(lag, previous);
    previous = lag;
  }
}

TEST(ReplicaLagTracker, WorstDomainWinsAndMissingDomainCountsAsUnapplied) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-5,1-1-5", 1000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-6,1-1-5", 2000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-6,1-1-6", 3000).ok());
  EXPECT_EQ(2000u, t.Lag("0-1-5,1-1-5", 4000)->lag_ms);  // domain 0 is the older gap
  EXPECT_EQ(1000u, t.Lag("0-1-6,1-1-5", 4000)->lag_ms);
  EXPECT_EQ(0u, t.Lag("0-1-6,1-1-6", 4000)->lag_ms);
  // Domain 1 unknown to the replica: it lacks even the baseline: lower bound.
  auto lag = t.Lag("0-1-6", 4000);
  EXPECT_EQ(3000u, lag->lag_ms);
  EXPECT_TRUE(lag->lower_bound);
  // A replica-only domain does not create lag.
  EXPECT_EQ(0u, t.Lag("0-1-6,1-1-6,7-3-99", 4000)->lag_ms);
}

TEST(ReplicaLagTracker, BehindBaselineIsLowerBound) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-50", 1000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-60", 2000).ok());
  auto lag = t.Lag("0-1-40", 5000);
  EXPECT_EQ(4000u, lag->lag_ms);
  EXPECT_TRUE(lag->lower_bound);
  auto at_baseline = t.Lag("0-1-50", 5000);
  EXPECT_EQ(3000u, at_baseline->lag_ms);
  EXPECT_FALSE(at_baseline->lower_bound);
}

TEST(ReplicaLagTracker, WindowBoundsEntriesAndReportsAtLeastWindowAge) {
  ReplicaLagTracker t(ReplicaLagTracker::Limits{.max_entries = 3, .max_age_ms = 1000000});
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-0", 0).ok());
  for (uint64_t s = 1; s <= 10; ++s) t.RecordTransaction(0, 1, s, s * 100);
  // Only 8..10 are kept; 1..7 are beyond the window, the newest of them at 700.
  EXPECT_EQ(200u, t.Lag("0-1-7", 1000)->lag_ms);  // 8 at 800 is kept exactly
  EXPECT_FALSE(t.Lag("0-1-7", 1000)->lower_bound);
  auto beyond = t.Lag("0-1-2", 1000);
  EXPECT_TRUE(beyond->lower_bound);
  EXPECT_EQ(300u, beyond->lag_ms);  // at least as old as the newest pruned transaction
}

TEST(ReplicaLagTracker, WindowAgeLimitPrunes) {
  ReplicaLagTracker t(ReplicaLagTracker::Limits{.max_entries = 1000, .max_age_ms = 500});
  t.RecordTransaction(0, 1, 1, 0);
  t.RecordTransaction(0, 1, 2, 100);
  t.RecordTransaction(0, 1, 3, 1000);  // prunes 1 and 2 (older than 500 ms before 1000)
  auto lag = t.Lag("0-1-0", 1200);
  EXPECT_TRUE(lag->lower_bound);
  EXPECT_EQ(1100u, lag->lag_ms);  // newest pruned (seq 2) committed at 100
  EXPECT_EQ(200u, t.Lag("0-1-2", 1200)->lag_ms);
}

TEST(ReplicaLagTracker, ExactFeedGivesPerTransactionTimes) {
  ReplicaLagTracker t;
  t.RecordTransaction(0, 1, 5, 1000);
  t.RecordTransaction(0, 1, 6, 1010);
  t.RecordTransaction(0, 1, 7, 1020);
  t.RecordTransaction(0, 1, 6, 5000);  // replayed/duplicate: ignored
  EXPECT_EQ(90u, t.Lag("0-1-5", 1100)->lag_ms);
  EXPECT_EQ(80u, t.Lag("0-1-6", 1100)->lag_ms);
  EXPECT_EQ(0u, t.Lag("0-1-7", 1100)->lag_ms);
  // Before the first recorded transaction: older than it, so a lower bound.
  EXPECT_TRUE(t.Lag("0-1-3", 1100)->lower_bound);
}

TEST(ReplicaLagTracker, BaselineOnlySetsUnseenDomainsAndKeepsExactTimes) {
  ReplicaLagTracker t;
  // The exact feed came first for domain 0: the poll must not overwrite its times.
  t.RecordTransaction(0, 1, 11, 1000);
  t.RecordTransaction(0, 1, 12, 1100);
  ASSERT_TRUE(t.ObserveMasterBaseline("0-1-15,1-1-7", 1500).ok());
  // Domain 0: seq 13..15 were not added at 1500 (they will come from the exact feed).
  EXPECT_EQ(0u, t.Lag("0-1-12,1-1-7", 2000)->lag_ms);
  EXPECT_EQ(900u, t.Lag("0-1-11,1-1-7", 2000)->lag_ms);
  // Domain 1 was unseen: the baseline is its horizon, a replica behind it is a lower bound.
  auto behind = t.Lag("0-1-12,1-1-5", 2000);
  ASSERT_TRUE(behind.ok());
  EXPECT_EQ(500u, behind->lag_ms);
  EXPECT_TRUE(behind->lower_bound);
  // A later baseline changes nothing for seen domains.
  ASSERT_TRUE(t.ObserveMasterBaseline("0-1-30,1-1-9", 3000).ok());
  EXPECT_EQ(0u, t.Lag("0-1-12,1-1-7", 3000)->lag_ms);
}

TEST(ReplicaLagTracker, ClockSteppingBackNeverUnderflows) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-1", 5000).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-2", 4000).ok());  // clock stepped back
  EXPECT_EQ(0u, t.Lag("0-1-1", 3000)->lag_ms);
  EXPECT_EQ(1000u, t.Lag("0-1-1", 6000)->lag_ms);  // stored at max(4000, 5000)
}

TEST(ReplicaLagTracker, BadPositionsAreErrorsNotCrashes) {
  ReplicaLagTracker t;
  EXPECT_FALSE(t.ObserveMasterPosition("garbage", 1).ok());
  EXPECT_FALSE(t.Lag("0-1", 1).ok());
}

TEST(ReplicaLagTracker, ResetForgetsHistory) {
  ReplicaLagTracker t;
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-1", 0).ok());
  ASSERT_TRUE(t.ObserveMasterPosition("0-1-5", 100).ok());
  EXPECT_EQ(900u, t.Lag("0-1-1", 1000)->lag_ms);
  t.Reset();
  EXPECT_EQ(0u, t.Lag("0-1-1", 1000)->lag_ms);
}

}  // namespace
}  // namespace switchyard::binlog
