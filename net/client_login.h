// RunClientLogin: drives a wire::ClientHandshake over a PacketChannel until the server has
// accepted or refused us, upgrading the channel to TLS in the middle when the handshake sent an
// SSLRequest. The one login loop of every server connection we open (proxy backend connections,
// the binlog tailer), so both follow the same TLS policy. Borrows the channel and the handshake.
#pragma once

#include <utility>  // boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <string>

#include "net/packet_channel.h"
#include "wire/client_handshake.h"
#include "wire/ok_err_eof.h"

namespace switchyard::net {

struct ClientLoginOutcome {
  bool ok = false;
  std::optional<wire::ErrPacket> server_error;  // the server refused us (forward it as is)
  std::string error;  // otherwise why it failed: I/O, TLS handshake or protocol; no prefix
};

// `tls` is the context for the upgrade; it must be set when the handshake's options ask for
// TLS (use_tls). The handshake's result() says whether TLS is in use (result().tls).
Task<ClientLoginOutcome> RunClientLogin(PacketChannel& channel, wire::ClientHandshake& handshake,
                                        asio::ssl::context* tls);

// The client-side TLS context toward MySQL/MariaDB servers (TLS 1.2 or newer). The server's
// certificate is not verified: this encrypts the connection, it does not authenticate the
// server (the same as a MariaDB replica's MASTER_SSL=1 without MASTER_SSL_VERIFY_SERVER_CERT).
std::unique_ptr<asio::ssl::context> MakeServerTlsClientContext();

}  // namespace switchyard::net
