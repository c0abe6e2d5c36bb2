// BinlogFileReader: splits the bytes of a binlog file (magic + events) or of a raw event dump
// (`*.events`, no magic) into complete events, reporting each event's offset in the input.
// It only frames events; decoding is EventDecoder's job. Does not own the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace switchyard::binlog {

struct RawEvent {
  uint64_t offset = 0;  // offset in the input
  std::span<const uint8_t> bytes;
};

class BinlogFileReader {
 public:
  explicit BinlogFileReader(std::span<const uint8_t> file);

  // True when the input starts with the binlog magic; otherwise it is a raw event dump.
  bool has_magic() const { return has_magic_; }
  uint64_t offset() const { return pos_; }
  // Continue from `offset`; the caller ensures it is an event boundary.
  void Seek(uint64_t offset) {
    pos_ = offset;
    first_ = false;
  }

  // The next event, std::nullopt at the clean end of input, or an error naming the offset
  // when the rest of the input cannot hold a complete event.
  Result<std::optional<RawEvent>> Next();

 private:
  std::span<const uint8_t> file_;
  uint64_t pos_ = 0;
  bool has_magic_ = false;
  bool first_ = true;
};

// Reads a whole file into memory (IO errors carry the path and errno text).
Result<std::vector<uint8_t>> ReadWholeFile(const std::string& path);

// A file's bytes without copying them: memory-mapped read-only when it is a regular file,
// read into memory otherwise (pipes, /dev/stdin). Owns the mapping; move-only.
class FileBytes {
 public:
  static Result<FileBytes> Open(const std::string& path);
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&&) = delete;
  FileBytes(const FileBytes&) = delete;
  ~FileBytes();
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  FileBytes() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> copy_;  // when not mapped
};

}  // namespace switchyard::binlog
