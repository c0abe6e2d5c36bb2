#include "net/client_login.h"

namespace switchyard::net {

Task<ClientLoginOutcome> RunClientLogin(PacketChannel& channel, wire::ClientHandshake& handshake,
                                        asio::ssl::context* tls) {
  ClientLoginOutcome out;
  wire::HandshakeAction action = handshake.Start();
  for (;;) {
    switch (action) {
      case wire::HandshakeAction::kWriteThenRead:
      case wire::HandshakeAction::kWriteThenStartTls:
        if (Status s = co_await channel.Write(handshake.output()); !s.ok()) {
          out.error = s.error().message;
          co_return out;
        }
        if (action == wire::HandshakeAction::kWriteThenStartTls) {
          if (tls == nullptr) {
            out.error = "TLS was asked for without a TLS context";
            co_return out;
          }
          if (Status s = co_await channel.StartTlsClient(*tls); !s.ok()) {
            out.error = s.error().message;
            co_return out;
          }
          action = handshake.OnTlsEstablished();
          continue;
        }
        [[fallthrough]];
      case wire::HandshakeAction::kRead: {
        auto packet = co_await channel.ReadPacket();
        if (!packet.ok()) {
          out.error = "during login: " + packet.error().message;
          co_return out;
        }
        action = handshake.OnPacket(packet->payload, packet->seq);
        continue;
      }
      case wire::HandshakeAction::kDone:
      case wire::HandshakeAction::kWriteThenDone:
        out.ok = true;
        co_return out;
      case wire::HandshakeAction::kWriteThenFail:
      case wire::HandshakeAction::kFail:
      case wire::HandshakeAction::kStartTls:  // server-side action; a client never gets it
        if (handshake.server_error()) {
          out.server_error = *handshake.server_error();
        } else {
          out.error = handshake.error();
        }
        co_return out;
    }
  }
}

std::unique_ptr<asio::ssl::context> MakeServerTlsClientContext() {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  ctx->set_verify_mode(asio::ssl::verify_none);
  return ctx;
}

}  // namespace switchyard::net
