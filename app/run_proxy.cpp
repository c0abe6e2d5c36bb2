// Wires the modules together for `switchyard --config FILE` and runs until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <iostream>
#include <variant>

#include "app/commands.h"
#include "app/config_reload.h"
#include "app/control_plane.h"
#include "app/logging.h"
#include "conf/config_loader.h"
#include "proxy/proxy_server.h"
#include "proxy/topology.h"

namespace switchyard::app {

int RunProxy(const RunOptions& options) {
  auto loaded = conf::LoadConfigFile(options.config_path);
  if (auto* errors = std::get_if<conf::ConfigErrors>(&loaded)) {
    std::cerr << errors->Joined();
    return 2;
  }
  conf::Config config = std::move(std::get<conf::Config>(loaded));
  std::string level = options.log_level.empty() ? config.logging.level : options.log_level;
  conf::LogFormat format = config.logging.format;
  if (!options.log_format.empty()) {
    if (options.log_format != "text" && options.log_format != "json") {
      std::cerr << "switchyard: --log-format: expected text or json\n";
      return 2;
    }
    format = options.log_format == "json" ? conf::LogFormat::kJson : conf::LogFormat::kText;
  }
  if (!SetupLogging(level, format)) {
    std::cerr << "switchyard: --log-level: unknown level '" << level << "'\n";
    return 2;
  }
  spdlog::info("switchyard {} starting with {}", SWITCHYARD_VERSION, config.source);

  // Block SIGINT/SIGTERM handling in one place: the control context below.
  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGINT, SIGTERM);

  // The monitor publishes topology snapshots; the data path reads them.
  auto topology = std::make_shared<proxy::TopologyHolder>(proxy::TopologyFromConfig(config));
  proxy::ProxyServer server(config, *topology);
  ControlPlane control_plane(
      config, topology,
      [&server](std::string_view name) -> uint64_t {
        auto slot = server.stats().SlotOf(name);
        return slot ? static_cast<uint64_t>(
                          std::max<int64_t>(0, server.stats().server_connections[*slot].load()))
                    : 0;
      },
      [&server, topology] { return proxy::RenderProxyMetrics(server.stats(), *topology->Get()); },
      [&server](std::string_view name) -> int64_t { return server.stats().InFlightOn(name); });
  ConfigReloader reloader(options.config_path, config, server, control_plane, *topology);
  control_plane.SetReloadHandler([&reloader] { return reloader.Reload(); });
  if (Status s = control_plane.Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.error().message);
    return 1;
  }
  if (Status s = server.Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.error().message);
    return 1;
  }

  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (!ec) spdlog::info("signal {} received, shutting down", signo);
    control.stop();
  });
  // SIGHUP: reload the config file (errors are logged, the running config stays).
  boost::asio::signal_set hangup(control, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      spdlog::info("SIGHUP received: reloading {}", options.config_path);
      // On this (main) thread: nothing else runs here but shutdown, which waits for it.
      (void)reloader.Reload();
      wait_hangup();
    });
  };
  wait_hangup();
  control.run();
  server.Stop(std::chrono::milliseconds(reloader.Running().limits.shutdown_grace_ms));
  control_plane.Stop();
  spdlog::info("switchyard stopped");
  return 0;
}

}  // namespace switchyard::app
