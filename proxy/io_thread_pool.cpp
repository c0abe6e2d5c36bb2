#include "proxy/io_thread_pool.h"

#include <spdlog/spdlog.h>

namespace switchyard::proxy {

IoThreadPool::IoThreadPool(size_t threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < threads; ++i)
    // One thread runs each context and only that thread touches its sockets, so the reactor's
    // per-socket mutex is dropped (other threads still post work and register sockets: accepts).
    contexts_.push_back(
        std::make_unique<boost::asio::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO));
}

IoThreadPool::~IoThreadPool() {
  Stop();
}

void IoThreadPool::Start() {
  for (auto& ctx : contexts_) {
    guards_.emplace_back(ctx->get_executor());
    threads_.emplace_back([io = ctx.get()] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {  // a handler must not take the whole thread down
          spdlog::error("io thread: unexpected exception escaped a handler: {}", e.what());
        }
      }
    });
  }
}

void IoThreadPool::Stop() {
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

boost::asio::io_context& IoThreadPool::Next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

}  // namespace switchyard::proxy
