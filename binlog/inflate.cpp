#include "binlog/inflate.h"

#include <zlib.h>

#include <algorithm>
#include <string>

namespace switchyard::binlog {

Result<std::vector<uint8_t>> ZlibInflate(std::span<const uint8_t> zlib_stream, size_t max_output) {
  // The declared size comes from the (possibly corrupt) event: grow towards it as data really
  // inflates instead of allocating it up front.
  std::vector<uint8_t> out(std::min<size_t>(max_output, std::max<size_t>(4096, zlib_stream.size() * 4)));
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return MakeError("zlib: inflateInit failed");
  zs.next_in = const_cast<Bytef*>(zlib_stream.data());  // zlib's API is not const-correct
  zs.avail_in = static_cast<uInt>(zlib_stream.size());
  int rc = Z_OK;
  for (;;) {
    zs.next_out = out.data() + zs.total_out;
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR)) break;
    if (zs.avail_out != 0) {  // no progress possible: input exhausted before the stream ended
      rc = Z_DATA_ERROR;
      break;
    }
    if (out.size() >= max_output) {
      inflateEnd(&zs);
      return MakeError("compressed data inflates to more than " + std::to_string(max_output) + " bytes");
    }
    out.resize(std::min<size_t>(max_output, out.size() * 2));
  }
  size_t produced = zs.total_out;
  std::string msg = zs.msg ? zs.msg : "zlib error " + std::to_string(rc);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return MakeError("corrupt or truncated zlib stream (" + msg + ")");
  out.resize(produced);
  return out;
}

}  // namespace switchyard::binlog
