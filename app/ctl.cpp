#include <iostream>

#include "app/commands.h"

namespace switchyard::app {

int RunCtl(const CtlOptions& options) {
  std::cerr << "switchyard ctl " << options.action << ": the admin API is not implemented yet\n";
  return 1;
}

}  // namespace switchyard::app
