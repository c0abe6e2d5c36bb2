#include "wire/handshake.h"

#include <gtest/gtest.h>

#include "captured_mariadb.h"
#include "test_util.h"

namespace switchyard::wire {
namespace {

using testing::ExpectEveryPrefixFails;
using testing::FramePayloads;

TEST(HandshakeV10, DecodesRealMariadbGreeting) {
  auto frames = FramePayloads(captured::kS1Greeting);
  ASSERT_EQ(frames.size(), 1u);
  auto h = HandshakeV10::Decode(frames[0]);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(h->connection_id, 6u);
  EXPECT_EQ(h->scramble.size(), 20u);
  EXPECT_EQ(h->auth_plugin_name, "mysql_native_password");
  EXPECT_EQ(h->charset, 8);
  EXPECT_EQ(h->status_flags, status::kAutocommit);
  // MariaDB: CLIENT_MYSQL unset, extended capabilities present in the reserved bytes.
  EXPECT_FALSE(Has(h->capabilities, cap::kMysql));
  EXPECT_TRUE(Has(h->capabilities, cap::kProtocol41 | cap::kPluginAuth | cap::kSessionTrack |
                                       cap::kDeprecateEof | cap::kSecureConnection));
  EXPECT_TRUE(Has(h->capabilities, cap::kMariadbProgress | cap::kMariadbStmtBulkOperations));
  // Re-encoding yields the same bytes.
  EXPECT_EQ(ToHex(h->Encode()), ToHex(frames[0]));
  // Prefixes fail except the two legal short forms: the pre-4.1 greeting that ends after the
  // lower capability flags, and a plugin name whose NUL some servers omit.
  const size_t short_form = 1 + h->server_version.size() + 1 + 4 + 8 + 1 + 2;
  const size_t plugin_start = frames[0].size() - h->auth_plugin_name.size() - 1;
  for (size_t n = 0; n < plugin_start; ++n) {
    Bytes prefix(frames[0].begin(), frames[0].begin() + n);
    EXPECT_EQ(HandshakeV10::Decode(prefix).ok(), n == short_form) << n;
  }
}

TEST(HandshakeV10, RoundTripMysqlStyle) {
  HandshakeV10 h;
  h.server_version = "8.0.36-switchyard";
  h.connection_id = 0x01020304;
  for (uint8_t i = 0; i < 20; ++i) h.scramble.push_back(static_cast<uint8_t>(i + 0x30));
  h.capabilities = cap::kLongPassword | cap::kProtocol41 | cap::kSecureConnection |
                   cap::kPluginAuth | cap::kDeprecateEof | cap::kSsl;
  h.status_flags = status::kAutocommit;
  h.auth_plugin_name = "mysql_native_password";
  Bytes enc = h.Encode();
  auto d = HandshakeV10::Decode(enc);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->server_version, h.server_version);
  EXPECT_EQ(d->connection_id, h.connection_id);
  EXPECT_EQ(d->scramble, h.scramble);
  EXPECT_EQ(d->capabilities, h.capabilities);
  EXPECT_EQ(d->auth_plugin_name, h.auth_plugin_name);
}

TEST(HandshakeV10, RejectsWrongProtocolVersion) {
  Bytes b = {9, 'x', 0};
  EXPECT_FALSE(HandshakeV10::Decode(b).ok());
}

TEST(HandshakeResponse41, DecodesRealMariadbClientResponse) {
  auto frames = FramePayloads(captured::kS1LoginResponse);
  ASSERT_EQ(frames.size(), 1u);
  auto r = HandshakeResponse41::Decode(frames[0]);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->username, "app");
  EXPECT_EQ(r->auth_response.size(), 20u);
  EXPECT_EQ(r->database, "t");
  EXPECT_EQ(r->auth_plugin_name, "mysql_native_password");
  EXPECT_TRUE(Has(r->capabilities, cap::kConnectAttrs | cap::kMultiStatements));
  EXPECT_TRUE(Has(r->capabilities, cap::kMariadbProgress));
  bool saw_client_name = false;
  for (const auto& [k, v] : r->attributes) {
    if (k == "_client_name") {
      EXPECT_EQ(v, "libmariadb");
      saw_client_name = true;
    }
  }
  EXPECT_TRUE(saw_client_name);
  EXPECT_EQ(ToHex(r->Encode()), ToHex(frames[0]));
  // Every prefix that cuts the mandatory part (up to the auth response) fails; longer prefixes
  // cut only optional trailing fields and must at least decode without reading out of bounds.
  const size_t mandatory = 32 + 4 + 1 + 20;
  for (size_t n = 0; n < frames[0].size(); ++n) {
    Bytes prefix(frames[0].begin(), frames[0].begin() + n);
    auto d = HandshakeResponse41::Decode(prefix);
    if (n < mandatory) {
      EXPECT_FALSE(d.ok()) << n;
    }
  }
}

TEST(HandshakeResponse41, RoundTripAllFieldsAndFlagCombos) {
  for (Capabilities extra : {Capabilities{0}, cap::kPluginAuthLenencClientData}) {
    HandshakeResponse41 h;
    h.capabilities = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                     cap::kConnectWithDb | cap::kConnectAttrs | extra;
    h.max_packet_size = 16 * 1024 * 1024;
    h.username = "app";
    h.auth_response = Bytes(20, 0xAA);
    h.database = "shop";
    h.auth_plugin_name = "caching_sha2_password";
    h.attributes = {{"_client_name", "switchyard"}, {"k", ""}};
    Bytes enc = h.Encode();
    auto d = HandshakeResponse41::Decode(enc);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->capabilities, h.capabilities);
    EXPECT_EQ(d->max_packet_size, h.max_packet_size);
    EXPECT_EQ(d->username, h.username);
    EXPECT_EQ(d->auth_response, h.auth_response);
    EXPECT_EQ(d->database, h.database);
    EXPECT_EQ(d->auth_plugin_name, h.auth_plugin_name);
    EXPECT_EQ(d->attributes, h.attributes);
  }
}

TEST(HandshakeResponse41, MariadbExtendedCapsTravelWhenClientMysqlUnset) {
  HandshakeResponse41 h;
  h.capabilities = cap::kProtocol41 | cap::kSecureConnection | cap::kMariadbProgress;
  h.username = "u";
  auto d = HandshakeResponse41::Decode(h.Encode());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->capabilities, h.capabilities);
  // With CLIENT_MYSQL set the reserved bytes are ignored.
  h.capabilities |= cap::kMysql;
  d = HandshakeResponse41::Decode(h.Encode());
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(Has(d->capabilities, cap::kMariadbProgress));
}

TEST(HandshakeResponse41, RejectsPre41AndBadAttributes) {
  HandshakeResponse41 h;
  h.capabilities = cap::kSecureConnection;
  EXPECT_FALSE(HandshakeResponse41::Decode(h.Encode()).ok());
  h.capabilities = cap::kProtocol41 | cap::kSecureConnection | cap::kConnectAttrs;
  h.username = "u";
  Bytes enc = h.Encode();
  enc.back() = 5;  // attribute block claims 5 bytes that are not there
  EXPECT_FALSE(HandshakeResponse41::Decode(enc).ok());
  enc.back() = 1;
  enc.push_back(9);  // one byte of attributes: a key claiming 9 bytes
  EXPECT_FALSE(HandshakeResponse41::Decode(enc).ok());
}

TEST(SslRequest, RoundTripAndDetection) {
  SslRequest s;
  s.capabilities = cap::kProtocol41 | cap::kSecureConnection;
  s.max_packet_size = 1 << 24;
  Bytes enc = s.Encode();
  EXPECT_EQ(enc.size(), 32u);
  EXPECT_TRUE(IsSslRequest(enc));
  auto d = SslRequest::Decode(enc);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(Has(d->capabilities, cap::kSsl));
  EXPECT_EQ(d->max_packet_size, s.max_packet_size);
  ExpectEveryPrefixFails(enc, [](BytesView b) { return SslRequest::Decode(b); });
  auto frames = FramePayloads(captured::kS1LoginResponse);
  EXPECT_FALSE(IsSslRequest(frames[0]));
}

TEST(AuthSwitch, RequestRoundTripAndScramble) {
  AuthSwitchRequest a{"mysql_native_password", Bytes(20, 7)};
  a.plugin_data.push_back(0);
  Bytes enc = a.Encode();
  EXPECT_EQ(enc[0], 0xFE);
  auto d = AuthSwitchRequest::Decode(enc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->plugin_name, a.plugin_name);
  EXPECT_EQ(d->plugin_data, a.plugin_data);
  EXPECT_EQ(d->Scramble(), Bytes(20, 7));
  Bytes old_style = {0xFE};
  EXPECT_FALSE(AuthSwitchRequest::Decode(old_style).ok());
  Bytes no_nul = {0xFE, 'a', 'b'};
  EXPECT_FALSE(AuthSwitchRequest::Decode(no_nul).ok());
  EXPECT_EQ(AuthSwitchResponse::Decode(Bytes{1, 2}).Encode(), (Bytes{1, 2}));
}

TEST(AuthMoreData, RoundTrip) {
  AuthMoreData m{{kCachingSha2FastAuthSuccess}};
  Bytes enc = m.Encode();
  EXPECT_EQ(enc, (Bytes{0x01, 0x03}));
  auto d = AuthMoreData::Decode(enc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->data, m.data);
  EXPECT_FALSE(AuthMoreData::Decode(Bytes{}).ok());
  EXPECT_FALSE(AuthMoreData::Decode(Bytes{0x02}).ok());
}

TEST(Capabilities, Names) {
  EXPECT_EQ(CapabilityNames(cap::kProtocol41 | cap::kSsl), "PROTOCOL_41|SSL");
  EXPECT_EQ(CapabilityNames(cap::kMariadbProgress), "MARIADB_PROGRESS");
  EXPECT_EQ(StatusFlagNames(status::kAutocommit | status::kMoreResultsExists),
            "AUTOCOMMIT|MORE_RESULTS_EXISTS");
  EXPECT_EQ(CommandName(Command::kQuery), "COM_QUERY");
  EXPECT_EQ(CommandName(Command::kResetConnection), "COM_RESET_CONNECTION");
  EXPECT_EQ(CommandName(0x77), "COM_0x77");
}

}  // namespace
}  // namespace switchyard::wire
