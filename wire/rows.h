// Result-set rows: text protocol (lenenc strings, 0xFB = NULL) and binary protocol (0x00 header,
// NULL bitmap with a 2-bit offset, typed values). The proxy streams rows without decoding them;
// these exist for tests and for features that must look inside results.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "wire/bytes.h"
#include "wire/values.h"

namespace switchyard::wire {

// Values view into `payload` (valid while it is); nullopt = NULL.
using TextRow = std::vector<std::optional<std::string_view>>;
Result<TextRow> DecodeTextRow(BytesView payload, size_t num_columns);
Bytes EncodeTextRow(const std::vector<std::optional<std::string>>& values);

using BinaryRow = std::vector<BinaryValue>;
Result<BinaryRow> DecodeBinaryRow(BytesView payload, std::span<const ValueType> column_types);
Bytes EncodeBinaryRow(std::span<const ValueType> column_types, const BinaryRow& values);

}  // namespace switchyard::wire
