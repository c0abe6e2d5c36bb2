// libFuzzer target: arbitrary bytes as a binlog file or raw event dump. Frames, decodes,
// expands payloads and renders every row value; anything may fail, nothing may crash.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "binlog/binlog_file.h"
#include "binlog/event_decoder.h"
#include "binlog/json_binary.h"
#include "binlog/json_writer.h"
#include "binlog/text_writer.h"
#include "binlog/value_format.h"

using namespace switchyard::binlog;

namespace {

// The dump's path: values straight from the decoder into the text and JSON writers.
class WriterVisitor final : public RowVisitor {
 public:
  explicit WriterVisitor(const TableMap& tm) : tm_(tm) {}
  void Image(bool, size_t columns) override {
    if (columns) text.Put('|');
  }
  void Value(size_t i, const ColumnValue& v) override {
    WriteValueMariadbStyle(text, v, tm_.columns[i]);
    text.Put(',');
    json.clear();
    WriteValueJson(json, v, tm_.columns[i]);
  }
  TextWriter text, json;

 private:
  const TableMap& tm_;
};

void RenderRows(const RowsEvent& rows) {
  if (!rows.table) return;
  RowReader reader(rows);
  Row before, after;
  std::string sink, expected;
  while (reader.Next(&before, &after)) {
    for (const Row* row : {&before, &after}) {
      if (!row->empty()) expected += '|';
      for (size_t i = 0; i < row->size(); ++i) {
        sink.clear();
        AppendValueMariadbStyle(sink, (*row)[i], rows.table->columns[i]);
        (void)ColumnValueToJson((*row)[i], rows.table->columns[i]);
        if ((*row)[i].index() != 0) expected += sink + ",";
      }
    }
  }
  // The visitor must see exactly the rows and values the Row form saw.
  WriterVisitor visitor(*rows.table);
  RowReader again(rows);
  while (again.Next(visitor)) {
  }
  if (again.status().ok() != reader.status().ok()) __builtin_trap();
  if (reader.status().ok() && visitor.text.view() != expected) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  // Also exercise the JSON renderer directly on the raw input.
  (void)JsonBinaryToText(std::string_view(reinterpret_cast<const char*>(data), size));
  BinlogFileReader reader(bytes);
  EventDecoder decoder;
  // Mutated inputs rarely keep valid CRCs: skip verification for half of them so the fuzzer
  // reaches the event and row parsers.
  decoder.SetVerifyChecksums(size % 2 == 0);
  for (int n = 0; n < 10000; ++n) {
    auto raw = reader.Next();
    if (!raw.ok() || !*raw) break;
    auto ev = decoder.Decode((*raw)->bytes, (*raw)->offset);
    if (!ev.ok()) continue;  // keep going: later events may still be framed
    if (auto* p = std::get_if<TransactionPayloadEvent>(&ev->body)) {
      auto inner = decoder.DecodePayloadEvents(*p, (*raw)->offset);
      if (inner.ok()) {
        for (const auto& e : *inner) {
          if (auto* r = std::get_if<RowsEvent>(&e.body)) RenderRows(*r);
        }
      }
    }
    if (auto* r = std::get_if<RowsEvent>(&ev->body)) RenderRows(*r);
  }
  return 0;
}
