#include "failover/sql_session.h"

#include <mysql.h>

#include <mutex>

namespace switchyard::failover {
namespace {

// mysql_library_init is not thread-safe; every connection goes through here first.
void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

}  // namespace

void SqlSession::Closer::operator()(st_mysql* mysql) const {
  mysql_close(mysql);
}

SqlSession::SqlSession(conf::Endpoint address, std::string user, std::string password,
                       uint32_t timeout_ms)
    : address_(std::move(address)),
      user_(std::move(user)),
      password_(std::move(password)),
      timeout_ms_(timeout_ms) {}

SqlSession::~SqlSession() = default;

std::string SqlSession::LastError(std::string_view sql) const {
  std::string out = address_.ToString() + ": " + std::string(sql);
  if (conn_) {
    out += ": ";
    out += mysql_error(conn_.get());
    out += " (" + std::to_string(mysql_errno(conn_.get())) + ")";
  }
  return out;
}

std::string SqlSession::ServerInfo() const {
  return conn_ ? mysql_get_server_info(conn_.get()) : "";
}

unsigned long SqlSession::ServerVersion() const {
  return conn_ ? mysql_get_server_version(conn_.get()) : 0;
}

Status SqlSession::Connect() {
  if (conn_) return Status::Ok();
  InitLibraryOnce();
  conn_.reset(mysql_init(nullptr));
  if (!conn_) return MakeError("mysql_init failed (out of memory)");
  // libmariadb takes these timeouts in whole seconds; round up so 1500 ms is 2 s, never 0
  // (0 would mean "wait forever"). The monitor abandons a slower check at timeout_ms anyway.
  unsigned int seconds = std::max<unsigned int>((timeout_ms_ + 999) / 1000, 1);
  unsigned int protocol = MYSQL_PROTOCOL_TCP;  // "localhost" must not silently mean a socket
  my_bool no_reconnect = 0;
  mysql_options(conn_.get(), MYSQL_OPT_CONNECT_TIMEOUT, &seconds);
  mysql_options(conn_.get(), MYSQL_OPT_READ_TIMEOUT, &seconds);
  mysql_options(conn_.get(), MYSQL_OPT_WRITE_TIMEOUT, &seconds);
  mysql_options(conn_.get(), MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(conn_.get(), MYSQL_OPT_RECONNECT, &no_reconnect);
  if (!mysql_real_connect(conn_.get(), address_.host.c_str(), user_.c_str(), password_.c_str(),
                          nullptr, address_.port, nullptr, 0)) {
    std::string error = LastError("connect");
    conn_.reset();
    return MakeError(std::move(error));
  }
  return Status::Ok();
}

Result<std::vector<ResultRow>> SqlSession::Query(std::string_view sql) {
  if (Status st = Connect(); !st) return st.error();
  if (mysql_real_query(conn_.get(), sql.data(), sql.size()) != 0) {
    std::string error = LastError(sql);
    conn_.reset();
    return MakeError(std::move(error));
  }
  MYSQL_RES* raw = mysql_store_result(conn_.get());
  if (!raw) {
    if (mysql_field_count(conn_.get()) == 0) return std::vector<ResultRow>{};
    std::string error = LastError(sql);
    conn_.reset();
    return MakeError(std::move(error));
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> res(raw, &mysql_free_result);
  unsigned int fields = mysql_num_fields(res.get());
  MYSQL_FIELD* meta = mysql_fetch_fields(res.get());
  std::vector<ResultRow> rows;
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
    unsigned long* lengths = mysql_fetch_lengths(res.get());
    ResultRow out;
    for (unsigned int i = 0; i < fields; ++i) {
      std::optional<std::string> value;
      if (row[i]) value.emplace(row[i], lengths[i]);
      out.emplace_back(std::string(meta[i].name, meta[i].name_length), std::move(value));
    }
    rows.push_back(std::move(out));
  }
  return rows;
}

Status SqlSession::Execute(std::string_view sql) {
  auto rows = Query(sql);
  if (!rows) return rows.error();
  return Status::Ok();
}

Result<std::string> SqlSession::QueryValue(std::string_view sql) {
  auto rows = Query(sql);
  if (!rows) return rows.error();
  if (rows->empty() || rows->front().empty()) return std::string();
  return rows->front().front().second.value_or("");
}

Result<std::optional<ReplicationStatus>> SqlSession::SlaveStatus() {
  auto rows = Query("SHOW SLAVE STATUS");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ReplicationStatus>();
  auto status = ReplicationStatusFromRow(rows->front());
  if (!status) return status.error();
  return std::optional<ReplicationStatus>(std::move(*status));
}

std::string SqlQuote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace switchyard::failover
