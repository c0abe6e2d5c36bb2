#include "conf/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace switchyard::conf {
namespace {

// Walks the YAML tree with the current key path, collecting errors instead of throwing.
class Reader {
 public:
  Reader(std::string file, const EnvLookup& env) : file_(std::move(file)), env_(env) {}

  void Error(const YAML::Node& at, const std::string& path, const std::string& message) {
    int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    errors_.push_back(line > 0 ? fmt::format("{}:{}: {}: {}", file_, line, path, message)
                               : fmt::format("{}: {}: {}", file_, path, message));
  }

  // Reports keys of `map` not in `known`; returns false if `map` is not a mapping.
  bool CheckMap(const YAML::Node& map, const std::string& path,
                std::initializer_list<const char*> known) {
    if (!map.IsMap()) {
      Error(map, path.empty() ? "(top level)" : path, "expected a mapping");
      return false;
    }
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      bool found = std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
      if (!found) Error(kv.first, Join(path, key), "unknown key");
    }
    return true;
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  void String(const YAML::Node& map, const std::string& path, const char* key, std::string& out) {
    YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsScalar()) return Error(n, Join(path, key), "expected a string");
    out = n.Scalar();
  }

  void Bool(const YAML::Node& map, const std::string& path, const char* key, bool& out) {
    YAML::Node n = map[key];
    if (!n) return;
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
      return Error(n, Join(path, key), "expected true or false");
    out = v;
  }

  void Uint(const YAML::Node& map, const std::string& path, const char* key, uint32_t& out,
            uint64_t min, uint64_t max) {
    YAML::Node n = map[key];
    if (!n) return;
    const std::string& s = n.Scalar();
    bool digits = n.IsScalar() && !s.empty() &&
                  std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!digits || s.size() > 10)
      return Error(n, Join(path, key), fmt::format("expected an integer in [{}, {}]", min, max));
    uint64_t v = std::stoull(s);
    if (v < min || v > max)
      return Error(n, Join(path, key),
                   fmt::format("{} is out of range, expected [{}, {}]", v, min, max));
    out = static_cast<uint32_t>(v);
  }

  void Address(const YAML::Node& map, const std::string& path, const char* key, Endpoint& out) {
    YAML::Node n = map[key];
    if (!n) return;
    auto ep = n.IsScalar() ? ParseEndpoint(n.Scalar()) : std::nullopt;
    if (!ep) return Error(n, Join(path, key), "expected host:port (port 1-65535)");
    out = *ep;
  }

  // password / password_env pair: the value, or the named environment variable.
  void Secret(const YAML::Node& map, const std::string& path, const char* key, std::string& out) {
    std::string env_key = std::string(key) + "_env";
    YAML::Node direct = map[key];
    YAML::Node env = map[env_key];
    if (direct && env) return Error(env, Join(path, env_key), fmt::format("give {} or {}, not both", key, env_key));
    if (direct) return String(map, path, key, out);
    if (!env) return;
    if (!env.IsScalar() || env.Scalar().empty())
      return Error(env, Join(path, env_key), "expected an environment variable name");
    auto value = env_(env.Scalar());
    if (!value)
      return Error(env, Join(path, env_key),
                   fmt::format("environment variable {} is not set", env.Scalar()));
    out = *value;
  }

  template <class E>
  void Enum(const YAML::Node& map, const std::string& path, const char* key, E& out,
            std::initializer_list<std::pair<const char*, E>> choices) {
    YAML::Node n = map[key];
    if (!n) return;
    std::string names;
    for (const auto& [name, value] : choices) {
      if (n.IsScalar() && n.Scalar() == name) {
        out = value;
        return;
      }
      names += names.empty() ? name : std::string(" | ") + name;
    }
    Error(n, Join(path, key), "expected one of " + names);
  }

  static std::optional<Endpoint> ParseEndpoint(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size()) return std::nullopt;
    std::string host = s.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string port = s.substr(colon + 1);
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) return std::nullopt;
    unsigned long p = std::stoul(port);
    if (p == 0 || p > 65535 || host.empty()) return std::nullopt;
    return Endpoint{host, static_cast<uint16_t>(p)};
  }

  std::vector<std::string> TakeErrors() { return std::move(errors_); }
  bool HasErrors() const { return !errors_.empty(); }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  const EnvLookup& env_;
  std::vector<std::string> errors_;
};

constexpr uint64_t kMaxMs = 24ull * 3600 * 1000 * 7;  // a week: anything longer is a typo

bool ValidHash(const std::string& h) {
  return h.size() == 41 && h[0] == '*' &&
         std::all_of(h.begin() + 1, h.end(), [](unsigned char c) { return std::isxdigit(c); });
}

void ReadUsers(Reader& r, const YAML::Node& root, Config& c) {
  YAML::Node users = root["users"];
  if (!users) return r.Error(root, "users", "at least one user is required");
  if (!users.IsSequence() || users.size() == 0)
    return r.Error(users, "users", "expected a non-empty list of {name, password}");
  std::set<std::string> seen;
  for (size_t i = 0; i < users.size(); ++i) {
    std::string path = fmt::format("users[{}]", i);
    YAML::Node u = users[i];
    if (!r.CheckMap(u, path, {"name", "password", "password_env", "password_hash"})) continue;
    UserConfig uc;
    r.String(u, path, "name", uc.name);
    if (uc.name.empty()) r.Error(u, path + ".name", "is required");
    else if (!seen.insert(uc.name).second) r.Error(u["name"], path + ".name", fmt::format("duplicate user '{}'", uc.name));
    r.Secret(u, path, "password", uc.password);
    r.String(u, path, "password_hash", uc.password_hash);
    bool has_pw = u["password"] || u["password_env"];
    if (u["password_hash"]) {
      if (has_pw) r.Error(u["password_hash"], path + ".password_hash", "give password or password_hash, not both");
      if (!ValidHash(uc.password_hash))
        r.Error(u["password_hash"], path + ".password_hash", "expected \"*\" followed by 40 hex digits");
      for (auto& ch : uc.password_hash) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    } else if (!has_pw) {
      r.Error(u, path, "password, password_env or password_hash is required");
    }
    c.users.push_back(std::move(uc));
  }
}

void ReadServers(Reader& r, const YAML::Node& root, Config& c) {
  YAML::Node servers = root["servers"];
  if (!servers) return r.Error(root, "servers", "at least one server is required");
  if (!servers.IsSequence() || servers.size() == 0)
    return r.Error(servers, "servers", "expected a non-empty list of {name, address}");
  std::set<std::string> names;
  std::set<std::string> addresses;
  for (size_t i = 0; i < servers.size(); ++i) {
    std::string path = fmt::format("servers[{}]", i);
    YAML::Node s = servers[i];
    if (!r.CheckMap(s, path, {"name", "address", "weight", "promotable"})) continue;
    ServerConfig sc;
    r.String(s, path, "name", sc.name);
    if (sc.name.empty()) r.Error(s, path + ".name", "is required");
    else if (!names.insert(sc.name).second) r.Error(s["name"], path + ".name", fmt::format("duplicate server name '{}'", sc.name));
    if (!s["address"]) r.Error(s, path + ".address", "is required (host:port)");
    r.Address(s, path, "address", sc.address);
    if (sc.address.port != 0 && !addresses.insert(sc.address.ToString()).second)
      r.Error(s["address"], path + ".address", fmt::format("duplicate address {}", sc.address.ToString()));
    r.Uint(s, path, "weight", sc.weight, 0, 1000000);
    r.Bool(s, path, "promotable", sc.promotable);
    c.servers.push_back(std::move(sc));
  }
}

Config Read(Reader& r, const YAML::Node& root) {
  Config c;
  c.source = r.file();
  if (!r.CheckMap(root, "",
                  {"listen", "threads", "admin", "state_dir", "tls", "users", "monitor", "replication",
                   "servers", "routing", "failover", "logging", "limits", "pool"}))
    return c;
  r.Address(root, "", "listen", c.listen);
  r.Uint(root, "", "threads", c.threads, 0, 256);
  r.String(root, "", "state_dir", c.state_dir);
  if (root["state_dir"] && c.state_dir.empty()) r.Error(root["state_dir"], "state_dir", "must not be empty");

  if (YAML::Node a = root["admin"]; a && r.CheckMap(a, "admin", {"listen", "token", "token_env"})) {
    r.Address(a, "admin", "listen", c.admin.listen);
    r.Secret(a, "admin", "token", c.admin.token);
    if (!c.admin.listen.IsLoopback() && c.admin.token.empty())
      r.Error(a["listen"], "admin.listen", "a non-loopback admin address needs admin.token");
  }
  if (YAML::Node t = root["tls"]; t && r.CheckMap(t, "tls", {"cert", "key", "require", "backend", "backend_require"})) {
    r.String(t, "tls", "cert", c.tls.cert);
    r.String(t, "tls", "key", c.tls.key);
    r.Bool(t, "tls", "require", c.tls.require);
    r.Bool(t, "tls", "backend", c.tls.backend);
    r.Bool(t, "tls", "backend_require", c.tls.backend_require);
    if (c.tls.backend_require && !c.tls.backend)
      r.Error(t["backend_require"], "tls.backend_require", "needs tls.backend: true");
    if (c.tls.cert.empty() != c.tls.key.empty()) r.Error(t, "tls", "cert and key must be given together");
    if (c.tls.require && c.tls.cert.empty()) r.Error(t["require"], "tls.require", "needs tls.cert and tls.key");
  }
  ReadUsers(r, root, c);
  if (YAML::Node m = root["monitor"]; m && r.CheckMap(m, "monitor", {"user", "password", "password_env", "interval_ms", "timeout_ms", "failure_threshold"})) {
    r.String(m, "monitor", "user", c.monitor.user);
    r.Secret(m, "monitor", "password", c.monitor.password);
    r.Uint(m, "monitor", "interval_ms", c.monitor.interval_ms, 10, 600000);
    r.Uint(m, "monitor", "timeout_ms", c.monitor.timeout_ms, 10, 600000);
    r.Uint(m, "monitor", "failure_threshold", c.monitor.failure_threshold, 1, 1000);
  }
  if (YAML::Node m = root["replication"]; m && r.CheckMap(m, "replication", {"user", "password", "password_env", "server_id"})) {
    r.String(m, "replication", "user", c.replication.user);
    r.Secret(m, "replication", "password", c.replication.password);
    r.Uint(m, "replication", "server_id", c.replication.server_id, 1, 4294967295ull);
  }
  ReadServers(r, root, c);
  if (YAML::Node m = root["routing"]; m && r.CheckMap(m, "routing", {"max_lag_ms", "read_consistency", "load_balance", "causal_wait_ms"})) {
    r.Uint(m, "routing", "max_lag_ms", c.routing.max_lag_ms, 0, kMaxMs);
    r.Uint(m, "routing", "causal_wait_ms", c.routing.causal_wait_ms, 0, 600000);
    r.Enum(m, "routing", "read_consistency", c.routing.read_consistency,
           {{"eventual", ReadConsistency::kEventual}, {"session", ReadConsistency::kSession}});
    r.Enum(m, "routing", "load_balance", c.routing.load_balance,
           {{"least_conn", LoadBalance::kLeastConn}, {"round_robin", LoadBalance::kRoundRobin}, {"random", LoadBalance::kRandom}});
  }
  if (YAML::Node m = root["failover"]; m && r.CheckMap(m, "failover", {"auto", "hold_ms"})) {
    r.Bool(m, "failover", "auto", c.failover.auto_failover);
    r.Uint(m, "failover", "hold_ms", c.failover.hold_ms, 0, 600000);
  }
  if (YAML::Node m = root["logging"]; m && r.CheckMap(m, "logging", {"level", "format"})) {
    r.Enum(m, "logging", "level", c.logging.level,
           {{"trace", std::string("trace")}, {"debug", std::string("debug")}, {"info", std::string("info")},
            {"warn", std::string("warn")}, {"error", std::string("error")}, {"critical", std::string("critical")}, {"off", std::string("off")}});
    r.Enum(m, "logging", "format", c.logging.format, {{"text", LogFormat::kText}, {"json", LogFormat::kJson}});
  }
  if (YAML::Node m = root["limits"]; m && r.CheckMap(m, "limits", {"max_client_connections", "handshake_timeout_ms", "idle_timeout_ms", "shutdown_grace_ms"})) {
    r.Uint(m, "limits", "max_client_connections", c.limits.max_client_connections, 1, 1000000);
    r.Uint(m, "limits", "handshake_timeout_ms", c.limits.handshake_timeout_ms, 100, 600000);
    r.Uint(m, "limits", "idle_timeout_ms", c.limits.idle_timeout_ms, 1000, 4294967295ull);
    r.Uint(m, "limits", "shutdown_grace_ms", c.limits.shutdown_grace_ms, 0, 600000);
  }
  if (YAML::Node m = root["pool"]; m && r.CheckMap(m, "pool", {"multiplexing", "max_per_server", "idle_min", "idle_timeout_ms"})) {
    r.Bool(m, "pool", "multiplexing", c.pool.multiplexing);
    r.Uint(m, "pool", "max_per_server", c.pool.max_per_server, 1, 100000);
    r.Uint(m, "pool", "idle_min", c.pool.idle_min, 0, 100000);
    r.Uint(m, "pool", "idle_timeout_ms", c.pool.idle_timeout_ms, 1000, kMaxMs);
    if (c.pool.idle_min > c.pool.max_per_server)
      r.Error(m["idle_min"], "pool.idle_min", "must not exceed pool.max_per_server");
  }
  if (c.listen == c.admin.listen)
    r.Error(root["listen"] ? root["listen"] : root, "listen", "must differ from admin.listen");
  return c;
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string ConfigErrors::Joined() const {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

std::variant<Config, ConfigErrors> ParseConfig(std::string_view yaml, std::string_view file_name,
                                               const EnvLookup& env) {
  Reader r(std::string(file_name), env);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return ConfigErrors{{fmt::format("{}:{}: (syntax): {}", file_name, e.mark.line + 1, e.msg)}};
  }
  if (!root || root.IsNull()) return ConfigErrors{{fmt::format("{}: (top level): the file is empty", file_name)}};
  Config c;
  try {
    c = Read(r, root);
  } catch (const YAML::Exception& e) {  // yaml-cpp can throw on odd node shapes; never escape
    r.Error(root, "(top level)", e.what());
  }
  if (r.HasErrors()) return ConfigErrors{r.TakeErrors()};
  return c;
}

std::variant<Config, ConfigErrors> LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigErrors{{fmt::format("{}: cannot open: {}", path, std::strerror(errno))}};
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfig(buf.str(), path, env);
}

std::string Summarize(const Config& c) {
  std::string s = fmt::format("config {}: ok\n", c.source);
  s += fmt::format("  listen {}  admin {}{}  state_dir {}\n", c.listen.ToString(), c.admin.listen.ToString(),
                   c.admin.token.empty() ? "" : " (token)", c.state_dir);
  s += fmt::format("  users: {}\n", c.users.size());
  for (const auto& u : c.users)
    s += fmt::format("    {} ({})\n", u.name, u.password_hash.empty() ? "password" : "password_hash");
  s += fmt::format("  servers: {} (master discovered at runtime)\n", c.servers.size());
  for (const auto& sv : c.servers)
    s += fmt::format("    {:<8} {:<21} weight {} {}\n", sv.name, sv.address.ToString(), sv.weight,
                     sv.promotable ? "promotable" : "not promotable");
  s += fmt::format("  routing: max_lag_ms {} read_consistency {} load_balance {} causal_wait_ms {}\n",
                   c.routing.max_lag_ms, ToString(c.routing.read_consistency),
                   ToString(c.routing.load_balance), c.routing.causal_wait_ms);
  s += fmt::format("  monitor: user {} every {} ms, timeout {} ms, threshold {}\n", c.monitor.user,
                   c.monitor.interval_ms, c.monitor.timeout_ms, c.monitor.failure_threshold);
  s += fmt::format("  failover: auto {} hold_ms {}\n", c.failover.auto_failover, c.failover.hold_ms);
  s += fmt::format("  tls: {}, toward servers: {}\n",
                   c.tls.enabled() ? (c.tls.require ? "on, required" : "on") : "off",
                   c.tls.backend ? (c.tls.backend_require ? "required" : "when offered") : "off");
  return s;
}

}  // namespace switchyard::conf
