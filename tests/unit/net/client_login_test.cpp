// RunClientLogin against an in-process server (wire::ServerHandshake over a loopback socket):
// the TLS upgrade when offered, plaintext when not, a required TLS that the server lacks, the
// server's refusal, and a TLS request without a context.
#include "net/client_login.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include <gtest/gtest.h>

#include "wire/auth.h"
#include "wire/server_handshake.h"

namespace switchyard::net {
namespace {

// A throwaway self-signed certificate (P-256) for the fake server's TLS context.
std::unique_ptr<asio::ssl::context> MakeServerContext() {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  SSL_CTX_use_certificate(ctx->native_handle(), cert.get());
  SSL_CTX_use_PrivateKey(ctx->native_handle(), key.get());
  return ctx;
}

struct LoginRun {
  ClientLoginOutcome client;
  bool client_tls = false;   // handshake result
  bool channel_tls = false;  // the channel was upgraded
  bool server_tls = false;   // the server saw the TLS handshake
  bool server_done = false;  // the server authenticated us
};

// One login of user "app" (password `password`) against a server that knows app/app_pw.
LoginRun Login(bool server_offers_tls, wire::ClientHandshakeOptions options,
               bool give_context = true) {
  asio::io_context io;
  Acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto server_ctx = MakeServerContext();
  auto client_ctx = MakeServerTlsClientContext();
  LoginRun run;

  auto server = [&]() -> Task<void> {
    PacketChannel channel(co_await acceptor.async_accept(use_task));
    wire::ServerHandshakeOptions so;
    so.tls_available = server_offers_tls;
    wire::ServerHandshake hs(
        so, [](std::string_view user) -> std::optional<wire::ServerCredential> {
          if (user != "app") return std::nullopt;
          return wire::ServerCredential{wire::NativeStage2(wire::NativeStage1("app_pw"))};
        });
    for (wire::HandshakeAction a = hs.Start();;) {
      switch (a) {
        case wire::HandshakeAction::kWriteThenRead:
          if (!(co_await channel.Write(hs.output())).ok()) co_return;
          [[fallthrough]];
        case wire::HandshakeAction::kRead: {
          auto packet = co_await channel.ReadPacket();
          if (!packet.ok()) co_return;
          a = hs.OnPacket(packet->payload, packet->seq);
          break;
        }
        case wire::HandshakeAction::kStartTls:
          if (!(co_await channel.StartTlsServer(*server_ctx)).ok()) co_return;
          run.server_tls = true;
          a = hs.OnTlsEstablished();
          break;
        case wire::HandshakeAction::kWriteThenDone:
        case wire::HandshakeAction::kWriteThenFail:
          (void)co_await channel.Write(hs.output());
          run.server_done = a == wire::HandshakeAction::kWriteThenDone;
          co_return;
        default:
          co_return;
      }
    }
  };
  auto client = [&]() -> Task<void> {
    Socket socket(io);
    co_await socket.async_connect(acceptor.local_endpoint(), use_task);
    PacketChannel channel(std::move(socket));
    wire::ClientHandshake hs(options);
    run.client = co_await RunClientLogin(channel, hs, give_context ? client_ctx.get() : nullptr);
    run.client_tls = hs.result().tls;
    run.channel_tls = channel.tls();
  };
  asio::co_spawn(io, server(), asio::detached);
  asio::co_spawn(io, client(), asio::detached);
  io.run();
  return run;
}

wire::ClientHandshakeOptions App(std::string password = "app_pw") {
  wire::ClientHandshakeOptions o;
  o.user = "app";
  o.password = std::move(password);
  return o;
}

TEST(RunClientLogin, UpgradesToTlsWhenAskedAndOffered) {
  auto o = App();
  o.use_tls = true;
  LoginRun r = Login(/*server_offers_tls=*/true, o);
  EXPECT_TRUE(r.client.ok) << r.client.error;
  EXPECT_TRUE(r.client_tls);
  EXPECT_TRUE(r.channel_tls);
  EXPECT_TRUE(r.server_tls);
  EXPECT_TRUE(r.server_done);
}

TEST(RunClientLogin, StaysPlaintextWhenNotAsked) {
  LoginRun r = Login(/*server_offers_tls=*/true, App());
  EXPECT_TRUE(r.client.ok) << r.client.error;
  EXPECT_FALSE(r.client_tls);
  EXPECT_FALSE(r.channel_tls);
  EXPECT_FALSE(r.server_tls);
}

TEST(RunClientLogin, FallsBackToPlaintextWhenTheServerOffersNoTls) {
  auto o = App();
  o.use_tls = true;
  LoginRun r = Login(/*server_offers_tls=*/false, o);
  EXPECT_TRUE(r.client.ok) << r.client.error;
  EXPECT_FALSE(r.client_tls);
  EXPECT_TRUE(r.server_done);
}

TEST(RunClientLogin, RequiredTlsThatTheServerLacksIsAnError) {
  auto o = App();
  o.use_tls = true;
  o.require_tls = true;
  LoginRun r = Login(/*server_offers_tls=*/false, o);
  EXPECT_FALSE(r.client.ok);
  EXPECT_FALSE(r.client.server_error.has_value());
  EXPECT_EQ(r.client.error, "server does not offer TLS");
  EXPECT_FALSE(r.server_done);
}

TEST(RunClientLogin, TheServersRefusalComesBackAsItsErr) {
  auto o = App("wrong");
  o.use_tls = true;
  LoginRun r = Login(/*server_offers_tls=*/true, o);
  EXPECT_FALSE(r.client.ok);
  ASSERT_TRUE(r.client.server_error.has_value());
  EXPECT_EQ(r.client.server_error->error_code, 1045);
  EXPECT_TRUE(r.server_tls);  // refused after the upgrade: the password never went in clear
}

TEST(RunClientLogin, TlsWithoutAContextIsAnErrorNotACrash) {
  auto o = App();
  o.use_tls = true;
  LoginRun r = Login(/*server_offers_tls=*/true, o, /*give_context=*/false);
  EXPECT_FALSE(r.client.ok);
  EXPECT_EQ(r.client.error, "TLS was asked for without a TLS context");
}

}  // namespace
}  // namespace switchyard::net
