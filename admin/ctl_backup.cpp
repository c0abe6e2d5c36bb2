#include "admin/ctl_backup.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include "admin/ctl_client.h"

namespace switchyard::admin {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::atomic<int> g_signal{0};

void OnSignal(int signo) {
  g_signal.store(signo);
}

// SIGINT/SIGTERM set a flag instead of killing ctl, so maintenance is always turned off.
struct SignalGuard {
  struct sigaction old_int {};
  struct sigaction old_term {};
  SignalGuard() {
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: waits wake up
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
  }
};

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string ErrorText(const HttpReply& reply) {
  auto doc = nlohmann::json::parse(reply.body, nullptr, false);
  std::string text = reply.body;
  if (doc.is_object() && doc.contains("error") && doc["error"].is_string()) {
    text = doc["error"].get<std::string>();
    if (doc.contains("detail") && doc["detail"].is_string()) {
      text += ": " + doc["detail"].get<std::string>();
    }
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return fmt::format("HTTP {}: {}", reply.status, text);
}

// A request in the background, with a progress line every second while it runs.
Result<HttpReply> RequestWithProgress(const CtlBackupOptions& o, std::string_view method,
                                      std::string path, std::string body, uint32_t timeout_ms,
                                      const std::string& waiting_for) {
  auto future = std::async(std::launch::async, [&o, method, path, body, timeout_ms] {
    return AdminRequest(o.url, method, path, o.token, body, timeout_ms);
  });
  const auto started = SteadyClock::now();
  while (future.wait_for(std::chrono::seconds(1)) != std::future_status::ready) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started);
    std::cerr << "ctl backup: " << waiting_for << " (" << s.count() << " s)\n";
  }
  return future.get();
}

bool WriteMeta(const std::string& path, const nlohmann::ordered_json& meta) {
  if (path.empty()) return true;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << meta.dump(2) << "\n";
    if (!out) {
      std::cerr << "ctl backup: cannot write " << tmp << ": " << std::strerror(errno) << "\n";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::cerr << "ctl backup: cannot write " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

// fork + execvp with the extra environment; returns the child's pid or -1.
pid_t Spawn(const std::vector<std::string>& command, const std::vector<std::string>& env) {
  std::vector<char*> argv;
  for (const std::string& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: default signal handling, coordinates in the environment, then the command.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  for (const std::string& kv : env) {
    size_t eq = kv.find('=');
    setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
  }
  execvp(argv[0], argv.data());
  std::fprintf(stderr, "ctl backup: cannot run %s: %s\n", argv[0], std::strerror(errno));
  _exit(127);
}

// Waits for the child; a signal to ctl is passed on to it once. Returns a shell-style status.
int WaitChild(pid_t pid) {
  const auto started = SteadyClock::now();
  auto next_progress = started + std::chrono::seconds(10);
  bool forwarded = false;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      continue;
    }
    if (r < 0 && errno != EINTR) return 1;
    if (int signo = g_signal.load(); signo != 0 && !forwarded) {
      std::cerr << "ctl backup: signal " << signo << ": stopping the command\n";
      kill(pid, signo);
      forwarded = true;
    }
    auto now = SteadyClock::now();
    if (now >= next_progress) {
      auto s = std::chrono::duration_cast<std::chrono::seconds>(now - started);
      std::cerr << "ctl backup: command running (" << s.count() << " s)\n";
      next_progress = now + std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// After resuming: show the replica catching up until it is back in the read pool (bounded).
void ShowRejoin(const CtlBackupOptions& o) {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(o.rejoin_wait_ms);
  std::string last;
  while (SteadyClock::now() < deadline && g_signal.load() == 0) {
    auto reply = AdminRequest(o.url, "GET", "/v1/status", o.token, {}, 5000);
    if (reply && reply->status == 200) {
      auto doc = nlohmann::json::parse(reply->body, nullptr, false);
      if (doc.is_object() && doc.contains("servers") && doc["servers"].is_array()) {
        for (const auto& s : doc["servers"]) {
          if (!s.is_object() || s.value("name", "") != o.server) continue;
          std::string state = s.value("state", "");
          if (state == "up") {
            std::cerr << "ctl backup: " << o.server << " is back in the read pool\n";
            return;
          }
          std::string line =
              fmt::format("{}: {} (lag {} ms) {}", o.server, state,
                          s.contains("lag_ms") ? s["lag_ms"].dump() : "?", s.value("detail", ""));
          if (line != last) std::cerr << "ctl backup: waiting for " << line << "\n";
          last = line;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::cerr << "ctl backup: " << o.server
            << " is not back in the read pool yet; it rejoins once within max_lag_ms\n";
}

}  // namespace

Result<BackupCoordinates> CoordinatesFromReply(const nlohmann::json& reply) {
  if (!reply.is_object()) return MakeError("the answer is not a JSON object");
  if (!reply.value("replication_paused", false)) {
    return MakeError("the answer does not say replication is paused");
  }
  if (!reply.contains("position") || !reply["position"].is_object()) {
    return MakeError("the answer has no position");
  }
  const auto& p = reply["position"];
  BackupCoordinates c;
  c.server = reply.value("server", "");
  if (!p.contains("gtid_slave_pos") || !p["gtid_slave_pos"].is_string() ||
      !p.contains("master_log_file") || !p["master_log_file"].is_string() ||
      !p.contains("master_log_pos") || !p["master_log_pos"].is_number_unsigned()) {
    return MakeError("position needs gtid_slave_pos, master_log_file and master_log_pos");
  }
  c.gtid = p["gtid_slave_pos"].get<std::string>();
  c.binlog_file = p["master_log_file"].get<std::string>();
  c.binlog_pos = p["master_log_pos"].get<uint64_t>();
  if (p.contains("master") && p["master"].is_string()) c.master = p["master"].get<std::string>();
  return c;
}

std::vector<std::string> BackupEnvironment(const BackupCoordinates& c) {
  return {"SWITCHYARD_BACKUP_SERVER=" + c.server, "SWITCHYARD_BACKUP_GTID=" + c.gtid,
          "SWITCHYARD_BACKUP_BINLOG_FILE=" + c.binlog_file,
          "SWITCHYARD_BACKUP_BINLOG_POS=" + std::to_string(c.binlog_pos)};
}

nlohmann::ordered_json BackupMeta(const BackupCoordinates& c,
                                  const std::vector<std::string>& command,
                                  const std::string& paused_at, int exit_status,
                                  const std::string& finished_at) {
  nlohmann::ordered_json meta;
  meta["server"] = c.server;
  meta["gtid"] = c.gtid;
  meta["binlog_file"] = c.binlog_file;
  meta["binlog_pos"] = c.binlog_pos;
  meta["master"] = c.master;
  meta["paused_at"] = paused_at;
  meta["command"] = command;
  if (exit_status >= 0) {
    meta["exit_status"] = exit_status;
    meta["finished_at"] = finished_at;
  }
  return meta;
}

int RunCtlBackup(const CtlBackupOptions& o) {
  if (o.command.empty()) {
    std::cerr << "switchyard ctl backup: no command given (put it after --)\n";
    return 2;
  }
  SignalGuard signals;
  const std::string path = "/v1/servers/" + o.server + "/maintenance";
  nlohmann::json body = {{"reason", "backup"},
                         {"pause_replication", true},
                         {"force", o.force},
                         {"drain_timeout_ms", o.drain_timeout_ms}};
  std::cerr << "ctl backup: taking " << o.server
            << " out of the read pool and pausing its SQL thread\n";
  auto paused = RequestWithProgress(o, "POST", path, body.dump(), o.drain_timeout_ms + 30000,
                                    "waiting for " + o.server + " to drain and pause");
  auto resume = [&]() -> bool {
    for (int attempt = 1; attempt <= 3; ++attempt) {
      auto r = AdminRequest(o.url, "DELETE", path, o.token, {}, 30000);
      if (r && r->status == 200) {
        std::cerr << "ctl backup: " << o.server << ": SQL thread restarted, maintenance off\n";
        return true;
      }
      std::cerr << "ctl backup: resuming " << o.server << " failed (attempt " << attempt
                << "): " << (r ? ErrorText(*r) : r.error().message) << "\n";
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    std::cerr << "ctl backup: " << o.server
              << " IS STILL PAUSED: run `switchyard ctl maintenance off " << o.server << "`\n";
    return false;
  };
  if (!paused) {
    std::cerr << "switchyard ctl backup: cannot reach the admin API at " << o.url << ": "
              << paused.error().message << "\n";
    return 1;
  }
  if (paused->status != 200) {
    std::cerr << "switchyard ctl backup: pausing " << o.server << " refused: " << ErrorText(*paused)
              << "\n";
    // A 500 may leave maintenance on (the pause itself failed): put the replica back.
    if (paused->status >= 500) resume();
    return 1;
  }
  auto doc = nlohmann::json::parse(paused->body, nullptr, false);
  auto coords = CoordinatesFromReply(doc);
  if (!coords) {
    std::cerr << "switchyard ctl backup: " << coords.error().message << ": " << paused->body;
    resume();
    return 1;
  }
  if (coords->server.empty()) coords->server = o.server;
  const std::string paused_at = UtcNow();
  std::cerr << fmt::format("ctl backup: {} frozen at GTID {} ({}:{} of {})\n", coords->server,
                           coords->gtid, coords->binlog_file, coords->binlog_pos, coords->master);
  if (doc.contains("drain") && doc["drain"].is_object() && !doc["drain"].value("complete", true)) {
    std::cerr << "ctl backup: note: " << doc.value("detail", "") << "\n";
  }
  WriteMeta(o.meta_path, BackupMeta(*coords, o.command, paused_at, -1, ""));

  int status = 130;
  if (g_signal.load() == 0) {
    pid_t pid = Spawn(o.command, BackupEnvironment(*coords));
    if (pid < 0) {
      std::cerr << "ctl backup: fork failed: " << std::strerror(errno) << "\n";
      status = 127;
    } else {
      status = WaitChild(pid);
    }
  }
  std::cerr << "ctl backup: command exited with status " << status << "; resuming " << o.server
            << "\n";
  const bool resumed = resume();
  auto meta = BackupMeta(*coords, o.command, paused_at, status, UtcNow());
  WriteMeta(o.meta_path, meta);
  if (o.json) std::cout << meta.dump(2) << "\n";
  if (o.meta_path.empty() && !o.json)
    std::cerr << "ctl backup: coordinates: " << meta.dump() << "\n";
  if (resumed && g_signal.load() == 0) ShowRejoin(o);
  if (!resumed && status == 0) return 1;
  return status;
}

}  // namespace switchyard::admin
