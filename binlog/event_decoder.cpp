#include "binlog/event_decoder.h"

#include <fmt/format.h>

#include "binlog/byte_reader.h"
#include "binlog/event_parsers.h"

namespace switchyard::binlog {

namespace {

// Post-header lengths of binlog v4 when no FDE lists them (or before the first FDE).
uint8_t DefaultPostHeaderLength(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::kQuery:
    case EventType::kMariaQueryCompressed:
      return 13;
    case EventType::kRotate:
      return 8;
    case EventType::kTableMap:
      return 8;
    case EventType::kIncident:
      return 2;
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
      return 42;
    case EventType::kWriteRowsV2:
    case EventType::kUpdateRowsV2:
    case EventType::kDeleteRowsV2:
    case EventType::kPartialUpdateRows:
    case EventType::kMariaWriteRowsCompressed:
    case EventType::kMariaUpdateRowsCompressed:
    case EventType::kMariaDeleteRowsCompressed:
      return 10;
    case EventType::kWriteRowsV1:
    case EventType::kUpdateRowsV1:
    case EventType::kDeleteRowsV1:
    case EventType::kPreGaWriteRows:
    case EventType::kPreGaUpdateRows:
    case EventType::kPreGaDeleteRows:
    case EventType::kMariaWriteRowsCompressedV1:
    case EventType::kMariaUpdateRowsCompressedV1:
    case EventType::kMariaDeleteRowsCompressedV1:
      return 8;
    default:
      return 0;
  }
}

uint32_t LoadU32(std::span<const uint8_t> b) {
  return b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24;
}

}  // namespace

std::shared_ptr<const TableMap> EventDecoder::FindTable(uint64_t table_id) const {
  auto it = tables_.find(table_id);
  return it == tables_.end() ? nullptr : it->second;
}

Result<Event> EventDecoder::Decode(std::span<const uint8_t> bytes, uint64_t offset) {
  auto header = ParseEventHeader(bytes, offset);
  if (!header.ok()) return header.error();
  const EventHeader& h = *header;
  if (h.event_size != bytes.size()) {
    return MakeError(fmt::format("event at offset {}: header says {} bytes, got {}", offset,
                                 h.event_size, bytes.size()));
  }
  Event ev;
  ev.header = h;
  if (h.type == static_cast<uint8_t>(EventType::kFormatDescription)) {
    auto fd = ParseFormatDescription(bytes, verify_checksums_);
    if (!fd.ok()) return MakeError(fmt::format("offset {}: {}", offset, fd.error().message));
    if (fd->checksum == ChecksumAlg::kCrc32 || VersionHasChecksumAlg(fd->server_version)) {
      ev.checksum = LoadU32(bytes.subspan(bytes.size() - 4));
    }
    fd_ = *fd;
    tables_.clear();
    ev.body = FormatDescriptionEvent{std::move(*fd)};
    return ev;
  }

  bool has_crc;
  if (fd_) {
    has_crc = fd_->checksum == ChecksumAlg::kCrc32;
  } else if (checksum_hint_) {
    has_crc = *checksum_hint_ == ChecksumAlg::kCrc32;
  } else {
    has_crc = bytes.size() >= kEventHeaderSize + 4 &&
              Crc32(bytes.first(bytes.size() - 4)) == LoadU32(bytes.last(4));
  }
  std::span<const uint8_t> event = bytes;
  if (has_crc) {
    if (bytes.size() < kEventHeaderSize + 4) {
      return MakeError(fmt::format("event at offset {} too short for its CRC32", offset));
    }
    uint32_t stored = LoadU32(bytes.last(4));
    uint32_t computed = verify_checksums_ ? Crc32(bytes.first(bytes.size() - 4)) : stored;
    if (stored != computed) {
      return MakeError(
          fmt::format("CRC32 mismatch in {} event at offset {}: stored {:#010x}, "
                      "computed {:#010x}",
                      EventTypeName(h.type), offset, stored, computed));
    }
    ev.checksum = stored;
    event = bytes.first(bytes.size() - 4);
  }
  size_t header_len = fd_ ? fd_->header_length : kEventHeaderSize;
  if (event.size() < header_len) {
    return MakeError(fmt::format("event at offset {} shorter than its header", offset));
  }
  auto result = DecodeBody(h, event.subspan(header_len), offset);
  if (!result.ok()) return result.error();
  result->checksum = ev.checksum;
  return result;
}

Result<Event> EventDecoder::DecodeBody(const EventHeader& h, std::span<const uint8_t> data,
                                       uint64_t offset) {
  Event ev;
  ev.header = h;
  uint8_t phl = fd_ ? fd_->PostHeaderLength(h.type, DefaultPostHeaderLength(h.type))
                    : DefaultPostHeaderLength(h.type);
  detail::ParseInput in{h, data, phl, fd_ && fd_->mariadb};
  Result<EventBody> body = EventBody(OpaqueEvent{data});
  using T = EventType;
  switch (static_cast<T>(h.type)) {
    case T::kRotate:
      body = detail::ParseRotate(in);
      break;
    case T::kQuery:
    case T::kMariaQueryCompressed:
      body = detail::ParseQuery(in);
      break;
    case T::kXid:
      body = detail::ParseXid(in);
      break;
    case T::kIntvar:
      body = detail::ParseIntvar(in);
      break;
    case T::kRand:
      body = detail::ParseRand(in);
      break;
    case T::kUserVar:
      body = detail::ParseUserVar(in);
      break;
    case T::kStop:
      body = EventBody(StopEvent{});
      break;
    case T::kIncident:
      body = detail::ParseIncident(in);
      break;
    case T::kHeartbeat:
    case T::kHeartbeatV2:
      body = detail::ParseHeartbeat(in);
      break;
    case T::kRowsQuery:
      body = detail::ParseRowsQuery(in);
      break;
    case T::kXaPrepare:
      body = detail::ParseXaPrepare(in);
      break;
    case T::kGtid:
    case T::kAnonymousGtid:
      body = detail::ParseMysqlGtid(in);
      break;
    case T::kGtidTagged:
      body = detail::ParseTaggedGtid(in);
      break;
    case T::kPreviousGtids:
      body = detail::ParsePreviousGtids(in);
      break;
    case T::kTransactionPayload:
      body = detail::ParseTransactionPayload(in);
      break;
    case T::kMariaGtid:
      body = detail::ParseMariadbGtid(in);
      break;
    case T::kMariaGtidList:
      body = detail::ParseMariadbGtidList(in);
      break;
    case T::kMariaBinlogCheckpoint:
      body = detail::ParseBinlogCheckpoint(in);
      break;
    case T::kMariaAnnotateRows:
      body = detail::ParseAnnotateRows(in);
      break;
    case T::kTableMap: {
      auto tm = ParseTableMap(data, phl, in.mariadb);
      if (!tm.ok()) {
        body = tm.error();
        break;
      }
      auto shared = std::make_shared<const TableMap>(std::move(*tm));
      tables_[shared->table_id] = shared;
      body = EventBody(TableMapEvent{std::move(shared)});
      break;
    }
    case T::kPreGaWriteRows:
    case T::kPreGaUpdateRows:
    case T::kPreGaDeleteRows:
      break;  // 5.1 pre-GA row format: kept opaque (never written by released servers)
    default:
      if (RowsShapeOf(h.type).kind != RowsKind::kNone) {
        auto rows = detail::ParseRows(in);
        if (!rows.ok()) {
          body = rows.error();
          break;
        }
        rows->table = FindTable(rows->table_id);
        body = EventBody(std::move(*rows));
      }
      break;
  }
  if (!body.ok()) {
    return MakeError(fmt::format("{} event at offset {}: {}", EventTypeName(h.type), offset,
                                 body.error().message));
  }
  ev.body = std::move(*body);
  return ev;
}

Result<std::vector<Event>> EventDecoder::DecodePayloadEvents(const TransactionPayloadEvent& payload,
                                                             uint64_t offset) {
  std::vector<Event> out;
  if (!payload.uncompressed) return out;
  std::span<const uint8_t> all = *payload.uncompressed;
  size_t pos = 0;
  while (pos < all.size()) {
    auto h = ParseEventHeader(all.subspan(pos), offset);
    if (!h.ok()) {
      return MakeError(
          fmt::format("payload at offset {}: inner event at {} truncated", offset, pos));
    }
    if (h->event_size < kEventHeaderSize || h->event_size > all.size() - pos) {
      return MakeError(fmt::format("payload at offset {}: inner event at {} has bad size {}",
                                   offset, pos, h->event_size));
    }
    auto inner = all.subspan(pos, h->event_size);
    size_t header_len = fd_ ? fd_->header_length : kEventHeaderSize;
    if (inner.size() < header_len) {
      return MakeError(
          fmt::format("payload at offset {}: inner event at {} too short", offset, pos));
    }
    auto ev = DecodeBody(*h, inner.subspan(header_len), offset);
    if (!ev.ok()) return ev.error();
    out.push_back(std::move(*ev));
    pos += h->event_size;
  }
  return out;
}

}  // namespace switchyard::binlog
