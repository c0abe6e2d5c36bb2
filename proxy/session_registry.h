// SessionRegistry: every live client session by its proxy-assigned connection id, across io
// threads (guarded by a mutex: touched on connect, disconnect, KILL and shutdown only, never
// per statement). It answers "which backend thread runs session N right now" for KILL.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "conf/config.h"

namespace switchyard::proxy {

// Where a session's current statement runs; updated by the session, read by KILL.
struct BackendTarget {
  std::string server;
  conf::Endpoint address;
  uint32_t thread_id = 0;
};

class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  virtual std::optional<BackendTarget> CurrentBackend() const = 0;
  virtual const std::string& user() const = 0;
  // Thread-safe: close the client after its current statement (or now if idle).
  virtual void RequestClose() = 0;
};

class SessionRegistry {
 public:
  uint32_t NextId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  void Add(uint32_t id, std::weak_ptr<SessionHandle> session);
  void Remove(uint32_t id);
  std::shared_ptr<SessionHandle> Find(uint32_t id) const;
  size_t size() const;
  void ForEach(const std::function<void(SessionHandle&)>& fn) const;

 private:
  std::atomic<uint32_t> next_id_{1};
  mutable std::mutex mu_;
  std::unordered_map<uint32_t, std::weak_ptr<SessionHandle>> sessions_;
};

}  // namespace switchyard::proxy
