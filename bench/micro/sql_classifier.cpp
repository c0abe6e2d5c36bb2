// Classifier throughput on a sysbench-like OLTP mix (statements/s and bytes/s), plus the raw
// tokenizer and a few heavier shapes.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "proxy/sql/sql_classifier.h"
#include "proxy/sql/sql_tokenizer.h"

namespace {

using switchyard::proxy::ClassifySql;
using switchyard::proxy::SqlTokenizer;
using switchyard::proxy::TokenKind;

// The statements of sysbench oltp_read_write, in its proportions (10 point selects, 4 range
// queries, 2 updates, 1 delete, 1 insert, begin/commit), plus connector chatter.
const std::vector<std::string>& OltpMix() {
  static const std::vector<std::string> mix = [] {
    std::vector<std::string> m;
    for (int i = 0; i < 10; ++i) {
      m.push_back("SELECT c FROM sbtest" + std::to_string(i % 8 + 1) +
                  " WHERE id=" + std::to_string(4000 + i * 37));
    }
    m.push_back("SELECT c FROM sbtest1 WHERE id BETWEEN 5011 AND 5110");
    m.push_back("SELECT SUM(k) FROM sbtest3 WHERE id BETWEEN 7011 AND 7110");
    m.push_back("SELECT c FROM sbtest5 WHERE id BETWEEN 2011 AND 2110 ORDER BY c");
    m.push_back("SELECT DISTINCT c FROM sbtest2 WHERE id BETWEEN 1011 AND 1110 ORDER BY c");
    m.push_back("UPDATE sbtest6 SET k=k+1 WHERE id=5032");
    m.push_back(
        "UPDATE sbtest7 SET c='68487932199-96439406143-93774651418-41631865787-96406072701-"
        "20604855487-25459966574-28203206787-41238978918-19503783441' WHERE id=4917");
    m.push_back("DELETE FROM sbtest4 WHERE id=5011");
    m.push_back(
        "INSERT INTO sbtest4 (id, k, c, pad) VALUES (5011, 4990, '22195207048-70116052123-"
        "74140395089-76317954521-98694025897-84157637435-52543326447-95779779937-"
        "80998929306-73394262223', '63188288836-92351140030-06390587585-66802097351-"
        "49282961843')");
    m.push_back("BEGIN");
    m.push_back("COMMIT");
    m.push_back("SET autocommit=1");
    m.push_back("/* switchyard:route=replica */ SELECT c FROM sbtest1 WHERE id=1");
    return m;
  }();
  return mix;
}

size_t TotalBytes(const std::vector<std::string>& statements) {
  size_t n = 0;
  for (const auto& s : statements) n += s.size();
  return n;
}

void BM_ClassifyOltpMix(benchmark::State& state) {
  const auto& mix = OltpMix();
  const size_t bytes = TotalBytes(mix);
  for (auto _ : state) {
    for (const auto& sql : mix) {
      auto c = ClassifySql(sql);
      benchmark::DoNotOptimize(c.must_master);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * mix.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_ClassifyOltpMix);

void BM_ClassifyPointSelect(benchmark::State& state) {
  const std::string sql = "SELECT c FROM sbtest1 WHERE id=4242";
  for (auto _ : state) {
    auto c = ClassifySql(sql);
    benchmark::DoNotOptimize(c.kind);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sql.size()));
}
BENCHMARK(BM_ClassifyPointSelect);

void BM_TokenizeOltpMix(benchmark::State& state) {
  const auto& mix = OltpMix();
  const size_t bytes = TotalBytes(mix);
  for (auto _ : state) {
    for (const auto& sql : mix) {
      SqlTokenizer tokenizer(sql);
      size_t n = 0;
      while (tokenizer.Next().kind != TokenKind::kEnd) ++n;
      benchmark::DoNotOptimize(n);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * mix.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_TokenizeOltpMix);

void BM_ClassifyBulkInsert(benchmark::State& state) {
  std::string sql = "INSERT INTO t (a, b, c) VALUES ";
  for (int i = 0; i < 10000; ++i) sql += "(" + std::to_string(i) + ", 'some text here', 1.5),";
  sql += "(0, '', 0)";
  for (auto _ : state) {
    auto c = ClassifySql(sql);
    benchmark::DoNotOptimize(c.kind);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sql.size()));
}
BENCHMARK(BM_ClassifyBulkInsert);

void BM_ClassifyComplexSelect(benchmark::State& state) {
  const std::string sql =
      "/* app:report */ WITH recent AS (SELECT o.id, o.customer_id, o.total FROM orders o "
      "WHERE o.created_at > NOW() - INTERVAL 1 DAY) SELECT c.name, SUM(r.total) AS total, "
      "COUNT(*) FROM recent r JOIN customers c ON c.id = r.customer_id LEFT JOIN regions g "
      "USING (region_id) WHERE c.status IN ('active', 'trial') AND r.total > ? GROUP BY c.name "
      "HAVING COUNT(*) > 1 ORDER BY total DESC LIMIT 100";
  for (auto _ : state) {
    auto c = ClassifySql(sql);
    benchmark::DoNotOptimize(c.kind);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sql.size()));
}
BENCHMARK(BM_ClassifyComplexSelect);

}  // namespace

BENCHMARK_MAIN();
