// One blocking libmariadb connection used by failover to run administrative statements
// (STOP SLAVE, CHANGE MASTER, SET GLOBAL read_only, ...). Blocks up to the timeout per call:
// use it from the monitor thread only, never from an io thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "conf/config.h"
#include "failover/server_probe.h"

namespace switchyard::failover {

class SqlSession {
 public:
  // timeout_ms bounds connect, read and write (libmariadb rounds up to whole seconds).
  SqlSession(conf::Endpoint address, std::string user, std::string password, uint32_t timeout_ms);
  ~SqlSession();
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

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
  Status Connect();
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
