// Transaction boundaries, resume positions and exactly-once delivery of TransactionTracker,
// fed hand-built decoded events (the decoder has its own tests).
#include <gtest/gtest.h>

#include "binlog/transaction_feed.h"
#include "binlog/transaction_tracker.h"

namespace switchyard::binlog {
namespace {

Event Ev(EventBody body, uint32_t log_pos = 0, uint16_t flags = 0) {
  Event e;
  e.header.log_pos = log_pos;
  e.header.flags = flags;
  e.body = std::move(body);
  return e;
}
Event Gtid(uint64_t seq, uint32_t log_pos, uint8_t flags = 0) {
  MariadbGtidEvent g;
  g.gtid = MariadbGtid{0, 1, seq};
  g.flags = flags;
  return Ev(g, log_pos);
}
Event Query(std::string_view q, uint32_t log_pos) {
  QueryEvent e;
  e.query = q;
  return Ev(e, log_pos);
}
Event Rows(uint32_t log_pos) {
  return Ev(RowsEvent{}, log_pos);
}
Event Xid(uint32_t log_pos) {
  return Ev(XidEvent{7}, log_pos);
}

TransactionTracker Tracker(std::string_view start = "0-1-10") {
  auto t = TransactionTracker::Create(true, start);
  EXPECT_TRUE(t.ok());
  return std::move(*t);
}

TEST(TransactionTracker, RowTransactionCompletesAtXidWithItsEndCoordinates) {
  TransactionTracker t = Tracker();
  RotateEvent rotate;
  rotate.next_file = "db1-bin.000003";
  rotate.position = 4;
  EXPECT_FALSE(t.OnEvent(Ev(rotate, 0, kFlagArtificial), 40, 1000));
  EXPECT_EQ(t.coordinates(), (BinlogCoordinates{"db1-bin.000003", 4}));
  EXPECT_FALSE(t.OnEvent(Gtid(11, 300), 38, 1000));
  EXPECT_FALSE(t.OnEvent(Query("BEGIN", 350), 50, 1000));
  EXPECT_FALSE(t.OnEvent(Ev(TableMapEvent{}, 400), 50, 1000));
  EXPECT_FALSE(t.OnEvent(Rows(450), 50, 1001));
  EXPECT_TRUE(t.in_transaction());
  auto done = t.OnEvent(Xid(481), 31, 1005);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->GtidText(), "0-1-11");
  EXPECT_EQ(done->commit_time_ms, 1005u);  // MariaDB: receive time of the commit event
  EXPECT_EQ(done->end, (BinlogCoordinates{"db1-bin.000003", 481}));
  EXPECT_EQ(done->events, 5u);
  EXPECT_EQ(done->bytes, 38u + 50 + 50 + 50 + 31);
  EXPECT_EQ(t.ResumePosition(), "0-1-11");
  EXPECT_FALSE(t.in_transaction());
}

TEST(TransactionTracker, DdlIsAOneStatementTransaction) {
  TransactionTracker t = Tracker();
  EXPECT_FALSE(t.OnEvent(Gtid(11, 100, /*standalone*/ 1), 38, 5));
  auto done = t.OnEvent(Query("CREATE TABLE t (a INT)", 200), 80, 6);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->GtidText(), "0-1-11");
}

TEST(TransactionTracker, CommitStatementEndsButSavepointRollbackDoesNot) {
  TransactionTracker t = Tracker();
  t.OnEvent(Gtid(11, 100), 38, 5);
  t.OnEvent(Query("BEGIN", 150), 38, 5);
  t.OnEvent(Rows(200), 38, 5);
  EXPECT_FALSE(t.OnEvent(Query("ROLLBACK TO `sp1`", 250), 38, 5));
  EXPECT_FALSE(t.OnEvent(Query("SAVEPOINT `sp1`", 260), 38, 5));
  auto done = t.OnEvent(Query("commit", 300), 38, 7);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->end.position, 300u);
}

TEST(TransactionTracker, XaPrepareEndsItsGroupAndXaCommitIsItsOwn) {
  TransactionTracker t = Tracker();
  t.OnEvent(Gtid(11, 100), 38, 5);
  EXPECT_FALSE(t.OnEvent(Query("XA START X'31',X'',1", 150), 38, 5));
  t.OnEvent(Rows(200), 38, 5);
  t.OnEvent(Query("XA END X'31',X'',1", 250), 38, 5);
  ASSERT_TRUE(t.OnEvent(Ev(XaPrepareEvent{}, 300), 38, 5).has_value());
  t.OnEvent(Gtid(12, 400), 38, 5);
  auto commit = t.OnEvent(Query("XA COMMIT X'31',X'',1", 450), 38, 5);
  ASSERT_TRUE(commit.has_value());
  EXPECT_EQ(commit->GtidText(), "0-1-12");
}

TEST(TransactionTracker, DisconnectDropsThePartialTransactionAndKeepsTheResumePosition) {
  TransactionTracker t = Tracker();
  ASSERT_TRUE(t.OnEvent(Gtid(11, 100), 38, 5) == std::nullopt);
  t.OnEvent(Query("BEGIN", 150), 38, 5);
  ASSERT_TRUE(t.OnEvent(Xid(200), 31, 5).has_value());
  t.OnEvent(Gtid(12, 300), 38, 5);
  t.OnEvent(Query("BEGIN", 350), 38, 5);
  t.OnEvent(Rows(400), 38, 5);
  t.Disconnected();  // the XID of 0-1-12 never arrived
  EXPECT_EQ(t.partial_dropped(), 1u);
  EXPECT_EQ(t.ResumePosition(), "0-1-11");
  // The master resends 0-1-12 in full after the reconnect: delivered exactly once.
  t.OnEvent(Gtid(12, 300), 38, 9);
  t.OnEvent(Query("BEGIN", 350), 38, 9);
  t.OnEvent(Rows(400), 38, 9);
  auto done = t.OnEvent(Xid(431), 31, 9);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->GtidText(), "0-1-12");
  EXPECT_EQ(done->events, 4u);
  EXPECT_EQ(t.ResumePosition(), "0-1-12");
}

TEST(TransactionTracker, TransactionsAtOrBelowTheResumePositionAreNotDeliveredTwice) {
  TransactionTracker t = Tracker("0-1-10");
  t.OnEvent(Gtid(9, 100), 38, 5);
  t.OnEvent(Query("BEGIN", 150), 38, 5);
  EXPECT_FALSE(t.OnEvent(Xid(200), 31, 5).has_value());
  EXPECT_EQ(t.duplicates_dropped(), 1u);
  EXPECT_EQ(t.ResumePosition(), "0-1-10");
}

TEST(TransactionTracker, EventsOutsideTransactionsAndArtificialOnesDoNotMoveThePosition) {
  TransactionTracker t = Tracker();
  EXPECT_FALSE(t.OnEvent(Ev(FormatDescriptionEvent{}, 0, kFlagArtificial), 100, 1));
  EXPECT_FALSE(t.OnEvent(Ev(MariadbGtidListEvent{}, 500, kFlagArtificial), 30, 1));
  EXPECT_EQ(t.coordinates().position, 0u);
  HeartbeatEvent hb;
  hb.log_file = "db1-bin.000004";
  EXPECT_FALSE(t.OnEvent(Ev(hb, 777, kFlagArtificial), 40, 2));
  EXPECT_EQ(t.coordinates(), (BinlogCoordinates{"db1-bin.000004", 777}));
  EXPECT_FALSE(t.OnEvent(Ev(BinlogCheckpointEvent{}, 900), 40, 2));
  EXPECT_EQ(t.coordinates().position, 900u);
  EXPECT_FALSE(t.in_transaction());
}

TEST(TransactionTracker, MysqlUsesImmediateCommitTimestampAndAGtidSet) {
  auto created = TransactionTracker::Create(false, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4");
  ASSERT_TRUE(created.ok());
  TransactionTracker t = std::move(*created);
  MysqlGtidEvent g;
  g.uuid = *Uuid::Parse("3e11fa47-71ca-11e1-9e33-c80aa9429562");
  g.gno = 5;
  g.immediate_commit_timestamp = 1700000000123456;
  t.OnEvent(Ev(g, 100), 70, 99);
  auto done = t.OnEvent(Ev(TransactionPayloadEvent{}, 900), 800, 99);  // compressed trx
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->commit_time_ms, 1700000000123u);
  EXPECT_EQ(done->receive_time_ms, 99u);
  EXPECT_EQ(done->GtidText(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:5");
  EXPECT_EQ(t.ResumePosition(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  // A DDL: GTID then the statement.
  g.gno = 6;
  t.OnEvent(Ev(g, 1000), 70, 100);
  ASSERT_TRUE(t.OnEvent(Query("DROP TABLE t", 1100), 70, 100).has_value());
}

TEST(TransactionTracker, ResetRepointsToAnotherPositionAndRejectsGarbage) {
  TransactionTracker t = Tracker();
  ASSERT_TRUE(t.Reset("0-2-50").ok());
  EXPECT_EQ(t.ResumePosition(), "0-2-50");
  EXPECT_FALSE(t.Reset("nonsense").ok());
  EXPECT_FALSE(TransactionTracker::Create(true, "1-2").ok());
}

TEST(TransactionFeed, HandsOverOnlyTheCurrentMastersRecords) {
  TransactionFeed feed;
  feed.SetConnected(true, "127.0.0.1:3307");
  feed.Push(MariadbGtid{0, 1, 5}, 100);
  feed.Push(MariadbGtid{0, 1, 6}, 101);
  auto batch = feed.Drain("127.0.0.1:3307");
  EXPECT_TRUE(batch.exact);
  ASSERT_EQ(batch.records.size(), 2u);
  EXPECT_EQ(std::get<MariadbGtid>(batch.records[1].gtid).seq_no, 6u);
  EXPECT_TRUE(feed.Drain("127.0.0.1:3307").records.empty());

  // Disconnected: what arrived before still counts, but the caller must poll.
  feed.Push(MariadbGtid{0, 1, 7}, 102);
  feed.SetConnected(false, "127.0.0.1:3307");
  batch = feed.Drain("127.0.0.1:3307");
  EXPECT_FALSE(batch.exact);
  EXPECT_EQ(batch.records.size(), 1u);
  EXPECT_FALSE(feed.exact_in_use());

  // Another master is current: the tailer's records are not its history.
  feed.SetConnected(true, "127.0.0.1:3307");
  feed.Push(MariadbGtid{0, 1, 8}, 103);
  batch = feed.Drain("127.0.0.1:3308");
  EXPECT_FALSE(batch.exact);
  EXPECT_TRUE(batch.records.empty());

  // Re-pointed: the previous master's undrained records go.
  feed.Push(MariadbGtid{0, 1, 9}, 104);
  feed.SetConnected(true, "127.0.0.1:3308");
  batch = feed.Drain("127.0.0.1:3308");
  EXPECT_TRUE(batch.exact);
  EXPECT_TRUE(batch.records.empty());
}

TEST(TransactionFeed, BoundedWhenNobodyDrains) {
  TransactionFeed feed(4);
  feed.SetConnected(true, "m");
  for (uint64_t i = 1; i <= 10; ++i) feed.Push(MariadbGtid{0, 1, i}, i);
  auto batch = feed.Drain("m");
  EXPECT_LE(batch.records.size(), 4u);
  EXPECT_EQ(std::get<MariadbGtid>(batch.records.back().gtid).seq_no, 10u);
  EXPECT_EQ(batch.dropped + batch.records.size(), 10u);
}

}  // namespace
}  // namespace switchyard::binlog
