// The admin API's request handling, without sockets: one HTTP request in, one response out.
// Authentication, routing, JSON errors. Never throws; anything unexpected becomes a 500.
// The hooks are owned by the caller (ControlPlane) and must outlive the handler.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "admin/status_render.h"
#include "failover/maintenance.h"
#include "failover/monitor.h"
#include "proxy/topology.h"

namespace switchyard::admin {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What the admin API reads and acts on. Only `topology` is required.
struct AdminHooks {
  std::function<std::shared_ptr<const proxy::Topology>()> topology;
  std::function<failover::MonitorStats()> monitor_stats;
  // POST/DELETE /v1/servers/{name}/maintenance; blocks while the server drains.
  std::function<failover::MaintenanceOutcome(const failover::MaintenanceRequest&)> maintenance;
  // Switchover / manual failover; blocks until the monitor thread has done it or refused.
  std::function<failover::MasterChangeOutcome(failover::MasterChangeRequest)> change_master;
  ConnectionCounter connections;
  std::function<std::string()> extra_metrics;  // appended to /metrics (the data path's series)
  // The binlog tailer (optional): its status, and whether lag is timed from it right now.
  std::function<std::optional<binlog::TailerStatus>()> binlog_tail;
  std::function<bool()> binlog_lag_exact;
};

class AdminHandler {
 public:
  // token: if non-empty every request needs "Authorization: Bearer <token>".
  AdminHandler(std::string token, AdminHooks hooks);

  Response Handle(const Request& request) const;

 private:
  Response Route(const Request& request) const;
  Response Maintenance(const Request& request, std::string_view server) const;
  Response ChangeMaster(const Request& request, bool planned) const;
  bool Authorized(const Request& request) const;

  std::string expected_authorization_;  // "Bearer <token>", empty when auth is off
  AdminHooks hooks_;
};

// {"error": error, "detail": detail} with the given status (also used for 400s the server
// produces before a request could be parsed).
Response JsonError(http::status status, std::string_view error, std::string_view detail,
                   unsigned version = 11, bool keep_alive = false);

}  // namespace switchyard::admin
