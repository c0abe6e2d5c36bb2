// Edge cases of the classifier's fast paths: the keyword lookup (length + three folded bytes,
// in-place folded compare by overlapping integer loads), the tokenizer's inline word path and
// the inline table list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "proxy/sql/sql_classifier.h"
#include "proxy/sql/sql_tokenizer.h"

namespace switchyard::proxy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// --- keywords ---------------------------------------------------------------------------------

// A keyword is recognised in any letter case, at every length the compare handles differently
// (2-3, 4-8, 9-16 and 17+ bytes).
struct KeywordCase {
  std::string sql;
  std::string_view reason;  // empty: a read that stays replica eligible
};
void PrintTo(const KeywordCase& c, std::ostream* os) {
  *os << "\"" << c.sql << "\"";
}
class KeywordLookupTest : public ::testing::TestWithParam<KeywordCase> {};
TEST_P(KeywordLookupTest, MatchesExactlyTheKeyword) {
  const Classification r = ClassifySql(GetParam().sql);
  EXPECT_EQ(r.kind, StatementKind::kRead);
  EXPECT_EQ(r.must_master, !GetParam().reason.empty());
  EXPECT_EQ(r.reason, GetParam().reason);
}

const KeywordCase kKeywordCases[] = {
    // 19 bytes, the longest keyword: three 8-byte loads.
    {"SELECT SQL_CALC_FOUND_ROWS * FROM t", "calc_found_rows"},
    {"select sql_calc_found_rows * from t", "calc_found_rows"},
    {"SELECT Sql_Calc_Found_Rows * FROM t", "calc_found_rows"},
    {"SELECT SQL_CALC_FOUND_ROWZ * FROM t", ""},   // last byte differs
    {"SELECT SQL_CALC_FOUNDXROWS * FROM t", ""},   // a middle byte differs
    {"SELECT SQL_CALC_FOUND_ROWSX * FROM t", ""},  // one byte longer
    {"SELECT SQL_CALC_FOUND_ROW * FROM t", ""},    // one byte shorter
    {"SELECT QL_CALC_FOUND_ROWS * FROM t", ""},
    {"SELECT XQL_CALC_FOUND_ROWS * FROM t", ""},  // first byte differs
    // 17 bytes.
    {"SELECT RELEASE_ALL_LOCKS()", "lock_function"},
    {"SELECT release_all_locks()", "lock_function"},
    {"SELECT RELEASE_ALL_LOCKZ()", ""},
    {"SELECT RELEASE_ALL_LOCK()", ""},
    {"SELECT RELEASEXALL_LOCKS()", ""},  // byte 8: only the middle load sees it
    // 9-16 bytes: two overlapping 8-byte loads.
    {"SELECT LAST_INSERT_ID()", "last_insert_id"},
    {"SELECT Last_Insert_Id()", "last_insert_id"},
    {"SELECT LAST_INSERT_IE()", ""},
    {"SELECT LAST_INSERTXID()", ""},
    {"SELECT LAST_INSERT_I()", ""},
    {"SELECT IS_FREE_LOCK('a')", "lock_function"},
    {"SELECT IS_FREE_LOCKS('a')", ""},
    // 4-8 bytes: two overlapping 4-byte loads.
    {"SELECT GET_LOCK('a', 1)", "lock_function"},
    {"SELECT gEt_LoCk('a', 1)", "lock_function"},
    {"SELECT GET_LOCX('a', 1)", ""},
    {"SELECT GETXLOCK('a', 1)", ""},
    {"SELECT c FROM t FOR UPDATE", "for_update"},
    {"SELECT c FROM t for update", "for_update"},
    {"SELECT c FROM t FOR UPDATED", ""},
    {"SELECT c FROM t FOR SHARE", "for_share"},
    {"SELECT c FROM t FOR SHARP", ""},
    {"SELECT NEXTVAL(s)", "sequence"},
    {"SELECT NEXTVAX(s)", ""},
    // '_' folds to 0x7F: bytes >= 0x80 (which fold to >= 0xA0) and DEL never match it.
    {"SELECT GET\xDFLOCK('a', 1)", ""},
    {"SELECT GET\x7FLOCK('a', 1)", ""},
    {"SELECT GET\xFFLOCK('a', 1)", ""},
    // 2-3 bytes: two overlapping 2-byte loads.
    {"SELECT c FROM t WHERE a IN (1) INTO @x", "into"},
    {"SELECT c FROM t INTO @x", "into"},
    {"SELECT c FROM t WHERE a = 1 LOCK IN SHARE MODE", "lock_in_share_mode"},
    {"SELECT c FROM t WHERE a = 1 LOCK IX SHARE MODE", ""},
};
INSTANTIATE_TEST_SUITE_P(Keywords, KeywordLookupTest, ::testing::ValuesIn(kKeywordCases));

TEST(KeywordLookup, VerbsInAnyCase) {
  for (const char* sql : {"SELECT 1", "select 1", "SeLeCt 1", "sELECT 1"}) {
    const Classification r = ClassifySql(sql);
    EXPECT_EQ(r.verb, Verb::kSelect) << sql;
    EXPECT_FALSE(r.must_master) << sql;
  }
  for (const char* sql : {"XA START 'x'", "xa start 'x'", "Xa Start 'x'"}) {
    EXPECT_EQ(ClassifySql(sql).txn, TxnOp::kXaStart) << sql;
  }
  for (const char* sql : {"ROLLBACK", "rollback", "RollBack"}) {
    EXPECT_EQ(ClassifySql(sql).txn, TxnOp::kRollback) << sql;
  }
  for (const char* sql : {"SAVEPOINT a", "savepoint a", "SavePoint a"}) {
    EXPECT_EQ(ClassifySql(sql).txn, TxnOp::kSavepoint) << sql;
  }
}

TEST(KeywordLookup, NearMissVerbsAreUnknown) {
  for (const char* sql : {"SELEC 1", "SELECTS 1", "SELEKT 1", "XELECT 1", "SEL3CT 1",
                          "XB START 'x'", "S\xC3\x89LECT 1", "SELECT\xC3\x89 1", "\xC3\xA9SELECT 1",
                          "_SELECT 1", "SELECT_ 1", "BEGI", "BEGINN", "COMMITT", "ROLLBAC"}) {
    const Classification r = ClassifySql(sql);
    EXPECT_EQ(r.kind, StatementKind::kUnknown) << sql;
    EXPECT_TRUE(r.must_master) << sql;
  }
}

TEST(KeywordLookup, NonAsciiIdentifiersAreTablesNotKeywords) {
  const Classification r = ClassifySql("SELECT c FROM \xC3\xA9t\xC3\xA9 WHERE id = 1");
  EXPECT_EQ(r.kind, StatementKind::kRead);
  EXPECT_THAT(r.tables, ElementsAre(TableRef{"", "\xC3\xA9t\xC3\xA9"}));
}

// --- tables -----------------------------------------------------------------------------------

TEST(TableList, QuotedAndUnquotedSpellingsAreOneTable) {
  const Classification r =
      ClassifySql("SELECT * FROM t JOIN `t` ON 1 JOIN db.t ON 1 JOIN `db`.`t` ON 1 JOIN db.`t`");
  EXPECT_THAT(r.tables, ElementsAre(TableRef{"", "t"}, TableRef{"db", "t"}));
}

TEST(TableList, MoreTablesThanInlineCapacityKeepTheirOrder) {
  const Classification r = ClassifySql(
      "SELECT * FROM t1, t2, t3, t4, t5, t6 JOIN a_table_name_longer_than_sso_buffer x ON 1 "
      "JOIN t1 ON 1");
  EXPECT_THAT(r.tables, ElementsAre(TableRef{"", "t1"}, TableRef{"", "t2"}, TableRef{"", "t3"},
                                    TableRef{"", "t4"}, TableRef{"", "t5"}, TableRef{"", "t6"},
                                    TableRef{"", "a_table_name_longer_than_sso_buffer"}));
  const Classification copy = r;  // the list stays a value type
  EXPECT_EQ(copy.tables.size(), 7u);
  EXPECT_EQ(copy.tables[6].name, "a_table_name_longer_than_sso_buffer");
}

TEST(TableList, EmptyQuotedNameIsNotATable) {
  EXPECT_THAT(ClassifySql("SELECT * FROM ``").tables, IsEmpty());
}

// --- tokenizer word fast path -------------------------------------------------------------------

TEST(TokenizerWords, WordsAtTheEndAndAfterSpaces) {
  SqlTokenizer tokenizer("  abc \t\n$x _y \xC3\xA9z 1e");
  const std::vector<std::string_view> expected = {"abc", "$x", "_y", "\xC3\xA9z"};
  for (std::string_view word : expected) {
    const Token t = tokenizer.Next();
    EXPECT_EQ(t.kind, TokenKind::kWord);
    EXPECT_EQ(t.text, word);
  }
  const Token t = tokenizer.Next();  // digits first: the number path, not the word path
  EXPECT_EQ(t.kind, TokenKind::kWord);
  EXPECT_EQ(t.text, "1e");
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kEnd);
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kEnd);
}

TEST(TokenizerWords, NoWordsAfterAnError) {
  SqlTokenizer tokenizer("a 'unterminated b c");
  EXPECT_EQ(tokenizer.Next().text, "a");
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kError);
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kEnd);
}

TEST(TokenizerWords, UnterminatedExecutableCommentStillFailsAfterItsWords) {
  SqlTokenizer tokenizer("/*!50100 SELECT abc");
  EXPECT_EQ(tokenizer.Next().text, "SELECT");
  EXPECT_EQ(tokenizer.Next().text, "abc");
  const Token t = tokenizer.Next();
  EXPECT_EQ(t.kind, TokenKind::kError);
  EXPECT_EQ(tokenizer.OffsetOf(t), 0u);
}

// --- tokenizer quoted runs and integers --------------------------------------------------------

using Lexed = std::pair<TokenKind, std::string>;

std::vector<Lexed> Lex(std::string_view sql, SqlTokenizer::Options options = {}) {
  SqlTokenizer tokenizer(sql, options);
  std::vector<Lexed> out;
  for (int guard = 0; guard < 100; ++guard) {
    const Token t = tokenizer.Next();
    if (t.kind == TokenKind::kEnd) break;
    out.emplace_back(t.kind, std::string(t.text));
  }
  return out;
}

constexpr TokenKind kS = TokenKind::kString;
constexpr TokenKind kW = TokenKind::kWord;
constexpr TokenKind kE = TokenKind::kError;
constexpr TokenKind kN = TokenKind::kNumber;
constexpr TokenKind kP = TokenKind::kPunct;
constexpr TokenKind kQ = TokenKind::kQuotedIdent;

TEST(TokenizerQuoted, EscapesAndDoubledQuotes) {
  EXPECT_THAT(Lex(R"('a\'b' x)"), ElementsAre(Lexed{kS, R"('a\'b')"}, Lexed{kW, "x"}));
  EXPECT_THAT(Lex("'a''b' x"), ElementsAre(Lexed{kS, "'a''b'"}, Lexed{kW, "x"}));
  EXPECT_THAT(Lex(R"('a\\' x)"), ElementsAre(Lexed{kS, R"('a\\')"}, Lexed{kW, "x"}));
  EXPECT_THAT(Lex(R"('\'''' x)"), ElementsAre(Lexed{kS, R"('\'''')"}, Lexed{kW, "x"}));
  EXPECT_THAT(Lex(R"('a'\'b')"),
              ElementsAre(Lexed{kS, "'a'"}, Lexed{kP, R"(\)"}, Lexed{kS, "'b'"}));
  EXPECT_THAT(Lex(R"("a\"b""c" x)"), ElementsAre(Lexed{kS, R"("a\"b""c")"}, Lexed{kW, "x"}));
  EXPECT_THAT(Lex(R"('abc\)"), ElementsAre(Lexed{kE, R"('abc\)"}));
  EXPECT_THAT(Lex(R"('abc\')"), ElementsAre(Lexed{kE, R"('abc\')"}));
  EXPECT_THAT(Lex("'abc''"), ElementsAre(Lexed{kE, "'abc''"}));
  EXPECT_THAT(Lex("`a``b` x"), ElementsAre(Lexed{kQ, "`a``b`"}, Lexed{kW, "x"}));
  EXPECT_THAT(Lex(R"(`a\` x)"), ElementsAre(Lexed{kQ, R"(`a\`)"}, Lexed{kW, "x"}));

  SqlTokenizer::Options no_backslash;
  no_backslash.backslash_escapes = false;
  EXPECT_THAT(Lex(R"('a\' x)", no_backslash), ElementsAre(Lexed{kS, R"('a\')"}, Lexed{kW, "x"}));
}

TEST(TokenizerQuoted, LongRunsOfBackslashes) {
  const std::string even = "'" + std::string(20000, '\\') + "'";
  EXPECT_THAT(Lex(even + " x"), ElementsAre(Lexed{kS, even}, Lexed{kW, "x"}));
  const std::string odd = "'" + std::string(20001, '\\') + "' x";
  EXPECT_THAT(Lex(odd), ElementsAre(Lexed{kE, odd}));
}

TEST(TokenizerNumbers, IntegersAndWhatFollowsThem) {
  EXPECT_THAT(Lex("12"), ElementsAre(Lexed{kN, "12"}));
  EXPECT_THAT(Lex("12,3)"),
              ElementsAre(Lexed{kN, "12"}, Lexed{kP, ","}, Lexed{kN, "3"}, Lexed{kP, ")"}));
  EXPECT_THAT(Lex("12.5 1. 1.e3"),
              ElementsAre(Lexed{kN, "12.5"}, Lexed{kN, "1."}, Lexed{kN, "1.e3"}));
  EXPECT_THAT(Lex("12e3 12E+3 12e"),
              ElementsAre(Lexed{kN, "12e3"}, Lexed{kN, "12E+3"}, Lexed{kW, "12e"}));
  EXPECT_THAT(Lex("12abc 0x1F 0b01 0x1G"), ElementsAre(Lexed{kW, "12abc"}, Lexed{kN, "0x1F"},
                                                       Lexed{kN, "0b01"}, Lexed{kW, "0x1G"}));
  EXPECT_THAT(Lex("1..2"), ElementsAre(Lexed{kN, "1."}, Lexed{kP, "."}, Lexed{kN, "2"}));
  EXPECT_THAT(Lex("5\xC3\xA9"), ElementsAre(Lexed{kW, "5\xC3\xA9"}));
  EXPECT_THAT(Lex("id=5030"), ElementsAre(Lexed{kW, "id"}, Lexed{kP, "="}, Lexed{kN, "5030"}));
}

}  // namespace
}  // namespace switchyard::proxy
