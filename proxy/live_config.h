// The configuration the data path reads while it runs (routing, limits, timeouts), swappable
// by a hot reload: each read takes the current snapshot (one atomic load), a reload publishes
// a whole new one. Settings that only matter at startup (listen, TLS files) are read once.
#pragma once

#include <atomic>
#include <memory>

#include "conf/config.h"

namespace switchyard::proxy {

class LiveConfig {
 public:
  explicit LiveConfig(conf::Config initial)
      : current_(std::make_shared<const conf::Config>(std::move(initial))) {}

  std::shared_ptr<const conf::Config> Get() const {
    return current_.load(std::memory_order_acquire);
  }
  // `ctx.config->routing`: the snapshot lives until the end of the full expression.
  std::shared_ptr<const conf::Config> operator->() const { return Get(); }

  void Publish(conf::Config next) {
    current_.store(std::make_shared<const conf::Config>(std::move(next)),
                   std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const conf::Config>> current_;
};

}  // namespace switchyard::proxy
