#include "wire/column_definition.h"

#include "wire/payload_reader.h"
#include "wire/payload_writer.h"

namespace switchyard::wire {

Result<ColumnDefinition41> ColumnDefinition41::Decode(BytesView payload, Capabilities caps,
                                                      bool field_list) {
  PayloadReader r(payload, "column definition");
  ColumnDefinition41 c;
  c.catalog = std::string(r.LenencString("catalog"));
  c.schema = std::string(r.LenencString("schema"));
  c.table = std::string(r.LenencString("table"));
  c.org_table = std::string(r.LenencString("org_table"));
  c.name = std::string(r.LenencString("name"));
  c.org_name = std::string(r.LenencString("org_name"));
  if (Has(caps, cap::kMariadbExtendedMetadata)) {
    c.extended_metadata = std::string(r.LenencString("extended metadata"));
  }
  uint64_t fixed_len = r.Lenenc("length of fixed fields");
  if (r.ok() && fixed_len < 0x0c) r.Fail("length of fixed fields is below 12");
  size_t fixed_start = r.offset();
  c.charset = r.U16("character set");
  c.column_length = r.U32("column length");
  c.type = static_cast<FieldType>(r.U8("type"));
  c.flags = r.U16("flags");
  c.decimals = r.U8("decimals");
  // Skip the filler and anything a newer server added inside the fixed block.
  if (r.ok()) r.Skip(static_cast<size_t>(fixed_len) - (r.offset() - fixed_start), "filler");
  if (field_list && !r.at_end()) c.default_values = std::string(r.LenencString("default values"));
  if (!r.ok()) return r.status().error();
  return c;
}

Bytes ColumnDefinition41::Encode(Capabilities caps) const {
  Bytes out;
  PutLenencString(out, catalog);
  PutLenencString(out, schema);
  PutLenencString(out, table);
  PutLenencString(out, org_table);
  PutLenencString(out, name);
  PutLenencString(out, org_name);
  if (Has(caps, cap::kMariadbExtendedMetadata)) PutLenencString(out, extended_metadata);
  PutLenenc(out, 0x0c);
  PutU16(out, charset);
  PutU32(out, column_length);
  PutU8(out, static_cast<uint8_t>(type));
  PutU16(out, flags);
  PutU8(out, decimals);
  PutU16(out, 0);
  if (default_values) PutLenencString(out, *default_values);
  return out;
}

}  // namespace switchyard::wire
