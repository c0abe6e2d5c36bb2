#include "binlog/gtid_set_encoding.h"

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/mysql_serialization.h"

namespace switchyard::binlog {
namespace {

void PutU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Error Truncated(const ByteReader& r, const char* what) {
  return MakeError(
      fmt::format("GTID set encoding truncated reading {} at offset {}", what, r.failed_at()));
}

}  // namespace

GtidSetFormat EncodingFormatFor(const MysqlGtidSet& set) {
  for (const auto& [sid, intervals] : set.sets()) {
    if (!sid.second.empty()) return GtidSetFormat::kTagged;
  }
  return GtidSetFormat::kUntagged;
}

void AppendGtidSetEncoding(std::vector<uint8_t>& out, const MysqlGtidSet& set) {
  const GtidSetFormat format = EncodingFormatFor(set);
  const uint64_t count = set.sets().size();
  if (format == GtidSetFormat::kTagged) {
    // The format byte sits in the top byte and, for the tagged format, in the low byte too.
    PutU64(out, uint64_t{1} << 56 | count << 8 | 1);
  } else {
    PutU64(out, count);
  }
  // sets() is ordered by (uuid, tag): the order MySQL's sorted sidno map writes in.
  for (const auto& [sid, intervals] : set.sets()) {
    out.insert(out.end(), sid.first.bytes.begin(), sid.first.bytes.end());
    if (format == GtidSetFormat::kTagged) {
      AppendVarUint(out, sid.second.size());
      out.insert(out.end(), sid.second.begin(), sid.second.end());
    }
    PutU64(out, intervals.size());
    for (const auto& iv : intervals) {
      PutU64(out, iv.start);
      PutU64(out, iv.end + 1);  // the encoding is half-open
    }
  }
}

Result<DecodedGtidSet> DecodeGtidSetEncoding(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  DecodedGtidSet out;
  const uint64_t head = r.U64();
  if (!r.ok()) return Truncated(r, "the sid count");
  const uint8_t format = static_cast<uint8_t>(head >> 56);
  uint64_t n_sids = 0;
  if (format == 0) {
    n_sids = head;
  } else if (format == 1) {
    out.format = GtidSetFormat::kTagged;
    n_sids = (head >> 8) & 0xffffffffffffULL;
  } else {
    return MakeError(fmt::format("GTID set encoding: unknown format {} at offset 7", format));
  }
  // Every entry needs at least 24 bytes: a larger count is garbage, not a loop.
  if (n_sids > r.remaining() / 24) {
    return MakeError(
        fmt::format("GTID set encoding: {} sids cannot fit in {} bytes", n_sids, r.remaining()));
  }
  for (uint64_t i = 0; i < n_sids; ++i) {
    Uuid uuid;
    auto raw = r.Bytes(16);
    if (!r.ok()) return Truncated(r, "a uuid");
    std::copy(raw.begin(), raw.end(), uuid.bytes.begin());
    std::string tag;
    if (out.format == GtidSetFormat::kTagged) {
      const size_t tag_at = r.offset();
      const uint64_t tag_len = ReadVarUint(r);
      if (!r.ok()) return Truncated(r, "a tag length");
      if (tag_len > kMaxGtidTagLength) {
        return MakeError(
            fmt::format("GTID set encoding: tag of {} bytes at offset {}", tag_len, tag_at));
      }
      tag = std::string(r.String(tag_len));
      if (!r.ok()) return Truncated(r, "a tag");
      if (!tag.empty()) {
        auto normal = NormalizeGtidTag(tag);
        if (!normal) {
          return MakeError(
              fmt::format("GTID set encoding: {} at offset {}", normal.error().message, tag_at));
        }
        tag = std::move(*normal);
      }
    }
    const uint64_t n_intervals = r.U64();
    if (!r.ok()) return Truncated(r, "an interval count");
    if (n_intervals > r.remaining() / 16) {
      return MakeError(fmt::format("GTID set encoding: {} intervals at offset {} cannot fit",
                                   n_intervals, r.offset() - 8));
    }
    uint64_t last_end = 0;
    for (uint64_t k = 0; k < n_intervals; ++k) {
      const size_t at = r.offset();
      const uint64_t start = r.U64();
      const uint64_t end = r.U64();  // exclusive
      // As the server requires: 0 < start < end, ascending and disjoint, gnos below 2^63.
      if (start == 0 || end <= start || start <= last_end || end > kMaxGno + 1) {
        return MakeError(
            fmt::format("GTID set encoding: bad interval [{}, {}) at offset {}", start, end, at));
      }
      last_end = end;
      out.set.AddInterval(uuid, start, end - 1, tag);
    }
  }
  out.consumed = r.offset();
  return out;
}

}  // namespace switchyard::binlog
