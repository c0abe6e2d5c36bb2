// TABLE_MAP event: table id -> database.table and per-column type, metadata, nullability,
// plus the optional metadata block (signedness, charsets, names, enum/set values, primary key,
// visibility). A TableMap owns its strings because the decoder caches it across events.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace switchyard::binlog {

struct ColumnDef {
  uint8_t type = 0;       // type code in the TABLE_MAP
  uint8_t real_type = 0;  // ENUM/SET hidden behind STRING resolved; otherwise == type
  uint16_t meta = 0;      // as mariadb-binlog prints it ("meta=N")
  bool nullable = false;
  bool is_unsigned = false;        // from SIGNEDNESS optional metadata
  bool has_fraction_meta = false;  // MariaDB 5.3 hi-res TIMESTAMP/TIME/DATETIME
  bool visible = true;
  uint32_t charset = 0;  // 0 = unknown
  uint8_t geometry_type = 0;
  uint32_t vector_dimensions = 0;
  std::string name;
  std::vector<std::string> enum_or_set_values;
  std::string TypeName() const;  // "INT", "VARCHAR(20)", ...
};

struct TableMap {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<ColumnDef> columns;
  std::vector<uint32_t> primary_key;  // column indexes
  std::vector<uint8_t> optional_metadata_kinds;
  bool mariadb = false;  // written by a MariaDB server (per the FDE)
};

// Parses a TABLE_MAP body: `data` starts at the post-header (after the common header) and
// excludes the checksum.
Result<TableMap> ParseTableMap(std::span<const uint8_t> data, uint8_t post_header_len,
                               bool mariadb);

}  // namespace switchyard::binlog
