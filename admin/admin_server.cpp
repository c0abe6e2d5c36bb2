#include "admin/admin_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>
#include <thread>

namespace switchyard::admin {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr size_t kBodyLimit = 64 * 1024;
constexpr uint32_t kHeaderLimit = 16 * 1024;

// One client connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const AdminHandler& handler, asio::thread_pool& workers)
      : stream_(std::move(socket)), handler_(handler), workers_(workers) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      Close();
      return;
    }
    if (ec) {
      // Malformed or oversized request: say so, then close (the stream is out of sync).
      auto status = ec == http::error::body_limit ? http::status::payload_too_large
                    : ec == http::error::header_limit
                        ? http::status::request_header_fields_too_large
                        : http::status::bad_request;
      Write(JsonError(status, "bad request", ec.message()), /*close=*/true);
      return;
    }
    // Handlers may block (maintenance drains, switchovers): run them on a worker so this
    // thread keeps serving other requests (/metrics, /v1/status) meanwhile.
    stream_.expires_never();
    asio::post(workers_, [self = shared_from_this()] {
      auto res = std::make_shared<Response>(self->handler_.Handle(self->parser_->get()));
      asio::post(self->stream_.get_executor(), [self, res] {
        bool close = !res->keep_alive();
        self->Write(std::move(*res), close);
      });
    });
  }

  void Write(Response res, bool close) {
    response_ = std::make_shared<Response>(std::move(res));
    if (close) response_->keep_alive(false);
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), close](beast::error_code ec, size_t) {
                        if (ec || close) {
                          self->Close();
                        } else {
                          self->Read();
                        }
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  const AdminHandler& handler_;
  asio::thread_pool& workers_;
};

}  // namespace

struct AdminServer::Impl {
  Impl(conf::AdminConfig c, AdminHooks hooks)
      : config(std::move(c)), handler(config.token, std::move(hooks)), acceptor(io) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        std::make_shared<Session>(std::move(socket), handler, workers)->Read();
      } else {
        spdlog::warn("admin: accept failed: {}", ec.message());
      }
      Accept();
    });
  }

  conf::AdminConfig config;
  AdminHandler handler;
  asio::io_context io;
  asio::thread_pool workers{2};  // runs the handler; at most two blocking requests at once
  tcp::acceptor acceptor;
  std::thread thread;
  uint16_t port = 0;
};

AdminServer::AdminServer(conf::AdminConfig config, AdminHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(hooks))) {}

AdminServer::~AdminServer() {
  Stop();
}

Status AdminServer::Start() {
  Impl& s = *impl_;
  const std::string where = s.config.listen.ToString();
  beast::error_code ec;
  tcp::resolver resolver(s.io);
  auto endpoints = resolver.resolve(s.config.listen.host, std::to_string(s.config.listen.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return MakeError("admin: cannot resolve " + where + ": " + (ec ? ec.message() : "no address"));
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  if (s.acceptor.open(endpoint.protocol(), ec) ||
      s.acceptor.set_option(asio::socket_base::reuse_address(true), ec) ||
      s.acceptor.bind(endpoint, ec) ||
      s.acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    return MakeError("admin: cannot listen on " + where + ": " + ec.message());
  }
  s.port = s.acceptor.local_endpoint(ec).port();
  s.Accept();
  s.thread = std::thread([&s] {
    while (true) {
      try {
        s.io.run();
        return;
      } catch (const std::exception& e) {
        // A handler threw past its own guards: log and keep serving.
        spdlog::error("admin: {}", e.what());
      }
    }
  });
  spdlog::info("admin API listening on {}:{}{}", s.config.listen.host, s.port,
               s.config.token.empty() ? " (no token)" : " (bearer token required)");
  return Status::Ok();
}

void AdminServer::Stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  asio::post(s.io, [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
  });
  // Requests being handled finish first (bounded by their own timeouts), then the io thread.
  s.workers.join();
  s.io.stop();
  s.thread.join();
}

uint16_t AdminServer::port() const {
  return impl_->port;
}

}  // namespace switchyard::admin
