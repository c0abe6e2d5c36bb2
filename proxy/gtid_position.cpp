#include "proxy/gtid_position.h"

#include <charconv>

namespace switchyard::proxy {
namespace {

template <class T>
bool ParseNumber(std::string_view& s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p == s.data()) return false;
  s.remove_prefix(p - s.data());
  return true;
}

bool Expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

void TrimSpaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
}

}  // namespace

std::optional<std::vector<GtidPoint>> ParseGtidPosition(std::string_view text) {
  std::vector<GtidPoint> out;
  TrimSpaces(text);
  if (text.empty()) return out;
  for (;;) {
    TrimSpaces(text);
    GtidPoint g;
    if (!ParseNumber(text, g.domain) || !Expect(text, '-') || !ParseNumber(text, g.server_id) ||
        !Expect(text, '-') || !ParseNumber(text, g.seq))
      return std::nullopt;
    out.push_back(g);
    TrimSpaces(text);
    if (text.empty()) return out;
    if (!Expect(text, ',')) return std::nullopt;
  }
}

bool PositionCovers(const std::vector<GtidPoint>& position, const GtidPoint& write) {
  for (const auto& p : position)
    if (p.domain == write.domain) return p.seq >= write.seq;
  return false;
}

}  // namespace switchyard::proxy
