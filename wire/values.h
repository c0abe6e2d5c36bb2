// Binary-protocol values (COM_STMT_EXECUTE parameters, binary result rows): one variant type and
// the per-type codec. Strings are owned copies; NULL is std::monostate.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "wire/bytes.h"
#include "wire/capabilities.h"
#include "wire/payload_reader.h"

namespace switchyard::wire {

struct MysqlDateTime {  // DATE, DATETIME, TIMESTAMP
  uint16_t year = 0;
  uint8_t month = 0, day = 0, hour = 0, minute = 0, second = 0;
  uint32_t microsecond = 0;
  bool operator==(const MysqlDateTime&) const = default;
};

struct MysqlTime {  // TIME
  bool negative = false;
  uint32_t days = 0;
  uint8_t hour = 0, minute = 0, second = 0;
  uint32_t microsecond = 0;
  bool operator==(const MysqlTime&) const = default;
};

using BinaryValue = std::variant<std::monostate, int64_t, uint64_t, float, double, std::string,
                                 MysqlDateTime, MysqlTime>;

// A parameter's or column's wire type: the type byte plus the unsigned flag.
struct ValueType {
  FieldType type = FieldType::kVarString;
  bool is_unsigned = false;
  bool operator==(const ValueType&) const = default;
};

// Reads one non-NULL value of `type` (integers come back as int64_t, or uint64_t if unsigned).
// Errors are recorded in the reader (truncation, bad temporal length, unknown type).
BinaryValue ReadBinaryValue(PayloadReader& r, ValueType type);
// Appends `value` encoded as `type` (must not be monostate: NULLs live in the null bitmap).
// Integers/floats are converted to the type's width; strings are written as lenenc strings.
void WriteBinaryValue(Bytes& out, ValueType type, const BinaryValue& value);

}  // namespace switchyard::wire
