#include "app/config_reload.h"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <variant>

#include "conf/config_diff.h"
#include "conf/config_loader.h"

namespace switchyard::app {

ConfigReloader::ConfigReloader(std::string path, conf::Config running, proxy::ProxyServer& server,
                               ControlPlane& control, proxy::TopologyHolder& topology)
    : path_(std::move(path)),
      running_(std::move(running)),
      server_(server),
      control_(control),
      topology_(topology) {}

conf::Config ConfigReloader::Running() const {
  std::lock_guard lk(mu_);
  return running_;
}

admin::ReloadReport ConfigReloader::Reload() {
  std::lock_guard lk(mu_);
  admin::ReloadReport report;
  report.source = path_;
  auto loaded = conf::LoadConfigFile(path_);
  if (auto* errors = std::get_if<conf::ConfigErrors>(&loaded)) {
    report.errors = errors->errors;
    spdlog::error("config reload: {} rejected ({} error(s)); the running config is kept", path_,
                  report.errors.size());
    for (const std::string& e : report.errors) spdlog::error("config reload: {}", e);
    return report;
  }
  const conf::Config& next = std::get<conf::Config>(loaded);
  conf::ConfigChanges changes = conf::DiffConfig(running_, next);
  conf::Config effective = conf::LiveApplicable(running_, next);

  std::shared_ptr<const proxy::Topology> before = topology_.Get();
  server_.ApplyConfig(effective);
  control_.ApplyConfig(effective, changes.monitor, changes.replication);
  if (changes.monitor) server_.RemapServers(*before, *topology_.Get());
  if (changes.logging_level) {
    auto level = spdlog::level::from_str(effective.logging.level);
    spdlog::set_level(level);
    if (auto logger = spdlog::default_logger()) logger->set_level(level);
  }
  running_ = std::move(effective);

  report.ok = true;
  const bool any = changes.any();
  report.applied = std::move(changes.applied);
  report.requires_restart = std::move(changes.requires_restart);
  if (!any) {
    spdlog::info("config reload: {}: no changes", path_);
  } else {
    spdlog::info("config reload: {}: {} change(s) applied{}", path_, report.applied.size(),
                 changes.replication ? " (monitor and binlog tailer restarted)"
                 : changes.monitor   ? " (monitor restarted)"
                                     : "");
  }
  for (const std::string& c : report.applied) spdlog::info("config reload: applied: {}", c);
  for (const std::string& c : report.requires_restart) {
    spdlog::warn("config reload: requires restart (running value kept): {}", c);
  }
  return report;
}

}  // namespace switchyard::app
