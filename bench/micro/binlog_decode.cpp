// Full row decode throughput: a >= 100 MB binlog of WRITE_ROWS_V2 events over a table with
// mixed column types (INT, BIGINT, TINYINT UNSIGNED, VARCHAR, DECIMAL, DATETIME(3), DOUBLE,
// TIMESTAMP, DATE, BLOB, nullable columns) is generated in memory, then framed, CRC-checked,
// decoded and every row image turned into ColumnValues. Reports MB/s, events/s and rows/s.
// BINLOG_BENCH_FILE=PATH adds BM_FileFullRowDecode over a real binlog (e.g. the >= 100 MB one
// bench/binlog/run.sh generates in the sandbox), same work, same counters.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "binlog/binlog_file.h"
#include "binlog/event_decoder.h"

using namespace switchyard::binlog;

namespace {

constexpr size_t kTargetBytes = 100u << 20;
constexpr uint64_t kTableId = 42;

struct Writer {
  std::vector<uint8_t> b;
  void U8(uint8_t v) { b.push_back(v); }
  void Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Str(std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
};

// Wraps a body into a complete event with header, sizes and CRC32.
void AppendEvent(std::vector<uint8_t>& file, uint8_t type, const std::vector<uint8_t>& body) {
  Writer w;
  uint32_t size = static_cast<uint32_t>(19 + body.size() + 4);
  w.Le(1700000000, 4);
  w.U8(type);
  w.Le(1, 4);
  w.Le(size, 4);
  w.Le(file.size() + size, 4);
  w.Le(0, 2);
  w.b.insert(w.b.end(), body.begin(), body.end());
  w.Le(Crc32(w.b), 4);
  file.insert(file.end(), w.b.begin(), w.b.end());
}

std::vector<uint8_t> FormatDescriptionBody() {
  Writer w;
  w.Le(4, 2);
  std::string ver = "8.0.35";
  ver.resize(50, '\0');
  w.Str(ver);
  w.Le(1700000000, 4);
  w.U8(19);
  std::vector<uint8_t> post(41, 0);
  post[2 - 1] = 13;   // QUERY
  post[4 - 1] = 8;    // ROTATE
  post[19 - 1] = 8;   // TABLE_MAP
  post[30 - 1] = 10;  // WRITE_ROWS_V2
  w.b.insert(w.b.end(), post.begin(), post.end());
  w.U8(1);  // CRC32
  return w.b;
}

// Column types and their TABLE_MAP metadata.
const uint8_t kTypes[] = {3, 8, 1, 15, 246, 18, 5, 17, 10, 252, 3};

std::vector<uint8_t> TableMapBody() {
  Writer w;
  w.Le(kTableId, 6);
  w.Le(1, 2);
  w.U8(5);
  w.Str("bench");
  w.U8(0);
  w.U8(6);
  w.Str("orders");
  w.U8(0);
  w.U8(sizeof kTypes);
  for (uint8_t t : kTypes) w.U8(t);
  Writer meta;
  meta.Le(64, 2);           // VARCHAR(64): max length, little-endian
  meta.U8(12), meta.U8(4);  // DECIMAL(12,4)
  meta.U8(3);               // DATETIME(3)
  meta.U8(8);               // DOUBLE
  meta.U8(0);               // TIMESTAMP(0)
  meta.U8(2);               // BLOB
  w.U8(static_cast<uint8_t>(meta.b.size()));
  w.b.insert(w.b.end(), meta.b.begin(), meta.b.end());
  w.Le(0x07fe, 2);  // nullability bitmap: all but the first column nullable
  w.U8(1);          // optional metadata: SIGNEDNESS, TINYINT (third numeric) unsigned
  w.U8(1);
  w.U8(0x20);
  return w.b;
}

void AppendRow(Writer& w, std::mt19937_64& rng, uint64_t id) {
  bool null_last = (id % 10) == 0;
  w.Le(null_last ? 0x400 : 0, 2);     // NULL bitmap over 11 present columns
  w.Le(id, 4);                        // INT
  w.Le(rng(), 8);                     // BIGINT
  w.U8(static_cast<uint8_t>(rng()));  // TINYINT UNSIGNED
  size_t len = 5 + rng() % 36;        // VARCHAR
  w.U8(static_cast<uint8_t>(len));
  for (size_t i = 0; i < len; ++i) w.U8('a' + rng() % 26);
  w.Be(0x80000000u | (rng() % 100000000), 4);  // DECIMAL(12,4) integer part
  w.Be(rng() % 10000, 2);                      //   fraction part
  uint64_t ym = 2024 * 13 + 1 + rng() % 12;    // DATETIME(3)
  uint64_t packed =
      ym << 22 | (1 + rng() % 28) << 17 | (rng() % 24) << 12 | (rng() % 60) << 6 | (rng() % 60);
  w.Be(packed + 0x8000000000ULL, 5);
  w.Be((rng() % 1000) * 10, 2);
  double d = static_cast<double>(rng() % 1000000) / 7.0;  // DOUBLE
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  w.Le(bits, 8);
  w.Be(1700000000 + rng() % 1000000, 4);    // TIMESTAMP(0)
  w.Le((2024u << 9) | (6u << 5) | 15u, 3);  // DATE
  size_t blob = 20 + rng() % 80;            // BLOB
  w.Le(blob, 2);
  for (size_t i = 0; i < blob; ++i) w.U8(static_cast<uint8_t>(rng()));
  if (!null_last) w.Le(id * 3, 4);  // nullable INT
}

struct Generated {
  std::vector<uint8_t> file;
  size_t events = 0;
  size_t rows = 0;
};

const Generated& File() {
  static const Generated g = [] {
    Generated g;
    g.file.assign(std::begin(kBinlogMagic), std::end(kBinlogMagic));
    AppendEvent(g.file, 15, FormatDescriptionBody());
    AppendEvent(g.file, 19, TableMapBody());
    g.events = 2;
    std::mt19937_64 rng(7);
    uint64_t id = 0;
    while (g.file.size() < kTargetBytes) {
      Writer w;
      w.Le(kTableId, 6);
      w.Le(1, 2);
      w.Le(2, 2);  // no extra data
      w.U8(sizeof kTypes);
      w.Le(0x07ff, 2);  // all columns present
      for (int r = 0; r < 60; ++r) AppendRow(w, rng, ++id);
      AppendEvent(g.file, 30, w.b);
      ++g.events;
      g.rows += 60;
    }
    return g;
  }();
  return g;
}

void BM_FullRowDecode(benchmark::State& state) {
  const Generated& g = File();
  size_t values = 0, rows = 0;
  for (auto _ : state) {
    BinlogFileReader reader(g.file);
    EventDecoder decoder;
    decoder.SetVerifyChecksums(state.range(0) != 0);
    Row before, after;
    while (true) {
      auto raw = reader.Next();
      if (!raw.ok() || !*raw) break;
      auto ev = decoder.Decode((*raw)->bytes, (*raw)->offset);
      if (!ev.ok()) {
        state.SkipWithError(ev.error().message.c_str());
        return;
      }
      if (auto* r = std::get_if<RowsEvent>(&ev->body)) {
        RowReader reader_rows(*r);
        while (reader_rows.Next(&before, &after)) {
          values += after.size();
          ++rows;
        }
        if (!reader_rows.status().ok()) {
          state.SkipWithError(reader_rows.status().error().message.c_str());
          return;
        }
      }
    }
    benchmark::DoNotOptimize(values);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g.file.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * g.events));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["file_MB"] = static_cast<double>(g.file.size()) / (1 << 20);
}
BENCHMARK(BM_FullRowDecode)->Arg(1)->Arg(0)->ArgName("verify_crc")->Unit(benchmark::kMillisecond);

// Decodes every event of `file` and every row of its rows events (TRANSACTION_PAYLOADs
// expanded); returns events seen, or an error message.
struct DecodeCount {
  size_t events = 0;
  size_t rows = 0;
  std::string error;
};
DecodeCount DecodeAll(const std::vector<uint8_t>& file, bool verify) {
  DecodeCount c;
  BinlogFileReader reader(file);
  EventDecoder decoder;
  decoder.SetVerifyChecksums(verify);
  Row before, after;
  auto rows_of = [&](const Event& ev) {
    if (auto* r = std::get_if<RowsEvent>(&ev.body)) {
      RowReader rr(*r);
      while (rr.Next(&before, &after)) ++c.rows;
      if (!rr.status().ok()) c.error = rr.status().error().message;
    }
  };
  while (c.error.empty()) {
    auto raw = reader.Next();
    if (!raw.ok()) {
      c.error = raw.error().message;
      break;
    }
    if (!*raw) break;
    auto ev = decoder.Decode((*raw)->bytes, (*raw)->offset);
    if (!ev.ok()) {
      c.error = ev.error().message;
      break;
    }
    ++c.events;
    rows_of(*ev);
    if (auto* p = std::get_if<TransactionPayloadEvent>(&ev->body)) {
      auto inner = decoder.DecodePayloadEvents(*p, (*raw)->offset);
      if (!inner.ok()) {
        c.error = inner.error().message;
        break;
      }
      for (const auto& e : *inner) {
        ++c.events;
        rows_of(e);
      }
    }
  }
  return c;
}

void BM_FileFullRowDecode(benchmark::State& state, const std::vector<uint8_t>* file) {
  DecodeCount last;
  for (auto _ : state) {
    last = DecodeAll(*file, state.range(0) != 0);
    if (!last.error.empty()) {
      state.SkipWithError(last.error.c_str());
      return;
    }
    benchmark::DoNotOptimize(last.rows);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file->size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * last.events));
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(state.iterations() * last.rows),
                                                benchmark::Counter::kIsRate);
  state.counters["file_MB"] = static_cast<double>(file->size()) / (1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  static std::vector<uint8_t> file;
  if (const char* path = std::getenv("BINLOG_BENCH_FILE"); path && *path) {
    auto data = ReadWholeFile(path);
    if (!data.ok()) {
      std::fprintf(stderr, "BINLOG_BENCH_FILE: %s\n", data.error().message.c_str());
      return 2;
    }
    file = std::move(*data);
    benchmark::RegisterBenchmark("BM_FileFullRowDecode", BM_FileFullRowDecode, &file)
        ->Arg(1)
        ->Arg(0)
        ->ArgName("verify_crc")
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
