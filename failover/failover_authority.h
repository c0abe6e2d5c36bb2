// The right to act on the topology, behind one small interface (DESIGN.md section 8): acquire
// the right to fail over, publish the new master with its epoch (compare-and-swap), and read
// what was last published (by us or, later, by another proxy through etcd).
// LocalFailoverAuthority is the single-process implementation: a mutex and a state file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"

namespace switchyard::failover {

struct MasterRecord {
  uint64_t epoch = 0;
  std::string master;       // server name
  std::string promoted_at;  // the new master's gtid_binlog_pos when it was promoted
};

class FailoverAuthority {
 public:
  virtual ~FailoverAuthority() = default;
  // The right to change the topology; false if someone else holds it.
  virtual bool TryAcquire() = 0;
  virtual void Release() = 0;
  // Publishes `record` only if record.epoch == Current()->epoch + 1 (or 1 when none).
  virtual Status Publish(const MasterRecord& record) = 0;
  // The latest published record (ours or another instance's).
  virtual std::optional<MasterRecord> Current() const = 0;
};

class LocalFailoverAuthority : public FailoverAuthority {
 public:
  // Loads <state_dir>/topology.json if present; a corrupt file is an error, not ignored.
  static Result<std::unique_ptr<LocalFailoverAuthority>> Open(std::string state_dir);

  bool TryAcquire() override;
  void Release() override;
  // Written atomically (temp file, fsync, rename) before it becomes Current().
  Status Publish(const MasterRecord& record) override;
  std::optional<MasterRecord> Current() const override;

  std::string path() const { return state_dir_ + "/topology.json"; }

 private:
  explicit LocalFailoverAuthority(std::string state_dir) : state_dir_(std::move(state_dir)) {}

  std::string state_dir_;
  mutable std::mutex mu_;
  bool held_ = false;
  std::optional<MasterRecord> current_;
};

// Serialisation of the state file, pure (tested).
std::string EncodeMasterRecord(const MasterRecord& record);
Result<MasterRecord> DecodeMasterRecord(std::string_view text);

}  // namespace switchyard::failover
