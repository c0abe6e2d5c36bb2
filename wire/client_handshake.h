// ClientHandshake: the proxy acting as a MySQL client toward a MariaDB/MySQL backend during the
// connection phase. Feed it the server's packets (starting with the greeting); it answers with
// user, auth token, database, attributes and the capabilities intersected with the server's,
// optionally upgrading to TLS first, and follows auth switches: mysql_native_password (needs only
// SHA1(pw)), caching_sha2_password (fast path 0x03, full auth 0x04 over TLS in clear or via the
// server's RSA key; needs the plaintext), mysql_clear_password (TLS only). Owns its output.
#pragma once

#include <cstdint>
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

struct ClientHandshakeOptions {
  // What the proxy asks for by default: the same set it advertises to its own clients, so that
  // frames can be forwarded between the two connections untouched. No MariaDB extended caps
  // (CACHE_METADATA/EXTENDED_METADATA would change the result-set layout the clients see).
  static constexpr Capabilities kDefaultCapabilities =
      cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kLocalFiles | cap::kIgnoreSpace |
      cap::kProtocol41 | cap::kInteractive | cap::kTransactions | cap::kSecureConnection |
      cap::kMultiStatements | cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth |
      cap::kConnectAttrs | cap::kPluginAuthLenencClientData | cap::kSessionTrack |
      cap::kDeprecateEof;

  std::string user;
  std::optional<std::string> password;      // plaintext, if known (needed for caching_sha2)
  std::optional<Sha1Digest> password_sha1;  // SHA1(pw): enough for mysql_native_password
  std::string database;                     // sent with CONNECT_WITH_DB when not empty
  ConnectAttributes attributes;
  Capabilities capabilities = kDefaultCapabilities;  // wished; intersected with the server's
  uint8_t charset = kCharsetUtf8mb4GeneralCi;
  uint32_t max_packet_size = 16 * 1024 * 1024;
  bool use_tls = false;      // send an SSLRequest when the server offers TLS
  bool require_tls = false;  // fail when it does not
};

struct ClientHandshakeResult {
  Capabilities negotiated = 0;
  uint32_t connection_id = 0;
  std::string server_version;
  Capabilities server_capabilities = 0;
  uint8_t server_charset = 0;
  uint16_t status_flags = 0;  // from the final OK
  std::string auth_plugin;    // plugin that authenticated
  bool tls = false;
  bool server_is_mariadb = false;  // version contains "MariaDB"
  std::optional<OkPacket> ok;
};

class ClientHandshake {
 public:
  explicit ClientHandshake(ClientHandshakeOptions options);

  // The first action is always kRead (the server speaks first).
  HandshakeAction Start() { return HandshakeAction::kRead; }
  // Next server packet (payload, sequence id).
  HandshakeAction OnPacket(BytesView payload, uint8_t seq);
  // After kWriteThenStartTls, once TLS is up: kWriteThenRead (the HandshakeResponse41).
  HandshakeAction OnTlsEstablished();

  const Bytes& output() const { return output_; }
  const ClientHandshakeResult& result() const { return result_; }
  const std::string& error() const { return error_; }
  // The server's ERR, when it refused us.
  const std::optional<ErrPacket>& server_error() const { return server_error_; }

 private:
  enum class State { kAwaitGreeting, kAwaitTls, kAwaitAuthResult, kAwaitPublicKey, kDone };

  HandshakeAction Write(BytesView payload, HandshakeAction then);
  HandshakeAction Fail(std::string why);
  HandshakeAction HandleGreeting(BytesView payload);
  HandshakeAction SendResponse();
  HandshakeAction HandleAuthResult(BytesView payload);
  // Token for `plugin` and `scramble`; sets `plugin_used` (may fall back to native).
  Result<Bytes> TokenFor(std::string_view plugin, BytesView scramble, std::string& plugin_used);

  ClientHandshakeOptions options_;
  State state_ = State::kAwaitGreeting;
  Bytes scramble_;
  std::string plugin_;
  Bytes output_;
  uint8_t next_seq_ = 0;
  ClientHandshakeResult result_;
  std::string error_;
  std::optional<ErrPacket> server_error_;
};

}  // namespace switchyard::wire
