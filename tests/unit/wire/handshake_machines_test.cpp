#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fmt/format.h>

#include <memory>

#include "captured_mariadb.h"
#include "test_util.h"
#include "wire/client_handshake.h"
#include "wire/server_handshake.h"

namespace switchyard::wire {
namespace {

using testing::FramePayloads;
using testing::Frames;

CredentialLookup AppOnly() {
  return [](std::string_view user) -> std::optional<ServerCredential> {
    if (user == "app")
      return ServerCredential{*ParseNativePasswordHash(NativePasswordHash("app_pw"))};
    if (user == "nopw") return ServerCredential{std::nullopt};
    return std::nullopt;
  };
}

ServerHandshakeOptions Opts(uint32_t connection_id = 0, bool tls_available = false,
                            bool tls_required = false, std::string host = "%") {
  ServerHandshakeOptions o;
  o.connection_id = connection_id;
  o.tls_available = tls_available;
  o.tls_required = tls_required;
  o.client_host = std::move(host);
  return o;
}

struct Pair {
  ServerHandshake server;
  ClientHandshake client;
  HandshakeAction server_action = HandshakeAction::kRead;
  HandshakeAction client_action = HandshakeAction::kRead;
};

// Runs both machines against each other until one side is terminal.
void Pump(Pair& p) {
  p.server_action = p.server.Start();
  p.client_action = p.client.Start();
  for (int round = 0; round < 20; ++round) {
    // Server -> client.
    if (p.server_action == HandshakeAction::kWriteThenRead ||
        p.server_action == HandshakeAction::kWriteThenDone ||
        p.server_action == HandshakeAction::kWriteThenFail) {
      for (const auto& f : Frames(p.server.output())) {
        p.client_action = p.client.OnPacket(f.payload, f.seq);
      }
    }
    if (IsTerminal(p.server_action) || IsTerminal(p.client_action)) return;
    // Client -> server.
    if (p.client_action == HandshakeAction::kWriteThenRead ||
        p.client_action == HandshakeAction::kWriteThenStartTls) {
      for (const auto& f : Frames(p.client.output())) {
        p.server_action = p.server.OnPacket(f.payload, f.seq);
      }
    }
    if (p.client_action == HandshakeAction::kWriteThenStartTls) {
      ASSERT_EQ(p.server_action, HandshakeAction::kStartTls);
      p.server_action = p.server.OnTlsEstablished();
      EXPECT_EQ(p.server_action, HandshakeAction::kRead);
      p.client_action = p.client.OnTlsEstablished();
      ASSERT_EQ(p.client_action, HandshakeAction::kWriteThenRead);
      for (const auto& f : Frames(p.client.output())) {
        p.server_action = p.server.OnPacket(f.payload, f.seq);
      }
    }
    if (IsTerminal(p.server_action) && p.server_action != HandshakeAction::kWriteThenDone &&
        p.server_action != HandshakeAction::kWriteThenFail) {
      return;
    }
  }
  FAIL() << "handshake did not finish";
}

ClientHandshakeOptions AppClient(std::string password = "app_pw") {
  ClientHandshakeOptions o;
  o.user = "app";
  o.password = password;
  o.database = "shop";
  o.attributes = {{"_client_name", "switchyard"}};
  return o;
}

TEST(HandshakeMachines, NativePasswordSuccessRecoversSha1) {
  Pair p{ServerHandshake(Opts(77), AppOnly()), ClientHandshake(AppClient())};
  Pump(p);
  EXPECT_EQ(p.server_action, HandshakeAction::kWriteThenDone) << p.server.error();
  EXPECT_EQ(p.client_action, HandshakeAction::kDone) << "client: " << p.client.error();
  const auto& s = p.server.result();
  EXPECT_EQ(s.user, "app");
  EXPECT_EQ(s.database, "shop");
  ASSERT_EQ(s.attributes.size(), 1u);
  EXPECT_EQ(s.attributes[0].second, "switchyard");
  ASSERT_TRUE(s.password_sha1);
  EXPECT_EQ(*s.password_sha1, NativeStage1("app_pw"));
  EXPECT_FALSE(s.auth_switched);
  EXPECT_TRUE(Has(s.negotiated, cap::kDeprecateEof | cap::kSessionTrack | cap::kConnectWithDb));
  EXPECT_FALSE(Has(s.negotiated, cap::kSsl));
  const auto& c = p.client.result();
  EXPECT_EQ(c.connection_id, 77u);
  EXPECT_EQ(c.auth_plugin, "mysql_native_password");
  EXPECT_EQ(c.status_flags, status::kAutocommit);
  // Advertised set is exactly the documented one, never COMPRESS.
  EXPECT_EQ(p.server.greeting().capabilities, ServerHandshake::kAdvertised);
  EXPECT_FALSE(Has(ServerHandshake::kAdvertised, cap::kCompress));
}

TEST(HandshakeMachines, BackendLoginWithOnlyTheRecoveredSha1) {
  ClientHandshakeOptions o = AppClient();
  o.password.reset();
  o.password_sha1 = NativeStage1("app_pw");
  Pair p{ServerHandshake({}, AppOnly()), ClientHandshake(o)};
  Pump(p);
  EXPECT_EQ(p.server_action, HandshakeAction::kWriteThenDone) << p.server.error();
  EXPECT_EQ(p.client_action, HandshakeAction::kDone) << "client: " << p.client.error();
}

TEST(HandshakeMachines, WrongPasswordAndUnknownUserGetErr1045) {
  for (auto [user, pw] : {std::pair{"app", "nope"}, std::pair{"ghost", "app_pw"}}) {
    ClientHandshakeOptions o = AppClient(pw);
    o.user = user;
    Pair p{ServerHandshake(Opts(0, false, false, "10.0.0.5"), AppOnly()), ClientHandshake(o)};
    Pump(p);
    EXPECT_EQ(p.server_action, HandshakeAction::kWriteThenFail);
    EXPECT_EQ(p.client_action, HandshakeAction::kFail);
    ASSERT_TRUE(p.client.server_error());
    EXPECT_EQ(p.client.server_error()->error_code, 1045);
    EXPECT_EQ(p.client.server_error()->sql_state, "28000");
    EXPECT_EQ(p.client.server_error()->message,
              fmt::format("Access denied for user '{}'@'10.0.0.5' (using password: YES)", user));
  }
}

TEST(HandshakeMachines, EmptyPasswordAccount) {
  ClientHandshakeOptions o = AppClient("");
  o.user = "nopw";
  Pair p{ServerHandshake({}, AppOnly()), ClientHandshake(o)};
  Pump(p);
  EXPECT_EQ(p.server_action, HandshakeAction::kWriteThenDone) << p.server.error();
  EXPECT_FALSE(p.server.result().password_sha1);
}

TEST(HandshakeMachines, TlsUpgradeOnBothSides) {
  ClientHandshakeOptions o = AppClient();
  o.use_tls = true;
  Pair p{ServerHandshake(Opts(0, true), AppOnly()), ClientHandshake(o)};
  Pump(p);
  EXPECT_EQ(p.server_action, HandshakeAction::kWriteThenDone) << p.server.error();
  EXPECT_EQ(p.client_action, HandshakeAction::kDone) << "client: " << p.client.error();
  EXPECT_TRUE(p.server.result().tls);
  EXPECT_TRUE(p.client.result().tls);
  EXPECT_TRUE(Has(p.server.result().negotiated, cap::kSsl));
}

TEST(HandshakeMachines, TlsRequiredButNotUsed) {
  Pair p{ServerHandshake(Opts(0, true, true), AppOnly()), ClientHandshake(AppClient())};
  Pump(p);
  EXPECT_EQ(p.server_action, HandshakeAction::kWriteThenFail);
  ASSERT_TRUE(p.client.server_error());
  EXPECT_EQ(p.client.server_error()->error_code, 3159);
}

TEST(HandshakeMachines, SslRequestWithoutTlsConfiguredFails) {
  ServerHandshake server({}, AppOnly());
  server.Start();
  SslRequest ssl{cap::kProtocol41 | cap::kSecureConnection, 1 << 24, 45};
  EXPECT_EQ(server.OnPacket(ssl.Encode(), 1), HandshakeAction::kFail);
  EXPECT_FALSE(server.error().empty());
}

TEST(ServerHandshake, SwitchesCachingSha2ClientToNative) {
  Bytes scramble(20, 'a');
  ServerHandshakeOptions opts;
  opts.scramble = scramble;
  ServerHandshake server(opts, AppOnly());
  ASSERT_EQ(server.Start(), HandshakeAction::kWriteThenRead);
  HandshakeResponse41 r;
  r.capabilities = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                   cap::kPluginAuthLenencClientData;
  r.username = "app";
  r.auth_plugin_name = "caching_sha2_password";
  r.auth_response = CachingSha2Token("app_pw", scramble);
  ASSERT_EQ(server.OnPacket(r.Encode(), 1), HandshakeAction::kWriteThenRead);
  auto frames = Frames(server.output());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 2);
  auto sw = AuthSwitchRequest::Decode(frames[0].payload);
  ASSERT_TRUE(sw.ok());
  EXPECT_EQ(sw->plugin_name, "mysql_native_password");
  EXPECT_EQ(sw->plugin_data.size(), 21u);
  EXPECT_NE(sw->Scramble(), scramble);  // fresh scramble
  Bytes token = NativePasswordToken("app_pw", sw->Scramble());
  EXPECT_EQ(server.OnPacket(token, 3), HandshakeAction::kWriteThenDone) << server.error();
  EXPECT_TRUE(server.result().auth_switched);
  EXPECT_EQ(server.result().client_plugin, "caching_sha2_password");
  EXPECT_EQ(Frames(server.output())[0].seq, 4);
  EXPECT_EQ(Frames(server.output())[0].payload[0], 0x00);
}

TEST(ServerHandshake, RejectsBadSequenceAndGarbage) {
  ServerHandshake server({}, AppOnly());
  server.Start();
  EXPECT_EQ(server.OnPacket(Bytes{1, 2, 3}, 5), HandshakeAction::kFail);
  ServerHandshake server2({}, AppOnly());
  server2.Start();
  EXPECT_EQ(server2.OnPacket(Bytes{1, 2, 3}, 1), HandshakeAction::kWriteThenFail);
  EXPECT_EQ(ErrPacket::Decode(Frames(server2.output())[0].payload)->error_code, 1043);
}

TEST(ClientHandshake, AnswersRealMariadbGreetingLikeTheRealClient) {
  ClientHandshakeOptions o = AppClient();
  o.database = "t";
  ClientHandshake client(o);
  auto greeting = FramePayloads(captured::kS1Greeting)[0];
  ASSERT_EQ(client.OnPacket(greeting, 0), HandshakeAction::kWriteThenRead) << client.error();
  auto frames = Frames(client.output());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].seq, 1);
  auto ours = HandshakeResponse41::Decode(frames[0].payload);
  auto real = HandshakeResponse41::Decode(FramePayloads(captured::kS1LoginResponse)[0]);
  ASSERT_TRUE(ours.ok() && real.ok());
  EXPECT_EQ(ours->auth_response, real->auth_response);  // same token for the same scramble
  EXPECT_EQ(ours->database, "t");
  EXPECT_FALSE(Has(ours->capabilities, cap::kMariadbCacheMetadata));
  EXPECT_FALSE(Has(ours->capabilities, cap::kMysql));  // MariaDB server lacks CLIENT_MYSQL
  auto ok = FramePayloads(captured::kS1LoginOk)[0];
  EXPECT_EQ(client.OnPacket(ok, 2), HandshakeAction::kDone) << client.error();
  EXPECT_EQ(client.result().connection_id, 6u);
  EXPECT_TRUE(client.result().server_is_mariadb);
  EXPECT_EQ(*client.result().ok->Schema(), "t");
}

TEST(ClientHandshake, ServerErrInsteadOfGreeting) {
  ClientHandshake client(AppClient());
  ErrPacket too_many{1040, "08004", "Too many connections"};
  EXPECT_EQ(client.OnPacket(too_many.Encode(), 0), HandshakeAction::kFail);
  EXPECT_EQ(client.server_error()->error_code, 1040);
}

HandshakeV10 Sha2Greeting(const Bytes& nonce, bool tls = false) {
  HandshakeV10 g;
  g.server_version = "8.0.36";
  g.connection_id = 9;
  g.scramble = nonce;
  g.capabilities =
      ClientHandshakeOptions::kDefaultCapabilities | cap::kConnectWithDb | (tls ? cap::kSsl : 0);
  g.auth_plugin_name = "caching_sha2_password";
  return g;
}

Bytes OkBytes() {
  OkPacket ok;
  ok.status_flags = status::kAutocommit;
  return ok.Encode(cap::kProtocol41);
}

TEST(ClientHandshake, CachingSha2FastPath) {
  Bytes nonce(20, 'n');
  ClientHandshake client(AppClient());
  ASSERT_EQ(client.OnPacket(Sha2Greeting(nonce).Encode(), 0), HandshakeAction::kWriteThenRead);
  auto resp = HandshakeResponse41::Decode(Frames(client.output())[0].payload);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->auth_plugin_name, "caching_sha2_password");
  EXPECT_EQ(resp->auth_response, CachingSha2Token("app_pw", nonce));
  EXPECT_EQ(client.OnPacket(Bytes{0x01, 0x03}, 2), HandshakeAction::kRead);
  EXPECT_EQ(client.OnPacket(OkBytes(), 3), HandshakeAction::kDone) << client.error();
  EXPECT_EQ(client.result().auth_plugin, "caching_sha2_password");
}

TEST(ClientHandshake, CachingSha2FullAuthWithRsaKey) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), key.get()), 1);
  char* pem = nullptr;
  long pem_len = BIO_get_mem_data(bio.get(), &pem);
  AuthMoreData key_packet{Bytes(pem, pem + pem_len)};

  Bytes nonce(20, 'n');
  ClientHandshake client(AppClient());
  ASSERT_EQ(client.OnPacket(Sha2Greeting(nonce).Encode(), 0), HandshakeAction::kWriteThenRead);
  ASSERT_EQ(client.OnPacket(Bytes{0x01, 0x04}, 2), HandshakeAction::kWriteThenRead);
  auto req = Frames(client.output());
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0].seq, 3);
  EXPECT_EQ(Bytes(req[0].payload.begin(), req[0].payload.end()), (Bytes{0x02}));
  ASSERT_EQ(client.OnPacket(key_packet.Encode(), 4), HandshakeAction::kWriteThenRead)
      << client.error();
  auto enc = Frames(client.output());
  ASSERT_EQ(enc.size(), 1u);
  EXPECT_EQ(enc[0].payload.size(), 256u);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  ASSERT_EQ(EVP_PKEY_decrypt_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 1);
  Bytes out(512);
  size_t out_len = out.size();
  ASSERT_EQ(EVP_PKEY_decrypt(ctx.get(), out.data(), &out_len, enc[0].payload.data(),
                             enc[0].payload.size()),
            1);
  out.resize(out_len);
  Bytes expected = CachingSha2CleartextPassword("app_pw");
  for (size_t i = 0; i < expected.size(); ++i) expected[i] ^= nonce[i % nonce.size()];
  EXPECT_EQ(out, expected);
  EXPECT_EQ(client.OnPacket(OkBytes(), 6), HandshakeAction::kDone) << client.error();
}

TEST(ClientHandshake, CachingSha2FullAuthOverTlsSendsCleartext) {
  Bytes nonce(20, 'n');
  ClientHandshakeOptions o = AppClient();
  o.use_tls = true;
  ClientHandshake client(o);
  ASSERT_EQ(client.OnPacket(Sha2Greeting(nonce, true).Encode(), 0),
            HandshakeAction::kWriteThenStartTls);
  EXPECT_EQ(Frames(client.output())[0].payload.size(), 32u);
  ASSERT_EQ(client.OnTlsEstablished(), HandshakeAction::kWriteThenRead);
  EXPECT_EQ(Frames(client.output())[0].seq, 2);
  ASSERT_EQ(client.OnPacket(Bytes{0x01, 0x04}, 3), HandshakeAction::kWriteThenRead);
  auto f = Frames(client.output());
  EXPECT_EQ(Bytes(f[0].payload.begin(), f[0].payload.end()),
            CachingSha2CleartextPassword("app_pw"));
  EXPECT_EQ(client.OnPacket(OkBytes(), 5), HandshakeAction::kDone);
}

TEST(ClientHandshake, Sha1OnlyAgainstCachingSha2ServerUsesNativeAndFollowsSwitch) {
  ClientHandshakeOptions o = AppClient();
  o.password.reset();
  o.password_sha1 = NativeStage1("app_pw");
  ClientHandshake client(o);
  Bytes nonce(20, 'n');
  ASSERT_EQ(client.OnPacket(Sha2Greeting(nonce).Encode(), 0), HandshakeAction::kWriteThenRead);
  auto resp = HandshakeResponse41::Decode(Frames(client.output())[0].payload);
  EXPECT_EQ(resp->auth_plugin_name, "mysql_native_password");
  EXPECT_EQ(resp->auth_response, NativePasswordToken("app_pw", nonce));
  // The account is native after all but the server wants a new scramble.
  Bytes scramble2(20, 's');
  AuthSwitchRequest sw{"mysql_native_password", scramble2};
  sw.plugin_data.push_back(0);
  ASSERT_EQ(client.OnPacket(sw.Encode(), 2), HandshakeAction::kWriteThenRead);
  auto f = Frames(client.output());
  EXPECT_EQ(f[0].seq, 3);
  EXPECT_EQ(Bytes(f[0].payload.begin(), f[0].payload.end()),
            NativePasswordToken("app_pw", scramble2));
  EXPECT_EQ(client.OnPacket(OkBytes(), 4), HandshakeAction::kDone);

  // A switch to caching_sha2 cannot be satisfied without the plaintext.
  ClientHandshake client2(o);
  client2.OnPacket(Sha2Greeting(nonce).Encode(), 0);
  AuthSwitchRequest sw2{"caching_sha2_password", nonce};
  EXPECT_EQ(client2.OnPacket(sw2.Encode(), 2), HandshakeAction::kFail);
  EXPECT_NE(client2.error().find("plaintext"), std::string::npos);
}

TEST(ClientHandshake, RefusesClearPasswordWithoutTlsAndUnknownPlugins) {
  ClientHandshake client(AppClient());
  Bytes nonce(20, 'n');
  client.OnPacket(Sha2Greeting(nonce).Encode(), 0);
  AuthSwitchRequest sw{"mysql_clear_password", {}};
  EXPECT_EQ(client.OnPacket(sw.Encode(), 2), HandshakeAction::kFail);
  ClientHandshake client2(AppClient());
  client2.OnPacket(Sha2Greeting(nonce).Encode(), 0);
  AuthSwitchRequest sw2{"client_ed25519", nonce};
  EXPECT_EQ(client2.OnPacket(sw2.Encode(), 2), HandshakeAction::kFail);
}

}  // namespace
}  // namespace switchyard::wire
