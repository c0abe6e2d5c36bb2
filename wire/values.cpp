#include "wire/values.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "wire/payload_writer.h"

namespace switchyard::wire {

namespace {

MysqlDateTime ReadDateTime(PayloadReader& r) {
  MysqlDateTime d;
  uint8_t len = r.U8("temporal length");
  if (len != 0 && len != 4 && len != 7 && len != 11) {
    r.Fail(fmt::format("DATETIME length {} is not 0, 4, 7 or 11", len));
    return d;
  }
  if (len >= 4) {
    d.year = r.U16("year");
    d.month = r.U8("month");
    d.day = r.U8("day");
  }
  if (len >= 7) {
    d.hour = r.U8("hour");
    d.minute = r.U8("minute");
    d.second = r.U8("second");
  }
  if (len >= 11) d.microsecond = r.U32("microsecond");
  return d;
}

MysqlTime ReadTime(PayloadReader& r) {
  MysqlTime t;
  uint8_t len = r.U8("time length");
  if (len != 0 && len != 8 && len != 12) {
    r.Fail(fmt::format("TIME length {} is not 0, 8 or 12", len));
    return t;
  }
  if (len >= 8) {
    t.negative = r.U8("is negative") != 0;
    t.days = r.U32("days");
    t.hour = r.U8("hour");
    t.minute = r.U8("minute");
    t.second = r.U8("second");
  }
  if (len >= 12) t.microsecond = r.U32("microsecond");
  return t;
}

template <class To>
To Numeric(const BinaryValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<To>(*i);
  if (auto* u = std::get_if<uint64_t>(&v)) return static_cast<To>(*u);
  if (auto* f = std::get_if<float>(&v)) return static_cast<To>(*f);
  if (auto* d = std::get_if<double>(&v)) return static_cast<To>(*d);
  return To{};
}

}  // namespace

BinaryValue ReadBinaryValue(PayloadReader& r, ValueType t) {
  switch (t.type) {
    case FieldType::kNull:
      return std::monostate{};
    case FieldType::kTiny: {
      uint8_t v = r.U8("TINY value");
      if (t.is_unsigned) return uint64_t{v};
      return int64_t{static_cast<int8_t>(v)};
    }
    case FieldType::kShort:
    case FieldType::kYear: {
      uint16_t v = r.U16("SHORT value");
      if (t.is_unsigned) return uint64_t{v};
      return int64_t{static_cast<int16_t>(v)};
    }
    case FieldType::kLong:
    case FieldType::kInt24: {
      uint32_t v = r.U32("LONG value");
      if (t.is_unsigned) return uint64_t{v};
      return int64_t{static_cast<int32_t>(v)};
    }
    case FieldType::kLongLong: {
      uint64_t v = r.U64("LONGLONG value");
      if (t.is_unsigned) return v;
      return static_cast<int64_t>(v);
    }
    case FieldType::kFloat:
      return std::bit_cast<float>(r.U32("FLOAT value"));
    case FieldType::kDouble:
      return std::bit_cast<double>(r.U64("DOUBLE value"));
    case FieldType::kDate:
    case FieldType::kDateTime:
    case FieldType::kTimestamp:
    case FieldType::kNewDate:
    case FieldType::kDateTime2:
    case FieldType::kTimestamp2:
      return ReadDateTime(r);
    case FieldType::kTime:
    case FieldType::kTime2:
      return ReadTime(r);
    case FieldType::kDecimal:
    case FieldType::kNewDecimal:
    case FieldType::kVarchar:
    case FieldType::kBit:
    case FieldType::kJson:
    case FieldType::kEnum:
    case FieldType::kSet:
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
    case FieldType::kVarString:
    case FieldType::kString:
    case FieldType::kGeometry:
    case FieldType::kVector:
      return std::string(r.LenencString("string value"));
    default:
      r.Fail(fmt::format("unknown field type {}", static_cast<int>(t.type)));
      return std::monostate{};
  }
}

void WriteBinaryValue(Bytes& out, ValueType t, const BinaryValue& v) {
  switch (t.type) {
    case FieldType::kNull:
      return;
    case FieldType::kTiny:
      PutU8(out, Numeric<uint8_t>(v));
      return;
    case FieldType::kShort:
    case FieldType::kYear:
      PutU16(out, Numeric<uint16_t>(v));
      return;
    case FieldType::kLong:
    case FieldType::kInt24:
      PutU32(out, Numeric<uint32_t>(v));
      return;
    case FieldType::kLongLong:
      PutU64(out, std::holds_alternative<int64_t>(v) ? static_cast<uint64_t>(std::get<int64_t>(v))
                                                     : Numeric<uint64_t>(v));
      return;
    case FieldType::kFloat:
      PutU32(out, std::bit_cast<uint32_t>(Numeric<float>(v)));
      return;
    case FieldType::kDouble:
      PutU64(out, std::bit_cast<uint64_t>(Numeric<double>(v)));
      return;
    default:
      break;
  }
  if (auto* d = std::get_if<MysqlDateTime>(&v)) {
    uint8_t len = d->microsecond                        ? 11
                  : (d->hour || d->minute || d->second) ? 7
                  : (d->year || d->month || d->day)     ? 4
                                                        : 0;
    PutU8(out, len);
    if (len >= 4) {
      PutU16(out, d->year);
      PutU8(out, d->month);
      PutU8(out, d->day);
    }
    if (len >= 7) {
      PutU8(out, d->hour);
      PutU8(out, d->minute);
      PutU8(out, d->second);
    }
    if (len >= 11) PutU32(out, d->microsecond);
  } else if (auto* tm = std::get_if<MysqlTime>(&v)) {
    bool zero = !tm->negative && !tm->days && !tm->hour && !tm->minute && !tm->second;
    uint8_t len = tm->microsecond ? 12 : zero ? 0 : 8;
    PutU8(out, len);
    if (len >= 8) {
      PutU8(out, tm->negative ? 1 : 0);
      PutU32(out, tm->days);
      PutU8(out, tm->hour);
      PutU8(out, tm->minute);
      PutU8(out, tm->second);
    }
    if (len >= 12) PutU32(out, tm->microsecond);
  } else if (auto* s = std::get_if<std::string>(&v)) {
    PutLenencString(out, *s);
  } else {
    // A number sent as a string type: its decimal text.
    std::string text = std::visit(
        [](const auto& x) -> std::string {
          using X = std::decay_t<decltype(x)>;
          if constexpr (std::is_arithmetic_v<X>) {
            return fmt::format("{}", x);
          } else {
            return "";
          }
        },
        v);
    PutLenencString(out, text);
  }
}

}  // namespace switchyard::wire
