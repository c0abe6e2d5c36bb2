#include "binlog/rows.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace switchyard::binlog {

namespace {

using namespace coltype;

constexpr uint8_t kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint64_t kPow10[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
// MariaDB 5.3 hi-res temporal storage sizes by fractional digits.
constexpr uint8_t kSecPartBytes[7] = {0, 1, 1, 2, 2, 3, 3};
constexpr uint8_t kDateTimeHiresBytes[7] = {5, 6, 6, 7, 7, 7, 8};
constexpr uint8_t kTimeHiresBytes[7] = {3, 4, 4, 5, 5, 5, 6};
constexpr int64_t kTimeMaxValueSeconds = 3020399;  // 838:59:59

// Fixed-size loads for the common widths (little-endian host, as x86-64/aarch64), a byte loop
// for the rest.
inline uint64_t LoadLe(const uint8_t* p, size_t n) {
  switch (n) {
    case 1:
      return p[0];
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case 8: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    default: {
      uint64_t v = 0;
      for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
      return v;
    }
  }
}
inline uint64_t LoadBe(const uint8_t* p, size_t n) {
  if (n == 4 || n == 5) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    const uint64_t hi = __builtin_bswap32(v);
    return n == 4 ? hi : hi << 8 | p[4];
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}
inline int64_t SignExtend(uint64_t v, unsigned bits) {
  uint64_t m = 1ULL << (bits - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

size_t DecimalSize(unsigned precision, unsigned scale) {
  if (scale > precision || precision > 65) return 0;
  unsigned intg = precision - scale;
  return (intg / 9) * 4 + kDig2Bytes[intg % 9] + (scale / 9) * 4 + kDig2Bytes[scale % 9];
}

// Length-prefix size and maximum length of CHAR-like STRING columns.
unsigned StringMaxLength(uint16_t meta) {
  if (meta < 256) return meta;
  uint8_t byte0 = meta >> 8, byte1 = meta & 0xff;
  if ((byte0 & 0x30) != 0x30) return byte1 | (((byte0 & 0x30) ^ 0x30) << 4);
  return byte1;
}

size_t FracBytes(uint8_t fsp) {
  return (fsp + 1) / 2;
}

// Reads a length-prefixed value: prefix of `n` bytes then data.
inline bool Prefixed(const uint8_t* p, size_t avail, size_t n, std::string_view* out,
                     size_t* used) {
  if (avail < n) return false;
  uint64_t len = LoadLe(p, n);
  if (len > avail - n) return false;
  *out = std::string_view(reinterpret_cast<const char*>(p + n), len);
  *used = n + len;
  return true;
}

// Decodes one non-NULL value. Returns false when the value does not fit in `avail` bytes or
// the type cannot be decoded.
// Inlined into the image loops: the call costs about as much as decoding an integer.
[[gnu::always_inline]] inline bool DecodeValue(const ColumnDef& c, const uint8_t* p, size_t avail,
                                               ColumnValue* out, size_t* used) {
  auto need = [&](size_t n) {
    *used = n;
    return avail >= n;
  };
  switch (c.real_type) {
    case kTiny:
      if (!need(1)) return false;
      *out = c.is_unsigned ? ColumnValue(uint64_t{p[0]}) : ColumnValue(int64_t{int8_t(p[0])});
      return true;
    case kShort:
    case kInt24:
    case kLong:
    case kLongLong: {
      size_t n = c.real_type == kShort   ? 2
                 : c.real_type == kInt24 ? 3
                 : c.real_type == kLong  ? 4
                                         : 8;
      if (!need(n)) return false;
      uint64_t v = LoadLe(p, n);
      if (c.is_unsigned) {
        *out = v;
      } else {
        *out = n == 8 ? static_cast<int64_t>(v) : SignExtend(v, 8 * n);
      }
      return true;
    }
    case kFloat: {
      if (!need(4)) return false;
      float f;
      std::memcpy(&f, p, 4);
      *out = f;
      return true;
    }
    case kDouble: {
      if (!need(8)) return false;
      double d;
      std::memcpy(&d, p, 8);
      *out = d;
      return true;
    }
    case kNewDecimal: {
      unsigned precision = c.meta >> 8, scale = c.meta & 0xff;
      size_t n = DecimalSize(precision, scale);
      if (n == 0 || !need(n)) return false;
      *out = DecimalValue{{p, n}, static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)};
      return true;
    }
    case kTimestamp: {
      if (c.has_fraction_meta && c.meta > 0) {
        if (c.meta > 6 || !need(4 + kSecPartBytes[c.meta])) return false;
        uint32_t secs = static_cast<uint32_t>(LoadBe(p, 4));
        uint64_t frac = LoadBe(p + 4, kSecPartBytes[c.meta]) * kPow10[6 - c.meta];
        *out = TimestampValue{secs, static_cast<uint32_t>(frac), static_cast<uint8_t>(c.meta)};
        return true;
      }
      if (!need(4)) return false;
      *out = TimestampValue{static_cast<uint32_t>(LoadLe(p, 4)), 0, 0};
      return true;
    }
    case kTimestamp2: {
      uint8_t fsp = static_cast<uint8_t>(c.meta);
      if (fsp > 6 || !need(4 + FracBytes(fsp))) return false;
      uint32_t secs = static_cast<uint32_t>(LoadBe(p, 4));
      uint64_t frac = LoadBe(p + 4, FracBytes(fsp));
      if (fsp) frac *= kPow10[6 - 2 * FracBytes(fsp)];
      *out = TimestampValue{secs, static_cast<uint32_t>(frac), fsp};
      return true;
    }
    case kDateTime: {
      if (c.has_fraction_meta && c.meta > 0) {
        if (c.meta > 6 || !need(kDateTimeHiresBytes[c.meta])) return false;
        uint64_t v = LoadBe(p, kDateTimeHiresBytes[c.meta]) * kPow10[6 - c.meta];
        DateTimeValue dt;
        dt.fsp = static_cast<uint8_t>(c.meta);
        dt.micros = static_cast<uint32_t>(v % 1000000);
        v /= 1000000;
        dt.second = v % 60, v /= 60;
        dt.minute = v % 60, v /= 60;
        dt.hour = v % 24, v /= 24;
        dt.day = v % 32, v /= 32;
        dt.month = v % 13;
        dt.year = static_cast<uint16_t>(v / 13);
        *out = dt;
        return true;
      }
      if (!need(8)) return false;
      uint64_t v = LoadLe(p, 8);  // YYYYMMDDhhmmss
      uint64_t d = v / 1000000, t = v % 1000000;
      DateTimeValue dt;
      dt.year = static_cast<uint16_t>(d / 10000);
      dt.month = (d % 10000) / 100;
      dt.day = d % 100;
      dt.hour = static_cast<uint8_t>(t / 10000);
      dt.minute = (t % 10000) / 100;
      dt.second = t % 100;
      *out = dt;
      return true;
    }
    case kDateTime2: {
      uint8_t fsp = static_cast<uint8_t>(c.meta);
      if (fsp > 6 || !need(5 + FracBytes(fsp))) return false;
      int64_t packed = static_cast<int64_t>(LoadBe(p, 5)) - 0x8000000000LL;
      uint64_t v = packed < 0 ? -packed : packed;
      DateTimeValue dt;
      dt.fsp = fsp;
      uint64_t ymd = v >> 17, ym = ymd >> 5, hms = v & 0x1ffff;
      dt.day = ymd & 31;
      dt.month = ym % 13;
      dt.year = static_cast<uint16_t>(ym / 13);
      dt.second = hms & 63;
      dt.minute = (hms >> 6) & 63;
      dt.hour = static_cast<uint8_t>(hms >> 12);
      if (fsp) {
        size_t fb = FracBytes(fsp);
        int64_t frac = SignExtend(LoadBe(p + 5, fb), 8 * fb);
        dt.micros = static_cast<uint32_t>((frac < 0 ? -frac : frac) * kPow10[6 - 2 * fb]);
      }
      *out = dt;
      return true;
    }
    case kTime: {
      if (c.has_fraction_meta && c.meta > 0) {
        if (c.meta > 6 || !need(kTimeHiresBytes[c.meta])) return false;
        int64_t zero = ((kTimeMaxValueSeconds + 1) * 1000000LL) / kPow10[6 - c.meta];
        int64_t v = (static_cast<int64_t>(LoadBe(p, kTimeHiresBytes[c.meta])) - zero) *
                    static_cast<int64_t>(kPow10[6 - c.meta]);
        TimeValue t;
        t.fsp = static_cast<uint8_t>(c.meta);
        t.negative = v < 0;
        uint64_t a = v < 0 ? -v : v;
        t.micros = a % 1000000, a /= 1000000;
        t.second = a % 60, a /= 60;
        t.minute = a % 60, a /= 60;
        t.hour = static_cast<uint32_t>(a);
        *out = t;
        return true;
      }
      if (!need(3)) return false;
      int64_t v = SignExtend(LoadLe(p, 3), 24);  // [-]HHMMSS
      TimeValue t;
      t.negative = v < 0;
      uint64_t a = v < 0 ? -v : v;
      t.hour = static_cast<uint32_t>(a / 10000);
      t.minute = (a % 10000) / 100;
      t.second = a % 100;
      *out = t;
      return true;
    }
    case kTime2: {
      uint8_t fsp = static_cast<uint8_t>(c.meta);
      if (fsp > 6) return false;
      int64_t packed;  // (intpart << 24) + fraction in microseconds
      if (fsp >= 5) {
        if (!need(6)) return false;
        packed = static_cast<int64_t>(LoadBe(p, 6)) - 0x800000000000LL;
      } else {
        if (!need(3 + FracBytes(fsp))) return false;
        int64_t intpart = static_cast<int64_t>(LoadBe(p, 3)) - 0x800000;
        int64_t frac = 0;
        if (fsp >= 3) {
          frac = static_cast<int64_t>(LoadBe(p + 3, 2));
          if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x10000;
          }
          frac *= 100;
        } else if (fsp >= 1) {
          frac = p[3];
          if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x100;
          }
          frac *= 10000;
        }
        packed = static_cast<int64_t>(static_cast<uint64_t>(intpart) << 24) + frac;
      }
      TimeValue t;
      t.fsp = fsp;
      t.negative = packed < 0;
      uint64_t a = packed < 0 ? -packed : packed;
      uint64_t hms = a >> 24;
      t.micros = a & 0xffffff;
      t.hour = (hms >> 12) & 0x3ff;
      t.minute = (hms >> 6) & 63;
      t.second = hms & 63;
      *out = t;
      return true;
    }
    case kDate:
    case kNewDate: {
      if (!need(3)) return false;
      uint32_t v = static_cast<uint32_t>(LoadLe(p, 3));
      *out = DateValue{static_cast<uint16_t>(v >> 9), static_cast<uint8_t>((v >> 5) & 15),
                       static_cast<uint8_t>(v & 31)};
      return true;
    }
    case kYear:
      if (!need(1)) return false;
      *out = YearValue{static_cast<uint16_t>(p[0] ? 1900 + p[0] : 0)};
      return true;
    case kVarchar:
    case kVarString: {
      std::string_view s;
      if (!Prefixed(p, avail, c.meta < 256 ? 1 : 2, &s, used)) return false;
      *out = StringValue{s};
      return true;
    }
    case kVarcharCompressed: {
      std::string_view s;
      if (!Prefixed(p, avail, c.meta < 256 ? 1 : 2, &s, used)) return false;
      *out = CompressedValue{s};
      return true;
    }
    case kString: {
      std::string_view s;
      if (!Prefixed(p, avail, StringMaxLength(c.meta) < 256 ? 1 : 2, &s, used)) return false;
      *out = StringValue{s};
      return true;
    }
    case kEnum: {
      size_t n = c.meta & 0xff;
      if (n < 1 || n > 2 || !need(n)) return false;
      *out = EnumValue{static_cast<uint16_t>(LoadLe(p, n))};
      return true;
    }
    case kSet: {
      size_t n = c.meta & 0xff;
      if (n < 1 || n > 8 || !need(n)) return false;
      *out = SetValue{LoadLe(p, n), static_cast<uint8_t>(n)};
      return true;
    }
    case kBit: {
      unsigned nbits = (c.meta >> 8) * 8 + (c.meta & 0xff);
      size_t n = (nbits + 7) / 8;
      if (n > 8 || !need(n)) return false;
      *out = BitValue{LoadBe(p, n), static_cast<uint16_t>(nbits)};
      return true;
    }
    case kBlob:
    case kTinyBlob:
    case kMediumBlob:
    case kLongBlob:
    case kJson:
    case kGeometry:
    case kVector:
    case kBlobCompressed: {
      if (c.meta < 1 || c.meta > 4) return false;
      std::string_view s;
      if (!Prefixed(p, avail, c.meta, &s, used)) return false;
      switch (c.real_type) {
        case kJson:
          *out = JsonValue{s};
          break;
        case kGeometry:
          *out = GeometryValue{s};
          break;
        case kVector:
          *out = VectorValue{s};
          break;
        case kBlobCompressed:
          *out = CompressedValue{s};
          break;
        default:
          *out = StringValue{s};
          break;
      }
      return true;
    }
    case kNull:
      *used = 0;
      *out = NullValue{};
      return true;
    default:
      *used = 0;
      return false;  // old DECIMAL, typed arrays: not enough metadata to size the value
  }
}

// MariaDB's 5.3-era hi-res TIMESTAMP/TIME/DATETIME use the old type codes but a different,
// fraction-dependent size; their TABLE_MAP carries no fraction width, so such rows are
// ambiguous. Named in the error so the failure is understandable.
std::string AmbiguityHint(const TableMap& tm) {
  if (!tm.mariadb) return {};
  for (const auto& c : tm.columns) {
    if ((c.type == kTimestamp || c.type == kTime || c.type == kDateTime) && !c.has_fraction_meta) {
      return "; the table has MariaDB TIMESTAMP/TIME/DATETIME columns whose hi-res format "
             "cannot be told from the TABLE_MAP";
    }
  }
  return {};
}

inline bool Bit(std::span<const uint8_t> bm, size_t i) {
  return (bm[i / 8] >> (i % 8)) & 1;
}

}  // namespace

Result<size_t> PackedValueSize(const ColumnDef& col, std::span<const uint8_t> data) {
  ColumnValue v;
  size_t used = 0;
  if (!DecodeValue(col, data.data(), data.size(), &v, &used)) {
    return MakeError(
        fmt::format("value of type {} does not fit in {} bytes", col.type, data.size()));
  }
  return used;
}

namespace {
// Number of columns present in an image: set bits among the first `n` of the bitmap.
size_t CountPresent(std::span<const uint8_t> cols, size_t n) {
  size_t present = 0;
  for (size_t i = 0; i < n && i / 8 < cols.size(); ++i) present += (cols[i / 8] >> (i % 8)) & 1;
  return present;
}
}  // namespace

RowReader::RowReader(const RowsEvent& event)
    : ev_(event),
      present_before_(CountPresent(event.columns_before, event.column_count)),
      present_after_(CountPresent(event.columns_after, event.column_count)) {}

bool RowReader::Fail(std::string what) {
  status_ = MakeError(fmt::format("{} at row offset {}", what, pos_));
  return false;
}

// Where decoded values go: a Row (Slot = the row's element) or a RowVisitor (Slot = one
// scratch value, handed over by Done). One image decoder serves both.
class RowSink {
 public:
  explicit RowSink(Row* row) : row_(row) {}
  void Begin(size_t n) { row_->resize(n); }
  void Absent(size_t i) { (*row_)[i] = AbsentValue{}; }
  void Null(size_t i) { (*row_)[i] = NullValue{}; }
  ColumnValue* Slot(size_t i) { return &(*row_)[i]; }
  void Done(size_t) {}

 private:
  Row* row_;
};

class VisitorSink {
 public:
  VisitorSink(RowVisitor& v, bool after) : v_(v), after_(after) {}
  void Begin(size_t n) { v_.Image(after_, n); }
  void Absent(size_t) {}  // absent columns are not reported
  void Null(size_t i) { v_.Value(i, NullValue{}); }
  ColumnValue* Slot(size_t) { return &value_; }
  void Done(size_t i) { v_.Value(i, value_); }

 private:
  RowVisitor& v_;
  bool after_;
  ColumnValue value_;
};

template <class Sink>
bool RowReader::DecodeImage(std::span<const uint8_t> cols, Sink& sink, bool after_image) {
  const TableMap& tm = *ev_.table;
  const size_t n = ev_.column_count;
  const uint8_t* base = ev_.rows.data();
  const size_t end = ev_.rows.size();
  sink.Begin(n);

  const size_t present = after_image ? present_after_ : present_before_;

  // PARTIAL_UPDATE_ROWS after-images start with value_options and, if partial JSON is on, a
  // bitmap with one bit per JSON column of the table saying "this value is a diff".
  std::span<const uint8_t> partial_bits;
  if (after_image && ev_.shape.partial_json) {
    if (pos_ >= end) return Fail("truncated partial-update value options");
    uint64_t options = base[pos_++];
    if (options >= 0xfb) return Fail("unsupported partial-update value options");
    if (options & 1) {
      size_t json_cols = 0;
      for (const auto& c : tm.columns) json_cols += c.real_type == kJson;
      size_t nbytes = (json_cols + 7) / 8;
      if (end - pos_ < nbytes) return Fail("truncated partial JSON bitmap");
      partial_bits = ev_.rows.subspan(pos_, nbytes);
      pos_ += nbytes;
    }
  }

  size_t null_bytes = (present + 7) / 8;
  if (end - pos_ < null_bytes) return Fail("truncated NULL bitmap");
  std::span<const uint8_t> nulls = ev_.rows.subspan(pos_, null_bytes);
  pos_ += null_bytes;

  // One present, non-NULL column's value from the image into the sink.
  auto decode = [&](size_t i) {
    const ColumnDef& c = tm.columns[i];
    size_t used = 0;
    if (!DecodeValue(c, base + pos_, end - pos_, sink.Slot(i), &used)) {
      return Fail(fmt::format("cannot decode column {} ({}, meta {}){}", i + 1, c.TypeName(),
                              c.meta, AmbiguityHint(tm)));
    }
    pos_ += used;
    sink.Done(i);
    return true;
  };
  size_t null_index = 0, json_index = 0;
  if (partial_bits.empty()) {
    // The common case: no JSON diffs, so no JSON column bookkeeping per column.
    for (size_t i = 0; i < n; ++i) {
      if (!Bit(cols, i)) {
        sink.Absent(i);
        continue;
      }
      if (Bit(nulls, null_index++)) {
        sink.Null(i);
        continue;
      }
      if (!decode(i)) return false;
    }
    return true;
  }
  for (size_t i = 0; i < n; ++i) {
    const ColumnDef& c = tm.columns[i];
    bool is_json = c.real_type == kJson;
    if (!Bit(cols, i)) {
      sink.Absent(i);
      json_index += is_json;
      continue;
    }
    if (Bit(nulls, null_index++)) {
      sink.Null(i);
      json_index += is_json;
      continue;
    }
    if (is_json && !partial_bits.empty()) {
      bool diff = (partial_bits[json_index / 8] >> (json_index % 8)) & 1;
      ++json_index;
      if (diff) {
        std::string_view s;
        size_t used = 0;
        if (!Prefixed(base + pos_, end - pos_, 4, &s, &used)) {
          return Fail(fmt::format("truncated JSON diff of column {}", i + 1));
        }
        *sink.Slot(i) = JsonDiffValue{s};
        sink.Done(i);
        pos_ += used;
        continue;
      }
    } else {
      json_index += is_json;
    }
    if (!decode(i)) return false;
  }
  return true;
}

bool RowReader::Next(Row* before, Row* after) {
  return NextWith([&](RowsKind kind, bool second) {
    if (kind == RowsKind::kWrite) before->clear();
    if (kind == RowsKind::kDelete) after->clear();
    return RowSink(kind == RowsKind::kWrite || second ? after : before);
  });
}

bool RowReader::Next(RowVisitor& visitor) {
  return NextWith([&](RowsKind kind, bool second) {
    return VisitorSink(visitor, kind == RowsKind::kWrite || second);
  });
}

// make_sink(kind, second) gives the sink of the row's first (second: the update's after) image.
template <class MakeSink>
bool RowReader::NextWith(MakeSink make_sink) {
  if (!status_.ok() || pos_ >= ev_.rows.size()) return false;
  const size_t start = pos_;
  if (!ev_.table) return Fail(fmt::format("no TABLE_MAP for table id {}", ev_.table_id));
  if (ev_.table->columns.size() < ev_.column_count) {
    return Fail(fmt::format("rows event has {} columns, TABLE_MAP {}", ev_.column_count,
                            ev_.table->columns.size()));
  }
  const RowsKind kind = ev_.shape.kind;
  bool ok;
  switch (kind) {
    case RowsKind::kWrite:
    case RowsKind::kDelete: {
      auto sink = make_sink(kind, false);
      ok = DecodeImage(ev_.columns_before, sink, false);
      break;
    }
    case RowsKind::kUpdate: {
      auto before = make_sink(kind, false);
      ok = DecodeImage(ev_.columns_before, before, false);
      if (ok) {
        auto after = make_sink(kind, true);
        ok = DecodeImage(ev_.columns_after, after, true);
      }
      break;
    }
    default:
      return Fail("not a rows event");
  }
  if (!ok) return false;
  // An image with no present column takes no bytes; without this check a corrupt bitmap
  // would make the caller loop forever.
  if (pos_ == start) return Fail("row image without columns");
  return true;
}

Result<std::vector<RowChange>> DecodeAllRows(const RowsEvent& event) {
  std::vector<RowChange> out;
  RowReader reader(event);
  RowChange rc;
  while (reader.Next(&rc.before, &rc.after)) out.push_back(rc);
  if (!reader.status().ok()) return reader.status().error();
  return out;
}

}  // namespace switchyard::binlog
