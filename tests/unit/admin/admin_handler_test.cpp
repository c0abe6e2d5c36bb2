#include "admin/admin_handler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace switchyard::admin {
namespace {

class AdminHandlerTest : public ::testing::Test {
 protected:
  AdminHandlerTest() {
    proxy::Topology t;
    for (const char* name : {"db1", "db2"}) {
      proxy::ServerView v;
      v.name = name;
      v.address = {"127.0.0.1", 3307};
      t.servers.push_back(v);
    }
    t.master = 0;
    t.servers[0].role = proxy::ServerRole::kMaster;
    topology_ = std::make_shared<const proxy::Topology>(t);
    hooks_.topology = [this] { return topology_; };
    hooks_.maintenance = [this](const failover::MaintenanceRequest& r) {
      calls_.push_back(r.server + (r.on ? ":on" : ":off"));
      requests_.push_back(r);
      failover::MaintenanceOutcome out;
      out.kind = failover::MaintenanceOutcome::Kind::kApplied;
      if (r.server == "db1") {
        out.kind = failover::MaintenanceOutcome::Kind::kConflict;
        out.detail = "db1 is the master";
      } else if (r.server != "db2") {
        out.kind = failover::MaintenanceOutcome::Kind::kUnknownServer;
      } else if (r.on && r.pause_replication) {
        out.replication_paused = true;
        out.frozen = failover::FrozenPosition{"0-1-42", "db1-bin.000002", 1234, "127.0.0.1",
                                              3307, "Yes"};
      }
      return out;
    };
  }

  Response Do(http::verb method, std::string target, std::string body = "", std::string auth = "") {
    Request req{method, target, 11};
    if (!auth.empty()) req.set(http::field::authorization, auth);
    req.body() = std::move(body);
    req.prepare_payload();
    return AdminHandler(token_, hooks_).Handle(req);
  }

  static nlohmann::json Json(const Response& res) { return nlohmann::json::parse(res.body()); }

  std::string token_;
  AdminHooks hooks_;
  std::shared_ptr<const proxy::Topology> topology_;
  std::vector<std::string> calls_;
  std::vector<failover::MaintenanceRequest> requests_;
};

TEST_F(AdminHandlerTest, StatusIsJson) {
  Response res = Do(http::verb::get, "/v1/status");
  EXPECT_EQ(http::status::ok, res.result());
  EXPECT_EQ("application/json", res[http::field::content_type]);
  EXPECT_EQ("db1", Json(res)["master"]);
  EXPECT_EQ(http::status::ok, Do(http::verb::get, "/v1/status?pretty=1").result());
}

TEST_F(AdminHandlerTest, MetricsIsPrometheusText) {
  Response res = Do(http::verb::get, "/metrics");
  EXPECT_EQ(http::status::ok, res.result());
  EXPECT_NE(std::string::npos, res[http::field::content_type].find("text/plain"));
  EXPECT_NE(std::string::npos, res.body().find("switchyard_server_up{server=\"db2\"} 0"));
}

TEST_F(AdminHandlerTest, UnknownPathIs404Json) {
  Response res = Do(http::verb::get, "/nope");
  EXPECT_EQ(http::status::not_found, res.result());
  EXPECT_EQ("not found", Json(res)["error"]);
  EXPECT_TRUE(Json(res)["detail"].is_string());
  EXPECT_EQ(http::status::not_found, Do(http::verb::post, "/v1/servers/a/b/maintenance").result());
}

TEST_F(AdminHandlerTest, WrongMethodIs405) {
  Response res = Do(http::verb::post, "/v1/status");
  EXPECT_EQ(http::status::method_not_allowed, res.result());
  EXPECT_EQ("GET", res[http::field::allow]);
  EXPECT_EQ(http::status::method_not_allowed, Do(http::verb::get, "/v1/switchover").result());
  EXPECT_EQ(http::status::method_not_allowed,
            Do(http::verb::get, "/v1/servers/db2/maintenance").result());
}

TEST_F(AdminHandlerTest, SwitchoverAndFailoverNeedTheMonitor) {
  EXPECT_EQ(http::status::not_implemented, Do(http::verb::post, "/v1/switchover").result());
  Response res = Do(http::verb::post, "/v1/failover");
  EXPECT_EQ(http::status::not_implemented, res.result());
}

TEST_F(AdminHandlerTest, SwitchoverPassesTargetAndReportsOutcome) {
  std::vector<failover::MasterChangeRequest> seen;
  hooks_.change_master = [&](failover::MasterChangeRequest r) {
    seen.push_back(r);
    failover::MasterChangeOutcome out;
    if (!r.planned) {
      out.kind = failover::MasterChangeOutcome::Kind::kConflict;
      out.detail = "the master db1 is healthy";
      return out;
    }
    out.kind = failover::MasterChangeOutcome::Kind::kDone;
    out.old_master = "db1";
    out.new_master = r.target;
    out.epoch = 3;
    out.writes_held_ms = 12;
    return out;
  };
  Response ok = Do(http::verb::post, "/v1/switchover", R"({"to":"db2"})");
  EXPECT_EQ(http::status::ok, ok.result());
  EXPECT_EQ("db2", Json(ok)["new_master"]);
  EXPECT_EQ(12, Json(ok)["writes_held_ms"]);
  EXPECT_TRUE(Json(ok)["status"].is_object());
  Response conflict = Do(http::verb::post, "/v1/failover");
  EXPECT_EQ(http::status::conflict, conflict.result());
  EXPECT_EQ(http::status::bad_request,
            Do(http::verb::post, "/v1/switchover", R"({"to":1})").result());
  ASSERT_EQ(2u, seen.size());
  EXPECT_TRUE(seen[0].planned);
  EXPECT_EQ("db2", seen[0].target);
  EXPECT_FALSE(seen[1].planned);
}

TEST_F(AdminHandlerTest, MaintenanceOnOff) {
  Response on = Do(http::verb::post, "/v1/servers/db2/maintenance",
                   R"({"reason":"backup","pause_replication":true})");
  EXPECT_EQ(http::status::ok, on.result());
  nlohmann::json j = Json(on);
  EXPECT_EQ(true, j["maintenance"]);
  EXPECT_EQ(true, j["replication_paused"]);
  EXPECT_EQ("0-1-42", j["position"]["gtid_slave_pos"]);
  EXPECT_EQ("db1-bin.000002", j["position"]["master_log_file"]);
  EXPECT_EQ(1234, j["position"]["master_log_pos"]);
  EXPECT_EQ("127.0.0.1:3307", j["position"]["master"]);
  ASSERT_EQ(1u, requests_.size());
  EXPECT_EQ("backup", requests_[0].reason);
  EXPECT_FALSE(requests_[0].force);
  Response off = Do(http::verb::delete_, "/v1/servers/db2/maintenance");
  EXPECT_EQ(http::status::ok, off.result());
  EXPECT_EQ((std::vector<std::string>{"db2:on", "db2:off"}), calls_);
}

TEST_F(AdminHandlerTest, MaintenanceRefusesMasterAndUnknownServer) {
  Response master = Do(http::verb::post, "/v1/servers/db1/maintenance");
  EXPECT_EQ(http::status::conflict, master.result());
  EXPECT_EQ("refused", Json(master)["error"]);
  EXPECT_EQ(http::status::not_found, Do(http::verb::post, "/v1/servers/db9/maintenance").result());
}

TEST_F(AdminHandlerTest, MaintenanceBadBodyIs400BeforeAnyChange) {
  for (const char* body : {"{", "[1]", R"({"reason":5})", R"({"pause_replication":"yes"})",
                           R"({"force":1})", R"({"drain_timeout_ms":-1})", R"({"paws":true})"}) {
    Response res = Do(http::verb::post, "/v1/servers/db2/maintenance", body);
    EXPECT_EQ(http::status::bad_request, res.result()) << body;
    EXPECT_EQ("bad request", Json(res)["error"]);
  }
  EXPECT_TRUE(calls_.empty());
}

TEST_F(AdminHandlerTest, MaintenancePassesForceAndDrainTimeout) {
  Response on = Do(http::verb::post, "/v1/servers/db2/maintenance",
                   R"({"force":true,"drain_timeout_ms":250})");
  EXPECT_EQ(http::status::ok, on.result());
  ASSERT_EQ(1u, requests_.size());
  EXPECT_TRUE(requests_[0].force);
  EXPECT_FALSE(requests_[0].pause_replication);
  EXPECT_EQ(250u, requests_[0].drain_timeout_ms);
  EXPECT_FALSE(Json(on).contains("position"));
}

TEST_F(AdminHandlerTest, TokenRequiredWhenConfigured) {
  token_ = "s3cret";
  Response none = Do(http::verb::get, "/v1/status");
  EXPECT_EQ(http::status::unauthorized, none.result());
  EXPECT_EQ("Bearer", none[http::field::www_authenticate]);
  EXPECT_EQ("unauthorized", Json(none)["error"]);
  EXPECT_EQ(http::status::unauthorized,
            Do(http::verb::get, "/v1/status", "", "Bearer s3creT").result());
  EXPECT_EQ(http::status::unauthorized,
            Do(http::verb::get, "/v1/status", "", "Bearer s3cret2").result());
  EXPECT_EQ(http::status::unauthorized, Do(http::verb::get, "/nope", "", "s3cret").result());
  EXPECT_EQ(http::status::ok, Do(http::verb::get, "/v1/status", "", "Bearer s3cret").result());
}

TEST_F(AdminHandlerTest, HookThrowingIs500NotACrash) {
  hooks_.topology = []() -> std::shared_ptr<const proxy::Topology> {
    throw std::runtime_error("boom");
  };
  Response res = Do(http::verb::get, "/v1/status");
  EXPECT_EQ(http::status::internal_server_error, res.result());
  EXPECT_EQ("boom", Json(res)["detail"]);
}

TEST_F(AdminHandlerTest, InvalidUtf8InPathStillGivesJson) {
  Response res = Do(http::verb::get, "/\xff\xfe");
  EXPECT_EQ(http::status::not_found, res.result());
  EXPECT_NO_THROW(Json(res));
}

}  // namespace
}  // namespace switchyard::admin
