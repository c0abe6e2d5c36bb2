#include <gtest/gtest.h>

#include <string>

#include "proxy/proxy_stats.h"

namespace switchyard::proxy {
namespace {

TEST(LatencyHistogram, BucketsAreCumulativeWithSumAndCount) {
  LatencyHistogram h;
  h.Observe(100);       // <= 250 us
  h.Observe(250);       // on a bound: counts in that bucket
  h.Observe(3000);      // <= 5 ms
  h.Observe(20000000);  // above every bound: only +Inf
  std::string out;
  h.Render(out, "x", "route=\"master\"");
  EXPECT_NE(out.find("x_bucket{route=\"master\",le=\"0.00025\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{route=\"master\",le=\"0.0025\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{route=\"master\",le=\"0.005\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{route=\"master\",le=\"10\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{route=\"master\",le=\"+Inf\"} 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_count{route=\"master\"} 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_sum{route=\"master\"} 20.00335\n"), std::string::npos) << out;
}

TEST(ProxyMetrics, ErrorsByKindAndLatencyPerRoute) {
  ProxyStats stats;
  stats.auth_failures = 2;
  stats.no_master_errors = 1;
  stats.latency_replica.Observe(1000);
  std::string out = RenderProxyMetrics(stats, Topology{});
  EXPECT_NE(out.find("switchyard_errors_total{kind=\"auth\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("switchyard_errors_total{kind=\"no_master\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("# TYPE switchyard_query_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(out.find("switchyard_query_duration_seconds_count{route=\"replica\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("switchyard_query_duration_seconds_count{route=\"master\"} 0\n"),
            std::string::npos);
}

}  // namespace
}  // namespace switchyard::proxy
