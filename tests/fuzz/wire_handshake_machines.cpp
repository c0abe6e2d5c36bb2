// Fuzzes the connection-phase state machines with arbitrary packets (1-byte length, payload):
// byte 0 bit 0 picks the server or client side.
#include <cstddef>
#include <cstdint>

#include "wire/client_handshake.h"
#include "wire/server_handshake.h"

using namespace switchyard::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  bool server_side = data[0] & 1;
  ServerHandshakeOptions so;
  so.tls_available = data[0] & 2;
  so.scramble = Bytes(20, 'x');
  ServerHandshake server(so, [](std::string_view user) -> std::optional<ServerCredential> {
    if (user == "a") return ServerCredential{NativeStage2(NativeStage1("pw"))};
    return std::nullopt;
  });
  ClientHandshakeOptions co;
  co.user = "a";
  co.password = "pw";
  co.use_tls = data[0] & 2;
  ClientHandshake client(co);
  HandshakeAction action = server_side ? server.Start() : client.Start();
  size_t at = 1;
  uint8_t seq = server_side ? 1 : 0;
  while (at < size && !IsTerminal(action)) {
    size_t n = std::min<size_t>(data[at], size - at - 1);
    Bytes payload(data + at + 1, data + at + 1 + n);
    at += 1 + n;
    if (action == HandshakeAction::kStartTls || action == HandshakeAction::kWriteThenStartTls) {
      action = server_side ? server.OnTlsEstablished() : client.OnTlsEstablished();
      continue;
    }
    action = server_side ? server.OnPacket(payload, seq) : client.OnPacket(payload, seq);
    seq = static_cast<uint8_t>(seq + 2);
  }
  return 0;
}
