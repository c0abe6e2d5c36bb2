// The statements of a promotion, a re-point and a fence, run over SqlSession on the monitor
// thread. Each step is logged with what it saw; the first failing step stops the sequence
// and is returned as the Error.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "conf/config.h"
#include "failover/sql_session.h"

namespace switchyard::failover {

struct ReplicationCredentials {
  std::string user;
  std::string password;
};

// Waits (bounded) until the server's SQL thread has applied `position` (MASTER_GTID_WAIT).
Status WaitApplied(SqlSession& server, const std::string& name, const std::string& position,
                   uint32_t timeout_ms);

// Candidate: apply everything received (bounded by wait_ms), STOP SLAVE, RESET SLAVE ALL,
// read_only=0. Returns its gtid_binlog_pos once writable (the promotion position).
Result<std::string> PromoteReplica(SqlSession& candidate, const std::string& name,
                                   uint32_t wait_ms);

// STOP SLAVE; CHANGE MASTER TO the new master by GTID; START SLAVE. from_own_binlog: the
// server was a master (its gtid_slave_pos is stale): start from its own gtid_binlog_pos.
// start_sql_thread false (a replica paused for a backup): START SLAVE IO_THREAD only.
Status RepointReplica(SqlSession& replica, const std::string& name, const conf::Endpoint& master,
                      const ReplicationCredentials& credentials, bool from_own_binlog,
                      bool start_sql_thread = true);

// SET GLOBAL read_only=1.
Status SetReadOnly(SqlSession& server, const std::string& name, bool read_only);

}  // namespace switchyard::failover
