// PacketChannel: a TCP socket (optionally upgraded to TLS) plus a wire::PacketReader, with
// coroutine reads of frames/packets and writes of raw bytes. Errors come back as values,
// never as exceptions. Owns the socket; lives on one io thread (the proxy's sessions and
// backend connections, the binlog tailer's replication connection).
// Memory: a client between commands (IdleWaitNeeded) holds a 512-byte receive buffer, its larger
// one going back to a small per-thread cache; ShrinkBuffer() gives a backend connection's large
// buffer back when it goes idle. Reads start small (4 KiB) and switch to 64 KiB while a read fills
// the buffer.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "net/io_types.h"
#include "wire/packet_framing.h"

namespace switchyard::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class PacketChannel {
 public:
  // The socket is switched to non-blocking mode: reads and writes try the socket directly first.
  explicit PacketChannel(Socket socket, size_t max_packet_size = wire::kDefaultMaxPacketSize);
  // A channel whose socket is connected later (socket()); set it non-blocking once it is open.
  explicit PacketChannel(const Executor& executor,
                         size_t max_packet_size = wire::kDefaultMaxPacketSize)
      : socket_(executor), reader_(max_packet_size) {}

  // Next logical packet (reassembled); Error on EOF, I/O error or a malformed/oversized packet.
  Task<Result<wire::Packet>> ReadPacket();
  // Next frame, not reassembled (for streaming large results through).
  Task<Result<wire::Frame>> ReadFrame();
  // Reads more bytes from the socket into the reader; Error on EOF or failure. Invalidates the
  // views the reader handed out. With `whole_frame`, room for all of a started frame is made
  // at once; without, the buffer keeps its size (a frame streamed through in pieces).
  Task<Status> Fill(bool whole_frame = true);
  // Fill() in three steps, for a hot path that awaits the socket read itself (one coroutine
  // frame less per read):
  //   std::optional<Status> s = ch.FillNow(w); if (!s) s = ch.FillDone(co_await ch.FillAsync());
  // FillNow prepares the buffer and reads at once when bytes are known to wait.
  std::optional<Status> FillNow(bool whole_frame = true);
  // Not a coroutine: the socket's (or TLS) read itself, into the space that FillNow or
  // IdleWaitNeeded prepared.
  Task<size_t> FillAsync();
  Status FillDone(size_t n);
  // Gives the receive buffer back now if nothing is buffered (e.g. a connection going idle).
  void ReleaseBuffer();
  // ReleaseBuffer() only for a buffer larger than a small read (grown while streaming): a
  // backend connection between statements keeps its 4 KiB instead of trading it with the
  // cache twice per statement (the pool's limits bound how many such connections exist).
  void ShrinkBuffer();
  Task<Status> Write(wire::BytesView bytes);
  // The synchronous part of Write, for hot paths that would rather not start a coroutine:
  // writes what the socket takes now. Returns the outcome when done (all written, or failed);
  // nullopt when the socket's buffer is full, `bytes` then being the rest for Write().
  std::optional<Status> TryWrite(wire::BytesView& bytes);
  // The next packet if it is already buffered whole (no coroutine); nullopt if ReadPacket()
  // must read from the socket.
  std::optional<Result<wire::Packet>> TryReadPacket();
  // Bytes read off the connection so far (after TLS decryption).
  uint64_t bytes_read() const { return bytes_read_; }
  // Waiting for a client's next command, in three steps around one awaited read:
  //   if (ch.IdleWaitNeeded()) ch.IdleReadDone(co_await ch.FillAsync());
  // Only a 512-byte read buffer is held meanwhile (idle clients). No wait is needed with bytes
  // already buffered, or with TLS, whose stream may hold decrypted bytes.
  bool IdleWaitNeeded();
  void IdleReadDone(size_t n);

  // TLS server/client side handshake on the existing connection.
  Task<Status> StartTlsServer(asio::ssl::context& ctx);
  Task<Status> StartTlsClient(asio::ssl::context& ctx);
  bool tls() const { return tls_ != nullptr; }

  wire::PacketReader& reader() { return reader_; }
  Socket& socket() { return socket_; }
  void Close();
  bool is_open() const { return socket_.is_open(); }
  std::string peer_host() const;

 private:
  Socket socket_;
  std::unique_ptr<asio::ssl::stream<Socket&>> tls_;

  wire::PacketReader reader_;
  uint64_t bytes_read_ = 0;
  bool last_read_filled_ = false;  // the last read filled the buffer: read bigger next time
  bool readable_ = false;  // bytes or EOF are likely waiting: the next read goes to the socket
  // The read in progress (FillNow/IdleWaitNeeded to FillDone/IdleReadDone): where it lands and
  // its error (a member: the awaited read writes it after the caller's expression is gone).
  std::span<uint8_t> read_space_;
  boost::system::error_code read_error_;
};

}  // namespace switchyard::net
