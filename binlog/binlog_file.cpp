#include "binlog/binlog_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "binlog/event_header.h"

namespace switchyard::binlog {

BinlogFileReader::BinlogFileReader(std::span<const uint8_t> file) : file_(file) {
  has_magic_ = file.size() >= 4 && std::memcmp(file.data(), kBinlogMagic, 4) == 0;
  pos_ = has_magic_ ? 4 : 0;
}

Result<std::optional<RawEvent>> BinlogFileReader::Next() {
  if (pos_ >= file_.size()) return std::optional<RawEvent>();
  size_t left = file_.size() - pos_;
  if (left < kEventHeaderSize) {
    return MakeError(fmt::format("truncated event header at offset {}: {} bytes left, need {}",
                                 pos_, left, kEventHeaderSize));
  }
  auto h = ParseEventHeader(file_.subspan(pos_), pos_);
  if (!h.ok()) return h.error();
  if (h->event_size < kEventHeaderSize) {
    return MakeError(fmt::format("invalid event size {} at offset {}", h->event_size, pos_));
  }
  if (h->event_size > left) {
    return MakeError(fmt::format("truncated event at offset {}: header says {} bytes, {} left",
                                 pos_, h->event_size, left));
  }
  // A binlog file starts with its FORMAT_DESCRIPTION (START_V3 before 5.0); a dump stream with
  // the server's artificial ROTATE. Anything else means the input is not what it claims.
  if (first_) {
    bool ok = has_magic_ ? (h->type == 15 || h->type == 1) : (h->type == 4 || h->type == 15);
    if (!ok) {
      return MakeError(
          fmt::format("unexpected first event type {} at offset {} (expected {})", h->type, pos_,
                      has_magic_ ? "FORMAT_DESCRIPTION" : "ROTATE or FORMAT_DESCRIPTION"));
    }
    first_ = false;
  }
  RawEvent ev{pos_, file_.subspan(pos_, h->event_size)};
  pos_ += h->event_size;
  return std::optional<RawEvent>(ev);
}

Result<std::vector<uint8_t>> ReadWholeFile(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return MakeError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::vector<uint8_t> data;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) data.insert(data.end(), buf, buf + n);
  if (std::ferror(f.get())) return MakeError(fmt::format("cannot read {}", path));
  return data;
}

}  // namespace switchyard::binlog
