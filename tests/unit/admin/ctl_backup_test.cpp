#include "admin/ctl_backup.h"

#include <gtest/gtest.h>

namespace switchyard::admin {
namespace {

nlohmann::json PausedReply() {
  return nlohmann::json::parse(R"({"server":"db3","maintenance":true,"replication_paused":true,
    "position":{"gtid_slave_pos":"0-1-42","master_log_file":"db1-bin.000002",
                "master_log_pos":1234,"master":"127.0.0.1:3307","io_thread":"Yes"}})");
}

TEST(CtlBackup, CoordinatesFromThePauseAnswer) {
  auto c = CoordinatesFromReply(PausedReply());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ("db3", c->server);
  EXPECT_EQ("0-1-42", c->gtid);
  EXPECT_EQ("db1-bin.000002", c->binlog_file);
  EXPECT_EQ(1234u, c->binlog_pos);
  EXPECT_EQ("127.0.0.1:3307", c->master);
}

TEST(CtlBackup, AnswerWithoutAPauseIsAnError) {
  auto reply = PausedReply();
  reply["replication_paused"] = false;
  EXPECT_FALSE(CoordinatesFromReply(reply));
  reply = PausedReply();
  reply["position"].erase("master_log_pos");
  EXPECT_FALSE(CoordinatesFromReply(reply));
  reply = PausedReply();
  reply["position"]["master_log_pos"] = "1234";
  EXPECT_FALSE(CoordinatesFromReply(reply));
  EXPECT_FALSE(CoordinatesFromReply(nlohmann::json::array()));
}

TEST(CtlBackup, EnvironmentNamesEveryCoordinate) {
  auto c = CoordinatesFromReply(PausedReply());
  ASSERT_TRUE(c);
  EXPECT_EQ(
      (std::vector<std::string>{"SWITCHYARD_BACKUP_SERVER=db3", "SWITCHYARD_BACKUP_GTID=0-1-42",
                                "SWITCHYARD_BACKUP_BINLOG_FILE=db1-bin.000002",
                                "SWITCHYARD_BACKUP_BINLOG_POS=1234"}),
      BackupEnvironment(*c));
}

TEST(CtlBackup, MetaHasExitStatusOnlyOnceFinished) {
  auto c = CoordinatesFromReply(PausedReply());
  ASSERT_TRUE(c);
  auto running = BackupMeta(*c, {"sh", "-c", "true"}, "2026-01-01T00:00:00Z", -1, "");
  EXPECT_EQ("0-1-42", running["gtid"]);
  EXPECT_EQ(1234u, running["binlog_pos"]);
  EXPECT_FALSE(running.contains("exit_status"));
  auto done = BackupMeta(*c, {"sh"}, "t0", 3, "t1");
  EXPECT_EQ(3, done["exit_status"]);
  EXPECT_EQ("t1", done["finished_at"]);
}

TEST(CtlBackup, NoCommandIsAUsageError) {
  CtlBackupOptions o;
  o.server = "db3";
  EXPECT_EQ(2, RunCtlBackup(o));
}

TEST(CtlBackup, UnreachableAdminApiRunsNothing) {
  CtlBackupOptions o;
  o.url = "http://127.0.0.1:1";  // nothing listens on port 1
  o.server = "db3";
  o.command = {"sh", "-c", "exit 0"};
  EXPECT_EQ(1, RunCtlBackup(o));
}

}  // namespace
}  // namespace switchyard::admin
