// SnapshotHolder<T>: an immutable T that one writer replaces whole (a config reload, a topology
// change) while io threads read it on every statement. Each thread keeps its own reference to the
// current snapshot and checks one version counter per read, so reads between publishes take no
// lock and touch no reference count shared with other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace switchyard::proxy {

template <typename T>
class SnapshotHolder {
 public:
  explicit SnapshotHolder(T initial)
      : current_(std::make_shared<const T>(std::move(initial))), id_(NextId()) {}
  SnapshotHolder(const SnapshotHolder&) = delete;
  SnapshotHolder& operator=(const SnapshotHolder&) = delete;

  // A snapshot to keep (across co_await, for a whole statement).
  std::shared_ptr<const T> Get() const { return Cached(); }
  // `holder->field`: valid for the full expression. The calling thread's cache keeps the
  // snapshot alive until that thread reads after the next publish.
  const T* operator->() const { return Cached().get(); }

  void Publish(std::shared_ptr<const T> next) {
    std::lock_guard lock(mu_);
    current_ = std::move(next);
    version_.fetch_add(1, std::memory_order_release);
  }

 private:
  const std::shared_ptr<const T>& Cached() const {
    struct Cache {
      uint64_t owner = 0;  // id_, not the address: a holder may reuse a destroyed one's
      uint64_t version = 0;
      std::shared_ptr<const T> value;
    };
    thread_local Cache cache;
    uint64_t v = version_.load(std::memory_order_acquire);
    if (cache.owner != id_ || cache.version != v) {
      std::lock_guard lock(mu_);
      cache.value = current_;
      cache.version = version_.load(std::memory_order_relaxed);
      cache.owner = id_;
    }
    return cache.value;
  }

  static uint64_t NextId() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  mutable std::mutex mu_;
  std::shared_ptr<const T> current_;  // guarded by mu_
  std::atomic<uint64_t> version_{1};
  const uint64_t id_;
};

}  // namespace switchyard::proxy
