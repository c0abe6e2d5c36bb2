#include "admin/admin_handler.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <boost/beast/version.hpp>
#include <exception>

namespace switchyard::admin {
namespace {

constexpr std::string_view kMaintenancePrefix = "/v1/servers/";
constexpr std::string_view kMaintenanceSuffix = "/maintenance";

Response JsonResponse(const Request& req, http::status status, const nlohmann::ordered_json& body) {
  Response res{status, req.version()};
  res.set(http::field::server, "switchyard");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  res.prepare_payload();
  return res;
}

Response Error(const Request& req, http::status status, std::string_view error,
               std::string_view detail) {
  return JsonError(status, error, detail, req.version(), req.keep_alive());
}

Response MethodNotAllowed(const Request& req, std::string_view allowed) {
  Response res = Error(req, http::status::method_not_allowed, "method not allowed",
                       std::string(req.method_string()) + " " + std::string(req.target()) +
                           " (allowed: " + std::string(allowed) + ")");
  res.set(http::field::allow, std::string(allowed));
  return res;
}

}  // namespace

Response JsonError(http::status status, std::string_view error, std::string_view detail,
                   unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(http::field::server, "switchyard");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  nlohmann::ordered_json body;
  body["error"] = error;
  body["detail"] = detail;
  // Invalid UTF-8 (echoed from a request target) is replaced, never thrown on.
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  res.prepare_payload();
  return res;
}

AdminHandler::AdminHandler(std::string token, AdminHooks hooks)
    : expected_authorization_(token.empty() ? "" : "Bearer " + token), hooks_(std::move(hooks)) {}

bool AdminHandler::Authorized(const Request& request) const {
  if (expected_authorization_.empty()) return true;
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return false;
  std::string_view given(it->value().data(), it->value().size());
  // Constant time in the content; the length of a token is not a secret worth hiding.
  return given.size() == expected_authorization_.size() &&
         CRYPTO_memcmp(given.data(), expected_authorization_.data(), given.size()) == 0;
}

Response AdminHandler::Handle(const Request& request) const {
  try {
    if (!Authorized(request)) {
      Response res = Error(request, http::status::unauthorized, "unauthorized",
                           "missing or wrong \"Authorization: Bearer <token>\" header");
      res.set(http::field::www_authenticate, "Bearer");
      return res;
    }
    return Route(request);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {}: {}", std::string(request.method_string()),
                  std::string(request.target()), e.what());
    return Error(request, http::status::internal_server_error, "internal error", e.what());
  } catch (...) {
    return Error(request, http::status::internal_server_error, "internal error", "unknown");
  }
}

Response AdminHandler::Route(const Request& request) const {
  std::string_view target(request.target().data(), request.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  const http::verb method = request.method();
  const bool get = method == http::verb::get;

  if (path == "/v1/status") {
    if (!get) return MethodNotAllowed(request, "GET");
    nlohmann::ordered_json doc = RenderStatus(*hooks_.topology(), hooks_.connections);
    if (hooks_.binlog_tail) {
      doc["binlog"] = RenderBinlogTail(hooks_.binlog_tail(),
                                       hooks_.binlog_lag_exact && hooks_.binlog_lag_exact());
    }
    return JsonResponse(request, http::status::ok, doc);
  }
  if (path == "/metrics") {
    if (!get) return MethodNotAllowed(request, "GET");
    Response res{http::status::ok, request.version()};
    res.set(http::field::server, "switchyard");
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.keep_alive(request.keep_alive());
    failover::MonitorStats stats =
        hooks_.monitor_stats ? hooks_.monitor_stats() : failover::MonitorStats{};
    res.body() = RenderMetrics(*hooks_.topology(), stats, hooks_.connections);
    res.body() += fmt::format(
        "# HELP switchyard_failovers_total Failovers completed (automatic and manual).\n"
        "# TYPE switchyard_failovers_total counter\nswitchyard_failovers_total {}\n"
        "# HELP switchyard_switchovers_total Planned switchovers completed.\n"
        "# TYPE switchyard_switchovers_total counter\nswitchyard_switchovers_total {}\n"
        "# HELP switchyard_failover_failures_total Master changes that were attempted and "
        "failed.\n"
        "# TYPE switchyard_failover_failures_total counter\n"
        "switchyard_failover_failures_total {}\n"
        "# HELP switchyard_last_writes_held_ms How long writes were held in the last master "
        "change.\n"
        "# TYPE switchyard_last_writes_held_ms gauge\nswitchyard_last_writes_held_ms {}\n"
        "# HELP switchyard_master_unreachable_alert 1 when the proxy cannot reach the master "
        "but its replicas still replicate from it (no failover is done).\n"
        "# TYPE switchyard_master_unreachable_alert gauge\n"
        "switchyard_master_unreachable_alert {}\n",
        stats.failovers_total, stats.switchovers_total, stats.failover_failures_total,
        stats.last_writes_held_ms, stats.master_unreachable_alert ? 1 : 0);
    if (hooks_.binlog_tail) res.body() += RenderBinlogMetrics(hooks_.binlog_tail());
    if (hooks_.extra_metrics) res.body() += hooks_.extra_metrics();
    res.prepare_payload();
    return res;
  }
  if (path == "/v1/switchover" || path == "/v1/failover") {
    if (method != http::verb::post) return MethodNotAllowed(request, "POST");
    return ChangeMaster(request, path == "/v1/switchover");
  }
  if (path.size() > kMaintenancePrefix.size() + kMaintenanceSuffix.size() &&
      path.starts_with(kMaintenancePrefix) && path.ends_with(kMaintenanceSuffix)) {
    std::string_view server =
        path.substr(kMaintenancePrefix.size(),
                    path.size() - kMaintenancePrefix.size() - kMaintenanceSuffix.size());
    if (server.find('/') == std::string_view::npos) {
      if (method != http::verb::post && method != http::verb::delete_) {
        return MethodNotAllowed(request, "POST, DELETE");
      }
      return Maintenance(request, server);
    }
  }
  return Error(request, http::status::not_found, "not found",
               "no endpoint " + std::string(path) +
                   " (try GET /v1/status, GET /metrics, POST /v1/switchover, POST /v1/failover, "
                   "POST|DELETE /v1/servers/{name}/maintenance)");
}

Response AdminHandler::Maintenance(const Request& request, std::string_view server) const {
  failover::MaintenanceRequest change;
  change.server = std::string(server);
  change.on = request.method() == http::verb::post;
  if (change.on && !request.body().empty()) {
    auto body = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      return Error(
          request, http::status::bad_request, "bad request",
          "body must be a JSON object like {\"reason\":\"backup\",\"pause_replication\":true}");
    }
    for (const auto& [key, value] : body.items()) {
      if (key == "reason") {
        if (!value.is_string()) {
          return Error(request, http::status::bad_request, "bad request",
                       "reason must be a string");
        }
        change.reason = value.get<std::string>();
      } else if (key == "pause_replication" || key == "force") {
        if (!value.is_boolean()) {
          return Error(request, http::status::bad_request, "bad request",
                       key + " must be true or false");
        }
        (key == "force" ? change.force : change.pause_replication) = value.get<bool>();
      } else if (key == "drain_timeout_ms") {
        if (!value.is_number_unsigned() || value.get<uint64_t>() > 600000) {
          return Error(request, http::status::bad_request, "bad request",
                       "drain_timeout_ms must be a whole number of milliseconds up to 600000");
        }
        change.drain_timeout_ms = value.get<uint32_t>();
      } else {
        return Error(request, http::status::bad_request, "bad request",
                     "unknown key '" + key +
                         "' (known: reason, pause_replication, force, drain_timeout_ms)");
      }
    }
  }
  if (!hooks_.maintenance) {
    return Error(request, http::status::not_implemented, "not implemented",
                 "maintenance needs the monitor");
  }
  spdlog::info("admin: maintenance {} for {}{}{}", change.on ? "on" : "off", server,
               change.reason.empty() ? "" : " (" + change.reason + ")",
               change.pause_replication ? ", pausing replication" : "");
  failover::MaintenanceOutcome out = hooks_.maintenance(change);
  using Kind = failover::MaintenanceOutcome::Kind;
  switch (out.kind) {
    case Kind::kUnknownServer:
      return Error(request, http::status::not_found, "unknown server", out.detail);
    case Kind::kConflict:
      return Error(request, http::status::conflict, "refused", out.detail);
    case Kind::kFailed:
      return Error(request, http::status::internal_server_error, "maintenance failed", out.detail);
    case Kind::kApplied:
      break;
  }
  nlohmann::ordered_json body;
  body["server"] = std::string(server);
  body["maintenance"] = change.on;
  if (change.on) body["reason"] = change.reason;
  body["replication_paused"] = out.replication_paused;
  if (!change.on) body["replication_resumed"] = out.replication_resumed;
  if (change.on) {
    body["drain"] = {{"waited_ms", out.drain_waited_ms},
                     {"in_flight", out.in_flight_left},
                     {"complete", out.in_flight_left == 0}};
  }
  if (out.frozen) {
    const failover::FrozenPosition& f = *out.frozen;
    nlohmann::ordered_json position;
    position["gtid_slave_pos"] = f.gtid_slave_pos;
    position["master_log_file"] = f.master_log_file;
    position["master_log_pos"] = f.master_log_pos;
    position["master"] = f.master_host + ":" + std::to_string(f.master_port);
    position["io_thread"] = f.io_state;
    body["position"] = std::move(position);
  }
  if (!out.detail.empty()) body["detail"] = out.detail;
  return JsonResponse(request, http::status::ok, body);
}

Response AdminHandler::ChangeMaster(const Request& request, bool planned) const {
  failover::MasterChangeRequest change;
  change.planned = planned;
  if (!request.body().empty()) {
    auto body = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object() ||
        (body.contains("to") && !body["to"].is_string())) {
      return Error(request, http::status::bad_request, "bad request",
                   "body must be empty or a JSON object like {\"to\":\"db2\"}");
    }
    if (body.contains("to")) change.target = body["to"].get<std::string>();
  }
  if (!hooks_.change_master) {
    return Error(request, http::status::not_implemented, "not implemented",
                 "master changes need the monitor");
  }
  spdlog::info("admin: {} requested{}", planned ? "switchover" : "failover",
               change.target.empty() ? "" : " to " + change.target);
  failover::MasterChangeOutcome out = hooks_.change_master(change);
  using Kind = failover::MasterChangeOutcome::Kind;
  switch (out.kind) {
    case Kind::kConflict:
      return Error(request, http::status::conflict, "refused", out.detail);
    case Kind::kBadTarget:
      return Error(request, http::status::bad_request, "bad target", out.detail);
    case Kind::kFailed:
      return Error(request, http::status::internal_server_error,
                   planned ? "switchover failed" : "failover failed", out.detail);
    case Kind::kDone:
      break;
  }
  nlohmann::ordered_json body;
  body["old_master"] = out.old_master;
  body["new_master"] = out.new_master;
  body["epoch"] = out.epoch;
  body["writes_held_ms"] = out.writes_held_ms;
  body["detail"] = out.detail;
  body["status"] = RenderStatus(*hooks_.topology(), hooks_.connections);
  return JsonResponse(request, http::status::ok, body);
}

}  // namespace switchyard::admin
