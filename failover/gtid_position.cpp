#include "failover/gtid_position.h"

#include <charconv>

namespace switchyard::failover {
namespace {

template <class T>
bool ParseNumber(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<GtidPosition> GtidPosition::Parse(std::string_view text) {
  GtidPosition out;
  size_t offset = 0;
  while (offset <= text.size()) {
    size_t comma = text.find(',', offset);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view entry = Trim(text.substr(offset, comma - offset));
    if (!entry.empty()) {
      size_t d1 = entry.find('-');
      size_t d2 = d1 == std::string_view::npos ? d1 : entry.find('-', d1 + 1);
      uint32_t domain = 0;
      GtidEntry e;
      if (d2 == std::string_view::npos || !ParseNumber(entry.substr(0, d1), domain) ||
          !ParseNumber(entry.substr(d1 + 1, d2 - d1 - 1), e.server_id) ||
          !ParseNumber(entry.substr(d2 + 1), e.seq)) {
        return MakeError("gtid position: bad entry '" + std::string(entry) + "' at offset " +
                         std::to_string(offset));
      }
      if (out.domains_.count(domain)) {
        return MakeError("gtid position: domain " + std::to_string(domain) + " twice at offset " +
                         std::to_string(offset));
      }
      out.domains_[domain] = e;
    }
    offset = comma + 1;
  }
  return out;
}

uint64_t GtidPosition::SeqIn(uint32_t domain) const {
  auto it = domains_.find(domain);
  return it == domains_.end() ? 0 : it->second.seq;
}

uint64_t GtidPosition::TotalSeq() const {
  uint64_t total = 0;
  for (const auto& [domain, e] : domains_) total += e.seq;
  return total;
}

std::string GtidPosition::ToString() const {
  std::string out;
  for (const auto& [domain, e] : domains_) {
    if (!out.empty()) out += ',';
    out += std::to_string(domain) + "-" + std::to_string(e.server_id) + "-" + std::to_string(e.seq);
  }
  return out;
}

bool GtidPosition::Covers(const GtidPosition& other) const {
  for (const auto& [domain, e] : other.domains_) {
    if (SeqIn(domain) < e.seq) return false;
  }
  return true;
}

std::string GtidPosition::Beyond(const GtidPosition& reference) const {
  std::string out;
  for (const auto& [domain, e] : domains_) {
    auto it = reference.domains_.find(domain);
    bool errant = it == reference.domains_.end() || e.seq > it->second.seq ||
                  (e.seq == it->second.seq && e.server_id != it->second.server_id);
    if (!errant) continue;
    if (!out.empty()) out += ',';
    out += std::to_string(domain) + "-" + std::to_string(e.server_id) + "-" + std::to_string(e.seq);
  }
  return out;
}

}  // namespace switchyard::failover
