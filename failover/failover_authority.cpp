#include "failover/failover_authority.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace switchyard::failover {

std::string EncodeMasterRecord(const MasterRecord& record) {
  nlohmann::ordered_json j;
  j["epoch"] = record.epoch;
  j["master"] = record.master;
  j["promoted_at"] = record.promoted_at;
  return j.dump(2) + "\n";
}

Result<MasterRecord> DecodeMasterRecord(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return MakeError("state file: not a JSON object");
  MasterRecord r;
  if (!j.contains("epoch") || !j["epoch"].is_number_unsigned()) {
    return MakeError("state file: epoch missing or not an unsigned number");
  }
  if (!j.contains("master") || !j["master"].is_string() || j["master"].get<std::string>().empty()) {
    return MakeError("state file: master missing or not a name");
  }
  r.epoch = j["epoch"].get<uint64_t>();
  r.master = j["master"].get<std::string>();
  if (j.contains("promoted_at") && j["promoted_at"].is_string()) {
    r.promoted_at = j["promoted_at"].get<std::string>();
  }
  return r;
}

Result<std::unique_ptr<LocalFailoverAuthority>> LocalFailoverAuthority::Open(
    std::string state_dir) {
  std::unique_ptr<LocalFailoverAuthority> out(new LocalFailoverAuthority(std::move(state_dir)));
  std::ifstream in(out->path());
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    auto record = DecodeMasterRecord(text.str());
    if (!record) return MakeError(out->path() + ": " + record.error().message);
    out->current_ = std::move(*record);
  }
  return out;
}

bool LocalFailoverAuthority::TryAcquire() {
  std::lock_guard lk(mu_);
  if (held_) return false;
  held_ = true;
  return true;
}

void LocalFailoverAuthority::Release() {
  std::lock_guard lk(mu_);
  held_ = false;
}

Status LocalFailoverAuthority::Publish(const MasterRecord& record) {
  std::lock_guard lk(mu_);
  uint64_t expected = current_ ? current_->epoch + 1 : 1;
  if (record.epoch != expected) {
    return MakeError("epoch " + std::to_string(record.epoch) + " is not the next one (" +
                     std::to_string(expected) + ")");
  }
  std::error_code ec;
  std::filesystem::create_directories(state_dir_, ec);
  if (ec) return MakeError("state dir " + state_dir_ + ": " + ec.message());
  const std::string tmp = path() + ".tmp";
  const std::string text = EncodeMasterRecord(record);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return MakeError(tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) return MakeError(tmp + ": " + std::strerror(saved));
  if (::rename(tmp.c_str(), path().c_str()) != 0) {
    return MakeError(path() + ": rename: " + std::strerror(errno));
  }
  // The rename itself must survive a crash: sync the directory.
  int dir = ::open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  current_ = record;
  return Status::Ok();
}

std::optional<MasterRecord> LocalFailoverAuthority::Current() const {
  std::lock_guard lk(mu_);
  return current_;
}

}  // namespace switchyard::failover
