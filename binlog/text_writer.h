// TextWriter: the growable output buffer the dump renders into (text and JSON). Writers ask
// for the worst-case size of what they are about to write (Reserve), write through the raw
// pointer with no per-byte bounds checks, and Commit the end. The owner hands the bytes to a
// sink in large chunks (FlushIfFull) instead of one stream call per line or per value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string_view>

namespace switchyard::binlog {

class TextWriter {
 public:
  using Sink = std::function<void(std::string_view)>;

  // `sink` receives the pending bytes on Flush (and on FlushIfFull once at least `flush_at`
  // bytes are pending); without a sink the bytes stay in view() until clear().
  explicit TextWriter(Sink sink = {}, size_t flush_at = size_t{256} << 10);
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  // At least `n` writable bytes at the returned pointer; follow with Commit(end).
  char* Reserve(size_t n) {
    if (cap_ - size_ < n) Grow(n);
    return buf_.get() + size_;
  }
  void Commit(char* end) { size_ = static_cast<size_t>(end - buf_.get()); }

  void Append(std::string_view s) {
    char* p = Reserve(s.size());
    std::memcpy(p, s.data(), s.size());
    size_ += s.size();
  }
  void Put(char c) {
    if (size_ == cap_) Grow(1);
    buf_[size_++] = c;
  }
  void AppendUnsigned(uint64_t v) { Commit(WriteUnsigned(Reserve(20), v)); }
  void AppendSigned(int64_t v) { Commit(WriteSigned(Reserve(21), v)); }

  void FlushIfFull() {
    if (size_ >= flush_at_ && sink_) Flush();
  }
  void Flush();

  std::string_view view() const { return {buf_.get(), size_}; }
  char* data() { return buf_.get(); }  // for in-place edits of what was written
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  void resize_down(size_t n) { size_ = n < size_ ? n : size_; }  // drop bytes past n

  // Decimal digits of v at p; returns the end. May write up to 20 bytes (21 for WriteSigned)
  // past p whatever the length: reserve that much.
  static char* WriteUnsigned(char* p, uint64_t v);
  static char* WriteSigned(char* p, int64_t v) {
    if (v < 0) {
      *p++ = '-';
      return WriteUnsigned(p, 0 - static_cast<uint64_t>(v));
    }
    return WriteUnsigned(p, static_cast<uint64_t>(v));
  }
  // Exactly `width` digits of v (v < 10^width, width <= 10), zero-padded.
  static char* WritePadded(char* p, uint32_t v, int width);
  // Two digits of v (v < 100).
  static char* Write2(char* p, unsigned v) {
    std::memcpy(p, kDigitPairs + 2 * v, 2);
    return p + 2;
  }

  static const char kDigitPairs[201];

 private:
  void Grow(size_t n);

  Sink sink_;
  size_t flush_at_;
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace switchyard::binlog
