// Internal: per-family parsers used by EventDecoder. Each gets `data` = the event after the
// common header, without the checksum, and the post-header length the FDE declares.
#pragma once

#include <span>

#include "base/result.h"
#include "binlog/events.h"

namespace switchyard::binlog::detail {

struct ParseInput {
  const EventHeader& header;
  std::span<const uint8_t> data;
  uint8_t post_header_len;
  bool mariadb;
};

Result<EventBody> ParseRotate(const ParseInput& in);
Result<EventBody> ParseQuery(const ParseInput& in);
Result<EventBody> ParseXid(const ParseInput& in);
Result<EventBody> ParseIntvar(const ParseInput& in);
Result<EventBody> ParseRand(const ParseInput& in);
Result<EventBody> ParseUserVar(const ParseInput& in);
Result<EventBody> ParseIncident(const ParseInput& in);
Result<EventBody> ParseHeartbeat(const ParseInput& in);
Result<EventBody> ParseRowsQuery(const ParseInput& in);
Result<EventBody> ParseXaPrepare(const ParseInput& in);
Result<EventBody> ParseAnnotateRows(const ParseInput& in);
Result<EventBody> ParseBinlogCheckpoint(const ParseInput& in);

Result<EventBody> ParseMysqlGtid(const ParseInput& in);
Result<EventBody> ParseTaggedGtid(const ParseInput& in);
Result<EventBody> ParsePreviousGtids(const ParseInput& in);
Result<EventBody> ParseMariadbGtid(const ParseInput& in);
Result<EventBody> ParseMariadbGtidList(const ParseInput& in);

Result<EventBody> ParseTransactionPayload(const ParseInput& in);
// Rows event without the table lookup (the decoder attaches the TableMap).
Result<RowsEvent> ParseRows(const ParseInput& in);

// MariaDB compressed-event body: header byte, big-endian length, zlib stream.
Result<std::vector<uint8_t>> MariadbUncompress(std::span<const uint8_t> data);

}  // namespace switchyard::binlog::detail
