#include "binlog/inflate.h"

#include <zlib.h>

#include <string>

namespace switchyard::binlog {

Result<std::vector<uint8_t>> ZlibInflate(std::span<const uint8_t> zlib_stream, size_t max_output) {
  std::vector<uint8_t> out(max_output);
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return MakeError("zlib: inflateInit failed");
  zs.next_in = const_cast<Bytef*>(zlib_stream.data());  // zlib's API is not const-correct
  zs.avail_in = static_cast<uInt>(zlib_stream.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc == Z_STREAM_END) {
    out.resize(produced);
    return out;
  }
  if (rc == Z_BUF_ERROR && zs.avail_out == 0)
    return MakeError("compressed data inflates to more than " + std::to_string(max_output) + " bytes");
  return MakeError(std::string("corrupt or truncated zlib stream (") + (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) + ")");
}

}  // namespace switchyard::binlog
