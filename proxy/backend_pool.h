// BackendPool: the idle backend connections of ONE io thread, so sessions on that thread can
// share them (connection multiplexing, issue 8). A session borrows a connection for a statement
// and gives it back when nothing in the session pins it. Connections are grouped by a key that
// says who may reuse one (server, user, wire capabilities, charset): different users never share
// a connection. Per server, at most `limit` connections (idle + borrowed) exist on this thread;
// beyond that a borrower waits. Not thread-safe: used only from its io thread.
// Keys are interned: a session asks once for a key's id and then borrows and returns by id, an
// index rather than a map lookup over a 60-byte string twice per statement.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/io_types.h"
#include "proxy/backend_connection.h"

namespace switchyard::proxy {

struct PoolLimits {
  uint32_t max_per_server = 64;  // on this thread
  uint32_t idle_min = 0;         // idle connections per key kept past the idle timeout
  std::chrono::milliseconds idle_timeout{60000};
};

class BackendPool {
 public:
  // Who may reuse a connection: frames are forwarded untouched, so only clients of the same
  // user and wire dialect share, and a connection is handed out only in the borrower's database.
  struct KeyParts {
    std::string_view server;
    const conf::Endpoint& address;
    std::string_view user;
    wire::Capabilities caps = 0;
    uint8_t charset = 0;
    std::string_view database;
  };
  using KeyId = uint32_t;

  BackendPool(net::Executor executor, PoolLimits limits);
  ~BackendPool();
  BackendPool(const BackendPool&) = delete;
  BackendPool& operator=(const BackendPool&) = delete;

  // The id of a key, the same for equal keys for the pool's life (ids are never reused: a
  // session may keep one).
  KeyId Intern(const KeyParts& key);

  // An idle connection for `key` (conn set), or the right to open a new one to the key's server
  // (conn null, ok true: create it and Track it at once), waiting up to `timeout` while the
  // server's limit is reached (ok false when it expired).
  struct Lease {
    bool ok = false;
    std::unique_ptr<BackendConnection> conn;
  };
  net::Task<Lease> Acquire(KeyId key, std::chrono::milliseconds timeout);
  // The synchronous part of Acquire: an idle, healthy connection for `key`, or null.
  std::unique_ptr<BackendConnection> TakeIdle(KeyId key);
  // Counts `conn` against its server's limit until it is destroyed (wherever that happens: a
  // session that closes it, a failed connect, pruning). The pool must outlive it.
  void Track(BackendConnection& conn, const std::string& server);
  // A borrowed connection comes back, healthy, without session state, in the key's database.
  void Return(KeyId key, std::unique_ptr<BackendConnection> conn);
  // Closes idle connections past the idle timeout (keeping idle_min per key).
  void Prune(std::chrono::steady_clock::time_point now);
  // Closes every idle connection (shutdown: before the io context goes).
  void Clear();

  size_t idle_count() const;
  int open_count(const std::string& server) const;

 private:
  struct Idle {
    std::unique_ptr<BackendConnection> conn;
    std::chrono::steady_clock::time_point since;
  };
  // The idle connections of one key; oldest first, so the back is the warmest.
  struct KeyQueue {
    std::string server;
    std::vector<Idle> idle;
  };

  void WakeOne();
  // At the limit for `server`: closes its oldest idle connection of another key, if any.
  bool EvictIdleOf(const std::string& server);

  net::Executor executor_;
  PoolLimits limits_;
  std::map<std::string, KeyId, std::less<>> ids_;  // key text -> index in queues_
  std::vector<KeyQueue> queues_;
  std::map<std::string, int> open_;  // by server: idle + borrowed
  std::deque<net::Timer*> waiters_;
  bool closing_ = false;
};

}  // namespace switchyard::proxy
