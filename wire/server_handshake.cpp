#include "wire/server_handshake.h"

#include <fmt/format.h>

#include "wire/ok_err_eof.h"
#include "wire/packet_framing.h"

namespace switchyard::wire {

ServerHandshake::ServerHandshake(ServerHandshakeOptions options, CredentialLookup lookup)
    : options_(std::move(options)), lookup_(std::move(lookup)) {}

HandshakeAction ServerHandshake::Write(BytesView payload, HandshakeAction then) {
  output_.clear();
  next_seq_ = AppendPacket(output_, next_seq_, payload);
  return then;
}

HandshakeAction ServerHandshake::Fail(std::string why) {
  output_.clear();
  error_ = std::move(why);
  state_ = State::kDone;
  return HandshakeAction::kFail;
}

HandshakeAction ServerHandshake::Refuse(const ErrPacket& err, std::string why) {
  error_ = std::move(why);
  state_ = State::kDone;
  return Write(err.Encode(), HandshakeAction::kWriteThenFail);
}

HandshakeAction ServerHandshake::Start() {
  greeting_ = HandshakeV10{};
  greeting_.server_version = options_.server_version;
  greeting_.connection_id = options_.connection_id;
  greeting_.scramble = options_.scramble.empty() ? GenerateScramble() : options_.scramble;
  greeting_.capabilities = kAdvertised | (options_.tls_available ? cap::kSsl : 0);
  greeting_.charset = options_.charset;
  greeting_.status_flags = options_.status_flags;
  greeting_.auth_plugin_name = std::string(kNativePasswordPlugin);
  next_seq_ = 0;
  state_ = State::kAwaitResponse;
  return Write(greeting_.Encode(), HandshakeAction::kWriteThenRead);
}

HandshakeAction ServerHandshake::OnTlsEstablished() {
  if (state_ != State::kAwaitTls) return Fail("TLS established at an unexpected point");
  result_.tls = true;
  state_ = State::kAwaitResponseAfterTls;
  output_.clear();
  return HandshakeAction::kRead;
}

HandshakeAction ServerHandshake::OnPacket(BytesView payload, uint8_t seq) {
  if (seq != next_seq_) {
    return Fail(fmt::format("client packet has sequence id {}, expected {}", seq, next_seq_));
  }
  next_seq_ = static_cast<uint8_t>(seq + 1);
  switch (state_) {
    case State::kAwaitResponse:
      if (IsSslRequest(payload)) {
        if (!options_.tls_available) return Fail("client requested TLS, which is not configured");
        auto ssl = SslRequest::Decode(payload);
        if (!ssl.ok()) return Fail(ssl.error().message);
        state_ = State::kAwaitTls;
        output_.clear();
        return HandshakeAction::kStartTls;
      }
      if (options_.tls_required) {
        return Refuse(ErrPacket{3159, "HY000",
                                "Connections using insecure transport are prohibited while "
                                "--require_secure_transport=ON."},
                      "client did not use TLS, which is required");
      }
      return HandleResponse(payload);
    case State::kAwaitResponseAfterTls:
      return HandleResponse(payload);
    case State::kAwaitSwitch:
      result_.auth_switched = true;
      return Verify(payload, switch_scramble_);
    default:
      return Fail("client sent a packet at an unexpected point of the handshake");
  }
}

HandshakeAction ServerHandshake::HandleResponse(BytesView payload) {
  auto response = HandshakeResponse41::Decode(payload);
  if (!response.ok()) {
    return Refuse(ErrPacket{1043, "08S01", "Bad handshake"}, response.error().message);
  }
  result_.user = response->username;
  result_.database = response->database;
  result_.attributes = std::move(response->attributes);
  result_.client_capabilities = response->capabilities;
  result_.negotiated = response->capabilities & greeting_.capabilities;
  result_.charset = response->charset;
  result_.max_packet_size = response->max_packet_size;
  result_.client_plugin = response->auth_plugin_name;

  bool native =
      response->auth_plugin_name == kNativePasswordPlugin ||
      (response->auth_plugin_name.empty() && !Has(response->capabilities, cap::kPluginAuth));
  if (native && (response->auth_response.empty() || response->auth_response.size() == 20)) {
    return Verify(response->auth_response, greeting_.scramble);
  }
  if (!Has(response->capabilities, cap::kPluginAuth)) {
    return Refuse(ErrPacket{1251, "08004",
                            "Client does not support authentication protocol requested by "
                            "server; consider upgrading MySQL client"},
                  "client cannot switch authentication plugins");
  }
  // Any other plugin (caching_sha2_password, ...): switch to mysql_native_password.
  switch_scramble_ = GenerateScramble();
  AuthSwitchRequest sw{std::string(kNativePasswordPlugin), switch_scramble_};
  sw.plugin_data.push_back(0);
  state_ = State::kAwaitSwitch;
  return Write(sw.Encode(), HandshakeAction::kWriteThenRead);
}

HandshakeAction ServerHandshake::Verify(BytesView token, BytesView scramble) {
  bool using_password = !token.empty();
  auto denied = [&](std::string why) {
    return Refuse(ErrPacket::AccessDenied(result_.user, options_.client_host, using_password),
                  std::move(why));
  };
  std::optional<ServerCredential> credential = lookup_ ? lookup_(result_.user) : std::nullopt;
  if (!credential) return denied(fmt::format("unknown user '{}'", result_.user));
  auto stage1 = VerifyNativePassword(token, scramble, credential->native_stage2);
  if (!stage1) return denied(fmt::format("wrong password for user '{}'", result_.user));
  if (credential->native_stage2) result_.password_sha1 = *stage1;
  OkPacket ok;
  ok.status_flags = options_.status_flags;
  state_ = State::kDone;
  return Write(ok.Encode(result_.negotiated), HandshakeAction::kWriteThenDone);
}

}  // namespace switchyard::wire
