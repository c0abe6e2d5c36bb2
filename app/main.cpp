// switchyard entry point: parses the command line (CLI11) and dispatches to
// the proxy runner, the ctl client, or offline tools. Exit codes: 0 ok, 1 runtime error, 2 usage/config.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.h"

int main(int argc, char** argv) {
  using namespace switchyard::app;
  CLI::App cli{"switchyard: a MySQL/MariaDB proxy for master/replica topologies"};
  cli.set_version_flag("--version", std::string("switchyard ") + SWITCHYARD_VERSION);
  cli.require_subcommand(0, 1);

  RunOptions run;
  std::string check_config;
  cli.add_option("-c,--config", run.config_path, "run the proxy with this config file");
  cli.add_option("--check-config", check_config, "validate a config file, print a summary, exit 0 (2 on errors)");
  cli.add_option("--log-level", run.log_level, "override logging.level (trace..off)");
  cli.add_option("--log-format", run.log_format, "override logging.format (text|json)");

  // ctl: talks to a running proxy's admin API.
  CtlOptions ctl;
  CLI::App* ctl_cmd = cli.add_subcommand("ctl", "talk to a running proxy's admin API");
  ctl_cmd->add_option("--admin", ctl.admin_url, "admin URL (default: from --config, else http://127.0.0.1:6080)");
  ctl_cmd->add_option("--config", ctl.config_path, "read the admin address and token from this config");
  ctl_cmd->add_option("--token", ctl.token, "bearer token (default: admin.token of --config)");
  ctl_cmd->add_flag("--json", ctl.json, "print JSON instead of tables");
  ctl_cmd->require_subcommand(1);
  ctl_cmd->add_subcommand("status", "show the topology and each server's state")
      ->callback([&] { ctl.action = "status"; });
  CLI::App* sw = ctl_cmd->add_subcommand("switchover", "planned master switchover");
  sw->add_option("--to", ctl.target, "server to promote (default: most advanced promotable replica)");
  sw->callback([&] { ctl.action = "switchover"; });
  ctl_cmd->add_subcommand("failover", "manual failover (refused while the master is healthy)")
      ->callback([&] { ctl.action = "failover"; });
  CLI::App* mt = ctl_cmd->add_subcommand("maintenance", "put a replica in or out of maintenance");
  mt->add_option("state", ctl.maintenance_state, "on|off")->required()->check(CLI::IsMember({"on", "off"}));
  mt->add_option("server", ctl.target, "server name")->required();
  mt->add_flag("--force", ctl.force, "allow pausing the last healthy replica");
  mt->callback([&] { ctl.action = "maintenance"; });
  CLI::App* bk = ctl_cmd->add_subcommand("backup", "pause a replica, run a command, resume");
  bk->add_option("server", ctl.target, "replica to take the backup from")->required();
  bk->add_option("--meta", ctl.meta_path, "write the frozen coordinates as JSON to this file");
  bk->add_flag("--force", ctl.force, "allow pausing the last healthy replica");
  bk->add_option("command", ctl.command, "command to run (after --)")->required();
  bk->callback([&] { ctl.action = "backup"; });

  // binlog dump: offline decoder; binlog tail: live stream.
  BinlogDumpArgs dump;
  CLI::App* binlog_cmd = cli.add_subcommand("binlog", "binary log tools");
  binlog_cmd->require_subcommand(1);
  CLI::App* dump_cmd = binlog_cmd->add_subcommand("dump", "decode a binlog file");
  dump_cmd->add_option("file", dump.file, "binlog file (or raw event dump)")->required();
  dump_cmd->add_flag("--json", dump.json, "one JSON object per event");
  dump_cmd->add_option("--start-position", dump.start_position, "first event offset to print");
  dump_cmd->add_option("--stop-position", dump.stop_position, "stop at this offset");

  BinlogTailArgs tail;
  CLI::App* tail_cmd = binlog_cmd->add_subcommand(
      "tail", "stream a master's binlog as a replica; one line per transaction: GTID file:pos commit_ms");
  tail_cmd->add_option("--master", tail.master, "HOST:PORT of the master")->required();
  tail_cmd->add_option("--user", tail.user, "replication user (default repl)");
  tail_cmd->add_option("--password", tail.password, "replication password (default repl_pw)");
  tail_cmd->add_option("--server-id", tail.server_id, "server id to register as (default 9998)");
  tail_cmd->add_option("--start", tail.start_position,
                       "GTID position to continue after (default: the master's current one)");
  tail_cmd->add_option("--heartbeat-ms", tail.heartbeat_ms, "master heartbeat period (default 1000)");
  tail_cmd->add_option("--count", tail.count, "exit after this many transactions");
  tail_cmd->add_option("--duration-ms", tail.duration_ms, "exit after this long");
  tail_cmd
      ->add_option("--tls", tail.tls,
                   "off | prefer (TLS when the master offers it) | require (default off)")
      ->check(CLI::IsMember({"off", "prefer", "require"}));

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  if (*ctl_cmd) return RunCtl(ctl);
  if (*dump_cmd) return RunBinlogDumpCommand(dump);
  if (*tail_cmd) return RunBinlogTailCommand(tail);
  if (!check_config.empty()) return CheckConfig(check_config);
  if (run.config_path.empty()) {
    std::cerr << "switchyard: nothing to do: give --config FILE (see --help)\n";
    return 2;
  }
  return RunProxy(run);
}
