#include "net/packet_channel.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <vector>

namespace switchyard::net {
namespace {
Error IoError(const char* what, const boost::system::error_code& ec) {
  return MakeError(std::string(what) + ": " + ec.message());
}

constexpr size_t kIdleRead = 512;         // a client's next command, read while it is idle
constexpr size_t kSmallRead = 4 * 1024;   // commands, OK packets, small results
constexpr size_t kLargeRead = 64 * 1024;  // streaming: fewer, larger reads and writes

// Free receive buffers of the two standard sizes, per io thread: a busy session takes one
// when data arrives and gives it back when it goes idle, without a malloc/free round trip.
class StorageCache {
 public:
  wire::ReceiveStorage Get(size_t size) {
    auto* free = FreeList(size);
    if (!free || free->empty()) return {std::make_unique_for_overwrite<uint8_t[]>(size), size};
    wire::ReceiveStorage s = std::move(free->back());
    free->pop_back();
    return s;
  }
  void Put(wire::ReceiveStorage s) {
    auto* free = FreeList(s.size);
    if (free && free->size() < kMaxFree) free->push_back(std::move(s));
    // else: s frees its memory here (odd sizes, e.g. grown for a 16 MiB frame, are not kept)
  }

 private:
  std::vector<wire::ReceiveStorage>* FreeList(size_t size) {
    switch (size) {
      case kIdleRead:
        return &idle_;
      case kSmallRead:
        return &small_;
      case kLargeRead:
        return &large_;
      default:
        return nullptr;
    }
  }
  static constexpr size_t kMaxFree = 32;
  std::vector<wire::ReceiveStorage> idle_, small_, large_;
};
thread_local StorageCache storage_cache;
}  // namespace

PacketChannel::PacketChannel(Socket socket, size_t max_packet_size)
    : socket_(std::move(socket)), reader_(max_packet_size) {
  boost::system::error_code ec;
  if (socket_.is_open()) socket_.non_blocking(true, ec);
}

void PacketChannel::ReleaseBuffer() {
  if (reader_.capacity() != 0 && reader_.buffered() == 0) storage_cache.Put(reader_.TakeStorage());
}

void PacketChannel::ShrinkBuffer() {
  if (reader_.capacity() > kSmallRead) ReleaseBuffer();
}

std::optional<Status> PacketChannel::FillNow(bool whole_frame) {
  const bool was_readable = readable_;
  readable_ = false;
  size_t want = last_read_filled_ ? kLargeRead : kSmallRead;
  if (reader_.capacity() == 0) reader_.AdoptStorage(storage_cache.Get(want));
  if (reader_.capacity() == kIdleRead)
    storage_cache.Put(reader_.ReplaceStorage(storage_cache.Get(want)));
  // A frame larger than the buffer (up to 16 MiB) gets room for all of it at once, instead of
  // growing step by step with a copy and a transient old + new buffer at each step.
  read_space_ =
      reader_.PrepareWrite(whole_frame ? std::max(want, reader_.MissingFrameBytes()) : want);
  if (tls_ || !(was_readable || last_read_filled_)) return std::nullopt;
  // Bytes are known to be waiting (readiness seen, or the last read filled the buffer): read
  // them directly instead of through the scheduler; wait asynchronously only if there were none.
  size_t n = socket_.read_some(asio::buffer(read_space_.data(), read_space_.size()), read_error_);
  if (read_error_ == asio::error::would_block || read_error_ == asio::error::try_again)
    return std::nullopt;
  return FillDone(n);
}

Task<size_t> PacketChannel::FillAsync() {
  read_error_.clear();
  auto buffer = asio::buffer(read_space_.data(), read_space_.size());
  if (tls_) return tls_->async_read_some(buffer, asio::redirect_error(use_task, read_error_));
  return socket_.async_read_some(buffer, asio::redirect_error(use_task, read_error_));
}

Status PacketChannel::FillDone(size_t n) {
  last_read_filled_ = n == read_space_.size();
  reader_.Commit(n);
  bytes_read_ += n;
  if (read_error_ && n == 0) return IoError("read", read_error_);
  return Status::Ok();
}

Task<Status> PacketChannel::Fill(bool whole_frame) {
  if (std::optional<Status> done = FillNow(whole_frame)) co_return std::move(*done);
  size_t n = co_await FillAsync();
  co_return FillDone(n);
}

std::optional<Result<wire::Packet>> PacketChannel::TryReadPacket() {
  auto next = reader_.NextPacket();
  if (!next.ok()) return Result<wire::Packet>(next.error());
  if (next->has_value()) return Result<wire::Packet>(std::move(**next));
  return std::nullopt;
}

Task<Result<wire::Packet>> PacketChannel::ReadPacket() {
  for (;;) {
    auto next = reader_.NextPacket();
    if (!next.ok()) co_return next.error();
    if (next->has_value()) co_return std::move(**next);
    if (Status s = co_await Fill(); !s.ok()) co_return s.error();
  }
}

Task<Result<wire::Frame>> PacketChannel::ReadFrame() {
  for (;;) {
    if (auto f = reader_.NextFrame()) co_return *f;
    // Keeps the buffer: LOCAL INFILE data is read while the command's packet is still in use.
    if (Status s = co_await Fill(); !s.ok()) co_return s.error();
  }
}

bool PacketChannel::IdleWaitNeeded() {
  if (tls_ || reader_.buffered() > 0) return false;
  // Reads into a small buffer rather than waiting for readiness: an edge-triggered readiness
  // wait costs an epoll_ctl to re-arm every time, a read does not; 512 bytes hold most
  // statements whole and little memory for an idle client.
  ReleaseBuffer();
  reader_.AdoptStorage(storage_cache.Get(kIdleRead));
  read_space_ = reader_.PrepareWrite(1);
  return true;
}

void PacketChannel::IdleReadDone(size_t n) {
  reader_.Commit(n);
  bytes_read_ += n;
  last_read_filled_ = false;  // 512 bytes say nothing about the size of what follows
  // EOF or an error (the next read reports it), or more bytes likely waiting.
  readable_ = n == 0 || n == read_space_.size();
}

std::optional<Status> PacketChannel::TryWrite(wire::BytesView& bytes) {
  if (tls_) return std::nullopt;
  // A command or a response batch nearly always fits the socket's send buffer: a direct
  // non-blocking send saves the round trip through the scheduler that an async write's
  // completion costs, even when it completes at once.
  boost::system::error_code ec;
  while (!bytes.empty()) {
    size_t n = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
    bytes = bytes.subspan(n);
    if (ec) break;
  }
  if (!ec) return Status::Ok();
  if (ec != asio::error::would_block && ec != asio::error::try_again) return IoError("write", ec);
  return std::nullopt;  // the socket buffer is full: the rest goes asynchronously
}

Task<Status> PacketChannel::Write(wire::BytesView bytes) {
  if (std::optional<Status> done = TryWrite(bytes)) co_return std::move(*done);
  boost::system::error_code ec;
  if (tls_) {
    co_await asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()),
                               asio::redirect_error(use_task, ec));
  } else {
    co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                               asio::redirect_error(use_task, ec));
  }
  if (ec) co_return IoError("write", ec);
  co_return Status::Ok();
}

Task<Status> PacketChannel::StartTlsServer(asio::ssl::context& ctx) {
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, ctx);
  // The client's ClientHello may have arrived with its SSLRequest and already sit in the
  // plaintext buffer: it is the handshake's first input.
  wire::BytesView early = reader_.buffered_bytes();
  wire::Bytes pending(early.begin(), early.end());
  reader_ = wire::PacketReader(reader_.max_packet_size());
  boost::system::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::buffer(pending),
                                 asio::redirect_error(use_task, ec));
  if (ec) co_return IoError("TLS handshake", ec);
  co_return Status::Ok();
}

Task<Status> PacketChannel::StartTlsClient(asio::ssl::context& ctx) {
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, ctx);
  boost::system::error_code ec;
  co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                 asio::redirect_error(use_task, ec));
  if (ec) co_return IoError("TLS handshake", ec);
  co_return Status::Ok();
}

void PacketChannel::Close() {
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
}

std::string PacketChannel::peer_host() const {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  return ec ? std::string("unknown") : ep.address().to_string();
}

}  // namespace switchyard::net
