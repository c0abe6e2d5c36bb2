// Protocol::ColumnDefinition41 (result-set metadata and prepared-statement parameter/column
// definitions), with MariaDB's extended metadata field when MARIADB_CLIENT_EXTENDED_METADATA is
// negotiated, and COM_FIELD_LIST's trailing default values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"
#include "wire/values.h"

namespace switchyard::wire {

struct ColumnDefinition41 {
  std::string catalog = "def";
  std::string schema;
  std::string table;
  std::string org_table;
  std::string name;
  std::string org_name;
  std::string extended_metadata;  // MariaDB, only with kMariadbExtendedMetadata
  uint16_t charset = kCharsetUtf8mb4GeneralCi;
  uint32_t column_length = 0;
  FieldType type = FieldType::kVarString;
  uint16_t flags = 0;
  uint8_t decimals = 0;
  std::optional<std::string> default_values;  // COM_FIELD_LIST responses only

  // `caps`: negotiated capabilities; `field_list`: decoding a COM_FIELD_LIST response.
  static Result<ColumnDefinition41> Decode(BytesView payload, Capabilities caps,
                                           bool field_list = false);
  Bytes Encode(Capabilities caps) const;
  ValueType value_type() const { return {type, (flags & column_flag::kUnsigned) != 0}; }
  bool operator==(const ColumnDefinition41&) const = default;
};

}  // namespace switchyard::wire
