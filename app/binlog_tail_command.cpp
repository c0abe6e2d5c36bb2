// `switchyard binlog tail`: streams a master's binlog like the proxy's tailer does and prints
// one line per complete transaction as it arrives ("<gtid> <file>:<pos> <commit_ms>"), state
// changes on stderr. A tool for operators and for the stream integration test.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "binlog/stream/binlog_tailer.h"

namespace switchyard::app {

int RunBinlogTailCommand(const BinlogTailArgs& args) {
  binlog::MasterEndpoint master;
  const auto colon = args.master.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    std::cerr << "binlog tail: --master must be HOST:PORT\n";
    return 2;
  }
  master.host = args.master.substr(0, colon);
  master.port = static_cast<uint16_t>(std::strtoul(args.master.c_str() + colon + 1, nullptr, 10));
  if (master.port == 0) {
    std::cerr << "binlog tail: bad port in --master\n";
    return 2;
  }

  boost::asio::io_context main;
  boost::asio::signal_set signals(main, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) main.stop();
  });
  boost::asio::steady_timer duration(main);
  if (args.duration_ms) {
    duration.expires_after(std::chrono::milliseconds(args.duration_ms));
    duration.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) main.stop();
    });
  }
  auto work = boost::asio::make_work_guard(main);

  binlog::TailerOptions options;
  options.user = args.user;
  options.password = args.password;
  options.server_id = args.server_id;
  options.heartbeat_period_ms = args.heartbeat_ms;
  options.use_tls = args.tls != "off";
  options.require_tls = args.tls == "require";
  uint64_t printed = 0;
  binlog::BinlogTailer tailer(
      options,
      [&](const binlog::CompletedTransaction& t) {
        std::printf("%s %s:%llu %llu\n", t.GtidText().c_str(), t.end.file.c_str(),
                    static_cast<unsigned long long>(t.end.position),
                    static_cast<unsigned long long>(t.commit_time_ms));
        std::fflush(stdout);
        if (args.count && ++printed >= args.count) boost::asio::post(main, [&] { main.stop(); });
      },
      [&tailer](bool connected, const binlog::MasterEndpoint& m, const std::string& detail) {
        if (connected) {
          // The connection id lets a test KILL exactly this stream on the master.
          const binlog::TailerStatus s = tailer.GetStatus();
          std::fprintf(stderr, "# streaming from %s after %s (connection %u%s)\n",
                       m.ToString().c_str(), detail.empty() ? "(empty position)" : detail.c_str(),
                       s.connection_id, s.tls ? ", TLS" : "");
          std::fflush(stderr);
        } else {
          std::fprintf(stderr, "# disconnected: %s\n", detail.c_str());
          std::fflush(stderr);
        }
      });
  std::optional<std::string> start;
  if (!args.start_position.empty())
    start = args.start_position == "current" ? std::nullopt : std::optional(args.start_position);
  if (Status st = tailer.Start(master, start); !st) {
    std::cerr << "binlog tail: " << st.error().message << "\n";
    return 1;
  }
  main.run();
  tailer.Stop();
  binlog::TailerStatus s = tailer.GetStatus();
  std::fprintf(stderr,
               "# transactions=%llu events=%llu bytes=%llu connects=%llu disconnects=%llu "
               "partial_dropped=%llu duplicates_dropped=%llu resume=%s\n",
               static_cast<unsigned long long>(s.transactions),
               static_cast<unsigned long long>(s.events_received),
               static_cast<unsigned long long>(s.bytes_received),
               static_cast<unsigned long long>(s.connects),
               static_cast<unsigned long long>(s.disconnects),
               static_cast<unsigned long long>(s.partial_dropped),
               static_cast<unsigned long long>(s.duplicates_dropped), s.resume_position.c_str());
  return 0;
}

}  // namespace switchyard::app
