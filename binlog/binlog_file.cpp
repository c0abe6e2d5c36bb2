#include "binlog/binlog_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

Result<FileBytes> FileBytes::Open(const std::string& path) {
  FileBytes f;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      ::madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
      ::close(fd);
      f.data_ = static_cast<const uint8_t*>(p);
      f.size_ = static_cast<size_t>(st.st_size);
      f.mapped_ = true;
      return f;
    }
  }
  ::close(fd);
  auto data = ReadWholeFile(path);
  if (!data) return data.error();
  f.copy_ = std::move(*data);
  f.data_ = f.copy_.data();
  f.size_ = f.copy_.size();
  return f;
}

FileBytes::FileBytes(FileBytes&& other) noexcept
    : data_(other.data_),
      size_(other.size_),
      mapped_(other.mapped_),
      copy_(std::move(other.copy_)) {
  if (!mapped_) data_ = copy_.data();
  other.data_ = nullptr;
  other.size_ = 0;
  other.mapped_ = false;
}

FileBytes::~FileBytes() {
  if (mapped_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace switchyard::binlog
