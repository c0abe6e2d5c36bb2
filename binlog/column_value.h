// ColumnValue: one decoded column of a row image, as a small trivially-copyable variant.
// Strings, JSON, decimals and geometry are views into the event buffer (no per-value heap
// allocation); the caller keeps that buffer alive while it uses the values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::binlog {

// MySQL enum_field_types codes as they appear in TABLE_MAP events.
namespace coltype {
inline constexpr uint8_t kDecimal = 0, kTiny = 1, kShort = 2, kLong = 3, kFloat = 4, kDouble = 5,
                         kNull = 6, kTimestamp = 7, kLongLong = 8, kInt24 = 9, kDate = 10,
                         kTime = 11, kDateTime = 12, kYear = 13, kNewDate = 14, kVarchar = 15,
                         kBit = 16, kTimestamp2 = 17, kDateTime2 = 18, kTime2 = 19,
                         kTypedArray = 20, kBlobCompressed = 140, kVarcharCompressed = 141,
                         kVector = 242, kJson = 245, kNewDecimal = 246, kEnum = 247, kSet = 248,
                         kTinyBlob = 249, kMediumBlob = 250, kLongBlob = 251, kBlob = 252,
                         kVarString = 253, kString = 254, kGeometry = 255;
}  // namespace coltype

struct AbsentValue {};  // column not present in this row image (partial column bitmap)
struct NullValue {};
struct DecimalValue {
  std::span<const uint8_t> bin;  // MySQL binary decimal
  uint8_t precision = 0;
  uint8_t scale = 0;
  std::string ToString() const;  // "-12.3400"
};
struct DateValue {
  uint16_t year = 0;
  uint8_t month = 0, day = 0;
};
struct TimeValue {
  bool negative = false;
  uint32_t hour = 0;  // may exceed 23 (TIME range is +-838:59:59)
  uint8_t minute = 0, second = 0;
  uint32_t micros = 0;
  uint8_t fsp = 0;  // fractional digits declared by the column
};
struct DateTimeValue {
  uint16_t year = 0;
  uint8_t month = 0, day = 0, hour = 0, minute = 0, second = 0;
  uint32_t micros = 0;
  uint8_t fsp = 0;
};
struct TimestampValue {
  uint32_t seconds = 0;  // since the epoch, UTC
  uint32_t micros = 0;
  uint8_t fsp = 0;
};
struct YearValue {
  uint16_t year = 0;  // 0 or 1901..2155
};
struct StringValue {
  std::string_view bytes;  // CHAR/VARCHAR/BINARY/VARBINARY/TEXT/BLOB, charset per column
};
struct EnumValue {
  uint16_t index = 0;  // 1-based, 0 = the empty error value
};
struct SetValue {
  uint64_t bits = 0;
  uint8_t bytes = 0;
};
struct BitValue {
  uint64_t bits = 0;
  uint16_t nbits = 0;
};
struct JsonValue {
  std::string_view binary;  // MySQL binary JSON; see json_binary.h
};
struct JsonDiffValue {
  std::string_view diffs;  // PARTIAL_UPDATE_ROWS JSON diff vector; see json_binary.h
};
struct GeometryValue {
  std::string_view bytes;  // 4-byte SRID + WKB
};
struct VectorValue {
  std::string_view bytes;  // little-endian float32 array
};
struct CompressedValue {
  std::string_view bytes;  // MariaDB COMPRESSED column, still compressed
};

using ColumnValue = std::variant<AbsentValue, NullValue, int64_t, uint64_t, float, double,
                                 DecimalValue, DateValue, TimeValue, DateTimeValue, TimestampValue,
                                 YearValue, StringValue, EnumValue, SetValue, BitValue, JsonValue,
                                 JsonDiffValue, GeometryValue, VectorValue, CompressedValue>;

}  // namespace switchyard::binlog
