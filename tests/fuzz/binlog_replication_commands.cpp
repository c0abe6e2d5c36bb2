// libFuzzer target: the replica-side replication protocol. Byte 0 picks what the rest feeds:
// one of the command decoders in binlog/replication_commands.h (a decoded value is encoded
// again and must decode to the same bytes), ClassifyDumpPacket, or the ReplicationSetup machine
// given master replies as (2-byte little-endian length, payload) records at every state.
// Anything may fail; nothing may crash, leak or hit UB.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "binlog/replication_commands.h"
#include "binlog/replication_setup.h"
#include "wire/capabilities.h"

using namespace switchyard;
using namespace switchyard::binlog;

namespace {

// A successful Decode must describe bytes that Encode reproduces exactly.
void ExpectSame(const wire::Bytes& encoded, wire::BytesView original) {
  if (encoded.size() != original.size() ||
      !std::equal(encoded.begin(), encoded.end(), original.begin())) {
    std::abort();
  }
}

void FuzzSetup(uint8_t mode, wire::BytesView rest) {
  ReplicationSetupOptions options;
  options.mariadb = (mode & 0x01) != 0;
  options.capabilities = (mode & 0x02) ? wire::cap::kDeprecateEof : 0;
  options.heartbeat_period_ms = (mode & 0x04) ? 0 : 1000;
  options.server_id = 9999;
  if (mode & 0x08) {
    options.start_position =
        options.mariadb ? "0-1-42" : "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5";
  }
  ReplicationSetup setup(options);
  SetupStep step = setup.Start();
  size_t at = 0;
  while (step != SetupStep::kFail && step != SetupStep::kWriteThenStream && at + 2 <= rest.size()) {
    size_t n = rest[at] | (size_t{rest[at + 1]} << 8);
    at += 2;
    n = std::min(n, rest.size() - at);
    step = setup.OnPacket(rest.subspan(at, n));
    at += n;
    (void)setup.output().size();
  }
  // Whatever state it ended in, its accessors answer.
  (void)setup.error();
  (void)setup.start_position();
  (void)setup.SetStatement();
  (void)setup.checksum();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const wire::BytesView rest(data + 1, size - 1);
  switch (mode >> 5) {
    case 0:
      if (auto c = ComRegisterSlave::Decode(rest)) {
        auto again = c->Encode();
        if (!again) std::abort();  // decoded strings are <= 255 bytes by construction
        ExpectSame(*again, rest);
      }
      break;
    case 1:
      if (auto c = ComBinlogDump::Decode(rest)) ExpectSame(c->Encode(), rest);
      break;
    case 2:
      if (auto c = ComBinlogDumpGtid::Decode(rest)) (void)c->Encode();
      break;
    case 3:
      if (auto set = DecodeGtidSetBlock(rest)) {
        (void)set->ToString();
        (void)EncodeGtidSetBlock(*set);
      }
      break;
    case 4:
      if (auto p = ClassifyDumpPacket(rest)) (void)p->event.size();
      break;
    default:
      FuzzSetup(mode, rest);
      break;
  }
  return 0;
}
