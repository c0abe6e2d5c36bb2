#include "admin/ctl_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "admin/admin_server.h"

namespace switchyard::admin {
namespace {

TEST(ParseAdminUrl, Forms) {
  auto a = ParseAdminUrl("http://127.0.0.1:6080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ("127.0.0.1", a->host);
  EXPECT_EQ("6080", a->port);
  EXPECT_EQ("", a->base_path);
  auto b = ParseAdminUrl("localhost:7000/admin/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ("localhost", b->host);
  EXPECT_EQ("/admin", b->base_path);
  auto c = ParseAdminUrl("http://[::1]:6080");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ("::1", c->host);
  EXPECT_EQ("6080", c->port);
  EXPECT_FALSE(ParseAdminUrl("https://x:1").ok());
  EXPECT_FALSE(ParseAdminUrl("http://:1").ok());
  EXPECT_FALSE(ParseAdminUrl("http://h:x1").ok());
  EXPECT_FALSE(ParseAdminUrl("http://[::1:1").ok());
}

TEST(ResolveCtlEndpoint, DefaultAndExplicit) {
  auto d = ResolveCtlEndpoint("", "", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ("http://127.0.0.1:6080", d->url);
  auto e = ResolveCtlEndpoint("http://h:1", "", "t");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ("http://h:1", e->url);
  EXPECT_EQ("t", e->token);
  EXPECT_FALSE(ResolveCtlEndpoint("", "/nonexistent/switchyard.yaml", "").ok());
}

TEST(FormatStatusTable, AlignedColumnsAndDashForUnknownLag) {
  auto doc = nlohmann::json::parse(
      R"({"master":"db1","epoch":0,"failover_in_progress":false,"servers":[
        {"name":"db1","address":"127.0.0.1:3307","role":"master","state":"up","lag_ms":0,"gtid":"0-1-42","connections":3,"maintenance":false},
        {"name":"db3","address":"127.0.0.1:3309","role":"replica","state":"down","lag_ms":null,"gtid":"","connections":0,"maintenance":true}]})");
  std::string table = FormatStatusTable(doc);
  EXPECT_EQ(
      "master: db1   epoch: 0   failover in progress: no\n"
      "NAME  ADDRESS         ROLE     STATE  LAG_MS  CONNS  MAINT  GTID\n"
      "db1   127.0.0.1:3307  master   up     0       3      no     0-1-42\n"
      "db3   127.0.0.1:3309  replica  down   -       0      yes    \n",
      table);
  EXPECT_NO_THROW(FormatStatusTable(nlohmann::json::parse(R"({"servers":[1,{"x":2}]})")));
}

// A real round trip over loopback: server on an ephemeral port, client with a token.
TEST(AdminServer, ServesStatusToTheCtlClient) {
  auto topology = std::make_shared<const proxy::Topology>();
  AdminHooks hooks;
  hooks.topology = [&] { return topology; };
  conf::AdminConfig config;
  config.listen = {"127.0.0.1", 0};
  config.token = "tok";
  AdminServer server(config, hooks);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_NE(0, server.port());
  std::string url = "http://127.0.0.1:" + std::to_string(server.port());

  auto ok = AdminRequest(url, "GET", "/v1/status", "tok");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(200u, ok->status);
  EXPECT_EQ("{\"master\":null,\"epoch\":0,\"failover_in_progress\":false,\"servers\":[]}\n",
            ok->body);
  auto denied = AdminRequest(url, "GET", "/v1/status", "");
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(401u, denied->status);
  EXPECT_EQ(0, RunCtlStatus(url, "tok", true));
  EXPECT_EQ(1, RunCtlStatus(url, "bad", false));

  // A second server on the same port is refused with a message naming the address.
  conf::AdminConfig same = config;
  same.listen.port = server.port();
  AdminServer clash(same, hooks);
  Status st = clash.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string::npos,
            st.error().message.find("127.0.0.1:" + std::to_string(server.port())));

  server.Stop();
  auto gone = AdminRequest(url, "GET", "/v1/status", "tok", "", 2000);
  EXPECT_FALSE(gone.ok());
  EXPECT_EQ(1, RunCtlStatus(url, "tok", false));
}

TEST(AdminServer, MalformedRequestGets400) {
  auto topology = std::make_shared<const proxy::Topology>();
  AdminHooks hooks;
  hooks.topology = [&] { return topology; };
  conf::AdminConfig config;
  config.listen = {"127.0.0.1", 0};
  AdminServer server(config, hooks);
  ASSERT_TRUE(server.Start().ok());
  // The ctl client cannot send garbage, so speak raw TCP.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  std::string garbage = "GARBAGE\x01 / HTTP/9\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(garbage));
  std::string reply;
  boost::system::error_code ec;
  char buf[1024];
  while (!ec) {
    size_t n = socket.read_some(boost::asio::buffer(buf), ec);
    reply.append(buf, n);
  }
  EXPECT_EQ(0u, reply.rfind("HTTP/1.1 400", 0)) << reply;
  EXPECT_NE(std::string::npos, reply.find("\"error\":\"bad request\""));
}

// Sends raw bytes, returns everything the server answers until it closes.
std::string RawExchange(uint16_t port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::system::error_code ec;
  boost::asio::write(socket, boost::asio::buffer(bytes), ec);
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  std::string reply;
  char buf[4096];
  ec = {};
  while (!ec) {
    size_t n = socket.read_some(boost::asio::buffer(buf), ec);
    reply.append(buf, n);
  }
  return reply;
}

class AdminServerBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    hooks_.topology = [this] { return topology_; };
    config_.listen = {"127.0.0.1", 0};
    server_ = std::make_unique<AdminServer>(config_, hooks_);
    ASSERT_TRUE(server_->Start().ok());
  }
  std::shared_ptr<const proxy::Topology> topology_ = std::make_shared<const proxy::Topology>();
  AdminHooks hooks_;
  conf::AdminConfig config_;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerBadInput, HugeHeaderIs431) {
  std::string req =
      "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  std::string reply = RawExchange(server_->port(), req);
  EXPECT_EQ(0u, reply.rfind("HTTP/1.1 431", 0)) << reply.substr(0, 200);
  EXPECT_NE(std::string::npos, reply.find("\"error\":\"bad request\""));
}

TEST_F(AdminServerBadInput, HugeBodyIs413) {
  std::string body(1024 * 1024, '{');
  std::string req = "POST /v1/servers/db2/maintenance HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string reply = RawExchange(server_->port(), req);
  EXPECT_EQ(0u, reply.rfind("HTTP/1.1 413", 0)) << reply.substr(0, 200);
}

TEST_F(AdminServerBadInput, BadJsonBodyIs400) {
  std::string body = R"({"reason": "backup", "pause_replication": tru)";
  std::string req = "POST /v1/servers/db2/maintenance HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  // The body is checked before any hook is needed: 400, not 501.
  std::string reply = RawExchange(server_->port(), req);
  EXPECT_EQ(0u, reply.rfind("HTTP/1.1 400", 0)) << reply;
  EXPECT_NE(std::string::npos, reply.find("\"error\":\"bad request\"")) << reply;
}

TEST_F(AdminServerBadInput, GarbageNeverCrashesAndTheServerKeepsServing) {
  std::vector<std::string> inputs = {
      "",
      "\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "POST /v1/switchover HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /v1/status HTTP/1.1\r\nHost: x\r\n" + std::string(5000, ':') + "\r\n\r\n",
      "GET /\xff\xfe\x00 HTTP/1.1\r\n\r\n",
      "DELETE /v1/servers//maintenance HTTP/1.1\r\n\r\n",
      "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\n",
  };
  // Deterministic pseudo-random bytes, some starting like a request line.
  uint32_t x = 12345;
  for (int i = 0; i < 40; ++i) {
    std::string s = i % 2 ? "POST /v1/config/reload HTTP/1.1\r\n" : "";
    for (int j = 0; j < 300; ++j) {
      x = x * 1103515245 + 12345;
      s.push_back(static_cast<char>(x >> 16));
    }
    inputs.push_back(std::move(s));
  }
  for (const std::string& input : inputs) {
    std::string reply = RawExchange(server_->port(), input);
    if (!reply.empty()) {
      EXPECT_EQ(0u, reply.rfind("HTTP/1.1 ", 0)) << reply.substr(0, 100);
    }
  }
  std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  auto ok = AdminRequest(url, "GET", "/v1/status", "");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(200u, ok->status);
}

}  // namespace
}  // namespace switchyard::admin
