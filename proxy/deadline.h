// Deadline: runs an action (usually closing a socket) if not disarmed within a duration.
// The timer handler holds only shared state, so it is safe to disarm and destroy the owner
// while an expiry is already queued. Single-threaded use (one io thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "net/io_types.h"

namespace switchyard::proxy {

class Deadline {
 public:
  Deadline(net::Executor executor, std::chrono::milliseconds after, std::function<void()> on_expire)
      : state_(std::make_shared<State>()), timer_(std::move(executor), after) {
    state_->on_expire = std::move(on_expire);
    timer_.async_wait([s = state_](const boost::system::error_code& ec) {
      if (ec || !s->on_expire) return;
      s->expired = true;
      auto f = std::move(s->on_expire);
      s->on_expire = nullptr;
      f();
    });
  }
  ~Deadline() { Disarm(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void Disarm() {
    state_->on_expire = nullptr;
    timer_.cancel();
  }
  bool expired() const { return state_->expired; }

 private:
  struct State {
    std::function<void()> on_expire;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
  net::Timer timer_;
};

}  // namespace switchyard::proxy
