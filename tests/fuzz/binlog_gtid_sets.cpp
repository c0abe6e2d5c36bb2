// libFuzzer target: arbitrary bytes as a binary GTID-set encoding (PREVIOUS_GTIDS,
// COM_BINLOG_DUMP_GTID) and as gtid_executed text. Anything may fail, nothing may crash, and
// whatever decodes must survive a round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "binlog/gtid_set_encoding.h"
#include "binlog/replica_lag_tracker.h"

using namespace switchyard::binlog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  if (auto decoded = DecodeGtidSetEncoding(bytes); decoded.ok()) {
    std::vector<uint8_t> again;
    AppendGtidSetEncoding(again, decoded->set);
    auto back = DecodeGtidSetEncoding(again);
    if (!back.ok() || !(back->set == decoded->set) || back->consumed != again.size()) abort();
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto set = MysqlGtidSet::Parse(text); set.ok()) {
    auto back = MysqlGtidSet::Parse(set->ToString());
    if (!back.ok() || !(*back == *set)) abort();
    ReplicaLagTracker lag;
    (void)lag.ObserveMysqlMasterPosition(text, 1000);
    (void)lag.ObserveMysqlMasterPosition(set->ToString(), 2000);
    (void)lag.Lag(MysqlGtidSet{}, 3000);
    (void)lag.Lag(*set, 3000);
  }
  return 0;
}
