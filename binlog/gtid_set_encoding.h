// MySQL's binary GTID-set encoding (Gtid_set::encode / add_gtid_encoding), shared by the
// PREVIOUS_GTIDS event and COM_BINLOG_DUMP_GTID's sid block.
// Untagged format: u64 sid count, then per uuid: 16 bytes, u64 interval count, [start, end)
// u64 pairs. Tagged format (MySQL 8.3+, used when any tag is present): the first u64 is
// (1 << 56) | (count << 8) | 1, and every entry carries its tag (varlen length, lower-case
// bytes; length 0 when untagged) after the uuid; a uuid appears once per tag. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "binlog/gtid_set.h"

namespace switchyard::binlog {

enum class GtidSetFormat : uint8_t { kUntagged = 0, kTagged = 1 };

// The format MySQL picks for `set`: tagged as soon as one source has a tag.
GtidSetFormat EncodingFormatFor(const MysqlGtidSet& set);

// Appends the encoding of `set` (in EncodingFormatFor(set)) to `out`.
void AppendGtidSetEncoding(std::vector<uint8_t>& out, const MysqlGtidSet& set);

struct DecodedGtidSet {
  MysqlGtidSet set;
  GtidSetFormat format = GtidSetFormat::kUntagged;
  size_t consumed = 0;  // bytes of the encoding; the caller decides what trailing bytes mean
};

// Errors name what is wrong and its offset in `bytes`: unknown format byte, counts that cannot
// fit, bad or unordered intervals, malformed tags, truncation.
Result<DecodedGtidSet> DecodeGtidSetEncoding(std::span<const uint8_t> bytes);

}  // namespace switchyard::binlog
