// MySQL binary JSON (the storage format of JSON columns in row events) -> JSON text, and the
// partial-update diff vector of PARTIAL_UPDATE_ROWS events -> readable text.
// Bounds-checked and depth-limited: malformed input is an Error, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace switchyard::binlog {

// Renders like MySQL: {"a": 1, "b": [true, null]}. An empty value renders as "null".
Result<std::string> JsonBinaryToText(std::string_view binary);

// Renders each diff as "REPLACE $.path <json>", "INSERT ...", "REMOVE $.path", joined by "; ".
Result<std::string> JsonDiffToText(std::string_view diffs);

}  // namespace switchyard::binlog
