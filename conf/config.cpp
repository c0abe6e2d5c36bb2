#include "conf/config.h"

#include <arpa/inet.h>

#include <algorithm>

namespace switchyard::conf {

bool Endpoint::IsLoopback() const {
  if (host == "localhost" || host == "::1") return true;
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
  return false;
}

const ServerConfig* Config::FindServer(std::string_view name) const {
  auto it = std::find_if(servers.begin(), servers.end(), [&](const auto& s) { return s.name == name; });
  return it == servers.end() ? nullptr : &*it;
}

const UserConfig* Config::FindUser(std::string_view name) const {
  auto it = std::find_if(users.begin(), users.end(), [&](const auto& u) { return u.name == name; });
  return it == users.end() ? nullptr : &*it;
}

const char* ToString(ReadConsistency v) {
  return v == ReadConsistency::kSession ? "session" : "eventual";
}

const char* ToString(LoadBalance v) {
  switch (v) {
    case LoadBalance::kLeastConn: return "least_conn";
    case LoadBalance::kRoundRobin: return "round_robin";
    case LoadBalance::kRandom: return "random";
  }
  return "?";
}

}  // namespace switchyard::conf
