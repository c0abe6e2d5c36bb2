#include "proxy/sql/route_hint.h"

#include <charconv>

#include "proxy/sql/sql_tokenizer.h"

namespace switchyard::proxy {
namespace {

constexpr std::string_view kPrefix = "switchyard:";

bool IsSeparator(char c) {
  return c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view lower_prefix) {
  return text.size() >= lower_prefix.size() &&
         EqualsIgnoreCase(text.substr(0, lower_prefix.size()), lower_prefix);
}

// Position of "switchyard:" in `body` (ASCII case-insensitive), or npos.
size_t FindPrefix(std::string_view body) {
  for (size_t i = 0; i + kPrefix.size() <= body.size(); ++i) {
    if ((body[i] == 's' || body[i] == 'S') && StartsWithIgnoreCase(body.substr(i), kPrefix)) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string_view CommentBody(std::string_view comment) {
  if (comment.size() >= 4 && comment.substr(0, 2) == "/*" &&
      comment.substr(comment.size() - 2) == "*/") {
    comment = comment.substr(2, comment.size() - 4);
    if (!comment.empty() && comment.front() == '+') comment.remove_prefix(1);  // optimizer hint
    return comment;
  }
  if (comment.substr(0, 2) == "--") return comment.substr(2);
  if (comment.substr(0, 1) == "#") return comment.substr(1);
  return comment;
}

// Applies one key=value item; false if it is not a known, well-formed item.
bool ApplyItem(std::string_view key, std::string_view value, RouteHint& hint) {
  if (EqualsIgnoreCase(key, "route")) {
    if (EqualsIgnoreCase(value, "master")) {
      hint.target = RouteHint::Target::kMaster;
      hint.server.clear();
      return true;
    }
    if (EqualsIgnoreCase(value, "replica")) {
      hint.target = RouteHint::Target::kReplica;
      hint.server.clear();
      return true;
    }
    if (StartsWithIgnoreCase(value, "server:") && value.size() > 7) {
      hint.target = RouteHint::Target::kServer;
      hint.server.assign(value.substr(7));
      return true;
    }
    return false;
  }
  if (EqualsIgnoreCase(key, "max_lag_ms")) {
    uint32_t ms = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc() || end != value.data() + value.size()) return false;
    hint.max_lag_ms = ms;
    return true;
  }
  return false;
}

}  // namespace

bool ParseHintComment(std::string_view comment, RouteHint& hint) {
  std::string_view body = CommentBody(comment);
  const size_t start = FindPrefix(body);
  if (start == std::string_view::npos) return false;
  body.remove_prefix(start);
  while (!body.empty()) {
    while (!body.empty() && IsSeparator(body.front())) body.remove_prefix(1);
    if (StartsWithIgnoreCase(body, kPrefix)) body.remove_prefix(kPrefix.size());
    size_t item_end = 0;
    while (item_end < body.size() && !IsSeparator(body[item_end])) ++item_end;
    const std::string_view item = body.substr(0, item_end);
    body.remove_prefix(item_end);
    if (item.empty()) break;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) break;  // prose after the hints
    if (!ApplyItem(item.substr(0, eq), item.substr(eq + 1), hint)) hint.malformed = true;
  }
  return true;
}

std::string_view ToString(RouteHint::Target target) {
  switch (target) {
    case RouteHint::Target::kNone:
      return "none";
    case RouteHint::Target::kMaster:
      return "master";
    case RouteHint::Target::kReplica:
      return "replica";
    case RouteHint::Target::kServer:
      return "server";
  }
  return "none";
}

}  // namespace switchyard::proxy
