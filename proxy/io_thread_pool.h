// N io_context threads; a client session and its backend connections live on one of them,
// so the data path needs no locks. Owns the contexts and their threads.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace switchyard::proxy {

class IoThreadPool {
 public:
  explicit IoThreadPool(size_t threads);  // 0 = hardware concurrency
  ~IoThreadPool();
  IoThreadPool(const IoThreadPool&) = delete;
  IoThreadPool& operator=(const IoThreadPool&) = delete;

  void Start();
  void Stop();  // stops the contexts and joins the threads
  size_t size() const { return contexts_.size(); }
  boost::asio::io_context& Context(size_t i) { return *contexts_[i]; }
  // Round-robin choice for a new session.
  boost::asio::io_context& Next();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace switchyard::proxy
