// PayloadReader: bounds-checked cursor over one packet payload (the view is borrowed).
// Every read past the end fails softly: the reader remembers the FIRST error (with what was being
// read and the offset), jumps to the end and returns zero/empty values from then on, so parsers
// read a whole message straight-line and check status() once. It can never read out of bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "wire/bytes.h"

namespace switchyard::wire {

class PayloadReader {
 public:
  // `what` names the message for error texts, e.g. "OK packet". It must outlive the reader.
  explicit PayloadReader(BytesView payload, std::string_view what = "packet")
      : data_(payload), what_(what) {}

  // (U8 and U16 are inline: result terminators and OK packets are read on every statement.)
  uint8_t U8(std::string_view field = "int<1>") {
    if (!Need(1, field)) return 0;
    return data_[pos_++];
  }
  uint16_t U16(std::string_view field = "int<2>") {
    if (!Need(2, field)) return 0;
    uint16_t v = static_cast<uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
    pos_ += 2;
    return v;
  }
  uint32_t U24(std::string_view field = "int<3>");
  uint32_t U32(std::string_view field = "int<4>");
  uint64_t U48(std::string_view field = "int<6>");
  uint64_t U64(std::string_view field = "int<8>");
  // Length-encoded integer. 0xFB (NULL) and 0xFF (undefined) are errors here.
  uint64_t Lenenc(std::string_view field = "int<lenenc>");
  // Length-encoded integer or NULL (0xFB), as used in text rows.
  std::optional<uint64_t> LenencOrNull(std::string_view field = "int<lenenc>");
  std::string_view LenencString(std::string_view field = "string<lenenc>");
  // NUL-terminated string; the NUL is consumed and not returned.
  std::string_view NulString(std::string_view field = "string<NUL>");
  // NUL-terminated string, or the rest of the payload if there is no NUL (servers that omit it).
  std::string_view NulOrEofString(std::string_view field = "string<NUL>");
  std::string_view FixedString(size_t n, std::string_view field = "string<fix>");
  BytesView FixedBytes(size_t n, std::string_view field = "string<fix>");
  std::string_view Rest();  // string<EOF>: everything left (may be empty)
  void Skip(size_t n, std::string_view field = "filler");

  uint8_t Peek() const { return at_end() ? 0 : data_[pos_]; }
  bool at_end() const { return pos_ >= data_.size(); }
  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t size() const { return data_.size(); }
  BytesView data() const { return data_; }

  bool ok() const { return !error_; }
  // Ok, or the first error: "<what>: <field> truncated at offset N (need X bytes, have Y)".
  Status status() const;
  // Records a semantic error (bad value) at the current offset, unless an earlier one exists.
  void Fail(std::string_view message);
  // Fails unless everything was consumed ("trailing bytes" guard for strict messages).
  void ExpectEnd();

 private:
  bool Need(size_t n, std::string_view field) {
    if (!error_ && n <= remaining()) [[likely]]
      return true;
    return NeedFailed(n, field);
  }
  // Records the truncation error (if it is the first) and returns false.
  bool NeedFailed(size_t n, std::string_view field);

  BytesView data_;
  std::string_view what_;
  size_t pos_ = 0;
  std::optional<std::string> error_;
};

}  // namespace switchyard::wire
