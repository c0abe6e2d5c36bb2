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

BackendPool::KeyId BackendPool::Intern(const KeyParts& k) {
  std::string text = fmt::format("{}|{}|{}|{:x}|{}|{}", k.server, k.address.ToString(), k.user,
                                 k.caps, k.charset, k.database);
  auto [it, added] = ids_.try_emplace(std::move(text), static_cast<KeyId>(queues_.size()));
  if (added) queues_.push_back(KeyQueue{std::string(k.server), {}});
  return it->second;
}

net::Task<BackendPool::Lease> BackendPool::Acquire(KeyId key, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto conn = TakeIdle(key)) co_return Lease{true, std::move(conn)};
    const std::string& server = queues_[key].server;
    if (open_[server] < static_cast<int>(limits_.max_per_server) || EvictIdleOf(server)) {
      ++open_[server];
      co_return Lease{true, nullptr};
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

std::unique_ptr<BackendConnection> BackendPool::TakeIdle(KeyId key) {
  std::vector<Idle>& idle = queues_[key].idle;
  while (!idle.empty()) {
    std::unique_ptr<BackendConnection> conn = std::move(idle.back().conn);  // warmest
    idle.pop_back();
    if (conn && conn->is_open() && !conn->HasUnsolicitedData()) return conn;
    // Died while idle (the server closed it: wait_timeout, KILL): dropped here.
  }
  return nullptr;
}

bool BackendPool::EvictIdleOf(const std::string& server) {
  std::vector<Idle>* oldest = nullptr;
  for (KeyQueue& queue : queues_) {
    if (queue.idle.empty() || queue.server != server) continue;
    if (!oldest || queue.idle.front().since < oldest->front().since) oldest = &queue.idle;
  }
  if (!oldest) return false;
  oldest->erase(oldest->begin());  // the connection's release hook frees its place
  return true;
}

void BackendPool::Track(BackendConnection& conn, const std::string& server) {
  conn.OnDestroy([this, server] {
    --open_[server];
    WakeOne();
  });
}

void BackendPool::Return(KeyId key, std::unique_ptr<BackendConnection> conn) {
  queues_[key].idle.push_back(Idle{std::move(conn), std::chrono::steady_clock::now()});
  WakeOne();
}

void BackendPool::WakeOne() {
  if (closing_ || waiters_.empty()) return;
  net::Timer* t = waiters_.front();
  waiters_.pop_front();
  t->cancel();
}

void BackendPool::Prune(std::chrono::steady_clock::time_point now) {
  for (KeyQueue& queue : queues_) {
    // Oldest at the front; keep idle_min of the newest.
    size_t expired = 0;
    while (queue.idle.size() - expired > limits_.idle_min &&
           now - queue.idle[expired].since >= limits_.idle_timeout)
      ++expired;
    queue.idle.erase(queue.idle.begin(), queue.idle.begin() + static_cast<ptrdiff_t>(expired));
  }
}

void BackendPool::Clear() {
  closing_ = true;  // shutdown: waiting sessions' frames may already be gone
  for (KeyQueue& queue : queues_) queue.idle.clear();
}

size_t BackendPool::idle_count() const {
  size_t n = 0;
  for (const KeyQueue& queue : queues_) n += queue.idle.size();
  return n;
}

int BackendPool::open_count(const std::string& server) const {
  auto it = open_.find(server);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace switchyard::proxy
