// ServerHandshake: the proxy acting as a MySQL server toward an application client during the
// connection phase. It sends Handshake v10 (mysql_native_password, fresh scramble), handles an
// SSLRequest (asks the caller to start TLS), switches any other client plugin (e.g. MySQL 8's
// caching_sha2_password) to mysql_native_password with a new scramble, verifies the token via the
// caller's credential lookup and produces OK or ERR 1045. Owns its output buffer; holds no
// sockets. On success result() has the user, database, attributes, negotiated capabilities and
// the recovered SHA1(password) for logging in to backends with mysql_native_password.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "wire/auth.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"
#include "wire/handshake.h"
#include "wire/handshake_step.h"
#include "wire/ok_err_eof.h"

namespace switchyard::wire {

// What the proxy knows about an account: SHA1(SHA1(password)) (from the plaintext or a
// "*<40 hex>" hash); nullopt stage2 = an account without password.
struct ServerCredential {
  std::optional<Sha1Digest> native_stage2;
};
// Looks a user up; nullopt = unknown user (answered with the same ERR 1045 as a bad password).
using CredentialLookup = std::function<std::optional<ServerCredential>(std::string_view user)>;

struct ServerHandshakeOptions {
  std::string server_version = "8.0.36-switchyard";
  uint32_t connection_id = 0;
  bool tls_available = false;  // advertise CLIENT_SSL
  bool tls_required = false;   // refuse clients that do not switch to TLS
  uint8_t charset = kCharsetUtf8mb4GeneralCi;
  uint16_t status_flags = status::kAutocommit;
  std::string client_host = "%";  // for "Access denied for user 'u'@'host'"
  Bytes scramble;                 // empty: a fresh one from GenerateScramble()
};

struct ServerHandshakeResult {
  std::string user;
  std::string database;  // empty if the client did not send one
  ConnectAttributes attributes;
  Capabilities client_capabilities = 0;  // as the client sent them
  Capabilities negotiated = 0;           // client & advertised
  uint8_t charset = 0;
  uint32_t max_packet_size = 0;
  std::string client_plugin;  // the plugin the client first answered with
  bool tls = false;
  bool auth_switched = false;
  // SHA1(password), recovered from the token; nullopt for accounts without password.
  std::optional<Sha1Digest> password_sha1;
};

class ServerHandshake {
 public:
  // Exactly what we advertise (plus CLIENT_SSL when TLS is configured). Never COMPRESS.
  static constexpr Capabilities kAdvertised =
      cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb |
      cap::kLocalFiles | cap::kIgnoreSpace | cap::kProtocol41 | cap::kInteractive |
      cap::kTransactions | cap::kSecureConnection | cap::kMultiStatements | cap::kMultiResults |
      cap::kPsMultiResults | cap::kPluginAuth | cap::kConnectAttrs |
      cap::kPluginAuthLenencClientData | cap::kSessionTrack | cap::kDeprecateEof;

  ServerHandshake(ServerHandshakeOptions options, CredentialLookup lookup);

  // Produces the greeting: kWriteThenRead.
  HandshakeAction Start();
  // The next client packet (payload and its sequence id).
  HandshakeAction OnPacket(BytesView payload, uint8_t seq);
  // TLS is up after kStartTls: kRead (the full HandshakeResponse41 follows).
  HandshakeAction OnTlsEstablished();

  const Bytes& output() const { return output_; }  // framed bytes to write
  const ServerHandshakeResult& result() const { return result_; }
  const std::string& error() const { return error_; }
  const HandshakeV10& greeting() const { return greeting_; }
  // Sequence id the next server packet would use (for callers that answer themselves).
  uint8_t next_seq() const { return next_seq_; }

 private:
  enum class State {
    kInit,
    kAwaitResponse,
    kAwaitTls,
    kAwaitResponseAfterTls,
    kAwaitSwitch,
    kDone
  };

  HandshakeAction Write(BytesView payload, HandshakeAction then);
  HandshakeAction Fail(std::string why);
  HandshakeAction Refuse(const ErrPacket& err, std::string why);
  HandshakeAction HandleResponse(BytesView payload);
  HandshakeAction Verify(BytesView token, BytesView scramble);

  ServerHandshakeOptions options_;
  CredentialLookup lookup_;
  State state_ = State::kInit;
  HandshakeV10 greeting_;
  Bytes switch_scramble_;
  Bytes output_;
  uint8_t next_seq_ = 0;
  ServerHandshakeResult result_;
  std::string error_;
};

}  // namespace switchyard::wire
