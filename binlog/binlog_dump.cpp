#include "binlog/binlog_dump.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "binlog/binlog_file.h"
#include "binlog/event_decoder.h"
#include "binlog/json_writer.h"
#include "binlog/text_writer.h"
#include "binlog/value_format.h"

namespace switchyard::binlog {

namespace {

std::string ColumnKey(const TableMap& tm, size_t i) {
  const auto& name = tm.columns[i].name;
  return name.empty() ? fmt::format("@{}", i + 1) : name;
}

// Text form of an event's key fields: " key=value" each, appended to the event's line.
class TextFields {
 public:
  explicit TextFields(TextWriter& w) : w_(w) {}

  template <class V>
  void Add(std::string_view key, const V& value) {
    char* p = w_.Reserve(key.size() + 2);
    *p++ = ' ';
    std::memcpy(p, key.data(), key.size());
    p += key.size();
    *p++ = '=';
    w_.Commit(p);
    if constexpr (std::is_same_v<V, bool>) {
      w_.Append(value ? "true" : "false");
    } else if constexpr (std::is_integral_v<V> && std::is_signed_v<V>) {
      w_.AppendSigned(value);
    } else if constexpr (std::is_integral_v<V>) {
      w_.AppendUnsigned(value);
    } else {
      w_.Append(std::string_view(value));
    }
  }
  // Statement text on one line: \n and \r escaped, tabs as spaces.
  void Query(std::string_view query) {
    w_.Append(" query=");
    char* p = w_.Reserve(query.size() * 2);
    for (char c : query) {
      if (c == '\n') {
        *p++ = '\\';
        *p++ = 'n';
      } else if (c == '\r') {
        *p++ = '\\';
        *p++ = 'r';
      } else {
        *p++ = c == '\t' ? ' ' : c;
      }
    }
    w_.Commit(p);
  }
  void Columns(const TableMap& tm) {
    w_.Append(" columns=");
    for (size_t i = 0; i < tm.columns.size(); ++i) {
      if (i) w_.Put(',');
      const auto& c = tm.columns[i];
      if (c.name.empty()) {
        w_.Put('@');
        w_.AppendUnsigned(i + 1);
      } else {
        w_.Append(c.name);
      }
      w_.Put(':');
      w_.Append(c.TypeName());
      if (c.is_unsigned) w_.Append(" UNSIGNED");
    }
  }

 private:
  TextWriter& w_;
};

// JSON form: fields are rendered into a scratch writer as they come, then written as one object
// with keys in byte order (the order nlohmann's std::map-backed objects printed them in).
class JsonFields {
 public:
  explicit JsonFields(TextWriter& scratch) : v_(scratch) {}
  void Reset() {
    v_.clear();
    fields_.clear();
  }

  template <class V>
  void Add(std::string_view key, const V& value) {
    const size_t at = v_.size();
    if constexpr (std::is_same_v<V, bool>) {
      v_.Append(value ? "true" : "false");
    } else if constexpr (std::is_integral_v<V> && std::is_signed_v<V>) {
      v_.AppendSigned(value);
    } else if constexpr (std::is_integral_v<V>) {
      v_.AppendUnsigned(value);
    } else {
      WriteJsonString(v_, std::string_view(value));
    }
    fields_.push_back({key, at, v_.size()});
  }
  void Query(std::string_view query) { Add("query", query); }
  void Columns(const TableMap& tm) {
    const size_t at = v_.size();
    v_.Put('[');
    for (size_t i = 0; i < tm.columns.size(); ++i) {
      if (i) v_.Put(',');
      std::string c = ColumnKey(tm, i) + ":" + tm.columns[i].TypeName();
      if (tm.columns[i].is_unsigned) c += " UNSIGNED";
      WriteJsonString(v_, c);
    }
    v_.Put(']');
    fields_.push_back({"columns", at, v_.size()});
  }
  // A field whose JSON text the caller writes into scratch() between Begin and End.
  size_t Begin() const { return v_.size(); }
  void End(std::string_view key, size_t at) { fields_.push_back({key, at, v_.size()}); }
  TextWriter& scratch() { return v_; }

  void WriteObject(TextWriter& out) {
    // Stable: for a key set twice the later value wins, as with json[key] = value.
    std::stable_sort(fields_.begin(), fields_.end(),
                     [](const Field& a, const Field& b) { return a.key < b.key; });
    out.Put('{');
    bool first = true;
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i + 1 < fields_.size() && fields_[i + 1].key == fields_[i].key) continue;
      const Field& f = fields_[i];
      char* p = out.Reserve(f.key.size() + 4);
      if (!first) *p++ = ',';
      first = false;
      *p++ = '"';
      std::memcpy(p, f.key.data(), f.key.size());  // keys are fixed ASCII names
      p += f.key.size();
      *p++ = '"';
      *p++ = ':';
      out.Commit(p);
      out.Append(v_.view().substr(f.begin, f.end - f.begin));
    }
    out.Put('}');
  }

 private:
  struct Field {
    std::string_view key;
    size_t begin, end;
  };
  TextWriter& v_;
  std::vector<Field> fields_;
};

// Key fields of an event, for either form.
template <class Fields>
void Describe(const EventBody& body, Fields& f) {
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, OpaqueEvent>) {
          f.Add("body_size", ev.body.size());
        } else if constexpr (std::is_same_v<T, FormatDescriptionEvent>) {
          f.Add("binlog_version", ev.fd.binlog_version);
          f.Add("server_version", ev.fd.server_version);
          f.Add("checksum", ev.fd.checksum == ChecksumAlg::kCrc32 ? "CRC32" : "NONE");
        } else if constexpr (std::is_same_v<T, RotateEvent>) {
          f.Add("next_file", ev.next_file);
          f.Add("position", ev.position);
        } else if constexpr (std::is_same_v<T, QueryEvent>) {
          f.Add("thread_id", ev.thread_id);
          f.Add("exec_time", ev.exec_time);
          f.Add("error_code", ev.error_code);
          f.Add("db", ev.database);
          f.Query(ev.query);
        } else if constexpr (std::is_same_v<T, XidEvent>) {
          f.Add("xid", ev.xid);
        } else if constexpr (std::is_same_v<T, IntvarEvent>) {
          f.Add("intvar_type", ev.type);
          f.Add("value", ev.value);
        } else if constexpr (std::is_same_v<T, RandEvent>) {
          f.Add("seed1", ev.seed1);
          f.Add("seed2", ev.seed2);
        } else if constexpr (std::is_same_v<T, UserVarEvent>) {
          f.Add("name", ev.name);
          f.Add("is_null", ev.is_null);
          if (!ev.is_null) {
            f.Add("value_type", ev.value_type);
            f.Add("charset", ev.charset);
            std::string hex;
            for (uint8_t c : ev.value) hex += fmt::format("{:02x}", c);
            f.Add("value_hex", hex);
          }
        } else if constexpr (std::is_same_v<T, StopEvent>) {
        } else if constexpr (std::is_same_v<T, IncidentEvent>) {
          f.Add("incident", ev.incident);
          f.Add("message", ev.message);
        } else if constexpr (std::is_same_v<T, HeartbeatEvent>) {
          f.Add("log_file", ev.log_file);
          if (ev.log_position) f.Add("log_position", *ev.log_position);
        } else if constexpr (std::is_same_v<T, RowsQueryEvent> ||
                             std::is_same_v<T, AnnotateRowsEvent>) {
          f.Query(ev.query);
        } else if constexpr (std::is_same_v<T, XaPrepareEvent>) {
          f.Add("one_phase", ev.one_phase);
          f.Add("format_id", ev.format_id);
          f.Add("gtrid", ev.gtrid);
          f.Add("bqual", ev.bqual);
        } else if constexpr (std::is_same_v<T, MysqlGtidEvent>) {
          f.Add("gtid", ev.GtidText());
          if (ev.last_committed) f.Add("last_committed", *ev.last_committed);
          if (ev.sequence_number) f.Add("sequence_number", *ev.sequence_number);
          if (ev.immediate_commit_timestamp) {
            f.Add("immediate_commit_ts", *ev.immediate_commit_timestamp);
          }
          if (ev.original_commit_timestamp) {
            f.Add("original_commit_ts", *ev.original_commit_timestamp);
          }
          if (ev.transaction_length) f.Add("transaction_length", *ev.transaction_length);
        } else if constexpr (std::is_same_v<T, PreviousGtidsEvent>) {
          f.Add("gtids", ev.gtids.ToString());
        } else if constexpr (std::is_same_v<T, TransactionPayloadEvent>) {
          f.Add("compression", ev.compression_type == 0 ? "ZSTD" : "NONE");
          f.Add("payload_size", ev.payload_size);
          f.Add("uncompressed_size", ev.uncompressed_size);
        } else if constexpr (std::is_same_v<T, MariadbGtidEvent>) {
          f.Add("gtid", ev.gtid.ToString());
          f.Add("gtid_flags", ev.flags);
          if (ev.commit_id) f.Add("commit_id", *ev.commit_id);
        } else if constexpr (std::is_same_v<T, MariadbGtidListEvent>) {
          MariadbGtidPos pos;
          for (const auto& g : ev.gtids) pos.Update(g);
          f.Add("gtid_list", pos.ToString());
        } else if constexpr (std::is_same_v<T, BinlogCheckpointEvent>) {
          f.Add("file", ev.file);
        } else if constexpr (std::is_same_v<T, TableMapEvent>) {
          const TableMap& tm = *ev.table;
          f.Add("table_id", tm.table_id);
          f.Add("table", tm.database + "." + tm.table);
          f.Columns(tm);
        } else if constexpr (std::is_same_v<T, RowsEvent>) {
          f.Add("table_id", ev.table_id);
          if (ev.table) f.Add("table", ev.table->database + "." + ev.table->table);
          f.Add("rows_flags", ev.flags);
        }
      },
      body);
}

// Per-TABLE_MAP JSON layout: the columns in key order with their `"key":` text, so that rows
// need neither a sort nor key escaping. Rebuilt only when the table map's columns change (every
// rows event is preceded by its own TABLE_MAP, usually identical to the previous one).
class JsonColumnLayout {
 public:
  struct Entry {
    size_t column;
    std::string key_text;  // "name":
    bool shadowed_next;    // the next entry has the same key (a later column wins when present)
    // key_text again, zero-padded, when it fits: copied with one fixed-size move per value.
    char key_fixed[32];
    uint8_t key_fixed_size;  // 0: does not fit, use key_text
  };

  const std::vector<Entry>& For(const std::shared_ptr<const TableMap>& tm) {
    if (tm == table_) return entries_;
    if (!table_ || !SameColumns(*tm, *table_)) Build(*tm);
    table_ = tm;
    return entries_;
  }

 private:
  static bool SameColumns(const TableMap& a, const TableMap& b) {
    if (a.columns.size() != b.columns.size()) return false;
    for (size_t i = 0; i < a.columns.size(); ++i) {
      if (a.columns[i].name != b.columns[i].name) return false;
    }
    return true;
  }
  void Build(const TableMap& tm) {
    std::vector<std::pair<std::string, size_t>> keys;
    for (size_t i = 0; i < tm.columns.size(); ++i) keys.emplace_back(ColumnKey(tm, i), i);
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    entries_.clear();
    TextWriter scratch;
    for (size_t i = 0; i < keys.size(); ++i) {
      scratch.clear();
      WriteJsonString(scratch, keys[i].first);
      scratch.Put(':');
      Entry e{keys[i].second,
              std::string(scratch.view()),
              i + 1 < keys.size() && keys[i + 1].first == keys[i].first,
              {},
              0};
      if (e.key_text.size() <= sizeof e.key_fixed) {
        std::memcpy(e.key_fixed, e.key_text.data(), e.key_text.size());
        e.key_fixed_size = static_cast<uint8_t>(e.key_text.size());
      }
      entries_.push_back(std::move(e));
    }
  }

  std::shared_ptr<const TableMap> table_;
  std::vector<Entry> entries_;
};

class Dumper {
 public:
  Dumper(const BinlogDumpOptions& o, std::ostream& out)
      : o_(o), out_(out), w_([this](std::string_view s) {
          out_.write(s.data(), static_cast<std::streamsize>(s.size()));
        }) {}

  Status Print(uint64_t pos, const Event& ev, const char* prefix) {
    Status st = o_.json ? PrintJson(pos, ev, prefix) : PrintText(pos, ev, prefix);
    w_.FlushIfFull();
    return st;
  }
  // Pending output goes out before an error message, so the two stay in order on a terminal.
  void Flush() {
    w_.Flush();
    out_.flush();
  }
  TextWriter& writer() { return w_; }

 private:
  Status PrintText(uint64_t pos, const Event& ev, const char* prefix) {
    w_.Append(prefix);
    w_.Put('#');
    w_.AppendUnsigned(pos);
    w_.Put(' ');
    w_.Append(EventTypeName(ev.header.type));
    w_.Append(" ts=");
    w_.AppendUnsigned(ev.header.timestamp);
    w_.Append(" server_id=");
    w_.AppendUnsigned(ev.header.server_id);
    w_.Append(" size=");
    w_.AppendUnsigned(ev.header.event_size);
    w_.Append(" log_pos=");
    w_.AppendUnsigned(ev.header.log_pos);
    TextFields fields(w_);
    Describe(ev.body, fields);
    Status st;
    if (o_.print_rows) {
      if (auto* rows = std::get_if<RowsEvent>(&ev.body)) st = TextRows(*rows);
    }
    w_.Put('\n');
    return st;
  }

  // Row images in mariadb-binlog style, rendered as the decoder reports each value (no Row
  // vectors). A row that fails to decode is taken back out of the output, as if never started.
  Status TextRows(const RowsEvent& ev) {
    if (!ev.table) return Status::Ok();
    const TableMap& tm = *ev.table;
    const char* verb = ev.shape.kind == RowsKind::kWrite    ? "INSERT INTO"
                       : ev.shape.kind == RowsKind::kUpdate ? "UPDATE"
                                                            : "DELETE FROM";
    row_header_.clear();
    row_header_ += "\n### ";
    row_header_ += verb;
    row_header_ += " `";
    row_header_ += tm.database;
    row_header_ += "`.`";
    row_header_ += tm.table;
    row_header_ += '`';
    if (prefixes_.size() < ev.column_count) {
      while (prefixes_.size() < ev.column_count) AddColumnPrefix();
    }
    TextRowVisitor visitor(w_, tm, prefixes_);
    RowReader reader(ev);
    while (true) {
      const size_t row_start = w_.size();
      w_.Append(row_header_);
      if (!reader.Next(visitor)) {
        w_.resize_down(row_start);
        break;
      }
    }
    return reader.status();
  }

  // "\n###   @N=" for column N, padded to a fixed size so it is copied in one move.
  struct ColumnPrefix {
    char text[32];
    uint8_t size;
  };

  class TextRowVisitor final : public RowVisitor {
   public:
    TextRowVisitor(TextWriter& w, const TableMap& tm, const std::vector<ColumnPrefix>& prefixes)
        : w_(w), tm_(tm), prefixes_(prefixes) {}
    void Image(bool after, size_t columns) override {
      if (columns) w_.Append(after ? "\n### SET" : "\n### WHERE");  // no columns: no clause
    }
    void Value(size_t i, const ColumnValue& value) override {
      const ColumnPrefix& cp = prefixes_[i];
      char* p = w_.Reserve(sizeof cp.text);
      std::memcpy(p, cp.text, sizeof cp.text);  // fixed-size copy, then the real length
      w_.Commit(p + cp.size);
      WriteValueMariadbStyle(w_, value, tm_.columns[i]);
    }

   private:
    TextWriter& w_;
    const TableMap& tm_;
    const std::vector<ColumnPrefix>& prefixes_;
  };

  void AddColumnPrefix() {
    ColumnPrefix cp{};
    char* p = cp.text;
    std::memcpy(p, "\n###   @", 8);
    p = TextWriter::WriteUnsigned(p + 8, prefixes_.size() + 1);
    *p++ = '=';
    cp.size = static_cast<uint8_t>(p - cp.text);
    prefixes_.push_back(cp);
  }

  Status PrintJson(uint64_t pos, const Event& ev, const char* prefix) {
    JsonFields& fields = json_fields_;
    fields.Reset();
    fields.Add("pos", pos);
    fields.Add("type", EventTypeName(ev.header.type));
    fields.Add("timestamp", ev.header.timestamp);
    fields.Add("server_id", ev.header.server_id);
    fields.Add("size", ev.header.event_size);
    fields.Add("log_pos", ev.header.log_pos);
    fields.Add("flags", ev.header.flags);
    if (*prefix) fields.Add("inner", true);
    Describe(ev.body, fields);
    Status st;
    if (o_.print_rows) {
      if (auto* rows = std::get_if<RowsEvent>(&ev.body)) st = JsonRows(*rows, fields);
    }
    fields.WriteObject(w_);
    w_.Put('\n');
    return st;
  }

  // "rows":[{"after":{..},"before":{..}}, ...] (keys in byte order, absent columns left out).
  Status JsonRows(const RowsEvent& ev, JsonFields& fields) {
    if (!ev.table) return Status::Ok();
    const TableMap& tm = *ev.table;
    const auto& layout = layout_.For(ev.table);
    TextWriter& v = fields.scratch();
    const size_t at = fields.Begin();
    v.Put('[');
    RowReader reader(ev);
    bool first_row = true;
    while (reader.Next(&before_, &after_)) {
      if (!first_row) v.Put(',');
      first_row = false;
      if (before_.empty() && after_.empty()) {
        v.Append("null");
        continue;
      }
      v.Put('{');
      if (!after_.empty()) {
        v.Append("\"after\":");
        JsonImage(v, after_, tm, layout);
      }
      if (!before_.empty()) {
        if (!after_.empty()) v.Put(',');
        v.Append("\"before\":");
        JsonImage(v, before_, tm, layout);
      }
      v.Put('}');
    }
    v.Put(']');
    fields.End("rows", at);
    return reader.status();
  }

  static void JsonImage(TextWriter& v, const Row& row, const TableMap& tm,
                        const std::vector<JsonColumnLayout::Entry>& layout) {
    v.Put('{');
    bool first = true;
    for (size_t k = 0; k < layout.size(); ++k) {
      const auto& e = layout[k];
      if (e.column >= row.size() || row[e.column].index() == 0) continue;  // absent
      if (e.shadowed_next && ShadowedByLaterPresent(row, layout, k)) continue;
      if (!first) v.Put(',');
      first = false;
      if (e.key_fixed_size) {
        char* p = v.Reserve(sizeof e.key_fixed);
        std::memcpy(p, e.key_fixed, sizeof e.key_fixed);
        v.Commit(p + e.key_fixed_size);
      } else {
        v.Append(e.key_text);
      }
      WriteValueJson(v, row[e.column], tm.columns[e.column]);
    }
    v.Put('}');
  }
  static bool ShadowedByLaterPresent(const Row& row,
                                     const std::vector<JsonColumnLayout::Entry>& layout, size_t k) {
    for (size_t j = k + 1; j < layout.size() && layout[j - 1].shadowed_next; ++j) {
      if (layout[j].column < row.size() && row[layout[j].column].index() != 0) return true;
    }
    return false;
  }

  const BinlogDumpOptions& o_;
  std::ostream& out_;
  TextWriter w_;  // the whole dump's output, handed to out_ in chunks
  TextWriter json_scratch_{nullptr};
  JsonFields json_fields_{json_scratch_};  // reused: one event's fields at a time
  JsonColumnLayout layout_;
  std::string row_header_;
  std::vector<ColumnPrefix> prefixes_;
  Row before_, after_;  // reused across rows and events
};

}  // namespace

int RunBinlogDump(const BinlogDumpOptions& o, std::ostream& out, std::ostream& err) {
  if (o.path.empty()) {
    err << "binlog dump: missing FILE\n";
    return 2;
  }
  if (o.start_position && o.stop_position && *o.stop_position < *o.start_position) {
    err << "binlog dump: --stop-position is before --start-position\n";
    return 2;
  }
  auto data = FileBytes::Open(o.path);
  if (!data.ok()) {
    err << "binlog dump: " << data.error().message << '\n';
    return 2;
  }
  BinlogFileReader reader(data->bytes());
  EventDecoder decoder;
  bool row_errors = false;
  Dumper dumper(o, out);
  // Output is buffered in the dumper: it goes out before any message on `err`.
  auto fail = [&](std::string_view message) {
    dumper.Flush();
    err << "binlog dump: " << message << '\n';
  };
  if (!reader.has_magic() && !o.json) {
    dumper.writer().Append(
        "# raw event dump (no binlog magic); positions are offsets in the file\n");
  }
  while (true) {
    auto raw = reader.Next();
    if (!raw.ok()) {
      fail(raw.error().message);
      return 1;
    }
    if (!*raw) break;
    const uint64_t pos = (*raw)->offset;
    if (o.stop_position && pos >= *o.stop_position) break;
    // Every event is decoded (FDE and TABLE_MAP state), only the requested range is printed.
    auto ev = decoder.Decode((*raw)->bytes, pos);
    if (!ev.ok()) {
      fail(ev.error().message);
      return 1;
    }
    bool print = !o.start_position || pos >= *o.start_position;
    std::vector<Event> inner;
    if (auto* p = std::get_if<TransactionPayloadEvent>(&ev->body)) {
      auto r = decoder.DecodePayloadEvents(*p, pos);
      if (!r.ok()) {
        fail(r.error().message);
        return 1;
      }
      inner = std::move(*r);
    }
    if (!print) continue;
    // A row image that cannot be decoded (e.g. MariaDB hi-res temporal columns, whose TABLE_MAP
    // lacks the fraction width) is reported, and the dump goes on with the next event.
    Status st = dumper.Print(pos, *ev, "");
    for (const auto& in : inner) {
      Status inner_st = dumper.Print(pos, in, "  ");
      if (st.ok()) st = inner_st;
    }
    if (!st.ok()) {
      fail(fmt::format("rows event at offset {}: {}", pos, st.error().message));
      row_errors = true;
    }
  }
  dumper.Flush();
  return row_errors ? 1 : 0;
}

}  // namespace switchyard::binlog
