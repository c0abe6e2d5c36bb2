// SqlTokenizer: splits MySQL/MariaDB statement text into tokens without allocating.
// Tokens are string_views into the caller's text, which must outlive them. Malformed input
// (unterminated string, identifier or comment) yields a kError token, never UB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::proxy {

enum class TokenKind : uint8_t {
  kEnd,          // end of input
  kWord,         // unquoted identifier or keyword (may start with a digit: 1abc)
  kQuotedIdent,  // `ident` (or "ident" with ansi_quotes); text includes the quotes
  kString,       // 'str' or "str"; text includes the quotes
  kNumber,       // 12, 1.5e3, 0x1F, 0b01
  kUserVar,      // @name, @`name`, @'name'
  kSystemVar,    // @@name, @@session.name, @@global.name
  kPunct,        // one character, or one of := .. (two characters)
  kComment,      // -- c, # c, /* c */ (only with Options::emit_comments); text is the whole comment
  kError,        // unterminated string/identifier/comment; text runs to the end of input
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;

  bool IsPunct(char c) const {
    return kind == TokenKind::kPunct && text.size() == 1 && text[0] == c;
  }
};

class SqlTokenizer {
 public:
  struct Options {
    // MySQL default; false under sql_mode NO_BACKSLASH_ESCAPES.
    bool backslash_escapes = true;
    // sql_mode ANSI_QUOTES: "x" is an identifier, not a string.
    bool ansi_quotes = false;
    // Report ordinary comments as kComment tokens (hints live there); otherwise skip them.
    bool emit_comments = false;
  };

  explicit SqlTokenizer(std::string_view sql) : SqlTokenizer(sql, Options{}) {}
  SqlTokenizer(std::string_view sql, Options options) : sql_(sql), options_(options) {}

  // The next token; kEnd forever once the input is exhausted, kError once on malformed input
  // (then kEnd). The contents of executable comments (/*! ... */, /*!50100 ... */, /*M! ... */)
  // are returned as ordinary tokens, because the server runs them.
  Token Next() { return Scan(); }
  // Same, writing into `token` (lets hot loops build tokens in place).
  void Next(Token& token) { token = Scan(); }

  // Byte offset of the next unread character.
  size_t offset() const { return pos_; }
  // Offset of a token returned by this tokenizer.
  size_t OffsetOf(const Token& token) const {
    return static_cast<size_t>(token.text.data() - sql_.data());
  }
  std::string_view input() const { return sql_; }

 private:
  Token Scan();
  // Skips whitespace; returns the offset of the next character (n at the end).
  size_t SkipSpaces() const;
  // Offset just past the identifier characters starting at `from`.
  size_t SkipIdentChars(size_t from) const;
  Token Make(TokenKind kind, size_t begin) { return Token{kind, sql_.substr(begin, pos_ - begin)}; }
  Token Error(size_t begin);
  // Scans a quoted run starting at pos_ (on the opening quote). False if unterminated.
  bool SkipQuoted(char quote, bool backslash_escapes);
  Token ScanNumberOrWord(size_t begin);
  Token ScanVariable(size_t begin);

  std::string_view sql_;
  Options options_;
  size_t pos_ = 0;
  bool in_executable_comment_ = false;
  size_t executable_comment_begin_ = 0;
  bool failed_ = false;
};

// ASCII case-insensitive equality; `lower` must already be lower-case.
bool EqualsIgnoreCase(std::string_view text, std::string_view lower);

// The first keyword of a statement (skipping comments and leading '('), e.g. "SELECT" for
// "/* x */ (SELECT 1)"; empty if the statement does not start with a word.
std::string_view FirstKeyword(std::string_view sql);

// The name inside an identifier token: `a``b` -> a`b, plain words unchanged.
std::string UnquoteIdentifier(std::string_view token_text);

// The value of a string token: quotes removed, '' and \x escapes resolved as the server does.
std::string UnescapeString(std::string_view token_text, bool backslash_escapes = true);

}  // namespace switchyard::proxy
