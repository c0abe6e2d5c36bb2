#include "proxy/sql/sql_tokenizer.h"

#include <cstring>

namespace switchyard::proxy {
namespace {

using tokenizer_detail::ClassOf;
using tokenizer_detail::IsIdentChar;
using tokenizer_detail::kIdent;
using tokenizer_detail::kSpace;

inline bool IsDigit(char c) {
  return (ClassOf(c) & tokenizer_detail::kDigit) != 0;
}
inline bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// Index of the first `c` in text[from, to), or `to`. memchr is vectorised: quoted values
// (long strings in INSERT and UPDATE) are the longest runs a statement has.
size_t Find(const char* text, size_t from, size_t to, char c) {
  const void* hit = std::memchr(text + from, c, to - from);
  return hit == nullptr ? to : static_cast<size_t>(static_cast<const char*>(hit) - text);
}

}  // namespace

Token SqlTokenizer::Error(size_t begin) {
  failed_ = true;
  pos_ = sql_.size();
  return Token{TokenKind::kError, sql_.substr(begin)};
}

bool SqlTokenizer::SkipQuoted(char quote, bool backslash_escapes) {
  const char* const s = sql_.data();
  const size_t n = sql_.size();
  size_t i = pos_ + 1;  // after the opening quote
  // The next quote at or after i, kept across iterations so that each byte is searched about
  // once (0 = not looked up yet; i is never 0).
  size_t quote_at = 0;
  while (i < n) {
    if (quote_at < i) quote_at = Find(s, i, n, quote);
    if (backslash_escapes) {
      const size_t backslash_at = Find(s, i, quote_at, '\\');
      if (backslash_at < quote_at) {  // escapes the character after it
        i = backslash_at + 2;
        continue;
      }
    }
    if (quote_at >= n) break;
    if (quote_at + 1 < n && s[quote_at + 1] == quote) {  // doubled quote
      i = quote_at + 2;
      continue;
    }
    pos_ = quote_at + 1;
    return true;
  }
  pos_ = n;
  return false;
}

Token SqlTokenizer::ScanNumberOrWord(size_t begin) {
  const size_t n = sql_.size();
  while (pos_ < n && IsDigit(sql_[pos_])) ++pos_;
  bool fraction = false;
  if (pos_ < n && sql_[pos_] == '.') {
    fraction = true;
    ++pos_;
    while (pos_ < n && IsDigit(sql_[pos_])) ++pos_;
  }
  // Exponent: e / e+ / e- followed by a digit.
  if (pos_ < n && (sql_[pos_] == 'e' || sql_[pos_] == 'E')) {
    size_t p = pos_ + 1;
    if (p < n && (sql_[p] == '+' || sql_[p] == '-')) ++p;
    if (p < n && IsDigit(sql_[p])) {
      pos_ = p;
      while (pos_ < n && IsDigit(sql_[pos_])) ++pos_;
      return Make(TokenKind::kNumber, begin);
    }
  }
  if (fraction || pos_ >= n || !IsIdentChar(sql_[pos_])) return Make(TokenKind::kNumber, begin);
  // 0x1F, 0b01 or an identifier that starts with digits (1abc).
  while (pos_ < n && IsIdentChar(sql_[pos_])) ++pos_;
  const std::string_view text = sql_.substr(begin, pos_ - begin);
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'b')) {
    bool hex_ok = true;
    for (size_t i = 2; i < text.size(); ++i) {
      if (text[1] == 'x' ? !IsHexDigit(text[i]) : (text[i] != '0' && text[i] != '1')) {
        hex_ok = false;
        break;
      }
    }
    if (hex_ok) return Make(TokenKind::kNumber, begin);
  }
  return Make(TokenKind::kWord, begin);
}

Token SqlTokenizer::ScanVariable(size_t begin) {
  const size_t n = sql_.size();
  ++pos_;  // '@'
  if (pos_ < n && sql_[pos_] == '@') {
    ++pos_;
    // @@name, @@session.name, @@global.`name`, @@default.key_buffer_size
    for (;;) {
      if (pos_ < n && sql_[pos_] == '`') {
        if (!SkipQuoted('`', false)) return Error(begin);
      } else {
        while (pos_ < n && IsIdentChar(sql_[pos_])) ++pos_;
      }
      if (pos_ + 1 < n && sql_[pos_] == '.' &&
          (IsIdentChar(sql_[pos_ + 1]) || sql_[pos_ + 1] == '`')) {
        ++pos_;
        continue;
      }
      break;
    }
    return Make(TokenKind::kSystemVar, begin);
  }
  if (pos_ < n && (sql_[pos_] == '`' || sql_[pos_] == '\'' || sql_[pos_] == '"')) {
    const char quote = sql_[pos_];
    if (!SkipQuoted(quote, quote != '`' && options_.backslash_escapes)) return Error(begin);
    return Make(TokenKind::kUserVar, begin);
  }
  const size_t name_begin = pos_;
  while (pos_ < n && (IsIdentChar(sql_[pos_]) || sql_[pos_] == '.')) ++pos_;
  if (pos_ == name_begin) return Make(TokenKind::kPunct, begin);  // lone '@' (user@host forms)
  return Make(TokenKind::kUserVar, begin);
}

Token SqlTokenizer::Scan() {
  const size_t n = sql_.size();
  while (!failed_) {
    pos_ = tokenizer_detail::SkipSpaces(sql_, pos_);
    if (pos_ >= n) {
      if (in_executable_comment_) return Error(executable_comment_begin_);
      return Token{TokenKind::kEnd, sql_.substr(n)};
    }
    const size_t begin = pos_;
    const char c = sql_[pos_];
    // Plain words are the most common token: no need to go through the switch.
    if (ClassOf(c) == kIdent) {
      pos_ = tokenizer_detail::SkipIdentChars(sql_, pos_ + 1);
      return Make(TokenKind::kWord, begin);
    }
    const char next = pos_ + 1 < n ? sql_[pos_ + 1] : '\0';
    switch (c) {
      case '#':
      line_comment : {
        const size_t eol = sql_.find('\n', pos_);
        pos_ = eol == std::string_view::npos ? n : eol;
        if (options_.emit_comments) return Make(TokenKind::kComment, begin);
        continue;
      }
      case '-':
        // "--" starts a comment only when followed by whitespace/control or the end.
        if (next == '-' && (pos_ + 2 >= n || static_cast<unsigned char>(sql_[pos_ + 2]) <= ' ')) {
          goto line_comment;
        }
        break;
      case '/':
        if (next == '*') {
          size_t body = pos_ + 2;
          bool executable = false;
          if (body < n && sql_[body] == '!') {
            executable = true;
            body += 1;
          } else if (body + 1 < n && sql_[body] == 'M' && sql_[body + 1] == '!') {
            executable = true;
            body += 2;
          }
          if (executable) {
            // Optional version number: 5 digits (MySQL) or 6 (MariaDB, MySQL 8.0.34+).
            size_t digits = 0;
            while (body + digits < n && digits < 6 && IsDigit(sql_[body + digits])) ++digits;
            if (digits >= 5) body += digits;
            pos_ = body;
            if (!in_executable_comment_) executable_comment_begin_ = begin;
            in_executable_comment_ = true;
            continue;
          }
          const size_t end = sql_.find("*/", pos_ + 2);
          if (end == std::string_view::npos) return Error(begin);
          pos_ = end + 2;
          if (options_.emit_comments) return Make(TokenKind::kComment, begin);
          continue;
        }
        break;
      case '*':
        if (next == '/' && in_executable_comment_) {
          in_executable_comment_ = false;
          pos_ += 2;
          continue;
        }
        break;
      case '\'':
        if (!SkipQuoted('\'', options_.backslash_escapes)) return Error(begin);
        return Make(TokenKind::kString, begin);
      case '"':
        if (options_.ansi_quotes) {
          if (!SkipQuoted('"', false)) return Error(begin);
          return Make(TokenKind::kQuotedIdent, begin);
        }
        if (!SkipQuoted('"', options_.backslash_escapes)) return Error(begin);
        return Make(TokenKind::kString, begin);
      case '`':
        if (!SkipQuoted('`', false)) return Error(begin);
        return Make(TokenKind::kQuotedIdent, begin);
      case '@':
        return ScanVariable(begin);
      case ':':
        if (next == '=') {
          pos_ += 2;
          return Make(TokenKind::kPunct, begin);
        }
        break;
      case '.':
        if (next == '.') {
          pos_ += 2;
          return Make(TokenKind::kPunct, begin);
        }
        break;
      default:
        if (IsDigit(c)) return ScanNumberOrWord(begin);
        if (IsIdentChar(c)) {
          pos_ = tokenizer_detail::SkipIdentChars(sql_, pos_ + 1);
          return Make(TokenKind::kWord, begin);
        }
        break;
    }
    ++pos_;
    return Make(TokenKind::kPunct, begin);
  }
  return Token{TokenKind::kEnd, sql_.substr(n)};
}

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (ToLowerAscii(text[i]) != lower[i]) return false;
  }
  return true;
}

std::string_view FirstKeyword(std::string_view sql) {
  SqlTokenizer tokenizer(sql);
  for (;;) {
    const Token token = tokenizer.Next();
    if (token.IsPunct('(')) continue;
    return token.kind == TokenKind::kWord ? token.text : std::string_view{};
  }
}

std::string UnquoteIdentifier(std::string_view text) {
  if (text.size() < 2 || (text.front() != '`' && text.front() != '"') ||
      text.back() != text.front()) {
    return std::string(text);
  }
  const char quote = text.front();
  std::string out;
  out.reserve(text.size() - 2);
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    out.push_back(text[i]);
    if (text[i] == quote && i + 2 < text.size() && text[i + 1] == quote) ++i;
  }
  return out;
}

std::string UnescapeString(std::string_view text, bool backslash_escapes) {
  if (text.size() < 2 || (text.front() != '\'' && text.front() != '"')) return std::string(text);
  const char quote = text.front();
  const std::string_view body = text.substr(1, text.size() - 2);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == quote && i + 1 < body.size() && body[i + 1] == quote) {
      out.push_back(quote);
      ++i;
    } else if (c == '\\' && backslash_escapes && i + 1 < body.size()) {
      const char e = body[++i];
      switch (e) {
        case '0':
          out.push_back('\0');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'Z':
          out.push_back('\x1a');
          break;
        case '%':
        case '_':  // kept escaped: they are LIKE wildcards
          out.push_back('\\');
          out.push_back(e);
          break;
        default:
          out.push_back(e);
          break;
      }
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace switchyard::proxy
