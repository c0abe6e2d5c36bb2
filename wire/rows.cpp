#include "wire/rows.h"

#include <fmt/format.h>

#include "wire/payload_reader.h"
#include "wire/payload_writer.h"

namespace switchyard::wire {

Result<TextRow> DecodeTextRow(BytesView payload, size_t num_columns) {
  PayloadReader r(payload, "text row");
  TextRow row;
  row.reserve(num_columns);
  for (size_t i = 0; i < num_columns && r.ok(); ++i) {
    if (r.Peek() == 0xFB && !r.at_end()) {
      r.Skip(1, "NULL");
      row.emplace_back(std::nullopt);
    } else {
      row.emplace_back(r.LenencString("column value"));
    }
  }
  r.ExpectEnd();
  if (!r.ok()) return r.status().error();
  return row;
}

Bytes EncodeTextRow(const std::vector<std::optional<std::string>>& values) {
  Bytes out;
  for (const auto& v : values) {
    if (v) {
      PutLenencString(out, *v);
    } else {
      PutU8(out, 0xFB);
    }
  }
  return out;
}

Result<BinaryRow> DecodeBinaryRow(BytesView payload, std::span<const ValueType> types) {
  PayloadReader r(payload, "binary row");
  uint8_t header = r.U8("header");
  if (r.ok() && header != 0x00) r.Fail(fmt::format("header 0x{:02x} is not 0x00", header));
  BytesView bitmap = r.FixedBytes((types.size() + 7 + 2) / 8, "null bitmap");
  BinaryRow row;
  for (size_t i = 0; i < types.size() && r.ok(); ++i) {
    size_t bit = i + 2;
    if ((bitmap[bit / 8] >> (bit % 8)) & 1) {
      row.emplace_back(std::monostate{});
    } else {
      row.push_back(ReadBinaryValue(r, types[i]));
    }
  }
  r.ExpectEnd();
  if (!r.ok()) return r.status().error();
  return row;
}

Bytes EncodeBinaryRow(std::span<const ValueType> types, const BinaryRow& values) {
  Bytes out = {0x00};
  Bytes bitmap((types.size() + 7 + 2) / 8, 0);
  for (size_t i = 0; i < values.size() && i < types.size(); ++i) {
    if (std::holds_alternative<std::monostate>(values[i])) {
      size_t bit = i + 2;
      bitmap[bit / 8] = static_cast<uint8_t>(bitmap[bit / 8] | (1 << (bit % 8)));
    }
  }
  PutBytes(out, bitmap);
  for (size_t i = 0; i < values.size() && i < types.size(); ++i) {
    if (!std::holds_alternative<std::monostate>(values[i]))
      WriteBinaryValue(out, types[i], values[i]);
  }
  return out;
}

}  // namespace switchyard::wire
