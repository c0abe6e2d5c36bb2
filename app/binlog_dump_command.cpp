#include <iostream>

#include "app/commands.h"

namespace switchyard::app {

int RunBinlogDumpCommand(const BinlogDumpArgs& args) {
  std::cerr << "switchyard binlog dump " << args.file << ": the decoder is not implemented yet\n";
  return 1;
}

}  // namespace switchyard::app
