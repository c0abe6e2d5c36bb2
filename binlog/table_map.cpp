#include "binlog/table_map.h"

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/column_value.h"

namespace switchyard::binlog {

namespace {

// Optional metadata field types (MySQL 8.0 Table_map_event::Optional_metadata_field_type).
enum : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
  kVectorDimensionality = 13,
};

// Number of metadata bytes a column type carries in the TABLE_MAP; -1 = ambiguous
// (MariaDB hi-res temporal types carry 1 byte, MySQL's old ones none).
int MetaLength(uint8_t type) {
  using namespace coltype;
  switch (type) {
    case kFloat:
    case kDouble:
    case kBlob:
    case kTinyBlob:
    case kMediumBlob:
    case kLongBlob:
    case kJson:
    case kGeometry:
    case kTimestamp2:
    case kDateTime2:
    case kTime2:
    case kBlobCompressed:
    case kVector:
      return 1;
    case kVarchar:
    case kVarString:
    case kBit:
    case kNewDecimal:
    case kString:
    case kEnum:
    case kSet:
    case kVarcharCompressed:
      return 2;
    case kTimestamp:
    case kTime:
    case kDateTime:
      return -1;
    default:
      return 0;
  }
}

bool IsNumeric(uint8_t t) {
  using namespace coltype;
  return t == kTiny || t == kShort || t == kInt24 || t == kLong || t == kLongLong ||
         t == kNewDecimal || t == kFloat || t == kDouble;
}
// Character columns for the charset metadata. MariaDB counts GEOMETRY among them, MySQL not.
bool IsCharacter(uint8_t t, bool with_geometry) {
  using namespace coltype;
  return t == kString || t == kVarString || t == kVarchar || t == kBlob || t == kTinyBlob ||
         t == kMediumBlob || t == kLongBlob || (with_geometry && t == kGeometry);
}
bool IsEnumOrSet(uint8_t t) {
  return t == coltype::kEnum || t == coltype::kSet;
}

// Reads `count` bits MSB-first from a bitmap.
bool BitMsb(std::span<const uint8_t> bm, size_t i) {
  return i / 8 < bm.size() && (bm[i / 8] >> (7 - i % 8)) & 1;
}

Status ParseOptionalMetadata(ByteReader& r, TableMap& tm, bool mariadb) {
  auto& cols = tm.columns;
  auto is_char = [mariadb](uint8_t t) { return IsCharacter(t, mariadb); };
  while (r.remaining() > 0) {
    uint8_t kind = r.U8();
    uint64_t len = r.PackedInt();
    if (!r.ok() || len > r.remaining()) {
      return MakeError(fmt::format("optional metadata field {} truncated", kind));
    }
    ByteReader f(r.Bytes(len));
    tm.optional_metadata_kinds.push_back(kind);
    switch (kind) {
      case kSignedness: {
        auto bm = f.Rest();
        size_t n = 0;
        for (auto& c : cols) {
          if (IsNumeric(c.real_type)) c.is_unsigned = BitMsb(bm, n++);
        }
        break;
      }
      case kDefaultCharset:
      case kEnumAndSetDefaultCharset: {
        bool enum_set = kind == kEnumAndSetDefaultCharset;
        uint64_t def = f.PackedInt();
        for (auto& c : cols) {
          if (enum_set ? IsEnumOrSet(c.real_type) : is_char(c.real_type)) {
            c.charset = static_cast<uint32_t>(def);
          }
        }
        // Then (character-column index, charset) pairs for the non-default ones.
        while (f.ok() && f.remaining() > 0) {
          uint64_t idx = f.PackedInt();
          uint64_t cs = f.PackedInt();
          size_t n = 0;
          for (auto& c : cols) {
            if (enum_set ? IsEnumOrSet(c.real_type) : is_char(c.real_type)) {
              if (n++ == idx) c.charset = static_cast<uint32_t>(cs);
            }
          }
        }
        break;
      }
      case kColumnCharset:
      case kEnumAndSetColumnCharset: {
        bool enum_set = kind == kEnumAndSetColumnCharset;
        std::vector<uint32_t> charsets;
        while (f.ok() && f.remaining() > 0)
          charsets.push_back(static_cast<uint32_t>(f.PackedInt()));
        size_t n = 0;
        for (auto& c : cols) {
          if ((enum_set ? IsEnumOrSet(c.real_type) : is_char(c.real_type)) && n < charsets.size()) {
            c.charset = charsets[n++];
          }
        }
        break;
      }
      case kColumnName:
        for (auto& c : cols) {
          if (f.remaining() == 0) break;
          c.name = std::string(f.String(f.PackedInt()));
        }
        break;
      case kSetStrValue:
      case kEnumStrValue: {
        uint8_t want = kind == kSetStrValue ? coltype::kSet : coltype::kEnum;
        for (auto& c : cols) {
          if (c.real_type != want || f.remaining() == 0) continue;
          uint64_t count = f.PackedInt();
          for (uint64_t i = 0; i < count && f.ok(); ++i) {
            c.enum_or_set_values.emplace_back(f.String(f.PackedInt()));
          }
        }
        break;
      }
      case kGeometryType:
        for (auto& c : cols) {
          if (c.real_type == coltype::kGeometry && f.remaining() > 0) {
            c.geometry_type = static_cast<uint8_t>(f.PackedInt());
          }
        }
        break;
      case kSimplePrimaryKey:
        while (f.ok() && f.remaining() > 0) {
          tm.primary_key.push_back(static_cast<uint32_t>(f.PackedInt()));
        }
        break;
      case kPrimaryKeyWithPrefix:
        while (f.ok() && f.remaining() > 0) {
          tm.primary_key.push_back(static_cast<uint32_t>(f.PackedInt()));
          f.PackedInt();  // prefix length
        }
        break;
      case kColumnVisibility: {
        auto bm = f.Rest();
        for (size_t i = 0; i < cols.size(); ++i) cols[i].visible = BitMsb(bm, i);
        break;
      }
      case kVectorDimensionality:
        for (auto& c : cols) {
          if (c.real_type == coltype::kVector && f.remaining() > 0) {
            c.vector_dimensions = static_cast<uint32_t>(f.PackedInt());
          }
        }
        break;
      default:
        break;  // unknown kinds are skipped by length
    }
    if (!f.ok()) return MakeError(fmt::format("optional metadata field {} malformed", kind));
  }
  return Status::Ok();
}

}  // namespace

std::string ColumnDef::TypeName() const {
  using namespace coltype;
  switch (real_type) {
    case kTiny:
      return "TINYINT";
    case kShort:
      return "SMALLINT";
    case kInt24:
      return "MEDIUMINT";
    case kLong:
      return "INT";
    case kLongLong:
      return "BIGINT";
    case kFloat:
      return "FLOAT";
    case kDouble:
      return "DOUBLE";
    case kNewDecimal:
      return fmt::format("DECIMAL({},{})", meta >> 8, meta & 0xff);
    case kTimestamp:
    case kTimestamp2:
      return "TIMESTAMP";
    case kDateTime:
    case kDateTime2:
      return "DATETIME";
    case kTime:
    case kTime2:
      return "TIME";
    case kDate:
    case kNewDate:
      return "DATE";
    case kYear:
      return "YEAR";
    case kVarchar:
    case kVarString:
      return fmt::format("VARCHAR({})", meta);
    case kString:
      return fmt::format("CHAR({})", meta & 0xff);
    case kBit:
      return fmt::format("BIT({})", (meta >> 8) * 8 + (meta & 0xff));
    case kEnum:
      return "ENUM";
    case kSet:
      return "SET";
    case kBlob:
    case kTinyBlob:
    case kMediumBlob:
    case kLongBlob:
      return "BLOB";
    case kJson:
      return "JSON";
    case kGeometry:
      return "GEOMETRY";
    case kVector:
      return "VECTOR";
    case kBlobCompressed:
      return "BLOB COMPRESSED";
    case kVarcharCompressed:
      return "VARCHAR COMPRESSED";
    default:
      return fmt::format("TYPE_{}", real_type);
  }
}

Result<TableMap> ParseTableMap(std::span<const uint8_t> data, uint8_t post_header_len,
                               bool mariadb) {
  ByteReader r(data);
  TableMap tm;
  tm.mariadb = mariadb;
  tm.table_id = post_header_len == 6 ? r.U32() : r.U48();
  tm.flags = r.U16();
  if (post_header_len > 8) r.Skip(post_header_len - 8);
  uint8_t db_len = r.U8();
  tm.database = std::string(r.String(db_len));
  r.Skip(1);
  uint8_t table_len = r.U8();
  tm.table = std::string(r.String(table_len));
  r.Skip(1);
  uint64_t ncols = r.PackedInt();
  if (!r.ok() || ncols > r.remaining()) {
    return MakeError(fmt::format("TABLE_MAP truncated at body offset {}", r.offset()));
  }
  auto types = r.Bytes(ncols);
  uint64_t meta_len = r.PackedInt();
  if (!r.ok() || meta_len > r.remaining()) {
    return MakeError(fmt::format("TABLE_MAP metadata truncated at body offset {}", r.offset()));
  }
  auto meta = r.Bytes(meta_len);
  auto nulls = r.Bytes((ncols + 7) / 8);
  if (!r.ok()) {
    return MakeError(fmt::format("TABLE_MAP null bitmap truncated at body offset {}", r.offset()));
  }

  // Resolve MariaDB hi-res temporal columns: they carry one metadata byte each, MySQL's none.
  size_t fixed = 0, ambiguous = 0;
  for (uint8_t t : types) {
    int m = MetaLength(t);
    if (m < 0) {
      ++ambiguous;
    } else {
      fixed += m;
    }
  }
  bool hires = mariadb && ambiguous > 0 && fixed + ambiguous == meta_len;

  tm.columns.resize(ncols);
  ByteReader m(meta);
  for (size_t i = 0; i < ncols; ++i) {
    ColumnDef& c = tm.columns[i];
    c.type = c.real_type = types[i];
    c.nullable = (nulls[i / 8] >> (i % 8)) & 1;
    int len = MetaLength(c.type);
    if (len < 0) len = hires ? 1 : 0;
    if (len == 1) {
      c.meta = m.U8();
      c.has_fraction_meta = MetaLength(c.type) < 0;
    } else if (len == 2) {
      uint8_t b0 = m.U8(), b1 = m.U8();
      if (c.type == coltype::kVarchar || c.type == coltype::kVarString ||
          c.type == coltype::kVarcharCompressed) {
        c.meta = static_cast<uint16_t>(b0 | b1 << 8);
      } else if (c.type == coltype::kBit) {
        c.meta = static_cast<uint16_t>(b1 << 8 | b0);  // bytes << 8 | bits
      } else {
        c.meta = static_cast<uint16_t>(b0 << 8 | b1);  // STRING/ENUM/SET/DECIMAL
      }
    }
    if (c.type == coltype::kString && c.meta >= 256) {
      uint8_t byte0 = c.meta >> 8;
      if ((byte0 & 0x30) != 0x30) {
        c.real_type = byte0 | 0x30;  // long CHAR: length bits folded into the type byte
      } else {
        c.real_type = byte0;
      }
    }
  }
  if (!m.ok()) return MakeError("TABLE_MAP column metadata shorter than its column types");
  Status st = ParseOptionalMetadata(r, tm, mariadb);
  if (!st.ok()) return st.error();
  return tm;
}

}  // namespace switchyard::binlog
