#include "wire/handshake.h"

#include <algorithm>

#include <fmt/format.h>

#include "wire/payload_reader.h"
#include "wire/payload_writer.h"

namespace switchyard::wire {

Result<HandshakeV10> HandshakeV10::Decode(BytesView payload) {
  PayloadReader r(payload, "Handshake v10");
  HandshakeV10 h;
  h.protocol_version = r.U8("protocol version");
  if (r.ok() && h.protocol_version != 10) {
    return MakeError(
        fmt::format("Handshake v10: unsupported protocol version {}", h.protocol_version));
  }
  h.server_version = r.NulString("server version");
  h.connection_id = r.U32("connection id");
  BytesView part1 = r.FixedBytes(8, "auth-plugin-data-part-1");
  h.scramble.assign(part1.begin(), part1.end());
  r.Skip(1, "filler");
  h.capabilities = r.U16("capability flags (lower)");
  if (r.ok() && !r.at_end()) {
    h.charset = r.U8("character set");
    h.status_flags = r.U16("status flags");
    h.capabilities |= Capabilities{r.U16("capability flags (upper)")} << 16;
    uint8_t auth_data_len = r.U8("auth-plugin-data length");
    r.Skip(6, "filler");
    uint32_t extended = r.U32("MariaDB extended capabilities");
    if (!Has(h.capabilities, cap::kMysql)) h.capabilities |= Capabilities{extended} << 32;
    if (Has(h.capabilities, cap::kSecureConnection)) {
      size_t len = std::max<int>(13, int{auth_data_len} - 8);
      // Some servers send fewer bytes than announced when PLUGIN_AUTH is off; take what is there.
      if (!Has(h.capabilities, cap::kPluginAuth)) len = std::min(len, r.remaining());
      BytesView part2 = r.FixedBytes(len, "auth-plugin-data-part-2");
      h.scramble.insert(h.scramble.end(), part2.begin(), part2.end());
      if (!h.scramble.empty() && h.scramble.back() == 0) h.scramble.pop_back();
    }
    if (Has(h.capabilities, cap::kPluginAuth)) {
      h.auth_plugin_name = std::string(r.NulOrEofString("auth plugin name"));
    }
  }
  if (!r.ok()) return r.status().error();
  return h;
}

Bytes HandshakeV10::Encode() const {
  Bytes out;
  PutU8(out, protocol_version);
  PutNulString(out, server_version);
  PutU32(out, connection_id);
  Bytes part1(scramble.begin(), scramble.begin() + std::min<size_t>(8, scramble.size()));
  part1.resize(8, 0);
  PutBytes(out, part1);
  PutU8(out, 0);
  PutU16(out, static_cast<uint16_t>(capabilities));
  PutU8(out, charset);
  PutU16(out, status_flags);
  PutU16(out, static_cast<uint16_t>(capabilities >> 16));
  bool secure = Has(capabilities, cap::kSecureConnection);
  PutU8(out, Has(capabilities, cap::kPluginAuth) ? static_cast<uint8_t>(scramble.size() + 1) : 0);
  PutZeros(out, 6);
  PutU32(out, Has(capabilities, cap::kMysql) ? 0 : static_cast<uint32_t>(capabilities >> 32));
  if (secure) {
    Bytes part2;
    if (scramble.size() > 8) part2.assign(scramble.begin() + 8, scramble.end());
    part2.push_back(0);
    if (part2.size() < 13) part2.resize(13, 0);
    PutBytes(out, part2);
  }
  if (Has(capabilities, cap::kPluginAuth)) PutNulString(out, auth_plugin_name);
  return out;
}

namespace {

// Fixed 32-byte prefix shared by HandshakeResponse41 and SSLRequest.
void DecodeResponsePrefix(PayloadReader& r, Capabilities& caps, uint32_t& max_packet,
                          uint8_t& charset) {
  caps = r.U32("capability flags");
  max_packet = r.U32("max packet size");
  charset = r.U8("character set");
  r.Skip(19, "filler");
  uint32_t extended = r.U32("MariaDB extended capabilities");
  if (!Has(caps, cap::kMysql)) caps |= Capabilities{extended} << 32;
}

void EncodeResponsePrefix(Bytes& out, Capabilities caps, uint32_t max_packet, uint8_t charset) {
  PutU32(out, static_cast<uint32_t>(caps));
  PutU32(out, max_packet);
  PutU8(out, charset);
  PutZeros(out, 19);
  PutU32(out, Has(caps, cap::kMysql) ? 0 : static_cast<uint32_t>(caps >> 32));
}

}  // namespace

bool IsSslRequest(BytesView payload) {
  if (payload.size() != SslRequest::kSize) return false;
  return (payload[1] & (cap::kSsl >> 8)) != 0;
}

Result<SslRequest> SslRequest::Decode(BytesView payload) {
  PayloadReader r(payload, "SSLRequest");
  SslRequest s;
  DecodeResponsePrefix(r, s.capabilities, s.max_packet_size, s.charset);
  r.ExpectEnd();
  if (r.ok() && !Has(s.capabilities, cap::kSsl)) r.Fail("CLIENT_SSL flag not set");
  if (!r.ok()) return r.status().error();
  return s;
}

Bytes SslRequest::Encode() const {
  Bytes out;
  EncodeResponsePrefix(out, capabilities | cap::kSsl, max_packet_size, charset);
  return out;
}

Result<HandshakeResponse41> HandshakeResponse41::Decode(BytesView payload) {
  PayloadReader r(payload, "HandshakeResponse41");
  HandshakeResponse41 h;
  DecodeResponsePrefix(r, h.capabilities, h.max_packet_size, h.charset);
  if (r.ok() && !Has(h.capabilities, cap::kProtocol41)) {
    return MakeError("HandshakeResponse41: client does not speak CLIENT_PROTOCOL_41");
  }
  h.username = std::string(r.NulString("username"));
  BytesView auth;
  if (Has(h.capabilities, cap::kPluginAuthLenencClientData)) {
    uint64_t n = r.Lenenc("auth response length");
    auth = r.FixedBytes(static_cast<size_t>(n), "auth response");
  } else if (Has(h.capabilities, cap::kSecureConnection)) {
    uint8_t n = r.U8("auth response length");
    auth = r.FixedBytes(n, "auth response");
  } else {
    std::string_view s = r.NulString("auth response");
    auth = AsBytes(s);
  }
  h.auth_response.assign(auth.begin(), auth.end());
  // Clients may stop after the auth response even when the flags promise more (old libmysql);
  // the optional trailing fields are therefore read only if bytes remain.
  if (Has(h.capabilities, cap::kConnectWithDb) && !r.at_end()) {
    h.database = std::string(r.NulOrEofString("database"));
  }
  if (Has(h.capabilities, cap::kPluginAuth) && !r.at_end()) {
    h.auth_plugin_name = std::string(r.NulOrEofString("auth plugin name"));
  }
  if (Has(h.capabilities, cap::kConnectAttrs) && !r.at_end()) {
    if (Status st = ReadConnectAttributes(r, "HandshakeResponse41", h.attributes); !st.ok()) return st.error();
  }
  if (!r.ok()) return r.status().error();
  return h;
}

Bytes HandshakeResponse41::Encode() const {
  Bytes out;
  EncodeResponsePrefix(out, capabilities, max_packet_size, charset);
  PutNulString(out, username);
  if (Has(capabilities, cap::kPluginAuthLenencClientData)) {
    PutLenenc(out, auth_response.size());
    PutBytes(out, auth_response);
  } else if (Has(capabilities, cap::kSecureConnection)) {
    PutU8(out, static_cast<uint8_t>(std::min<size_t>(auth_response.size(), 255)));
    PutBytes(out, BytesView(auth_response).first(std::min<size_t>(auth_response.size(), 255)));
  } else {
    PutNulString(out, AsString(auth_response));
  }
  if (Has(capabilities, cap::kConnectWithDb)) PutNulString(out, database);
  if (Has(capabilities, cap::kPluginAuth)) PutNulString(out, auth_plugin_name);
  if (Has(capabilities, cap::kConnectAttrs)) {
    PutConnectAttributes(out, attributes);
  }
  return out;
}

Status ReadConnectAttributes(PayloadReader& r, std::string_view what, ConnectAttributes& out) {
  uint64_t total = r.Lenenc("connect attributes length");
  BytesView attrs = r.FixedBytes(static_cast<size_t>(total), "connect attributes");
  std::string name = std::string(what) + " connect attributes";
  PayloadReader a(attrs, name);
  while (a.ok() && !a.at_end()) {
    std::string key(a.LenencString("attribute key"));
    std::string value(a.LenencString("attribute value"));
    if (a.ok()) out.emplace_back(std::move(key), std::move(value));
  }
  return a.status();
}

void PutConnectAttributes(Bytes& out, const ConnectAttributes& attributes) {
  Bytes attrs;
  for (const auto& [k, v] : attributes) {
    PutLenencString(attrs, k);
    PutLenencString(attrs, v);
  }
  PutLenenc(out, attrs.size());
  PutBytes(out, attrs);
}

Result<AuthSwitchRequest> AuthSwitchRequest::Decode(BytesView payload) {
  PayloadReader r(payload, "AuthSwitchRequest");
  uint8_t header = r.U8("header");
  if (r.ok() && header != kHeader) r.Fail(fmt::format("header 0x{:02x} is not 0xfe", header));
  if (r.ok() && r.at_end()) {
    return MakeError("AuthSwitchRequest: old (pre-4.1) authentication switch is not supported");
  }
  AuthSwitchRequest a;
  a.plugin_name = std::string(r.NulString("plugin name"));
  std::string_view data = r.Rest();
  a.plugin_data.assign(data.begin(), data.end());
  if (!r.ok()) return r.status().error();
  return a;
}

Bytes AuthSwitchRequest::Encode() const {
  Bytes out;
  PutU8(out, kHeader);
  PutNulString(out, plugin_name);
  PutBytes(out, plugin_data);
  return out;
}

Bytes AuthSwitchRequest::Scramble() const {
  Bytes s = plugin_data;
  if (!s.empty() && s.back() == 0) s.pop_back();
  return s;
}

Result<AuthMoreData> AuthMoreData::Decode(BytesView payload) {
  PayloadReader r(payload, "AuthMoreData");
  uint8_t header = r.U8("header");
  if (r.ok() && header != kHeader) r.Fail(fmt::format("header 0x{:02x} is not 0x01", header));
  if (!r.ok()) return r.status().error();
  std::string_view data = r.Rest();
  return AuthMoreData{Bytes(data.begin(), data.end())};
}

Bytes AuthMoreData::Encode() const {
  Bytes out;
  PutU8(out, kHeader);
  PutBytes(out, data);
  return out;
}

}  // namespace switchyard::wire
