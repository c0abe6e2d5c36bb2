#include "binlog/gtid_set.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace switchyard::binlog {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? p : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool ParseU64(std::string_view s, uint64_t* out) {
  s = Trim(s);
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsTagStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsTagChar(char c) {
  return IsTagStart(c) || (c >= '0' && c <= '9');
}

// Inserts [start, end] into a sorted disjoint interval list, merging neighbours.
void InsertInterval(std::vector<MysqlGtidSet::Interval>& v, uint64_t start, uint64_t end) {
  auto it = std::lower_bound(v.begin(), v.end(), start,
                             [](const auto& iv, uint64_t s) { return iv.end + 1 < s; });
  // `it` is the first interval that touches or follows [start, end].
  auto last = it;
  while (last != v.end() && last->start <= end + 1) {
    start = std::min(start, last->start);
    end = std::max(end, last->end);
    ++last;
  }
  it = v.erase(it, last);
  v.insert(it, {start, end});
}

std::vector<MysqlGtidSet::Interval> SubtractIntervals(
    const std::vector<MysqlGtidSet::Interval>& a, const std::vector<MysqlGtidSet::Interval>& b) {
  std::vector<MysqlGtidSet::Interval> out;
  size_t j = 0;
  for (auto iv : a) {
    uint64_t cur = iv.start;
    bool done = false;
    while (j < b.size() && b[j].end < cur) ++j;
    for (size_t k = j; k < b.size() && b[k].start <= iv.end; ++k) {
      if (b[k].start > cur) out.push_back({cur, b[k].start - 1});
      if (b[k].end >= iv.end) {
        done = true;
        break;
      }
      cur = std::max(cur, b[k].end + 1);
    }
    if (!done) out.push_back({cur, iv.end});
  }
  return out;
}

bool IntervalsContain(const std::vector<MysqlGtidSet::Interval>& v, uint64_t start, uint64_t end) {
  auto it = std::upper_bound(v.begin(), v.end(), start,
                             [](uint64_t s, const auto& iv) { return s < iv.start; });
  if (it == v.begin()) return false;
  --it;
  return it->start <= start && end <= it->end;
}

}  // namespace

Result<std::string> NormalizeGtidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxGtidTagLength || !IsTagStart(tag[0]) ||
      !std::all_of(tag.begin(), tag.end(), IsTagChar)) {
    return MakeError(fmt::format(
        "malformed GTID tag '{}' (want [a-z_][a-z0-9_]{{0,31}}, case-insensitive)", tag));
  }
  std::string out(tag);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string MysqlGtid::ToString() const {
  if (!tag.empty()) return fmt::format("{}:{}:{}", uuid.ToString(), tag, gno);
  return fmt::format("{}:{}", uuid.ToString(), gno);
}

const char* GtidOrderName(GtidOrder o) {
  switch (o) {
    case GtidOrder::kEqual:
      return "equal";
    case GtidOrder::kAhead:
      return "ahead";
    case GtidOrder::kBehind:
      return "behind";
    case GtidOrder::kDiverged:
      return "diverged";
  }
  return "?";
}

std::string Uuid::ToString() const {
  std::string s;
  s.reserve(36);
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 15]);
  }
  return s;
}

Result<Uuid> Uuid::Parse(std::string_view text) {
  Uuid u;
  size_t n = 0;
  int hi = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-') {
      if (i != 8 && i != 13 && i != 18 && i != 23) break;
      continue;
    }
    int h = HexValue(c);
    if (h < 0 || n >= 16) return MakeError(fmt::format("malformed UUID '{}'", text));
    if (hi < 0) {
      hi = h;
    } else {
      u.bytes[n++] = static_cast<uint8_t>(hi << 4 | h);
      hi = -1;
    }
  }
  if (n != 16 || hi >= 0 || text.size() != 36) {
    return MakeError(fmt::format("malformed UUID '{}'", text));
  }
  return u;
}

Result<MysqlGtidSet> MysqlGtidSet::Parse(std::string_view text) {
  MysqlGtidSet set;
  text = Trim(text);
  if (text.empty()) return set;
  for (std::string_view element : Split(text, ',')) {
    element = Trim(element);
    if (element.empty()) return MakeError(fmt::format("empty element in GTID set '{}'", text));
    auto parts = Split(element, ':');
    auto uuid = Uuid::Parse(Trim(parts[0]));
    if (!uuid.ok()) return uuid.error();
    if (parts.size() < 2) {
      return MakeError(fmt::format("GTID set element '{}' has no intervals", element));
    }
    std::string tag;
    bool tag_needs_intervals = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view p = Trim(parts[i]);
      // Intervals start with a digit; anything else is meant as a tag.
      if (!p.empty() && !std::isdigit(static_cast<unsigned char>(p.front()))) {
        if (tag_needs_intervals) {
          return MakeError(fmt::format("GTID tag '{}' in '{}' has no intervals", tag, element));
        }
        auto normal = NormalizeGtidTag(p);
        if (!normal) return normal.error();
        tag = std::move(*normal);
        tag_needs_intervals = true;
        continue;
      }
      tag_needs_intervals = false;
      uint64_t start = 0, end = 0;
      size_t dash = p.find('-');
      bool good = dash == std::string_view::npos
                      ? ParseU64(p, &start) && (end = start, true)
                      : ParseU64(p.substr(0, dash), &start) && ParseU64(p.substr(dash + 1), &end);
      if (!good || start == 0 || end < start || end > kMaxGno) {
        return MakeError(fmt::format("malformed GTID interval '{}' in '{}'", p, element));
      }
      set.AddInterval(*uuid, start, end, tag);
    }
    if (tag_needs_intervals) {
      return MakeError(fmt::format("GTID tag '{}' in '{}' has no intervals", tag, element));
    }
  }
  return set;
}

std::string MysqlGtidSet::ToString() const {
  std::string out;
  const Uuid* prev_uuid = nullptr;
  for (const auto& [sid, ivs] : sets_) {
    if (prev_uuid && *prev_uuid == sid.first) {
      out += ':';
    } else {
      if (prev_uuid) out += ',';
      out += sid.first.ToString();
      out += ':';
    }
    prev_uuid = &sid.first;
    if (!sid.second.empty()) {
      out += sid.second;
      out += ':';
    }
    for (size_t i = 0; i < ivs.size(); ++i) {
      if (i) out += ':';
      if (ivs[i].start == ivs[i].end) {
        out += fmt::format("{}", ivs[i].start);
      } else {
        out += fmt::format("{}-{}", ivs[i].start, ivs[i].end);
      }
    }
  }
  return out;
}

void MysqlGtidSet::Add(const Uuid& uuid, uint64_t gno, std::string_view tag) {
  AddInterval(uuid, gno, gno, tag);
}

void MysqlGtidSet::AddInterval(const Uuid& uuid, uint64_t start, uint64_t end,
                               std::string_view tag) {
  if (end < start) return;
  InsertInterval(sets_[Sid(uuid, std::string(tag))], start, end);
}

void MysqlGtidSet::Union(const MysqlGtidSet& other) {
  for (const auto& [sid, ivs] : other.sets_) {
    auto& mine = sets_[sid];
    for (const auto& iv : ivs) InsertInterval(mine, iv.start, iv.end);
  }
}

void MysqlGtidSet::Subtract(const MysqlGtidSet& other) {
  for (const auto& [sid, ivs] : other.sets_) {
    auto it = sets_.find(sid);
    if (it == sets_.end()) continue;
    it->second = SubtractIntervals(it->second, ivs);
    if (it->second.empty()) sets_.erase(it);
  }
}

bool MysqlGtidSet::Contains(const MysqlGtidSet& other) const {
  for (const auto& [sid, ivs] : other.sets_) {
    auto it = sets_.find(sid);
    if (it == sets_.end()) return false;
    for (const auto& iv : ivs) {
      if (!IntervalsContain(it->second, iv.start, iv.end)) return false;
    }
  }
  return true;
}

bool MysqlGtidSet::Contains(const Uuid& uuid, uint64_t gno, std::string_view tag) const {
  auto it = sets_.find(Sid(uuid, std::string(tag)));
  return it != sets_.end() && IntervalsContain(it->second, gno, gno);
}

const std::vector<MysqlGtidSet::Interval>* MysqlGtidSet::Intervals(const Uuid& uuid,
                                                                   std::string_view tag) const {
  auto it = sets_.find(Sid(uuid, std::string(tag)));
  return it == sets_.end() ? nullptr : &it->second;
}

uint64_t MysqlGtidSet::Count() const {
  uint64_t n = 0;
  for (const auto& [sid, ivs] : sets_) {
    for (const auto& iv : ivs) n += iv.end - iv.start + 1;
  }
  return n;
}

template <class Set>
static GtidOrder CompareSets(const Set& a, const Set& b) {
  bool a_has_b = a.Contains(b);
  bool b_has_a = b.Contains(a);
  if (a_has_b && b_has_a) return GtidOrder::kEqual;
  if (a_has_b) return GtidOrder::kAhead;
  if (b_has_a) return GtidOrder::kBehind;
  return GtidOrder::kDiverged;
}

GtidOrder Compare(const MysqlGtidSet& a, const MysqlGtidSet& b) {
  return CompareSets(a, b);
}

std::string MariadbGtid::ToString() const {
  return fmt::format("{}-{}-{}", domain_id, server_id, seq_no);
}

Result<MariadbGtid> MariadbGtid::Parse(std::string_view text) {
  text = Trim(text);
  auto parts = Split(text, '-');
  uint64_t d = 0, s = 0, q = 0;
  if (parts.size() != 3 || !ParseU64(parts[0], &d) || !ParseU64(parts[1], &s) ||
      !ParseU64(parts[2], &q) || d > UINT32_MAX || s > UINT32_MAX) {
    return MakeError(fmt::format("malformed MariaDB GTID '{}'", text));
  }
  return MariadbGtid{static_cast<uint32_t>(d), static_cast<uint32_t>(s), q};
}

Result<MariadbGtidPos> MariadbGtidPos::Parse(std::string_view text) {
  MariadbGtidPos pos;
  text = Trim(text);
  if (text.empty()) return pos;
  for (std::string_view element : Split(text, ',')) {
    auto gtid = MariadbGtid::Parse(element);
    if (!gtid.ok()) return gtid.error();
    if (pos.domains_.count(gtid->domain_id)) {
      return MakeError(fmt::format("domain {} appears twice in '{}'", gtid->domain_id, text));
    }
    pos.domains_[gtid->domain_id] = *gtid;
  }
  return pos;
}

std::string MariadbGtidPos::ToString() const {
  std::string out;
  for (const auto& [d, g] : domains_) {
    if (!out.empty()) out += ',';
    out += g.ToString();
  }
  return out;
}

void MariadbGtidPos::Update(const MariadbGtid& gtid) {
  auto [it, inserted] = domains_.try_emplace(gtid.domain_id, gtid);
  if (!inserted && gtid.seq_no > it->second.seq_no) it->second = gtid;
}

void MariadbGtidPos::Union(const MariadbGtidPos& other) {
  for (const auto& [d, g] : other.domains_) Update(g);
}

void MariadbGtidPos::Subtract(const MariadbGtidPos& other) {
  for (auto it = domains_.begin(); it != domains_.end();) {
    auto o = other.domains_.find(it->first);
    if (o != other.domains_.end() && o->second.seq_no >= it->second.seq_no) {
      it = domains_.erase(it);
    } else {
      ++it;
    }
  }
}

bool MariadbGtidPos::Contains(const MariadbGtidPos& other) const {
  for (const auto& [d, g] : other.domains_) {
    if (!Contains(g)) return false;
  }
  return true;
}

bool MariadbGtidPos::Contains(const MariadbGtid& gtid) const {
  auto it = domains_.find(gtid.domain_id);
  return it != domains_.end() && it->second.seq_no >= gtid.seq_no;
}

GtidOrder Compare(const MariadbGtidPos& a, const MariadbGtidPos& b) {
  return CompareSets(a, b);
}

}  // namespace switchyard::binlog
