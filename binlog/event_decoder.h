// EventDecoder: sans-I/O decoder fed one complete event at a time (from a file splitter or a
// replication stream). It keeps the state events depend on: the current FORMAT_DESCRIPTION
// (checksum algorithm, post-header lengths) and the TABLE_MAPs that rows events refer to.
// Every event's CRC32 is verified when the format says so; errors name the event offset.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "binlog/events.h"

namespace switchyard::binlog {

class EventDecoder {
 public:
  EventDecoder() = default;

  // For events that arrive before any FORMAT_DESCRIPTION (a dump stream's artificial ROTATE):
  // the checksum the connection negotiated. Without a hint the decoder checks whether the last
  // four bytes are a valid CRC32 of the rest.
  void SetChecksumHint(ChecksumAlg alg) { checksum_hint_ = alg; }

  // Checksums are verified by default. Turning verification off (fuzzing, salvaging a damaged
  // file) still strips the trailer the format declares.
  void SetVerifyChecksums(bool verify) { verify_checksums_ = verify; }

  // Decodes one complete event (header + body + checksum). `offset` is used in error messages
  // only (file offset, or stream position).
  Result<Event> Decode(std::span<const uint8_t> event_bytes, uint64_t offset = 0);

  // Splits and decodes the inner events of a TRANSACTION_PAYLOAD (they carry no checksum).
  // TABLE_MAPs inside update this decoder's table cache like top-level ones.
  Result<std::vector<Event>> DecodePayloadEvents(const TransactionPayloadEvent& payload,
                                                 uint64_t offset = 0);

  const FormatDescription* format() const { return fd_ ? &*fd_ : nullptr; }
  std::shared_ptr<const TableMap> FindTable(uint64_t table_id) const;

 private:
  // `data` is the event after the common header, without checksum.
  Result<Event> DecodeBody(const EventHeader& h, std::span<const uint8_t> data, uint64_t offset);

  std::optional<FormatDescription> fd_;
  std::optional<ChecksumAlg> checksum_hint_;
  bool verify_checksums_ = true;
  std::unordered_map<uint64_t, std::shared_ptr<const TableMap>> tables_;
};

}  // namespace switchyard::binlog
