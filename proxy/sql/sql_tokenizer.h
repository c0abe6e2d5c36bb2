// SqlTokenizer: splits MySQL/MariaDB statement text into tokens without allocating.
// Tokens are string_views into the caller's text, which must outlive them. Malformed input
// (unterminated string, identifier or comment) yields a kError token, never UB.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::proxy {

// Character classes, shared by Scan() and the inline fast path of Next().
namespace tokenizer_detail {

enum CharClass : uint8_t {
  kOther = 0,
  kSpace = 1,
  kIdent = 2,  // may continue an identifier (letters, digits, _, $, bytes >= 0x80)
  kDigit = 4,
  kPunctOnly = 8,  // always a one-character kPunct token, whatever follows and in every state
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> t{};
  for (int c : {' ', '\t', '\n', '\r', '\f', '\v'}) t[c] = kSpace;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kIdent;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kIdent;
  for (int c = '0'; c <= '9'; ++c) t[c] = kIdent | kDigit;
  t['_'] = kIdent;
  t['$'] = kIdent;
  for (int c = 0x80; c < 256; ++c) t[c] = kIdent;  // UTF-8 identifiers
  // Everything else is a one-character punctuation token, except what Scan() looks at twice:
  // comments (# -- /* */), quotes, variables (@) and the two-character := and .. tokens.
  for (int c = 0; c < 0x80; ++c) {
    if (t[c] == kOther &&
        std::string_view("#-/*'\"`@:.").find(static_cast<char>(c)) == std::string_view::npos) {
      t[c] = kPunctOnly;
    }
  }
  return t;
}
inline constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

inline uint8_t ClassOf(char c) {
  return kCharClasses[static_cast<unsigned char>(c)];
}
inline bool IsIdentChar(char c) {
  return (ClassOf(c) & kIdent) != 0;
}
// The hot loops walk a local pointer: indexing through a member would make the compiler store
// the position back on every byte (the text might alias the tokenizer as far as it knows).
inline size_t SkipSpaces(std::string_view text, size_t from) {
  const char* p = text.data() + from;
  const char* const end = text.data() + text.size();
  while (p != end && (ClassOf(*p) & kSpace)) ++p;
  return static_cast<size_t>(p - text.data());
}
inline size_t SkipDigits(std::string_view text, size_t from) {
  const char* p = text.data() + from;
  const char* const end = text.data() + text.size();
  while (p != end && (ClassOf(*p) & kDigit)) ++p;
  return static_cast<size_t>(p - text.data());
}
inline size_t SkipIdentChars(std::string_view text, size_t from) {
  const char* p = text.data() + from;
  const char* const end = text.data() + text.size();
  // Four bytes per bound check: identifiers are the bulk of most statements.
  while (end - p >= 4) {
    if (!IsIdentChar(p[0])) return static_cast<size_t>(p - text.data());
    if (!IsIdentChar(p[1])) return static_cast<size_t>(p + 1 - text.data());
    if (!IsIdentChar(p[2])) return static_cast<size_t>(p + 2 - text.data());
    if (!IsIdentChar(p[3])) return static_cast<size_t>(p + 3 - text.data());
    p += 4;
  }
  while (p != end && IsIdentChar(*p)) ++p;
  return static_cast<size_t>(p - text.data());
}

}  // namespace tokenizer_detail

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
  Token Next() {
    // Inline fast path for the most common tokens: a plain word (one that starts with a letter,
    // '_', '$' or a byte >= 0x80: never a number, comment or quoted text), one-character
    // punctuation, integers and the end. Scan() reads them the same way in every state; it
    // does everything else.
    if (!failed_) {
      // Skips spaces, keeping the class of the first other character.
      const char* p = sql_.data() + pos_;
      const char* const text_end = sql_.data() + sql_.size();
      uint8_t char_class = tokenizer_detail::kOther;
      for (; p != text_end; ++p) {
        char_class = tokenizer_detail::ClassOf(*p);
        if ((char_class & tokenizer_detail::kSpace) == 0) break;
      }
      const size_t begin = static_cast<size_t>(p - sql_.data());
      if (p != text_end) {
        if (char_class == tokenizer_detail::kIdent) {
          pos_ = tokenizer_detail::SkipIdentChars(sql_, begin + 1);
          return Token{TokenKind::kWord, std::string_view(sql_.data() + begin, pos_ - begin)};
        }
        if (char_class == tokenizer_detail::kPunctOnly) {  // = , ( ) ; and the like
          pos_ = begin + 1;
          return Token{TokenKind::kPunct, std::string_view(sql_.data() + begin, 1)};
        }
        if (char_class == (tokenizer_detail::kIdent | tokenizer_detail::kDigit)) {
          // An integer: digits followed by the end or by a character that can neither
          // continue it (".5", "e3", "x1F") nor make it a word ("1abc").
          const size_t end = tokenizer_detail::SkipDigits(sql_, begin + 1);
          if (end == sql_.size() ||
              (sql_[end] != '.' && !tokenizer_detail::IsIdentChar(sql_[end]))) {
            pos_ = end;
            return Token{TokenKind::kNumber, std::string_view(sql_.data() + begin, end - begin)};
          }
        }
      } else if (!in_executable_comment_) {
        pos_ = begin;
        return Token{TokenKind::kEnd, std::string_view(sql_.data() + begin, 0)};
      }
      pos_ = begin;  // Scan() need not skip the spaces again
    }
    return Scan();
  }
  // Same, writing into `token` (lets hot loops build tokens in place).
  void Next(Token& token) { token = Next(); }

  // Byte offset of the next unread character.
  size_t offset() const { return pos_; }
  // Offset of a token returned by this tokenizer.
  size_t OffsetOf(const Token& token) const {
    return static_cast<size_t>(token.text.data() - sql_.data());
  }
  std::string_view input() const { return sql_; }

 private:
  Token Scan();
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
