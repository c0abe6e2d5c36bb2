#include "wire/payload_reader.h"

#include <cstring>

#include <fmt/format.h>

namespace switchyard::wire {

std::string ToHex(BytesView b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (uint8_t c : b) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Bytes FromHex(std::string_view hex) {
  Bytes out;
  int high = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      continue;
    } else {
      return {};
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return {};
  return out;
}

bool PayloadReader::NeedFailed(size_t n, std::string_view field) {
  if (error_) return false;
  error_ = fmt::format("{}: {} truncated at offset {} (need {} bytes, have {})", what_, field, pos_,
                       n, remaining());
  pos_ = data_.size();
  return false;
}

void PayloadReader::Fail(std::string_view message) {
  if (error_) return;
  error_ = fmt::format("{}: {} at offset {}", what_, message, pos_);
  pos_ = data_.size();
}

void PayloadReader::ExpectEnd() {
  if (!at_end()) Fail(fmt::format("{} unexpected trailing bytes", remaining()));
}

Status PayloadReader::status() const {
  if (error_) return MakeError(*error_);
  return Status::Ok();
}

uint32_t PayloadReader::U24(std::string_view field) {
  if (!Need(3, field)) return 0;
  uint32_t v =
      uint32_t{data_[pos_]} | uint32_t{data_[pos_ + 1]} << 8 | uint32_t{data_[pos_ + 2]} << 16;
  pos_ += 3;
  return v;
}

uint32_t PayloadReader::U32(std::string_view field) {
  if (!Need(4, field)) return 0;
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | data_[pos_ + i];
  pos_ += 4;
  return v;
}

uint64_t PayloadReader::U48(std::string_view field) {
  if (!Need(6, field)) return 0;
  uint64_t v = 0;
  for (int i = 5; i >= 0; --i) v = v << 8 | data_[pos_ + i];
  pos_ += 6;
  return v;
}

uint64_t PayloadReader::U64(std::string_view field) {
  if (!Need(8, field)) return 0;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | data_[pos_ + i];
  pos_ += 8;
  return v;
}

std::optional<uint64_t> PayloadReader::LenencOrNull(std::string_view field) {
  if (!Need(1, field)) return 0;
  uint8_t first = data_[pos_];
  if (first < 0xFB) {
    ++pos_;
    return first;
  }
  if (first == 0xFB) {
    ++pos_;
    return std::nullopt;
  }
  if (first == 0xFC) {
    if (!Need(3, field)) return 0;
    ++pos_;
    return U16(field);
  }
  if (first == 0xFD) {
    if (!Need(4, field)) return 0;
    ++pos_;
    return U24(field);
  }
  if (first == 0xFE) {
    if (!Need(9, field)) return 0;
    ++pos_;
    return U64(field);
  }
  Fail(fmt::format("{} has invalid first byte 0xff", field));
  return 0;
}

uint64_t PayloadReader::Lenenc(std::string_view field) {
  if (ok() && !at_end() && data_[pos_] == 0xFB) {
    Fail(fmt::format("{} is NULL (0xfb) where a number is required", field));
    return 0;
  }
  return LenencOrNull(field).value_or(0);
}

std::string_view PayloadReader::LenencString(std::string_view field) {
  uint64_t n = Lenenc(field);
  if (!ok()) return {};
  if (n > remaining()) {
    Need(n, field);
    return {};
  }
  return FixedString(static_cast<size_t>(n), field);
}

std::string_view PayloadReader::NulString(std::string_view field) {
  if (error_) return {};
  const void* nul = at_end() ? nullptr : std::memchr(data_.data() + pos_, 0, remaining());
  if (nul == nullptr) {
    error_ = fmt::format("{}: {} starting at offset {} has no NUL terminator", what_, field, pos_);
    pos_ = data_.size();
    return {};
  }
  size_t len = static_cast<size_t>(static_cast<const uint8_t*>(nul) - (data_.data() + pos_));
  std::string_view s = AsString(data_.subspan(pos_, len));
  pos_ += len + 1;
  return s;
}

std::string_view PayloadReader::NulOrEofString(std::string_view field) {
  if (error_) return {};
  if (!at_end() && std::memchr(data_.data() + pos_, 0, remaining()) != nullptr) {
    return NulString(field);
  }
  return Rest();
}

std::string_view PayloadReader::FixedString(size_t n, std::string_view field) {
  return AsString(FixedBytes(n, field));
}

BytesView PayloadReader::FixedBytes(size_t n, std::string_view field) {
  if (!Need(n, field)) return {};
  BytesView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

std::string_view PayloadReader::Rest() {
  if (error_) return {};
  std::string_view s = AsString(data_.subspan(pos_));
  pos_ = data_.size();
  return s;
}

void PayloadReader::Skip(size_t n, std::string_view field) {
  if (Need(n, field)) pos_ += n;
}

}  // namespace switchyard::wire
