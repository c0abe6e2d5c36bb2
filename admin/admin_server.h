// The HTTP admin server (Boost.Beast) on admin.listen, with its own io_context thread so
// nothing here ever runs on a data-path io thread. Owns its sockets; the handler's hooks
// are owned by the caller and must outlive Stop().
#pragma once

#include <cstdint>
#include <memory>

#include "admin/admin_handler.h"
#include "base/result.h"
#include "conf/config.h"

namespace switchyard::admin {

class AdminServer {
 public:
  AdminServer(conf::AdminConfig config, AdminHooks hooks);
  ~AdminServer();  // Stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving; an error (address in use, bad host) names the address.
  Status Start();
  void Stop();
  uint16_t port() const;  // the bound port (useful with listen port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::admin
