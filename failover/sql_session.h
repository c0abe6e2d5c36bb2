// One blocking libmariadb control-plane connection: the monitor's health checks (ServerProbe)
// and failover's administrative statements (STOP SLAVE, CHANGE MASTER, SET GLOBAL read_only...)
// both go through it. TCP always, no silent reconnect; blocks up to the timeout per call, so
// use it from monitor/probe threads only, never from an io thread. Any failure closes it; the
// next call reconnects.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "conf/config.h"
#include "failover/server_probe.h"

struct st_mysql;  // libmariadb's MYSQL, kept out of this header

namespace switchyard::failover {

class SqlSession {
 public:
  // timeout_ms bounds connect, read and write (libmariadb rounds up to whole seconds).
  SqlSession(conf::Endpoint address, std::string user, std::string password, uint32_t timeout_ms);
  ~SqlSession();
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  // Connects unless connected (Query and Execute do this themselves).
  Status Connect();
  bool connected() const { return conn_ != nullptr; }
  void Close() { conn_.reset(); }
  // The connected server's version string ("10.11.6-MariaDB-...") and number (100116); only
  // meaningful while connected.
  std::string ServerInfo() const;
  unsigned long ServerVersion() const;

  Status Execute(std::string_view sql);
  Result<std::vector<ResultRow>> Query(std::string_view sql);
  // First column of the first row ("" for NULL or no rows).
  Result<std::string> QueryValue(std::string_view sql);
  // SHOW SLAVE STATUS; nullopt when no replication is configured.
  Result<std::optional<ReplicationStatus>> SlaveStatus();

  const conf::Endpoint& address() const { return address_; }

 private:
  struct Closer {
    void operator()(st_mysql* mysql) const;
  };
  std::string LastError(std::string_view sql) const;

  conf::Endpoint address_;
  std::string user_;
  std::string password_;
  uint32_t timeout_ms_;
  std::unique_ptr<st_mysql, Closer> conn_;
};

// SQL string literal with quotes and backslashes escaped (for CHANGE MASTER values).
std::string SqlQuote(std::string_view value);

}  // namespace switchyard::failover
