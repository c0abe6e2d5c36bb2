// ByteReader: bounds-checked little-endian cursor over a byte span it does not own.
// Every read either succeeds or leaves the reader in a failed state that remembers the offset
// of the first short read, so parsers can chain reads and check once (no UB on truncation).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace switchyard::binlog {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return failed_ ? 0 : bytes_.size() - pos_; }
  bool ok() const { return !failed_; }
  bool empty() const { return remaining() == 0; }
  // Offset at which the first read failed (valid only when !ok()).
  size_t failed_at() const { return failed_at_; }

  bool Skip(size_t n) {
    if (!Need(n)) return false;
    pos_ += n;
    return true;
  }
  uint8_t U8() { return static_cast<uint8_t>(Uint(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Uint(2)); }
  uint32_t U24() { return static_cast<uint32_t>(Uint(3)); }
  uint32_t U32() { return static_cast<uint32_t>(Uint(4)); }
  uint64_t U48() { return Uint(6); }
  uint64_t U56() { return Uint(7); }
  uint64_t U64() { return Uint(8); }

  // Little-endian unsigned integer of n (<= 8) bytes.
  uint64_t Uint(size_t n) {
    if (!Need(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(bytes_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }

  // MySQL length-encoded integer (0xfb..0xff prefixes). 0xfb (NULL) and 0xff are errors.
  uint64_t PackedInt() {
    uint8_t first = U8();
    if (!ok()) return 0;
    if (first < 0xfb) return first;
    if (first == 0xfc) return Uint(2);
    if (first == 0xfd) return Uint(3);
    if (first == 0xfe) return Uint(8);
    Fail();
    return 0;
  }

  std::span<const uint8_t> Bytes(size_t n) {
    if (!Need(n)) return {};
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::string_view String(size_t n) {
    auto s = Bytes(n);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }
  std::span<const uint8_t> Rest() { return Bytes(remaining()); }
  std::string_view RestString() { return String(remaining()); }

  void Fail() {
    if (!failed_) failed_at_ = pos_;
    failed_ = true;
  }

 private:
  bool Need(size_t n) {
    if (failed_) return false;
    if (bytes_.size() - pos_ < n) {
      Fail();
      return false;
    }
    return true;
  }

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  size_t failed_at_ = 0;
  bool failed_ = false;
};

inline std::string_view AsStringView(std::span<const uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

}  // namespace switchyard::binlog
