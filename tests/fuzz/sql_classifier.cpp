// Fuzzes the SQL tokenizer and classifier: any byte string must classify without UB, crashes
// or unbounded work, and invariants the router relies on must hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proxy/sql/sql_classifier.h"
#include "proxy/sql/sql_tokenizer.h"

using namespace switchyard::proxy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);

  // Tokens are ordered, non-overlapping views into the input; the stream always terminates.
  SqlTokenizer tokenizer(sql, SqlTokenizer::Options{true, false, true});
  size_t last_end = 0;
  for (size_t guard = 0; guard <= size + 1; ++guard) {
    const Token t = tokenizer.Next();
    if (t.kind == TokenKind::kEnd) break;
    const size_t offset = tokenizer.OffsetOf(t);
    if (offset + t.text.size() > size) abort();
    // An error token may start back at an unterminated executable comment's opening.
    if (offset < last_end && t.kind != TokenKind::kError) abort();
    if (t.text.empty()) abort();
    last_end = offset + t.text.size();
    if (guard == size + 1) abort();  // more tokens than bytes: no progress
  }

  for (const bool backslash : {true, false}) {
    ClassifyOptions options;
    options.backslash_escapes = backslash;
    options.ansi_quotes = !backslash;
    const Classification c = ClassifySql(sql, options);
    // Anything not understood, and every write, goes to the master.
    if ((c.kind == StatementKind::kUnknown || c.kind == StatementKind::kWrite ||
         c.kind == StatementKind::kTempTableDdl) &&
        !c.must_master) {
      abort();
    }
    if (c.must_master && c.reason.empty()) abort();
    if (c.multi_statement != (c.statement_count > 1)) abort();
    if (c.multi_statement && c.statements.size() != c.statement_count) abort();
    for (const StatementSummary& s : c.statements) {
      if (s.offset + s.length > size) abort();
    }
  }
  return 0;
}
