#include "proxy/packet_channel.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace switchyard::proxy {
namespace {
Error IoError(const char* what, const boost::system::error_code& ec) {
  return MakeError(std::string(what) + ": " + ec.message());
}
}  // namespace

asio::awaitable<Status> PacketChannel::Fill() {
  boost::system::error_code ec;
  auto space = reader_.PrepareWrite();
  size_t n = 0;
  if (tls_) {
    n = co_await tls_->async_read_some(asio::buffer(space.data(), space.size()),
                                       asio::redirect_error(asio::use_awaitable, ec));
  } else {
    n = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                         asio::redirect_error(asio::use_awaitable, ec));
  }
  reader_.Commit(n);
  if (ec && n == 0) co_return IoError("read", ec);
  co_return Status::Ok();
}

asio::awaitable<Result<wire::Packet>> PacketChannel::ReadPacket() {
  for (;;) {
    auto next = reader_.NextPacket();
    if (!next.ok()) co_return next.error();
    if (next->has_value()) co_return std::move(**next);
    if (Status s = co_await Fill(); !s.ok()) co_return s.error();
  }
}

asio::awaitable<Result<wire::Frame>> PacketChannel::ReadFrame() {
  for (;;) {
    if (auto f = reader_.NextFrame()) co_return *f;
    if (Status s = co_await Fill(); !s.ok()) co_return s.error();
  }
}

asio::awaitable<void> PacketChannel::WaitReadable() {
  if (tls_ || reader_.buffered() > 0) co_return;
  boost::system::error_code ec;
  co_await socket_.async_wait(tcp::socket::wait_read, asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<Status> PacketChannel::Write(wire::BytesView bytes) {
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
  } else {
    co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) co_return IoError("write", ec);
  co_return Status::Ok();
}

asio::awaitable<Status> PacketChannel::StartTlsServer(asio::ssl::context& ctx) {
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, ctx);
  // The client's ClientHello may have arrived with its SSLRequest and already sit in the
  // plaintext buffer: it is the handshake's first input.
  wire::BytesView early = reader_.buffered_bytes();
  wire::Bytes pending(early.begin(), early.end());
  reader_ = wire::PacketReader(reader_.max_packet_size());
  boost::system::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::buffer(pending),
                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return IoError("TLS handshake", ec);
  co_return Status::Ok();
}

asio::awaitable<Status> PacketChannel::StartTlsClient(asio::ssl::context& ctx) {
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, ctx);
  boost::system::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                 asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return IoError("TLS handshake", ec);
  co_return Status::Ok();
}

void PacketChannel::Close() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

std::string PacketChannel::peer_host() const {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  return ec ? std::string("unknown") : ep.address().to_string();
}

}  // namespace switchyard::proxy
