// Connection-phase messages, one struct per message with Decode(payload)/Encode() -> payload
// (framing is separate, see packet_framing.h). Structs own their strings; Decode never reads
// past the payload and names the field and offset on error.
// Capabilities are 64-bit: MariaDB's extended capabilities live in the high 32 bits and travel in
// otherwise reserved bytes when CLIENT_MYSQL (= CLIENT_LONG_PASSWORD) is unset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "wire/bytes.h"
#include "wire/capabilities.h"

namespace switchyard::wire {

// Initial server greeting (Protocol::HandshakeV10).
struct HandshakeV10 {
  uint8_t protocol_version = 10;
  std::string server_version;
  uint32_t connection_id = 0;
  Bytes scramble;  // auth-plugin-data, both parts joined, trailing NUL removed (usually 20 bytes)
  Capabilities capabilities = 0;
  uint8_t charset = kCharsetUtf8mb4GeneralCi;
  uint16_t status_flags = 0;
  std::string auth_plugin_name;  // empty if !PLUGIN_AUTH

  static Result<HandshakeV10> Decode(BytesView payload);
  Bytes Encode() const;
};

using ConnectAttributes = std::vector<std::pair<std::string, std::string>>;

// CONNECT_ATTRS block shared by HandshakeResponse41 and COM_CHANGE_USER: a lenenc total length,
// then lenenc key/value strings. Read fails softly like PayloadReader; `what` names the message.
class PayloadReader;
Status ReadConnectAttributes(PayloadReader& r, std::string_view what, ConnectAttributes& out);
void PutConnectAttributes(Bytes& out, const ConnectAttributes& attributes);

// Client's reply to the greeting (Protocol::HandshakeResponse41).
struct HandshakeResponse41 {
  Capabilities capabilities = 0;
  uint32_t max_packet_size = 0;
  uint8_t charset = kCharsetUtf8mb4GeneralCi;
  std::string username;
  Bytes auth_response;
  std::string database;          // only with CONNECT_WITH_DB
  std::string auth_plugin_name;  // only with PLUGIN_AUTH
  ConnectAttributes attributes;  // only with CONNECT_ATTRS

  static Result<HandshakeResponse41> Decode(BytesView payload);
  Bytes Encode() const;
};

// The 32-byte short form of HandshakeResponse41 sent before TLS (capabilities include SSL).
struct SslRequest {
  static constexpr size_t kSize = 32;
  Capabilities capabilities = 0;
  uint32_t max_packet_size = 0;
  uint8_t charset = kCharsetUtf8mb4GeneralCi;

  static Result<SslRequest> Decode(BytesView payload);
  Bytes Encode() const;
};
// True if a client's first reply is an SSLRequest rather than a full HandshakeResponse41.
bool IsSslRequest(BytesView payload);

// 0xFE: server asks the client to authenticate with another plugin.
struct AuthSwitchRequest {
  static constexpr uint8_t kHeader = 0xFE;
  std::string plugin_name;
  Bytes plugin_data;  // as sent; mysql_native_password's is the 20-byte scramble + NUL

  static Result<AuthSwitchRequest> Decode(BytesView payload);
  Bytes Encode() const;
  // plugin_data without the trailing NUL that scramble-based plugins append.
  Bytes Scramble() const;
};

// Client's answer to AuthSwitchRequest: raw plugin data, no header.
struct AuthSwitchResponse {
  Bytes data;
  static AuthSwitchResponse Decode(BytesView payload) {
    return {Bytes(payload.begin(), payload.end())};
  }
  Bytes Encode() const { return data; }
};

// 0x01: extra authentication data (caching_sha2 fast-auth result 0x03 / full-auth 0x04, PEM key).
struct AuthMoreData {
  static constexpr uint8_t kHeader = 0x01;
  Bytes data;

  static Result<AuthMoreData> Decode(BytesView payload);
  Bytes Encode() const;
};

// caching_sha2_password AuthMoreData codes and the client's public-key request byte.
inline constexpr uint8_t kCachingSha2FastAuthSuccess = 0x03;
inline constexpr uint8_t kCachingSha2PerformFullAuth = 0x04;
inline constexpr uint8_t kCachingSha2RequestPublicKey = 0x02;

}  // namespace switchyard::wire
