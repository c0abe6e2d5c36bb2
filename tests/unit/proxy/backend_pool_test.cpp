// BackendPool limits and bookkeeping on a real io_context, without servers: connections that
// were never connected stand in for borrowed ones (they count against the limit until destroyed).
#include "proxy/backend_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "proxy/session_state.h"
#include "wire/capabilities.h"

namespace switchyard::proxy {
namespace {

std::unique_ptr<BackendConnection> NewConn(asio::io_context& io) {
  return std::make_unique<BackendConnection>(io.get_executor(), "db1",
                                             conf::Endpoint{"127.0.0.1", 1});
}

template <typename F>
void RunCoroutine(asio::io_context& io, F f) {
  asio::co_spawn(io, f(), asio::detached);
  io.run();
  io.restart();
}

const conf::Endpoint kAddress{"127.0.0.1", 3307};

BackendPool::KeyId KeyOf(BackendPool& pool, std::string_view database = "app") {
  return pool.Intern({"db1", kAddress, "app", 1, 45, database});
}

TEST(BackendPool, LimitCountsOpenConnectionsUntilTheyAreDestroyed) {
  asio::io_context io;
  PoolLimits limits;
  limits.max_per_server = 2;
  BackendPool pool(io.get_executor(), limits);
  const auto k = KeyOf(pool);
  std::vector<std::unique_ptr<BackendConnection>> held;
  std::vector<bool> granted;
  RunCoroutine(io, [&]() -> net::Task<void> {
    for (int i = 0; i < 3; ++i) {
      auto lease = co_await pool.Acquire(k, std::chrono::milliseconds(30));
      granted.push_back(lease.ok);
      if (lease.ok) {
        held.push_back(NewConn(io));
        pool.Track(*held.back(), "db1");
      }
    }
  });
  EXPECT_EQ(granted, (std::vector<bool>{true, true, false})) << "the third waits, then times out";
  EXPECT_EQ(pool.open_count("db1"), 2);
  held.pop_back();  // a session closed one
  EXPECT_EQ(pool.open_count("db1"), 1);
  bool ok = false;
  RunCoroutine(io, [&]() -> net::Task<void> {
    ok = (co_await pool.Acquire(k, std::chrono::milliseconds(30))).ok;
  });
  EXPECT_TRUE(ok);
  EXPECT_EQ(pool.open_count("db1"), 2);
}

TEST(BackendPool, DeadIdleConnectionsAreNotHandedOut) {
  asio::io_context io;
  BackendPool pool(io.get_executor(), PoolLimits{});
  const auto k = KeyOf(pool);
  std::unique_ptr<BackendConnection> conn;
  RunCoroutine(io, [&]() -> net::Task<void> {
    (void)co_await pool.Acquire(k, std::chrono::milliseconds(10));
    conn = NewConn(io);
    pool.Track(*conn, "db1");
  });
  pool.Return(k, std::move(conn));  // never connected: not open
  EXPECT_EQ(pool.idle_count(), 1u);
  BackendPool::Lease lease;
  RunCoroutine(io, [&]() -> net::Task<void> {
    lease = co_await pool.Acquire(k, std::chrono::milliseconds(10));
  });
  EXPECT_TRUE(lease.ok);
  EXPECT_EQ(lease.conn, nullptr) << "a closed connection is dropped, a new one may open";
  EXPECT_EQ(pool.idle_count(), 0u);
  EXPECT_EQ(pool.open_count("db1"), 1) << "the dropped one freed its place, the new one took it";
}

TEST(BackendPool, PruneKeepsIdleMinAndClearEmpties) {
  asio::io_context io;
  PoolLimits limits;
  limits.idle_min = 1;
  limits.idle_timeout = std::chrono::milliseconds(1000);
  BackendPool pool(io.get_executor(), limits);
  const auto k = KeyOf(pool), fresh = KeyOf(pool, "other");
  RunCoroutine(io, [&]() -> net::Task<void> {
    for (int i = 0; i < 3; ++i) {
      // (acquired under another key: the idle ones under "k" were never connected and an
      // Acquire of "k" would drop them)
      (void)co_await pool.Acquire(fresh, std::chrono::milliseconds(10));
      auto c = NewConn(io);
      pool.Track(*c, "db1");
      pool.Return(k, std::move(c));
    }
  });
  EXPECT_EQ(pool.idle_count(), 3u);
  pool.Prune(std::chrono::steady_clock::now());
  EXPECT_EQ(pool.idle_count(), 3u) << "not idle long enough yet";
  pool.Prune(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  EXPECT_EQ(pool.idle_count(), 1u);
  EXPECT_EQ(pool.open_count("db1"), 1);
  pool.Clear();
  EXPECT_EQ(pool.idle_count(), 0u);
  EXPECT_EQ(pool.open_count("db1"), 0);
}

TEST(BackendPool, KeysSeparateServersUsersDialectsAndDatabases) {
  asio::io_context io;
  BackendPool pool(io.get_executor(), PoolLimits{});
  const conf::Endpoint moved{"127.0.0.2", 3307};
  const auto k = pool.Intern({"db1", kAddress, "app", 1, 45, "app"});
  EXPECT_EQ(k, pool.Intern({"db1", kAddress, "app", 1, 45, "app"}));
  EXPECT_NE(k, pool.Intern({"db2", kAddress, "app", 1, 45, "app"}));
  EXPECT_NE(k, pool.Intern({"db1", moved, "app", 1, 45, "app"}));
  EXPECT_NE(k, pool.Intern({"db1", kAddress, "other", 1, 45, "app"}));
  EXPECT_NE(k, pool.Intern({"db1", kAddress, "app", 3, 45, "app"}));
  EXPECT_NE(k, pool.Intern({"db1", kAddress, "app", 1, 33, "app"}));
  EXPECT_NE(k, pool.Intern({"db1", kAddress, "app", 1, 45, "test"}));
}

TEST(BackendPool, ReturnedConnectionGoesOnlyToItsKey) {
  asio::io_context io;
  BackendPool pool(io.get_executor(), PoolLimits{});
  const auto app = KeyOf(pool), other = KeyOf(pool, "other");
  auto conn = NewConn(io);
  pool.Track(*conn, "db1");
  pool.Return(app, std::move(conn));
  EXPECT_EQ(pool.TakeIdle(other), nullptr);
  EXPECT_EQ(pool.idle_count(), 1u) << "another key's borrow leaves it";
  EXPECT_EQ(pool.TakeIdle(app), nullptr) << "never connected: dropped, not handed out";
  EXPECT_EQ(pool.idle_count(), 0u);
}

TEST(SessionPins, StateThatKeepsAConnection) {
  auto after = [](std::string_view sql) {
    SessionState s;
    s.OnStatementSucceeded(ClassifySql(sql));
    return s.pins_connection();
  };
  EXPECT_FALSE(SessionState{}.pins_connection());
  EXPECT_FALSE(after("SELECT 1"));
  EXPECT_FALSE(after("USE app"));
  EXPECT_TRUE(after("SET @x = 1"));
  EXPECT_TRUE(after("SET time_zone = '+05:00'"));
  EXPECT_TRUE(after("SET NAMES latin1"));
  EXPECT_TRUE(after("CREATE TEMPORARY TABLE t (a INT)"));
  EXPECT_TRUE(after("SELECT GET_LOCK('x', 1)"));
  SessionState t;
  t.OnServerStatus(wire::status::kInTrans | wire::status::kAutocommit);
  EXPECT_TRUE(t.pins_connection());
  t.OnServerStatus(wire::status::kAutocommit);
  EXPECT_FALSE(t.pins_connection());
  // Autocommit off alone does not pin (the borrowed connection is switched to the session's
  // mode); the transaction it opens does.
  t.OnServerStatus(0);
  EXPECT_FALSE(t.pins_connection());
  EXPECT_TRUE(t.pinned_to_master());
  t.OnServerStatus(wire::status::kInTrans);
  EXPECT_TRUE(t.pins_connection());
}

}  // namespace
}  // namespace switchyard::proxy
