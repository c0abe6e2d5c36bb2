#include "wire/client_handshake.h"

#include <fmt/format.h>

#include "wire/packet_framing.h"

namespace switchyard::wire {

ClientHandshake::ClientHandshake(ClientHandshakeOptions options) : options_(std::move(options)) {
  if (!options_.password_sha1 && options_.password && !options_.password->empty()) {
    options_.password_sha1 = NativeStage1(*options_.password);
  }
}

HandshakeAction ClientHandshake::Write(BytesView payload, HandshakeAction then) {
  output_.clear();
  next_seq_ = AppendPacket(output_, next_seq_, payload);
  return then;
}

HandshakeAction ClientHandshake::Fail(std::string why) {
  output_.clear();
  error_ = std::move(why);
  state_ = State::kDone;
  return HandshakeAction::kFail;
}

HandshakeAction ClientHandshake::OnPacket(BytesView payload, uint8_t seq) {
  if (state_ == State::kDone || state_ == State::kAwaitTls) {
    return Fail("server sent a packet at an unexpected point of the handshake");
  }
  if (state_ != State::kAwaitGreeting && seq != next_seq_) {
    return Fail(fmt::format("server packet has sequence id {}, expected {}", seq, next_seq_));
  }
  next_seq_ = static_cast<uint8_t>(seq + 1);
  if (IsErrPacket(payload)) {
    auto err = ErrPacket::Decode(payload);
    if (!err.ok()) return Fail(err.error().message);
    server_error_ = err.value();
    return Fail(fmt::format("server refused the connection: {} ({}): {}", err->error_code,
                            err->sql_state, err->message));
  }
  if (state_ == State::kAwaitGreeting) return HandleGreeting(payload);
  return HandleAuthResult(payload);
}

HandshakeAction ClientHandshake::HandleGreeting(BytesView payload) {
  auto greeting = HandshakeV10::Decode(payload);
  if (!greeting.ok()) return Fail(greeting.error().message);
  if (!Has(greeting->capabilities, cap::kProtocol41)) {
    return Fail("server does not speak CLIENT_PROTOCOL_41");
  }
  result_.connection_id = greeting->connection_id;
  result_.server_version = greeting->server_version;
  result_.server_capabilities = greeting->capabilities;
  result_.server_charset = greeting->charset;
  result_.server_is_mariadb = greeting->server_version.find("MariaDB") != std::string::npos;
  scramble_ = greeting->scramble;
  plugin_ = greeting->auth_plugin_name.empty() ? std::string(kNativePasswordPlugin)
                                               : greeting->auth_plugin_name;

  Capabilities wished = options_.capabilities;
  if (!options_.database.empty()) wished |= cap::kConnectWithDb;
  if (options_.attributes.empty()) wished &= ~cap::kConnectAttrs;
  result_.negotiated = wished & greeting->capabilities;

  bool server_tls = Has(greeting->capabilities, cap::kSsl);
  if (options_.require_tls && !server_tls) return Fail("server does not offer TLS");
  if (options_.use_tls && server_tls) {
    result_.negotiated |= cap::kSsl;
    SslRequest ssl{result_.negotiated, options_.max_packet_size, options_.charset};
    state_ = State::kAwaitTls;
    return Write(ssl.Encode(), HandshakeAction::kWriteThenStartTls);
  }
  return SendResponse();
}

HandshakeAction ClientHandshake::OnTlsEstablished() {
  if (state_ != State::kAwaitTls) return Fail("TLS established at an unexpected point");
  result_.tls = true;
  return SendResponse();
}

Result<Bytes> ClientHandshake::TokenFor(std::string_view plugin, BytesView scramble,
                                        std::string& plugin_used) {
  plugin_used = std::string(plugin);
  if (plugin == kCachingSha2Plugin && options_.password) {
    return CachingSha2Token(*options_.password, scramble);
  }
  if (plugin == kClearPasswordPlugin) {
    if (!result_.tls) return MakeError("refusing mysql_clear_password without TLS");
    if (!options_.password) return MakeError("mysql_clear_password needs the plaintext password");
    return CachingSha2CleartextPassword(*options_.password);
  }
  if (plugin != kNativePasswordPlugin && plugin != kCachingSha2Plugin) {
    return MakeError(fmt::format("unsupported authentication plugin '{}'", plugin));
  }
  // mysql_native_password, or caching_sha2 without the plaintext: answer natively and let the
  // server switch us if the account really uses another plugin.
  plugin_used = std::string(kNativePasswordPlugin);
  if (!options_.password_sha1) return Bytes{};
  return NativePasswordTokenFromStage1(*options_.password_sha1, scramble);
}

HandshakeAction ClientHandshake::SendResponse() {
  HandshakeResponse41 response;
  response.capabilities = result_.negotiated;
  response.max_packet_size = options_.max_packet_size;
  response.charset = options_.charset;
  response.username = options_.user;
  response.database = options_.database;
  response.attributes = options_.attributes;
  // The first answer may use any plugin we like; unknown server defaults get a native token.
  std::string plugin = plugin_ == kCachingSha2Plugin ? plugin_ : std::string(kNativePasswordPlugin);
  auto token = TokenFor(plugin, scramble_, plugin_);
  if (!token.ok()) return Fail(token.error().message);
  response.auth_response = std::move(token.value());
  response.auth_plugin_name = plugin_;
  state_ = State::kAwaitAuthResult;
  return Write(response.Encode(), HandshakeAction::kWriteThenRead);
}

HandshakeAction ClientHandshake::HandleAuthResult(BytesView payload) {
  if (payload.empty()) return Fail("server sent an empty packet during authentication");
  switch (payload[0]) {
    case 0x00: {
      auto ok = OkPacket::Decode(payload, result_.negotiated);
      if (!ok.ok()) return Fail(ok.error().message);
      result_.status_flags = ok->status_flags;
      result_.auth_plugin = plugin_;
      result_.ok = std::move(ok.value());
      state_ = State::kDone;
      output_.clear();
      return HandshakeAction::kDone;
    }
    case AuthSwitchRequest::kHeader: {
      auto sw = AuthSwitchRequest::Decode(payload);
      if (!sw.ok()) return Fail(sw.error().message);
      scramble_ = sw->Scramble();
      std::string used;
      if (sw->plugin_name == kCachingSha2Plugin && !options_.password) {
        return Fail("caching_sha2_password needs the plaintext password, which is not configured");
      }
      auto token = TokenFor(sw->plugin_name, scramble_, used);
      if (!token.ok()) return Fail(token.error().message);
      if (used != sw->plugin_name) {
        return Fail(fmt::format("cannot authenticate with '{}'", sw->plugin_name));
      }
      plugin_ = used;
      state_ = State::kAwaitAuthResult;
      return Write(token.value(), HandshakeAction::kWriteThenRead);
    }
    case AuthMoreData::kHeader: {
      auto more = AuthMoreData::Decode(payload);
      if (!more.ok()) return Fail(more.error().message);
      if (state_ == State::kAwaitPublicKey) {
        auto enc =
            CachingSha2RsaEncryptPassword(*options_.password, scramble_, AsString(more->data));
        if (!enc.ok()) return Fail(enc.error().message);
        state_ = State::kAwaitAuthResult;
        return Write(enc.value(), HandshakeAction::kWriteThenRead);
      }
      if (plugin_ != kCachingSha2Plugin || more->data.size() != 1) {
        return Fail(fmt::format("unexpected AuthMoreData for plugin '{}'", plugin_));
      }
      if (more->data[0] == kCachingSha2FastAuthSuccess) {
        output_.clear();
        return HandshakeAction::kRead;  // the OK follows
      }
      if (more->data[0] != kCachingSha2PerformFullAuth) {
        return Fail(fmt::format("unknown caching_sha2_password code {}", more->data[0]));
      }
      if (!options_.password) return Fail("caching_sha2_password full auth needs the plaintext");
      if (result_.tls) {
        return Write(CachingSha2CleartextPassword(*options_.password),
                     HandshakeAction::kWriteThenRead);
      }
      state_ = State::kAwaitPublicKey;
      Bytes request = {kCachingSha2RequestPublicKey};
      return Write(request, HandshakeAction::kWriteThenRead);
    }
    default:
      return Fail(fmt::format("unexpected packet 0x{:02x} during authentication", payload[0]));
  }
}

}  // namespace switchyard::wire
