// Which lag measurement the monitor uses for a replica: GTID tracking for MariaDB pairs and for
// MySQL pairs with gtid_mode on (the master's gtid_executed polled, the replica's compared),
// Seconds_Behind_Master otherwise.
#include <gtest/gtest.h>

#include "failover/server_probe.h"

namespace switchyard::failover {
namespace {

ProbeResult Server(std::string_view version, std::string gtid_executed = "") {
  ProbeResult p;
  p.ok = true;
  p.version = std::string(version);
  p.flavor = FlavorFromVersion(version);
  p.gtid_executed = std::move(gtid_executed);
  return p;
}

TEST(LagMethod, MariadbPairsUseTheirGtidPositions) {
  auto master = Server("10.11.6-MariaDB-0+deb12u1");
  EXPECT_EQ(MasterLagMethod(master), LagMethod::kMariadbGtid);
  EXPECT_EQ(ReplicaLagMethod(master, Server("10.11.6-MariaDB")), LagMethod::kMariadbGtid);
}

TEST(LagMethod, MysqlWithGtidsComparesGtidExecuted) {
  auto master = Server("8.4.3", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10");
  EXPECT_EQ(MasterLagMethod(master), LagMethod::kMysqlGtid);
  EXPECT_EQ(ReplicaLagMethod(master, Server("8.4.3", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9")),
            LagMethod::kMysqlGtid);
  // A replica that has applied nothing yet has an empty set: still compared by GTID.
  EXPECT_EQ(ReplicaLagMethod(master, Server("9.1.0")), LagMethod::kMysqlGtid);
}

TEST(LagMethod, WithoutGtidsOrAcrossFlavoursSecondsBehindMaster) {
  auto no_gtids = Server("5.7.44-log");  // gtid_mode off: empty gtid_executed
  EXPECT_EQ(MasterLagMethod(no_gtids), LagMethod::kSecondsBehindMaster);
  EXPECT_EQ(ReplicaLagMethod(no_gtids, Server("5.7.44-log")), LagMethod::kSecondsBehindMaster);
  auto mysql = Server("8.0.36", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1");
  EXPECT_EQ(ReplicaLagMethod(mysql, Server("10.11.6-MariaDB")), LagMethod::kSecondsBehindMaster);
  EXPECT_EQ(ReplicaLagMethod(Server("10.11.6-MariaDB"), Server("8.0.36")),
            LagMethod::kSecondsBehindMaster);
  EXPECT_EQ(MasterLagMethod(ProbeResult{}), LagMethod::kSecondsBehindMaster);  // unknown flavour
}

}  // namespace
}  // namespace switchyard::failover
