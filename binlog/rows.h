// Rows events (WRITE/UPDATE/DELETE v1 and v2, PARTIAL_UPDATE, MariaDB compressed) and the
// row-image decoder that turns their packed rows into ColumnValues using the TABLE_MAP.
// RowReader decodes one row at a time into caller-owned vectors (reused, no per-value heap).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "binlog/column_value.h"
#include "binlog/event_type.h"
#include "binlog/table_map.h"

namespace switchyard::binlog {

struct RowsEvent {
  uint8_t type = 0;
  RowsEventShape shape;
  uint64_t table_id = 0;
  uint16_t flags = 0;  // 1 = STMT_END_F
  std::span<const uint8_t> extra_data;
  uint64_t column_count = 0;
  std::span<const uint8_t> columns_before;            // bitmap of columns in the before/only image
  std::span<const uint8_t> columns_after;             // bitmap for the after image (updates only)
  std::span<const uint8_t> rows;                      // packed row images
  std::shared_ptr<const TableMap> table;              // null when the TABLE_MAP was not seen
  std::shared_ptr<const std::vector<uint8_t>> owned;  // decompressed body (MariaDB compressed)
};

using Row = std::vector<ColumnValue>;  // index = column index; AbsentValue when not in image

// Receives a row's images value by value instead of as Rows (the dump's hot path: no vectors).
class RowVisitor {
 public:
  // Before an image's values: `after` for the SET image (writes, update after-images), false for
  // the WHERE image (deletes, update before-images); `columns` is the event's column count.
  virtual void Image(bool after, size_t columns) = 0;
  // One column present in the image (NULL as NullValue); columns in increasing order.
  virtual void Value(size_t column, const ColumnValue& value) = 0;

 protected:
  ~RowVisitor() = default;
};

class RowReader {
 public:
  explicit RowReader(const RowsEvent& event);

  // Decodes the next row. For updates `before` and `after` are both filled; for writes only
  // `after`, for deletes only `before` (the other is cleared). Returns false at the end or on
  // error; check status() afterwards.
  bool Next(Row* before, Row* after);
  // The same row, reported to `visitor` (update: before image, then after image). On error the
  // visitor may have seen part of the row; Next returns false and status() says why.
  bool Next(RowVisitor& visitor);
  const Status& status() const { return status_; }
  size_t offset() const { return pos_; }

 private:
  template <class MakeSink>
  bool NextWith(MakeSink make_sink);
  template <class Sink>
  bool DecodeImage(std::span<const uint8_t> cols, Sink& sink, bool after_image);
  bool Fail(std::string what);

  const RowsEvent& ev_;
  size_t present_before_ = 0;
  size_t present_after_ = 0;
  size_t pos_ = 0;
  Status status_;
};

struct RowChange {
  Row before;
  Row after;
};

// Convenience: decodes every row (allocates; use RowReader in hot paths).
Result<std::vector<RowChange>> DecodeAllRows(const RowsEvent& event);

// Size in bytes of the packed value of a column at `data`, or an error when it does not fit.
// Exposed for tests and the fuzzer.
Result<size_t> PackedValueSize(const ColumnDef& col, std::span<const uint8_t> data);

}  // namespace switchyard::binlog
