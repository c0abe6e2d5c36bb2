#include "admin/ctl_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <iostream>
#include <variant>
#include <vector>

#include "conf/config_loader.h"

namespace switchyard::admin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view kDefaultUrl = "http://127.0.0.1:6080";

// Asynchronous steps on a private io_context so one deadline covers connect, write and read.
class Exchange {
 public:
  Exchange(const AdminUrl& url, http::request<http::string_body> request, uint32_t timeout_ms)
      : url_(url),
        request_(std::move(request)),
        timeout_(std::chrono::milliseconds(timeout_ms)),
        resolver_(io_),
        stream_(io_) {}

  Result<HttpReply> Run() {
    stream_.expires_after(timeout_);
    beast::error_code ec;
    auto endpoints = resolver_.resolve(url_.host, url_.port, ec);
    if (ec) return MakeError("cannot resolve " + url_.host + ": " + ec.message());
    stream_.async_connect(endpoints, [this](beast::error_code e, const tcp::endpoint&) {
      if (e) return Fail("cannot connect", e);
      http::async_write(stream_, request_, [this](beast::error_code e2, size_t) {
        if (e2) return Fail("cannot send the request", e2);
        http::async_read(stream_, buffer_, response_, [this](beast::error_code e3, size_t) {
          if (e3) return Fail("no answer", e3);
          done_ = true;
        });
      });
    });
    io_.run();
    if (!done_) return MakeError(error_.empty() ? "no answer" : error_);
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return HttpReply{response_.result_int(), std::move(response_.body())};
  }

 private:
  void Fail(const char* what, beast::error_code ec) {
    error_ =
        std::string(what) + ": " +
        (ec == beast::error::timeout ? "timed out after " + std::to_string(timeout_.count()) + " ms"
                                     : ec.message());
  }

  AdminUrl url_;
  http::request<http::string_body> request_;
  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  bool done_ = false;
  std::string error_;
};

std::string JsonText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump();
}

// Prints an error reply as "switchyard ctl: HTTP 409: refused: db1 is the master ...".
void PrintErrorReply(const HttpReply& reply) {
  auto doc = nlohmann::json::parse(reply.body, nullptr, false);
  std::string text = reply.body;
  if (doc.is_object() && doc.contains("error")) {
    text = JsonText(doc["error"]);
    if (doc.contains("detail")) text += ": " + JsonText(doc["detail"]);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::cerr << "switchyard ctl: HTTP " << reply.status << ": " << text << "\n";
}

Result<HttpReply> Call(const std::string& url, std::string_view method, std::string_view path,
                       const std::string& token, std::string_view body = {}) {
  auto reply = AdminRequest(url, method, path, token, body);
  if (!reply) {
    std::cerr << "switchyard ctl: cannot reach the admin API at " << url << ": "
              << reply.error().message
              << " (is switchyard running? see admin.listen, or pass --admin URL)\n";
  }
  return reply;
}

}  // namespace

Result<AdminUrl> ParseAdminUrl(std::string_view url) {
  std::string_view rest = url;
  if (rest.starts_with("https://"))
    return MakeError("admin URL: https is not supported: " + std::string(url));
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  AdminUrl out;
  out.base_path = std::string(path);
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return MakeError("admin URL: unclosed '[' in " + std::string(url));
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(":")) out.port = std::string(authority.substr(1));
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty()) return MakeError("admin URL: no host in '" + std::string(url) + "'");
  if (out.port.empty()) out.port = "80";
  if (!std::all_of(out.port.begin(), out.port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return MakeError("admin URL: bad port '" + out.port + "' in '" + std::string(url) + "'");
  }
  return out;
}

Result<HttpReply> AdminRequest(std::string_view url, std::string_view method, std::string_view path,
                               std::string_view token, std::string_view body, uint32_t timeout_ms) {
  auto parsed = ParseAdminUrl(url);
  if (!parsed) return parsed.error();
  http::verb verb = http::string_to_verb(boost::beast::string_view(method.data(), method.size()));
  if (verb == http::verb::unknown) return MakeError("unknown HTTP method " + std::string(method));
  http::request<http::string_body> req{verb, parsed->base_path + std::string(path), 11};
  req.set(http::field::host, parsed->host + ":" + parsed->port);
  req.set(http::field::user_agent, "switchyard-ctl");
  req.keep_alive(false);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  req.prepare_payload();
  try {
    return Exchange(*parsed, std::move(req), timeout_ms).Run();
  } catch (const std::exception& e) {
    return MakeError(e.what());
  }
}

Result<CtlEndpoint> ResolveCtlEndpoint(const std::string& admin_url, const std::string& config_path,
                                       const std::string& token) {
  CtlEndpoint out{admin_url, token};
  if (!config_path.empty()) {
    auto loaded = conf::LoadConfigFile(config_path);
    if (auto* errors = std::get_if<conf::ConfigErrors>(&loaded)) {
      std::string joined = errors->Joined();
      while (!joined.empty() && joined.back() == '\n') joined.pop_back();
      return MakeError(joined);
    }
    const conf::Config& config = std::get<conf::Config>(loaded);
    if (out.url.empty()) {
      const std::string& host = config.admin.listen.host;
      bool v6 = host.find(':') != std::string::npos;
      // A wildcard listen address is reached over loopback.
      std::string reach = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
      out.url = fmt::format("http://{}{}{}:{}", v6 ? "[" : "", reach, v6 ? "]" : "",
                            config.admin.listen.port);
    }
    if (out.token.empty()) out.token = config.admin.token;
  }
  if (out.url.empty()) out.url = std::string(kDefaultUrl);
  return out;
}

std::string FormatStatusTable(const nlohmann::json& status) {
  std::string out = fmt::format(
      "master: {}   epoch: {}   failover in progress: {}\n",
      status.contains("master") ? JsonText(status["master"]) : "-",
      status.contains("epoch") ? JsonText(status["epoch"]) : "-",
      status.contains("failover_in_progress") ? JsonText(status["failover_in_progress"]) : "-");
  static const std::vector<std::pair<const char*, const char*>> kColumns = {
      {"NAME", "name"},     {"ADDRESS", "address"},   {"ROLE", "role"},         {"STATE", "state"},
      {"LAG_MS", "lag_ms"}, {"CONNS", "connections"}, {"MAINT", "maintenance"}, {"GTID", "gtid"}};
  std::vector<std::vector<std::string>> rows;
  rows.emplace_back();
  for (const auto& [title, key] : kColumns) rows.back().push_back(title);
  if (status.contains("servers") && status["servers"].is_array()) {
    for (const auto& server : status["servers"]) {
      rows.emplace_back();
      for (const auto& [title, key] : kColumns) {
        rows.back().push_back(server.is_object() && server.contains(key) ? JsonText(server[key])
                                                                         : "-");
      }
    }
  }
  std::vector<size_t> widths(kColumns.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

int RunCtlStatus(const std::string& url, const std::string& token, bool json) {
  auto reply = Call(url, "GET", "/v1/status", token);
  if (!reply) return 1;
  if (reply->status != 200) {
    PrintErrorReply(*reply);
    return 1;
  }
  if (json) {
    std::cout << reply->body;
    if (!reply->body.empty() && reply->body.back() != '\n') std::cout << "\n";
    return 0;
  }
  auto doc = nlohmann::json::parse(reply->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    std::cerr << "switchyard ctl: the admin API answered something that is not a status document\n";
    return 1;
  }
  std::cout << FormatStatusTable(doc);
  return 0;
}

int RunCtlMaintenance(const std::string& url, const std::string& token, const std::string& server,
                      bool on, bool json, bool force) {
  std::string body = force ? R"({"reason":"ctl","force":true})" : R"({"reason":"ctl"})";
  auto reply = Call(url, on ? "POST" : "DELETE", "/v1/servers/" + server + "/maintenance", token,
                    on ? body : "");
  if (!reply) return 1;
  if (reply->status != 200) {
    PrintErrorReply(*reply);
    return 1;
  }
  if (json) {
    std::cout << reply->body;
  } else {
    std::cout << server << ": maintenance " << (on ? "on" : "off") << "\n";
  }
  return 0;
}

}  // namespace switchyard::admin
