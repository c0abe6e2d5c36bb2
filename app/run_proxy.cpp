// Wires the modules together for `switchyard --config FILE` and runs until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <variant>

#include "app/commands.h"
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
      [&server, topology](std::string_view name) -> uint64_t {
        auto i = topology->Get()->IndexOf(name);
        if (!i || *i >= proxy::ProxyStats::kMaxServers) return 0;
        return static_cast<uint64_t>(std::max<int64_t>(0, server.stats().server_connections[*i].load()));
      },
      [&server, topology] { return proxy::RenderProxyMetrics(server.stats(), *topology->Get()); },
      [&server, topology](std::string_view name) -> int64_t {
        auto i = topology->Get()->IndexOf(name);
        if (!i || *i >= proxy::ProxyStats::kMaxServers) return 0;
        return server.stats().server_in_flight[*i].load();
      });
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
  control.run();
  server.Stop(std::chrono::milliseconds(config.limits.shutdown_grace_ms));
  control_plane.Stop();
  spdlog::info("switchyard stopped");
  return 0;
}

}  // namespace switchyard::app
