// Text renderings of decoded column values:
//  - FormatValueMariadbStyle: exactly what `mariadb-binlog -vv` prints after "@N=" (used by the
//    dump command's row lines and by the tests that compare against reference decodes);
//  - ColumnValueToJson: a typed JSON value for `binlog dump --json`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "binlog/column_value.h"
#include "binlog/table_map.h"
#include "binlog/text_writer.h"

namespace switchyard::binlog {

// Writes the mariadb-binlog rendering of `value` (a column of type `col`): the dump's hot path.
void WriteValueMariadbStyle(TextWriter& w, const ColumnValue& value, const ColumnDef& col);

// The same, appended to a string (tests, fuzzers, JSON temporal values).
void AppendValueMariadbStyle(std::string& out, const ColumnValue& value, const ColumnDef& col);
inline std::string FormatValueMariadbStyle(const ColumnValue& value, const ColumnDef& col) {
  std::string s;
  AppendValueMariadbStyle(s, value, col);
  return s;
}

// Numbers as numbers, temporal values as ISO-like strings, JSON columns as parsed JSON, text as
// strings (invalid UTF-8 and binary columns as {"hex": "..."}), NULL as null.
nlohmann::json ColumnValueToJson(const ColumnValue& value, const ColumnDef& col);

}  // namespace switchyard::binlog
