#include "proxy/sql/sql_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace switchyard::proxy {
namespace {

using Tokens = std::vector<std::pair<TokenKind, std::string>>;

Tokens Lex(std::string_view sql, SqlTokenizer::Options options = {}) {
  SqlTokenizer tokenizer(sql, options);
  Tokens out;
  for (int guard = 0; guard < 10000; ++guard) {
    const Token t = tokenizer.Next();
    if (t.kind == TokenKind::kEnd) break;
    out.emplace_back(t.kind, std::string(t.text));
  }
  return out;
}

constexpr TokenKind W = TokenKind::kWord;
constexpr TokenKind Q = TokenKind::kQuotedIdent;
constexpr TokenKind S = TokenKind::kString;
constexpr TokenKind N = TokenKind::kNumber;
constexpr TokenKind U = TokenKind::kUserVar;
constexpr TokenKind V = TokenKind::kSystemVar;
constexpr TokenKind P = TokenKind::kPunct;
constexpr TokenKind C = TokenKind::kComment;
constexpr TokenKind E = TokenKind::kError;

struct LexCase {
  std::string sql;
  Tokens tokens;
};
void PrintTo(const LexCase& c, std::ostream* os) {
  *os << "\"" << c.sql << "\"";
}
class TokenizerTest : public ::testing::TestWithParam<LexCase> {};
TEST_P(TokenizerTest, Tokens) {
  EXPECT_EQ(Lex(GetParam().sql), GetParam().tokens);
}

const LexCase kLexCases[] = {
    {"", {}},
    {"   \t\n ", {}},
    {"SELECT 1", {{W, "SELECT"}, {N, "1"}}},
    {"select*from t;", {{W, "select"}, {P, "*"}, {W, "from"}, {W, "t"}, {P, ";"}}},
    {"a.b", {{W, "a"}, {P, "."}, {W, "b"}}},
    {"`a``b`.`c`", {{Q, "`a``b`"}, {P, "."}, {Q, "`c`"}}},
    {"'it''s'", {{S, "'it''s'"}}},
    {"'a\\'b'", {{S, "'a\\'b'"}}},
    {"\"a\\\"b\" 'c'", {{S, "\"a\\\"b\""}, {S, "'c'"}}},
    {"\"x\"\"y\"", {{S, "\"x\"\"y\""}}},
    {"'a' 'b'", {{S, "'a'"}, {S, "'b'"}}},
    {"'\\\\' x", {{S, "'\\\\'"}, {W, "x"}}},
    {"1 1.5 .5 1e5 1.5e-3 0x1F 0b01 1abc 3.",
     {{N, "1"},
      {N, "1.5"},
      {P, "."},
      {N, "5"},
      {N, "1e5"},
      {N, "1.5e-3"},
      {N, "0x1F"},
      {N, "0b01"},
      {W, "1abc"},
      {N, "3."}}},
    {"0xZZ 1e", {{W, "0xZZ"}, {W, "1e"}}},
    {"@x @`a b` @'q' @\"d\" @a.b$c",
     {{U, "@x"}, {U, "@`a b`"}, {U, "@'q'"}, {U, "@\"d\""}, {U, "@a.b$c"}}},
    {"@@x @@session.sql_mode @@GLOBAL.`y`",
     {{V, "@@x"}, {V, "@@session.sql_mode"}, {V, "@@GLOBAL.`y`"}}},
    {"'u'@'h'", {{S, "'u'"}, {U, "@'h'"}}},
    {"@ x", {{P, "@"}, {W, "x"}}},
    {"@a:=1", {{U, "@a"}, {P, ":="}, {N, "1"}}},
    {"a : b", {{W, "a"}, {P, ":"}, {W, "b"}}},
    {"1..10", {{N, "1."}, {P, "."}, {N, "10"}}},
    {"x..y", {{W, "x"}, {P, ".."}, {W, "y"}}},
    {"a<=>b", {{W, "a"}, {P, "<"}, {P, "="}, {P, ">"}, {W, "b"}}},
    {"a -- c\nb", {{W, "a"}, {W, "b"}}},
    {"a --\tc\nb", {{W, "a"}, {W, "b"}}},
    {"a --", {{W, "a"}}},
    {"a--b", {{W, "a"}, {P, "-"}, {P, "-"}, {W, "b"}}},
    {"a # c\nb", {{W, "a"}, {W, "b"}}},
    {"a /* c */ b", {{W, "a"}, {W, "b"}}},
    {"a /* multi\nline */b", {{W, "a"}, {W, "b"}}},
    {"a/**/b", {{W, "a"}, {W, "b"}}},
    {"a /*! b */ c", {{W, "a"}, {W, "b"}, {W, "c"}}},
    {"/*!40101 SET x=1 */", {{W, "SET"}, {W, "x"}, {P, "="}, {N, "1"}}},
    {"/*!100101 b */", {{W, "b"}}},
    {"/*!1234 b */", {{N, "1234"}, {W, "b"}}},
    {"/*M!100100 b */ c", {{W, "b"}, {W, "c"}}},
    {"/*M! b*/", {{W, "b"}}},
    {"/*! 'a*/' */", {{S, "'a*/'"}}},
    {"/*! a /* c */ b */", {{W, "a"}, {W, "b"}}},
    {"a */ b", {{W, "a"}, {P, "*"}, {P, "/"}, {W, "b"}}},
    {"/*+ hint */ x", {{W, "x"}}},
    {"\xc3\xa9t\xc3\xa9 caf\xc3\xa9", {{W, "\xc3\xa9t\xc3\xa9"}, {W, "caf\xc3\xa9"}}},
    {"a$b _x", {{W, "a$b"}, {W, "_x"}}},
    {"?", {{P, "?"}}},
    {std::string("a\0b", 3), {{W, "a"}, {P, std::string("\0", 1)}, {W, "b"}}},
    {"'unterminated", {{E, "'unterminated"}}},
    {"x \"unterminated", {{W, "x"}, {E, "\"unterminated"}}},
    {"`unterminated", {{E, "`unterminated"}}},
    {"'ends in \\'", {{E, "'ends in \\'"}}},
    {"'\\", {{E, "'\\"}}},
    {"a /* open", {{W, "a"}, {E, "/* open"}}},
    {"a /*! open b", {{W, "a"}, {W, "open"}, {W, "b"}, {E, "/*! open b"}}},
    {"@'open", {{E, "@'open"}}},
    {"@@`open", {{E, "@@`open"}}},
};
INSTANTIATE_TEST_SUITE_P(Lex, TokenizerTest, ::testing::ValuesIn(kLexCases));

TEST(SqlTokenizer, EmitsCommentsWhenAsked) {
  SqlTokenizer::Options options;
  options.emit_comments = true;
  EXPECT_EQ(Lex("a /* c */ b -- d\n# e\nf", options),
            (Tokens{{W, "a"}, {C, "/* c */"}, {W, "b"}, {C, "-- d"}, {C, "# e"}, {W, "f"}}));
  // Executable comments are code, never comment tokens.
  EXPECT_EQ(Lex("/*! x */", options), (Tokens{{W, "x"}}));
}

TEST(SqlTokenizer, AnsiQuotesMakeDoubleQuotesIdentifiers) {
  SqlTokenizer::Options options;
  options.ansi_quotes = true;
  EXPECT_EQ(Lex("\"a\\\" 'b'", options), (Tokens{{Q, "\"a\\\""}, {S, "'b'"}}));
}

TEST(SqlTokenizer, NoBackslashEscapes) {
  SqlTokenizer::Options options;
  options.backslash_escapes = false;
  EXPECT_EQ(Lex("'a\\' b", options), (Tokens{{S, "'a\\'"}, {W, "b"}}));
  EXPECT_EQ(Lex("'a\\' b"), (Tokens{{E, "'a\\' b"}}));
}

TEST(SqlTokenizer, ErrorIsReportedOnceThenEnd) {
  SqlTokenizer tokenizer("SELECT 'x");
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kWord);
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kError);
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kEnd);
  EXPECT_EQ(tokenizer.Next().kind, TokenKind::kEnd);
}

TEST(SqlTokenizer, OffsetsPointIntoTheInput) {
  const std::string sql = "  SELECT  `x` FROM t";
  SqlTokenizer tokenizer(sql);
  const Token select = tokenizer.Next();
  const Token x = tokenizer.Next();
  EXPECT_EQ(tokenizer.OffsetOf(select), 2u);
  EXPECT_EQ(tokenizer.OffsetOf(x), 10u);
  EXPECT_EQ(tokenizer.offset(), 13u);
}

TEST(SqlTokenizer, TokenIsPunct) {
  SqlTokenizer tokenizer("( :=");
  EXPECT_TRUE(tokenizer.Next().IsPunct('('));
  EXPECT_FALSE(tokenizer.Next().IsPunct(':'));
}

TEST(SqlTokenizer, FirstKeyword) {
  EXPECT_EQ(FirstKeyword("SELECT 1"), "SELECT");
  EXPECT_EQ(FirstKeyword("  /* c */ -- d\n ((select 1))"), "select");
  EXPECT_EQ(FirstKeyword("/*!40101 SET x = 1 */"), "SET");
  EXPECT_EQ(FirstKeyword("'x'"), "");
  EXPECT_EQ(FirstKeyword(""), "");
  EXPECT_EQ(FirstKeyword("/* unterminated"), "");
}

TEST(SqlTokenizer, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("SeLeCt", "select"));
  EXPECT_FALSE(EqualsIgnoreCase("selec", "select"));
  EXPECT_FALSE(EqualsIgnoreCase("selecT1", "select"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\xa9", "\xc3\x89"));
}

TEST(SqlTokenizer, UnquoteIdentifier) {
  EXPECT_EQ(UnquoteIdentifier("`a``b`"), "a`b");
  EXPECT_EQ(UnquoteIdentifier("plain"), "plain");
  EXPECT_EQ(UnquoteIdentifier("\"x\"\"y\""), "x\"y");
  EXPECT_EQ(UnquoteIdentifier("``"), "");
  EXPECT_EQ(UnquoteIdentifier("`"), "`");
}

TEST(SqlTokenizer, UnescapeString) {
  EXPECT_EQ(UnescapeString("'it''s'"), "it's");
  EXPECT_EQ(UnescapeString("'a\\nb\\tc\\0d\\Z'"), std::string("a\nb\tc\0d\x1a", 8));
  EXPECT_EQ(UnescapeString("'\\%\\_\\x'"), "\\%\\_x");
  EXPECT_EQ(UnescapeString("\"q\\\"q\"\"\""), "q\"q\"");
  EXPECT_EQ(UnescapeString("'a\\b'", false), "a\\b");
  EXPECT_EQ(UnescapeString("''"), "");
  EXPECT_EQ(UnescapeString("word"), "word");
}

}  // namespace
}  // namespace switchyard::proxy
