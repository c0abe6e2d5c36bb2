#include "proxy/backend_pool.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

namespace switchyard::proxy {

BackendPool::BackendPool(net::Executor executor, PoolLimits limits)
    : executor_(std::move(executor)), limits_(limits) {
  if (limits_.max_per_server == 0) limits_.max_per_server = 1;
}

BackendPool::~BackendPool() {
  Clear();
}

std::string BackendPool::Key(std::string_view server, const conf::Endpoint& address,
                             std::string_view user, wire::Capabilities caps, uint8_t charset) {
  // Frames are forwarded untouched, so only clients of the same wire dialect may share.
  return fmt::format("{}|{}|{}|{:x}|{}", server, address.ToString(), user, caps, charset);
}

net::Task<BackendPool::Lease> BackendPool::Acquire(const std::string& key,
                                                   const std::string& server,
                                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (std::optional<Idle> idle = TakeIdle(key)) co_return Lease{true, std::move(*idle)};
    if (open_[server] < static_cast<int>(limits_.max_per_server) || EvictIdleOf(server)) {
      ++open_[server];
      co_return Lease{true, Idle{}};
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return Lease{};
    // Wait for a return (which wakes one waiter) or, at most 20 ms, for a discard.
    net::Timer timer(executor_, std::min<std::chrono::steady_clock::duration>(
                                    deadline - now, std::chrono::milliseconds(20)));
    waiters_.push_back(&timer);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(net::use_task, ec));
    std::erase(waiters_, &timer);
  }
}

std::optional<BackendPool::Idle> BackendPool::TakeIdle(const std::string& key) {
  auto it = idle_.find(key);
  while (it != idle_.end() && !it->second.empty()) {
    Idle idle = std::move(it->second.back());  // most recently used: warmest
    it->second.pop_back();
    if (idle.conn && idle.conn->is_open() && !idle.conn->HasUnsolicitedData()) return idle;
    // Died while idle (the server closed it: wait_timeout, KILL): dropped here.
  }
  return std::nullopt;
}

bool BackendPool::EvictIdleOf(const std::string& server) {
  std::deque<Idle>* oldest_queue = nullptr;
  for (auto& [key, queue] : idle_) {
    if (queue.empty() || queue.front().server != server) continue;
    if (!oldest_queue || queue.front().since < oldest_queue->front().since) oldest_queue = &queue;
  }
  if (!oldest_queue) return false;
  oldest_queue->pop_front();  // the connection's release hook frees its place
  return true;
}

void BackendPool::Track(BackendConnection& conn, const std::string& server) {
  conn.OnDestroy([this, server] {
    --open_[server];
    WakeOne();
  });
}

void BackendPool::Return(const std::string& key, const std::string& server,
                         std::unique_ptr<BackendConnection> conn, std::string database) {
  idle_[key].push_back(
      Idle{std::move(conn), server, std::move(database), std::chrono::steady_clock::now()});
  WakeOne();
}

void BackendPool::WakeOne() {
  if (closing_ || waiters_.empty()) return;
  net::Timer* t = waiters_.front();
  waiters_.pop_front();
  t->cancel();
}

void BackendPool::Prune(std::chrono::steady_clock::time_point now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& queue = it->second;
    // Oldest at the front; keep idle_min of the newest.
    while (queue.size() > limits_.idle_min && now - queue.front().since >= limits_.idle_timeout) {
      queue.pop_front();
    }
    it = queue.empty() ? idle_.erase(it) : std::next(it);
  }
}

void BackendPool::Clear() {
  closing_ = true;  // shutdown: waiting sessions' frames may already be gone
  idle_.clear();
}

size_t BackendPool::idle_count() const {
  size_t n = 0;
  for (const auto& [key, queue] : idle_) n += queue.size();
  return n;
}

int BackendPool::open_count(const std::string& server) const {
  auto it = open_.find(server);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace switchyard::proxy
