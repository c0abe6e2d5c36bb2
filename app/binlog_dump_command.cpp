#include <iostream>

#include "app/commands.h"
#include "binlog/binlog_dump.h"

namespace switchyard::app {

int RunBinlogDumpCommand(const BinlogDumpArgs& args) {
  binlog::BinlogDumpOptions options;
  options.path = args.file;
  options.json = args.json;
  options.start_position = args.start_position;
  options.stop_position = args.stop_position;
  return binlog::RunBinlogDump(options, std::cout, std::cerr);
}

}  // namespace switchyard::app
