// Parsers for events with compressed or packed bodies: TRANSACTION_PAYLOAD (zstd), rows events
// (v1/v2/partial/MariaDB compressed) and the MariaDB compressed-body envelope.
#include <zstd.h>

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/event_parsers.h"
#include "binlog/inflate.h"

namespace switchyard::binlog::detail {

namespace {
// Upper bound for one decompressed payload/event (MySQL's max_allowed_packet ceiling).
constexpr uint64_t kMaxUncompressed = 1ULL << 30;
}  // namespace

Result<std::vector<uint8_t>> MariadbUncompress(std::span<const uint8_t> data) {
  if (data.empty()) return MakeError("empty compressed body");
  uint8_t head = data[0];
  size_t lenlen = head & 0x07;
  if ((head & 0x70) != 0)
    return MakeError(fmt::format("unknown compression algorithm {}", (head & 0x70) >> 4));
  if (lenlen < 1 || lenlen > 4 || data.size() < 1 + lenlen) {
    return MakeError("bad compressed body header");
  }
  uint64_t len = 0;
  for (size_t i = 1; i <= lenlen; ++i) len = len << 8 | data[i];
  auto out = ZlibInflate(data.subspan(1 + lenlen), len);
  if (!out.ok()) return out.error();
  if (out->size() != len) {
    return MakeError(fmt::format("decompressed {} bytes, header says {}", out->size(), len));
  }
  return out;
}

Result<EventBody> ParseTransactionPayload(const ParseInput& in) {
  ByteReader r(in.data);
  TransactionPayloadEvent ev;
  bool have_size = false;
  while (true) {
    uint64_t type = r.PackedInt();
    if (!r.ok()) return MakeError("TRANSACTION_PAYLOAD header truncated");
    if (type == 0) break;  // end of header fields
    uint64_t len = r.PackedInt();
    if (!r.ok() || len > r.remaining()) return MakeError("TRANSACTION_PAYLOAD field truncated");
    ByteReader v(r.Bytes(len));
    uint64_t value = v.PackedInt();
    if (type == 1) {
      ev.payload_size = value;
      have_size = true;
    } else if (type == 2) {
      ev.compression_type = value;
    } else if (type == 3) {
      ev.uncompressed_size = value;
    }
  }
  auto payload = r.Rest();
  if (have_size && ev.payload_size != payload.size()) {
    return MakeError(fmt::format("TRANSACTION_PAYLOAD size {} but {} bytes follow", ev.payload_size,
                                 payload.size()));
  }
  auto out = std::make_shared<std::vector<uint8_t>>();
  if (ev.compression_type == 255) {
    out->assign(payload.begin(), payload.end());
  } else if (ev.compression_type == 0) {
    unsigned long long frame = ZSTD_getFrameContentSize(payload.data(), payload.size());
    uint64_t want = ev.uncompressed_size;
    if (frame != ZSTD_CONTENTSIZE_UNKNOWN && frame != ZSTD_CONTENTSIZE_ERROR) want = frame;
    if (want > kMaxUncompressed) return MakeError("TRANSACTION_PAYLOAD too large");
    out->resize(want);
    size_t got = ZSTD_decompress(out->data(), out->size(), payload.data(), payload.size());
    if (ZSTD_isError(got)) {
      return MakeError(fmt::format("TRANSACTION_PAYLOAD zstd error: {}", ZSTD_getErrorName(got)));
    }
    out->resize(got);
  } else {
    return MakeError(
        fmt::format("TRANSACTION_PAYLOAD compression type {} unsupported", ev.compression_type));
  }
  if (ev.uncompressed_size && out->size() != ev.uncompressed_size) {
    return MakeError(fmt::format("TRANSACTION_PAYLOAD decompressed to {} bytes, header says {}",
                                 out->size(), ev.uncompressed_size));
  }
  ev.uncompressed = std::move(out);
  return EventBody(std::move(ev));
}

Result<RowsEvent> ParseRows(const ParseInput& in) {
  ByteReader r(in.data);
  RowsEvent ev;
  ev.type = in.header.type;
  ev.shape = RowsShapeOf(ev.type);
  ev.table_id = in.post_header_len == 6 ? r.U32() : r.U48();
  ev.flags = r.U16();
  if (!r.ok()) return MakeError("rows event post-header truncated");

  ByteReader& b = r;
  if (ev.shape.has_extra_data) {
    uint16_t extra_len = b.U16();
    if (extra_len < 2) return MakeError("rows event extra-data length < 2");
    ev.extra_data = b.Bytes(extra_len - 2);
  }
  ev.column_count = b.PackedInt();
  if (!b.ok() || ev.column_count > 4096) {
    return MakeError(fmt::format("rows event column count invalid at body offset {}", b.offset()));
  }
  size_t bitmap = (ev.column_count + 7) / 8;
  ev.columns_before = b.Bytes(bitmap);
  if (ev.shape.kind == RowsKind::kUpdate) ev.columns_after = b.Bytes(bitmap);
  if (!b.ok()) return MakeError("rows event column bitmap truncated");
  if (ev.shape.compressed) {
    // MariaDB compresses only the row images, after the column bitmaps.
    auto raw = MariadbUncompress(b.Rest());
    if (!raw.ok()) return MakeError("compressed rows event: " + raw.error().message);
    auto owned = std::make_shared<std::vector<uint8_t>>(std::move(*raw));
    ev.rows = *owned;
    ev.owned = std::move(owned);
  } else {
    ev.rows = b.Rest();
  }
  return ev;
}

}  // namespace switchyard::binlog::detail
