// The configuration the data path reads while it runs (routing, limits, timeouts), swappable
// by a hot reload: `config->x` reads the current snapshot (a per-thread cached reference, see
// SnapshotHolder), a reload publishes a whole new one. Settings that only matter at startup
// (listen, TLS files) are read once.
#pragma once

#include "conf/config.h"
#include "proxy/snapshot_holder.h"

namespace switchyard::proxy {

class LiveConfig : public SnapshotHolder<conf::Config> {
 public:
  explicit LiveConfig(conf::Config initial) : SnapshotHolder(std::move(initial)) {}
  void Publish(conf::Config next) {
    SnapshotHolder::Publish(std::make_shared<const conf::Config>(std::move(next)));
  }
};

}  // namespace switchyard::proxy
