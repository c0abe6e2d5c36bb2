#include "binlog/binlog_dump.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "binlog/binlog_file.h"
#include "binlog/event_decoder.h"
#include "binlog/value_format.h"

namespace switchyard::binlog {

namespace {

// Printable single-line rendering of statement text.
std::string OneLine(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string HexBytes(std::span<const uint8_t> b) {
  std::string s;
  for (uint8_t c : b) s += fmt::format("{:02x}", c);
  return s;
}

std::string ColumnKey(const TableMap& tm, size_t i) {
  const auto& name = tm.columns[i].name;
  return name.empty() ? fmt::format("@{}", i + 1) : name;
}

// Key fields of an event: appended to the JSON object when `j` is set, else to the text line
// (building only the form that is printed keeps the dump fast).
void Describe(const EventBody& body, std::string& text, nlohmann::json* j) {
  auto add = [&](const char* key, const auto& value) {
    if (j) {
      (*j)[key] = value;
    } else {
      fmt::format_to(std::back_inserter(text), " {}={}", key, value);
    }
  };
  auto add_query = [&](std::string_view query) {
    if (j) {
      (*j)["query"] = std::string(query);
    } else {
      text += " query=" + OneLine(query);
    }
  };
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, OpaqueEvent>) {
          add("body_size", ev.body.size());
        } else if constexpr (std::is_same_v<T, FormatDescriptionEvent>) {
          add("binlog_version", ev.fd.binlog_version);
          add("server_version", ev.fd.server_version);
          add("checksum", ev.fd.checksum == ChecksumAlg::kCrc32 ? "CRC32" : "NONE");
        } else if constexpr (std::is_same_v<T, RotateEvent>) {
          add("next_file", std::string(ev.next_file));
          add("position", ev.position);
        } else if constexpr (std::is_same_v<T, QueryEvent>) {
          add("thread_id", ev.thread_id);
          add("exec_time", ev.exec_time);
          add("error_code", ev.error_code);
          add("db", std::string(ev.database));
          add_query(ev.query);
        } else if constexpr (std::is_same_v<T, XidEvent>) {
          add("xid", ev.xid);
        } else if constexpr (std::is_same_v<T, IntvarEvent>) {
          add("intvar_type", ev.type);
          add("value", ev.value);
        } else if constexpr (std::is_same_v<T, RandEvent>) {
          add("seed1", ev.seed1);
          add("seed2", ev.seed2);
        } else if constexpr (std::is_same_v<T, UserVarEvent>) {
          add("name", std::string(ev.name));
          add("is_null", ev.is_null);
          if (!ev.is_null) {
            add("value_type", ev.value_type);
            add("charset", ev.charset);
            add("value_hex", HexBytes(ev.value));
          }
        } else if constexpr (std::is_same_v<T, StopEvent>) {
        } else if constexpr (std::is_same_v<T, IncidentEvent>) {
          add("incident", ev.incident);
          add("message", std::string(ev.message));
        } else if constexpr (std::is_same_v<T, HeartbeatEvent>) {
          add("log_file", std::string(ev.log_file));
          if (ev.log_position) add("log_position", *ev.log_position);
        } else if constexpr (std::is_same_v<T, RowsQueryEvent> ||
                             std::is_same_v<T, AnnotateRowsEvent>) {
          add_query(ev.query);
        } else if constexpr (std::is_same_v<T, XaPrepareEvent>) {
          add("one_phase", ev.one_phase);
          add("format_id", ev.format_id);
          add("gtrid", std::string(ev.gtrid));
          add("bqual", std::string(ev.bqual));
        } else if constexpr (std::is_same_v<T, MysqlGtidEvent>) {
          add("gtid", ev.GtidText());
          if (ev.last_committed) add("last_committed", *ev.last_committed);
          if (ev.sequence_number) add("sequence_number", *ev.sequence_number);
          if (ev.immediate_commit_timestamp) {
            add("immediate_commit_ts", *ev.immediate_commit_timestamp);
          }
          if (ev.original_commit_timestamp) {
            add("original_commit_ts", *ev.original_commit_timestamp);
          }
          if (ev.transaction_length) add("transaction_length", *ev.transaction_length);
        } else if constexpr (std::is_same_v<T, PreviousGtidsEvent>) {
          add("gtids", ev.gtids.ToString());
        } else if constexpr (std::is_same_v<T, TransactionPayloadEvent>) {
          add("compression", ev.compression_type == 0 ? "ZSTD" : "NONE");
          add("payload_size", ev.payload_size);
          add("uncompressed_size", ev.uncompressed_size);
        } else if constexpr (std::is_same_v<T, MariadbGtidEvent>) {
          add("gtid", ev.gtid.ToString());
          add("gtid_flags", ev.flags);
          if (ev.commit_id) add("commit_id", *ev.commit_id);
        } else if constexpr (std::is_same_v<T, MariadbGtidListEvent>) {
          MariadbGtidPos pos;
          for (const auto& g : ev.gtids) pos.Update(g);
          add("gtid_list", pos.ToString());
        } else if constexpr (std::is_same_v<T, BinlogCheckpointEvent>) {
          add("file", std::string(ev.file));
        } else if constexpr (std::is_same_v<T, TableMapEvent>) {
          const TableMap& tm = *ev.table;
          add("table_id", tm.table_id);
          add("table", tm.database + "." + tm.table);
          std::string cols;
          nlohmann::json jcols = nlohmann::json::array();
          for (size_t i = 0; i < tm.columns.size(); ++i) {
            std::string c = ColumnKey(tm, i) + ":" + tm.columns[i].TypeName();
            if (tm.columns[i].is_unsigned) c += " UNSIGNED";
            jcols.push_back(c);
            cols += (i ? "," : "") + c;
          }
          if (j) {
            (*j)["columns"] = jcols;
          } else {
            text += " columns=" + cols;
          }
        } else if constexpr (std::is_same_v<T, RowsEvent>) {
          add("table_id", ev.table_id);
          if (ev.table) add("table", ev.table->database + "." + ev.table->table);
          add("rows_flags", ev.flags);
        }
      },
      body);
}

// Appends row images: text in mariadb-binlog style, or (when `j` is set) JSON as
// {"before":{..},"after":{..}}.
Status DescribeRows(const RowsEvent& ev, std::string& text, nlohmann::json* j) {
  if (!ev.table) return Status::Ok();
  const TableMap& tm = *ev.table;
  const char* verb = ev.shape.kind == RowsKind::kWrite    ? "INSERT INTO"
                     : ev.shape.kind == RowsKind::kUpdate ? "UPDATE"
                                                          : "DELETE FROM";
  RowReader reader(ev);
  Row before, after;
  nlohmann::json rows = nlohmann::json::array();
  auto image = [&](const char* clause, const Row& row, nlohmann::json& jrow, const char* key) {
    if (row.empty()) return;
    if (j) {
      nlohmann::json obj = nlohmann::json::object();
      for (size_t i = 0; i < row.size(); ++i) {
        if (std::holds_alternative<AbsentValue>(row[i])) continue;
        obj[ColumnKey(tm, i)] = ColumnValueToJson(row[i], tm.columns[i]);
      }
      jrow[key] = std::move(obj);
      return;
    }
    text += "\n### ";
    text += clause;
    for (size_t i = 0; i < row.size(); ++i) {
      if (std::holds_alternative<AbsentValue>(row[i])) continue;
      text += "\n###   @";
      text += std::to_string(i + 1);
      text += '=';
      AppendValueMariadbStyle(text, row[i], tm.columns[i]);
    }
  };
  while (reader.Next(&before, &after)) {
    nlohmann::json jrow;
    if (!j)
      fmt::format_to(std::back_inserter(text), "\n### {} `{}`.`{}`", verb, tm.database, tm.table);
    image("WHERE", before, jrow, "before");
    image("SET", after, jrow, "after");
    if (j) rows.push_back(std::move(jrow));
  }
  if (j) (*j)["rows"] = std::move(rows);
  return reader.status();
}

class Dumper {
 public:
  Dumper(const BinlogDumpOptions& o, std::ostream& out) : o_(o), out_(out) {}

  Status Print(uint64_t pos, const Event& ev, const char* prefix) {
    Status st;
    if (o_.json) {
      nlohmann::json j;
      j["pos"] = pos;
      j["type"] = EventTypeName(ev.header.type);
      j["timestamp"] = ev.header.timestamp;
      j["server_id"] = ev.header.server_id;
      j["size"] = ev.header.event_size;
      j["log_pos"] = ev.header.log_pos;
      j["flags"] = ev.header.flags;
      if (*prefix) j["inner"] = true;
      std::string unused;
      Describe(ev.body, unused, &j);
      if (o_.print_rows) {
        if (auto* rows = std::get_if<RowsEvent>(&ev.body)) st = DescribeRows(*rows, unused, &j);
      }
      out_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      return st;
    }
    text_.clear();
    fmt::format_to(std::back_inserter(text_), "{}#{} {} ts={} server_id={} size={} log_pos={}",
                   prefix, pos, EventTypeName(ev.header.type), ev.header.timestamp,
                   ev.header.server_id, ev.header.event_size, ev.header.log_pos);
    Describe(ev.body, text_, nullptr);
    if (o_.print_rows) {
      if (auto* rows = std::get_if<RowsEvent>(&ev.body)) st = DescribeRows(*rows, text_, nullptr);
    }
    text_ += '\n';
    out_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
    return st;
  }

 private:
  const BinlogDumpOptions& o_;
  std::ostream& out_;
  std::string text_;  // reused: one allocation for the whole dump
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
  if (!reader.has_magic()) {
    out << (o.json ? ""
                   : "# raw event dump (no binlog magic); positions are offsets in the file\n");
  }
  while (true) {
    auto raw = reader.Next();
    if (!raw.ok()) {
      err << "binlog dump: " << raw.error().message << '\n';
      return 1;
    }
    if (!*raw) break;
    const uint64_t pos = (*raw)->offset;
    if (o.stop_position && pos >= *o.stop_position) break;
    // Every event is decoded (FDE and TABLE_MAP state), only the requested range is printed.
    auto ev = decoder.Decode((*raw)->bytes, pos);
    if (!ev.ok()) {
      err << "binlog dump: " << ev.error().message << '\n';
      return 1;
    }
    bool print = !o.start_position || pos >= *o.start_position;
    std::vector<Event> inner;
    if (auto* p = std::get_if<TransactionPayloadEvent>(&ev->body)) {
      auto r = decoder.DecodePayloadEvents(*p, pos);
      if (!r.ok()) {
        err << "binlog dump: " << r.error().message << '\n';
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
      err << fmt::format("binlog dump: rows event at offset {}: {}\n", pos, st.error().message);
      row_errors = true;
    }
  }
  out.flush();
  return row_errors ? 1 : 0;
}

}  // namespace switchyard::binlog
