#include <iostream>
#include <variant>

#include "app/commands.h"
#include "conf/config_loader.h"

namespace switchyard::app {

int CheckConfig(const std::string& path) {
  auto loaded = conf::LoadConfigFile(path);
  if (auto* errors = std::get_if<conf::ConfigErrors>(&loaded)) {
    std::cerr << errors->Joined();
    std::cerr << "switchyard: " << path << ": " << errors->errors.size() << " error(s)\n";
    return 2;
  }
  std::cout << conf::Summarize(std::get<conf::Config>(loaded));
  return 0;
}

}  // namespace switchyard::app
