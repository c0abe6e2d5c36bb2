#include "wire/ok_err_eof.h"

#include <gtest/gtest.h>

#include "captured_mariadb.h"
#include "test_util.h"

namespace switchyard::wire {
namespace {

using testing::ExpectEveryPrefixFails;
using testing::FramePayloads;

constexpr Capabilities kCaps = cap::kProtocol41 | cap::kSessionTrack | cap::kTransactions;

TEST(OkPacket, RealMariadbLoginOkTracksSchema) {
  auto f = FramePayloads(captured::kS1LoginOk);
  ASSERT_EQ(f.size(), 1u);
  auto ok = OkPacket::Decode(f[0], kCaps);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->status_flags, status::kAutocommit | status::kSessionStateChanged);
  ASSERT_TRUE(ok->Schema());
  EXPECT_EQ(*ok->Schema(), "t");
}

TEST(OkPacket, RealMariadbInsertOkCarriesLastGtid) {
  auto f = FramePayloads(captured::kS1InsertOk);
  ASSERT_EQ(f.size(), 1u);
  auto ok = OkPacket::Decode(f[0], kCaps);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->affected_rows, 1u);
  EXPECT_EQ(ok->last_insert_id, 0u);
  ASSERT_TRUE(ok->LastGtid());
  EXPECT_EQ(*ok->LastGtid(), "0-1-4");
  EXPECT_EQ(*ok->SystemVariable("last_gtid"), "0-1-4");
  EXPECT_FALSE(ok->SystemVariable("autocommit"));
  ExpectEveryPrefixFails(f[0], [](BytesView b) {
    auto d = OkPacket::Decode(b, kCaps);
    // A prefix that ends exactly before the optional info is a valid (shorter) OK packet;
    // it then must not claim the GTID.
    if (d.ok() && d->LastGtid()) return Result<int>(0);
    return Result<int>(MakeError("x"));
  });
}

TEST(OkPacket, RealMariadbPlainOkWithoutInfo) {
  auto f = FramePayloads(captured::kS1SetTrackOk);
  auto ok = OkPacket::Decode(f[0], kCaps);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status_flags, status::kAutocommit);
  EXPECT_TRUE(ok->info.empty());
  EXPECT_TRUE(ok->session_state.empty());
}

TEST(OkPacket, RoundTripAllTrackerTypes) {
  OkPacket ok;
  ok.affected_rows = 300;
  ok.last_insert_id = 1ull << 40;
  ok.status_flags = status::kAutocommit | status::kInTrans;
  ok.warnings = 2;
  ok.info = "Rows matched: 1";
  ok.session_state = {
      {SessionTrackType::kSystemVariables, "autocommit", "OFF", 0},
      {SessionTrackType::kSchema, "", "shop", 0},
      {SessionTrackType::kStateChange, "", "1", 0},
      {SessionTrackType::kGtids, "", "3E11FA47-71CA-11E1-9E33-C80AA9429562:23", 0},
      {SessionTrackType::kTransactionCharacteristics, "", "START TRANSACTION READ ONLY;", 0},
      {SessionTrackType::kTransactionState, "", "T_______", 0},
      {static_cast<SessionTrackType>(42), "", "raw", 0},
  };
  Bytes enc = ok.Encode(kCaps);
  auto d = OkPacket::Decode(enc, kCaps);
  ASSERT_TRUE(d.ok()) << d.error().message;
  OkPacket expected = ok;
  expected.status_flags |= status::kSessionStateChanged;
  EXPECT_EQ(*d, expected);
  EXPECT_EQ(*d->LastGtid(), "3E11FA47-71CA-11E1-9E33-C80AA9429562:23");
  EXPECT_EQ(*d->TransactionState(), "T_______");
  ExpectEveryPrefixFails(enc, [](BytesView b) {
    auto r = OkPacket::Decode(b, kCaps);
    if (r.ok() && r->session_state.size() == 7) return Result<int>(0);
    return Result<int>(MakeError("x"));
  });
}

TEST(OkPacket, WithoutSessionTrackInfoIsRest) {
  OkPacket ok;
  ok.info = "Records: 2";
  Capabilities caps = cap::kProtocol41;
  auto d = OkPacket::Decode(ok.Encode(caps), caps);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->info, "Records: 2");
}

TEST(OkPacket, RejectsGarbage) {
  EXPECT_FALSE(OkPacket::Decode(Bytes{0x01, 0, 0, 0, 0, 0, 0}, kCaps).ok());
  EXPECT_FALSE(OkPacket::Decode(Bytes{0x00, 0xFF, 0, 0, 0, 0, 0}, kCaps).ok());
  // Session state claims more bytes than present.
  EXPECT_FALSE(OkPacket::Decode(Bytes{0, 0, 0, 0, 0x40, 0, 0, 0, 9, 0, 1}, kCaps).ok());
}

TEST(ErrPacket, RealMariadbErrors) {
  auto f = FramePayloads(captured::kS2BadQueryErr);
  auto e = ErrPacket::Decode(f[0]);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->error_code, 1054);
  EXPECT_EQ(e->sql_state, "42S22");
  EXPECT_EQ(e->message, "Unknown column 'nosuchcol' in 'SELECT'");
  EXPECT_EQ(e->Encode(), f[0]);
  ExpectEveryPrefixFails(Bytes(f[0].begin(), f[0].begin() + 3),
                         [](BytesView b) { return ErrPacket::Decode(b); });
}

TEST(ErrPacket, AccessDeniedMatchesServerText) {
  ErrPacket e = ErrPacket::AccessDenied("app", "localhost", true);
  EXPECT_EQ(e.error_code, 1045);
  EXPECT_EQ(e.sql_state, "28000");
  EXPECT_EQ(e.message, "Access denied for user 'app'@'localhost' (using password: YES)");
  // Byte-identical to what MariaDB 10.11 sent for the same failure (seq 2 packet payload).
  EXPECT_EQ(ToHex(e.Encode()),
            "ff15042332383030304163636573732064656e69656420666f72207573657220276170702740276c6f"
            "63616c686f73742720287573696e672070617373776f72643a2059455329");
  auto d = ErrPacket::Decode(e.Encode());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, e);
}

TEST(ErrPacket, Pre41FormWithoutMarker) {
  Bytes b = {0xFF, 0x10, 0x04, 'T', 'o', 'o'};
  auto e = ErrPacket::Decode(b);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->error_code, 1040);
  EXPECT_EQ(e->sql_state, "");
  EXPECT_EQ(e->message, "Too");
}

TEST(ProgressReport, RealMariadbLoadDataProgress) {
  auto f = FramePayloads(captured::kS2Progress);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(IsProgressReport(f[0]));
  EXPECT_FALSE(ErrPacket::Decode(f[0]).ok());
  auto p = ProgressReport::Decode(f[0]);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->stage, 2);
  EXPECT_EQ(p->max_stage, 2);
  EXPECT_EQ(p->info, "End bulk insert");
  ExpectEveryPrefixFails(f[0], [](BytesView b) { return ProgressReport::Decode(b); });
}

TEST(EofPacket, RoundTripAndClassification) {
  EofPacket e{1, status::kAutocommit | status::kMoreResultsExists};
  Bytes enc = e.Encode();
  EXPECT_EQ(ToHex(enc), "fe01000a00");
  auto d = EofPacket::Decode(enc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, e);
  EXPECT_TRUE(IsEofPacket(enc));
  EXPECT_TRUE(IsResultSetTerminator(enc, cap::kProtocol41));
  Bytes row_starting_fe(9, 0xFE);
  EXPECT_FALSE(IsEofPacket(row_starting_fe));
  EXPECT_FALSE(EofPacket::Decode(row_starting_fe).ok());
  // Under DEPRECATE_EOF any 0xFE packet shorter than a full frame ends the rows.
  EXPECT_TRUE(IsResultSetTerminator(row_starting_fe, cap::kDeprecateEof));
  Bytes full_frame(0xFFFFFF, 0xFE);
  EXPECT_FALSE(IsResultSetTerminator(full_frame, cap::kDeprecateEof));
}

TEST(EofPacket, ShortFormsAndTheFiveByteFastPathAgree) {
  // The 4.1 form (5 bytes) is decoded without the reader; shorter pre-4.1 forms go through it.
  auto full = EofPacket::Decode(FromHex("fe03002200"));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->warnings, 3);
  EXPECT_EQ(full->status_flags, 0x22);
  auto bare = EofPacket::Decode(FromHex("fe"));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->warnings, 0);
  EXPECT_EQ(bare->status_flags, 0);
  auto warnings_only = EofPacket::Decode(FromHex("fe0300"));
  ASSERT_TRUE(warnings_only.ok());
  EXPECT_EQ(warnings_only->warnings, 3);
  EXPECT_FALSE(EofPacket::Decode(FromHex("fe030022")).ok()) << "a truncated status is an error";
  EXPECT_FALSE(EofPacket::Decode(FromHex("0003002200")).ok()) << "not 0xfe";
}

TEST(ResultSetTerminator, DecodesEofAndOkAsEof) {
  auto eof = DecodeResultSetTerminator(EofPacket{0, status::kMoreResultsExists}.Encode(),
                                       cap::kProtocol41);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(eof->status_flags, status::kMoreResultsExists);
  EXPECT_FALSE(eof->ok);

  OkPacket ok;
  ok.header = 0xFE;
  ok.status_flags = status::kAutocommit;
  ok.warnings = 3;
  Capabilities caps = kCaps | cap::kDeprecateEof;
  auto end = DecodeResultSetTerminator(ok.Encode(caps), caps);
  ASSERT_TRUE(end.ok()) << end.error().message;
  EXPECT_EQ(end->status_flags, status::kAutocommit);
  EXPECT_EQ(end->warnings, 3);
  ASSERT_TRUE(end->ok);
  EXPECT_EQ(end->ok->header, 0xFE);
}

}  // namespace
}  // namespace switchyard::wire
