// JSON text for `binlog dump --json`, written straight into a TextWriter: byte-identical to
// what nlohmann::json::dump(-1, ' ', false, error_handler_t::replace) printed for the same
// values (the schema and its tests predate this writer), without building a json tree.
#pragma once

#include <cstdint>
#include <string_view>

#include "binlog/column_value.h"
#include "binlog/table_map.h"
#include "binlog/text_writer.h"

namespace switchyard::binlog {

// A JSON string with quotes: ", \, controls escaped (\n, \u001f, ...); valid UTF-8 copied as
// is; invalid UTF-8 replaced with U+FFFD the way nlohmann's replace handler does.
void WriteJsonString(TextWriter& w, std::string_view s);

// A double as nlohmann prints it (shortest round-trip, "1.0" for integral values), or null
// when not finite.
void WriteJsonDouble(TextWriter& w, double v);

// The typed JSON value of a column (see ColumnValueToJson in value_format.h for the mapping).
void WriteValueJson(TextWriter& w, const ColumnValue& value, const ColumnDef& col);

}  // namespace switchyard::binlog
