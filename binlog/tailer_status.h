// The binlog tailer's plain types: where it connects (MasterEndpoint), how (TailerOptions) and
// what it reports (TailerStatus). No Asio here, so status pages and tests include this alone.
#pragma once

#include <cstdint>
#include <string>

#include "binlog/transaction_tracker.h"

namespace switchyard::binlog {

struct MasterEndpoint {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const MasterEndpoint&) const = default;
};

struct TailerOptions {
  std::string user;
  std::string password;
  uint32_t server_id = 9999;  // must differ from every real replica's server_id
  std::string report_host = "switchyard";
  uint32_t heartbeat_period_ms = 1000;
  uint32_t connect_timeout_ms = 5000;  // TCP connect + login + setup
  // Silence (no event, no heartbeat) for this long means the master is gone. 0: derived from
  // the heartbeat period (3 periods + 1 s).
  uint32_t idle_timeout_ms = 0;
  uint32_t backoff_min_ms = 100;  // first retry; doubles per failed attempt
  uint32_t backoff_max_ms = 5000;
  // The master no longer has the position we would resume from (ERR 1236: purged, or lost in
  // a failover): start over at its current position instead of retrying forever.
  bool restart_at_current_if_position_lost = true;
  // TLS toward the master (config tls.backend / tls.backend_require, as for the proxy's own
  // backend connections): upgrade when the master offers it; with require_tls a master that
  // does not is a connect failure. The server certificate is not verified.
  bool use_tls = false;
  bool require_tls = false;
};

struct TailerStatus {
  bool running = false;
  bool connected = false;  // streaming (the dump request was accepted)
  MasterEndpoint master;
  uint32_t connection_id = 0;  // our thread id on the master (SHOW PROCESSLIST)
  std::string server_version;
  bool tls = false;  // the current connection (when disconnected: the last attempt) is encrypted
  BinlogCoordinates coordinates;  // master binlog file/position of the latest event
  std::string last_gtid;          // latest complete transaction
  std::string resume_position;    // GTIDs a reconnect continues after
  uint64_t bytes_received = 0;
  uint64_t events_received = 0;
  uint64_t transactions = 0;
  uint64_t heartbeats = 0;
  uint64_t connects = 0;          // successful dump starts
  uint64_t connect_failures = 0;  // attempts that never streamed
  uint64_t disconnects = 0;
  uint64_t partial_dropped = 0;     // transactions cut by a disconnect (sent again on resume)
  uint64_t duplicates_dropped = 0;  // transactions the master sent again and we had already
  uint64_t position_resets = 0;     // restarts at the master's current position (ERR 1236)
  uint64_t last_event_ms = 0;       // wall clock of the latest event or heartbeat
  std::string last_error;
};

}  // namespace switchyard::binlog
