// What a connection-phase state machine asks its caller to do next (Boost.MySQL-style sans-I/O):
// the caller performs the I/O, then feeds the next packet / TLS completion back in.
#pragma once

namespace switchyard::wire {

enum class HandshakeAction {
  kRead,               // read the next packet, then OnPacket()
  kWriteThenRead,      // write output(), read the next packet, then OnPacket()
  kStartTls,           // server side: run the TLS server handshake now, then OnTlsEstablished()
  kWriteThenStartTls,  // client side: write output() (SSLRequest), run the TLS client handshake,
                       // then OnTlsEstablished()
  kWriteThenDone,      // write output() (server side: the final OK); authenticated
  kDone,               // authenticated, nothing to write
  kWriteThenFail,      // write output() (an ERR packet), then close; error() says why
  kFail,               // close now; error() says why
};

inline bool IsTerminal(HandshakeAction a) {
  return a == HandshakeAction::kWriteThenDone || a == HandshakeAction::kDone ||
         a == HandshakeAction::kWriteThenFail || a == HandshakeAction::kFail;
}

}  // namespace switchyard::wire
