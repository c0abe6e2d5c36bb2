/* The client checklist through the proxy with libmariadb (MariaDB Connector/C), the library
 * under most C, C++, PHP (mysqlnd aside), Python mysqlclient and Ruby clients.
 * Each check compares the proxy's answer with a direct connection to the master's, so it fails
 * if the proxy alters, loses or misroutes anything. Binary protocol throughout where C/C has it.
 * Usage: libmariadb_checklist PROXY_PORT MASTER_PORT TMP_DIR [TLS:0|1] */
#include <errmsg.h>
#include <mysql.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned proxy_port, master_port;
static const char* tmp_dir;

#define CHECK_TAG "libmariadb"
#include "checklist.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static MYSQL* connect_as(unsigned port, const char* user, const char* password, bool tls) {
  MYSQL* m = mysql_init(NULL);
  unsigned timeout = 10;
  my_bool on = 1, off = 0;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &on);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned long max_packet = 64ul << 20;
  mysql_optionsv(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
  if (tls) {
    mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on);
    mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
  }
  if (!mysql_real_connect(m, "127.0.0.1", user, password, "app", port, NULL,
                          CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS | CLIENT_FOUND_ROWS)) {
    fprintf(stderr, "[libmariadb] connect to %u as %s: %u (%s) %s\n", port, user, mysql_errno(m),
            mysql_sqlstate(m), mysql_error(m));
    return m;  // caller inspects the error, then closes
  }
  return m;
}

static MYSQL* must_connect(unsigned port) {
  MYSQL* m = connect_as(port, "app", "app_pw", false);
  if (mysql_errno(m)) {
    printf("[libmariadb] FAIL: cannot connect to %u\n[libmariadb] %d passed, %d failed\n", port,
           passed, failed + 1);
    exit(1);
  }
  return m;
}

// run: a statement whose failure is a bug in the test setup (reported as such).
static bool run(MYSQL* m, const char* sql) {
  if (mysql_query(m, sql)) {
    fprintf(stderr, "[libmariadb] query failed: %s: %u %s\n", sql, mysql_errno(m), mysql_error(m));
    return false;
  }
  do {
    MYSQL_RES* r = mysql_store_result(m);
    if (r) mysql_free_result(r);
  } while (mysql_next_result(m) == 0);
  return true;
}

/* A text result set serialised with its metadata into one comparable buffer. */
typedef struct {
  char* data;
  size_t len, cap;
} Buf;
static void buf_add(Buf* b, const void* p, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = realloc(b->data, b->cap);
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
}
static void buf_printf(Buf* b, const char* fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  buf_add(b, tmp, (size_t)n);
}
static void buf_free(Buf* b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
static bool buf_eq(const Buf* a, const Buf* b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void dump_fields(Buf* out, MYSQL_FIELD* f, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    buf_printf(out, "[%s|%s|%s|%s|%s type=%d len=%lu dec=%u cs=%u flags=%u]", f[i].name,
               f[i].org_name, f[i].table, f[i].org_table, f[i].db, f[i].type, f[i].length,
               f[i].decimals, f[i].charsetnr, f[i].flags);
}

// text_result: every result set of SQL (text protocol), values and metadata; errors included.
static void text_result(MYSQL* m, const char* sql, Buf* out) {
  if (mysql_query(m, sql)) {
    buf_printf(out, "ERR %u %s %s", mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
    return;
  }
  int status;
  do {
    MYSQL_RES* r = mysql_store_result(m);
    if (r) {
      unsigned n = mysql_num_fields(r);
      dump_fields(out, mysql_fetch_fields(r), n);
      MYSQL_ROW row;
      while ((row = mysql_fetch_row(r))) {
        unsigned long* lens = mysql_fetch_lengths(r);
        buf_add(out, "\n", 1);
        for (unsigned i = 0; i < n; i++) {
          if (row[i]) {
            buf_printf(out, "%lu:", lens[i]);
            buf_add(out, row[i], lens[i]);
          } else {
            buf_add(out, "NULL", 4);
          }
          buf_add(out, "\t", 1);
        }
      }
      mysql_free_result(r);
    } else {
      buf_printf(out, "{affected=%llu warnings=%u}", (unsigned long long)mysql_affected_rows(m),
                 mysql_warning_count(m));
    }
    buf_add(out, "\n--\n", 4);
    status = mysql_next_result(m);
    if (status > 0)
      buf_printf(out, "ERR %u %s %s", mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
  } while (status == 0);
}

static void compare_text(const char* name, MYSQL* p, MYSQL* d, const char* sql) {
  Buf a = {0}, b = {0};
  text_result(p, sql, &a);
  text_result(d, sql, &b);
  check(name, buf_eq(&a, &b), "\n  proxy:  %.600s\n  direct: %.600s", a.data ? a.data : "",
        b.data ? b.data : "");
  buf_free(&a);
  buf_free(&b);
}

/* Binary protocol: executes STMT (params already bound) and serialises every row, each column
 * fetched as a string (the client library converts binary values) plus its metadata. */
static void stmt_result(MYSQL_STMT* s, Buf* out, bool use_cursor) {
  if (use_cursor) {
    unsigned long type = CURSOR_TYPE_READ_ONLY, prefetch = 3;
    mysql_stmt_attr_set(s, STMT_ATTR_CURSOR_TYPE, &type);
    mysql_stmt_attr_set(s, STMT_ATTR_PREFETCH_ROWS, &prefetch);
  }
  if (mysql_stmt_execute(s)) {
    buf_printf(out, "ERR %u %s %s", mysql_stmt_errno(s), mysql_stmt_sqlstate(s),
               mysql_stmt_error(s));
    return;
  }
  MYSQL_RES* meta = mysql_stmt_result_metadata(s);
  if (!meta) {
    buf_printf(out, "{affected=%llu}", (unsigned long long)mysql_stmt_affected_rows(s));
    return;
  }
  unsigned n = mysql_num_fields(meta);
  dump_fields(out, mysql_fetch_fields(meta), n);
  MYSQL_BIND* binds = calloc(n, sizeof(MYSQL_BIND));
  unsigned long* lens = calloc(n, sizeof(unsigned long));
  my_bool* nulls = calloc(n, sizeof(my_bool));
  char** bufs = calloc(n, sizeof(char*));
  for (unsigned i = 0; i < n; i++) {
    bufs[i] = malloc(256);
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = bufs[i];
    binds[i].buffer_length = 256;
    binds[i].length = &lens[i];
    binds[i].is_null = &nulls[i];
  }
  mysql_stmt_bind_result(s, binds);
  int rc;
  while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
    buf_add(out, "\n", 1);
    for (unsigned i = 0; i < n; i++) {
      if (nulls[i]) {
        buf_add(out, "NULL\t", 5);
        continue;
      }
      if (lens[i] > 256) {  // fetch the whole value
        char* whole = malloc(lens[i]);
        MYSQL_BIND one = {0};
        one.buffer_type = MYSQL_TYPE_STRING;
        one.buffer = whole;
        one.buffer_length = lens[i];
        mysql_stmt_fetch_column(s, &one, i, 0);
        buf_printf(out, "%lu:", lens[i]);
        buf_add(out, whole, lens[i]);
        free(whole);
      } else {
        buf_printf(out, "%lu:", lens[i]);
        buf_add(out, bufs[i], lens[i]);
      }
      buf_add(out, "\t", 1);
    }
  }
  if (rc != MYSQL_NO_DATA)
    buf_printf(out, "FETCH ERR %d %u %s", rc, mysql_stmt_errno(s), mysql_stmt_error(s));
  mysql_stmt_free_result(s);
  mysql_free_result(meta);
  for (unsigned i = 0; i < n; i++) free(bufs[i]);
  free(bufs);
  free(binds);
  free(lens);
  free(nulls);
}

// Prepares SQL on both connections, binds the same parameters, compares results.
static void compare_stmt_ex(const char* name, MYSQL* p, MYSQL* d, const char* sql,
                            MYSQL_BIND* params, bool cursor, bool expect_error) {
  Buf a = {0}, b = {0};
  MYSQL* conns[2] = {p, d};
  Buf* outs[2] = {&a, &b};
  for (int k = 0; k < 2; k++) {
    MYSQL_STMT* s = mysql_stmt_init(conns[k]);
    if (mysql_stmt_prepare(s, sql, strlen(sql))) {
      buf_printf(outs[k], "PREPARE ERR %u %s %s", mysql_stmt_errno(s), mysql_stmt_sqlstate(s),
                 mysql_stmt_error(s));
    } else {
      buf_printf(outs[k], "params=%lu ", mysql_stmt_param_count(s));
      if (params && mysql_stmt_bind_param(s, params))
        buf_printf(outs[k], "BIND ERR %s", mysql_stmt_error(s));
      stmt_result(s, outs[k], cursor);
    }
    mysql_stmt_close(s);
  }
  check(name, buf_eq(&a, &b) && (strstr(a.data, "ERR") != NULL) == expect_error,
        "\n  proxy:  %.800s\n  direct: %.800s", a.data, b.data);
  buf_free(&a);
  buf_free(&b);
}
static void compare_stmt(const char* name, MYSQL* p, MYSQL* d, const char* sql, MYSQL_BIND* params,
                         bool cursor) {
  compare_stmt_ex(name, p, d, sql, params, cursor, false);
}

// first_value: the first column of the first row of SQL as a malloc'd string, NULL if none.
static char* first_value(MYSQL* m, const char* sql) {
  if (mysql_query(m, sql)) return NULL;
  MYSQL_RES* r = mysql_store_result(m);
  char* v = NULL;
  if (r) {
    MYSQL_ROW row = mysql_fetch_row(r);
    if (row && row[0]) v = strdup(row[0]);
    mysql_free_result(r);
  }
  while (mysql_next_result(m) == 0) {
    MYSQL_RES* extra = mysql_store_result(m);
    if (extra) mysql_free_result(extra);
  }
  return v;
}
static bool value_is(MYSQL* m, const char* sql, const char* expected) {
  char* v = first_value(m, sql);
  bool ok = expected ? (v && strcmp(v, expected) == 0) : v == NULL;
  if (!ok)
    fprintf(stderr, "[libmariadb] %s -> %s (expected %s; %u %s)\n", sql, v ? v : "NULL",
            expected ? expected : "NULL", mysql_errno(m), mysql_error(m));
  free(v);
  return ok;
}

static void test_connect(void) {
  MYSQL* m = connect_as(proxy_port, "app", "wrong", false);
  MYSQL* d = connect_as(master_port, "app", "wrong", false);
  check("wrong password rejected with 1045 (28000), message as the server's",
        mysql_errno(m) == 1045 && strcmp(mysql_sqlstate(m), "28000") == 0 &&
            strncmp(mysql_error(m), "Access denied for user 'app'@", 29) == 0 &&
            strstr(mysql_error(m), "(using password: YES)") != NULL,
        "%u %s %s (direct: %s)", mysql_errno(m), mysql_sqlstate(m), mysql_error(m), mysql_error(d));
  mysql_close(m);
  mysql_close(d);
  m = connect_as(proxy_port, "nobody", "app_pw", false);
  check("unknown user rejected with 1045", mysql_errno(m) == 1045, "%u %s", mysql_errno(m),
        mysql_error(m));
  mysql_close(m);
  m = connect_as(proxy_port, "app", "app_pw", false);
  check("connect", mysql_errno(m) == 0, "%s", mysql_error(m));
  check("connect: database selected", value_is(m, "SELECT DATABASE()", "app"), NULL);
  check("connect: utf8mb4 charset",
        value_is(m, "SELECT @@character_set_client", "utf8mb4") &&
            strcmp(mysql_character_set_name(m), "utf8mb4") == 0,
        NULL);
  mysql_close(m);
}

static void test_types(MYSQL* p, MYSQL* d) {
  run(d, "DROP TABLE IF EXISTS ck_c_types");
  run(d,
      "CREATE TABLE ck_c_types (id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi "
      "MEDIUMINT, i INT,"
      " bi BIGINT UNSIGNED, f FLOAT, db DOUBLE, dc DECIMAL(65,30), dt DATE, tm TIME(3), dtm "
      "DATETIME(6),"
      " ts TIMESTAMP(6) NULL, yr YEAR, ch CHAR(10), vc VARCHAR(200), bn BINARY(4), vb "
      "VARBINARY(20),"
      " tx TEXT, mt MEDIUMTEXT, bl LONGBLOB, en ENUM('a','b'), st SET('x','y'), bt BIT(10), js "
      "JSON,"
      " ge POINT NULL, nul INT NULL) DEFAULT CHARSET=utf8mb4");
  bool ins = run(
      p,
      "INSERT INTO ck_c_types VALUES (1, -128, 65535, -8388608, -2147483648, 18446744073709551615,"
      " 1.5, 2.25, '12345678901234567890123456789012345.123456789012345678901234567891',"
      " '2024-02-29', '-838:59:59.999', '2024-02-29 23:59:59.999999', '2024-02-29 12:00:00.000001',"
      " 2155, 'char', 'v\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80', X'00010203', X'ff00', "
      "REPEAT('text', 100),"
      " REPEAT('m', 70000), REPEAT(X'00', 1000), 'b', 'x,y', b'1000000001',"
      " '{\"a\": [1, 2, {\"b\": null}]}', POINT(1, 2), NULL),"
      " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
      " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
      " (3, 127, 0, 8388607, 2147483647, 0, -3.4e38, 1.7976931348623157e308,"
      " -0.000000000000000000000000000001, '1000-01-01', '838:59:59', '1000-01-01 00:00:00.000000',"
      " '1970-01-01 00:00:01', 1901, '', '', X'', X'', '', '', '', 'a', '', b'0', '[]', NULL, 0)");
  check("insert every column type through the proxy", ins, NULL);
  /* Same connection as the write: read-your-writes lets the replica answer. */
  compare_text(
      "every column type incl. NULLs and metadata identical (text protocol, replica route)", p, d,
      "SELECT * FROM ck_c_types ORDER BY id");
  compare_text("every column type identical (text protocol, master route)", p, d,
               "/* switchyard:route=master */ SELECT * FROM ck_c_types ORDER BY id");
  compare_stmt("every column type identical (binary protocol)", p, d,
               "SELECT * FROM ck_c_types ORDER BY id", NULL, false);
  compare_stmt("every column type identical (binary protocol, cursor + COM_STMT_FETCH)", p, d,
               "SELECT * FROM ck_c_types ORDER BY id", NULL, true);
  check("DECIMAL(65,30) exact",
        value_is(p, "SELECT dc FROM ck_c_types WHERE id = 1",
                 "12345678901234567890123456789012345.123456789012345678901234567891"),
        NULL);
  check("DATETIME(6) exact",
        value_is(p, "SELECT dtm FROM ck_c_types WHERE id = 1", "2024-02-29 23:59:59.999999"), NULL);
  check("JSON exact",
        value_is(p, "SELECT js FROM ck_c_types WHERE id = 1", "{\"a\": [1, 2, {\"b\": null}]}"),
        NULL);
}

static void test_blob(MYSQL* p, MYSQL* d) {
  const size_t n = 20u << 20;
  unsigned char* blob = malloc(n);
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < n; i++) {  // xorshift: incompressible, deterministic
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    blob[i] = (unsigned char)x;
  }
  run(p, "DROP TABLE IF EXISTS ck_c_blob");
  run(p, "CREATE TABLE ck_c_blob (id INT PRIMARY KEY, b LONGBLOB)");
  // id 1: the whole blob in one COM_STMT_EXECUTE (a multi-frame packet); id 2:
  // COM_STMT_SEND_LONG_DATA.
  MYSQL_STMT* s = mysql_stmt_init(p);
  const char* ins = "INSERT INTO ck_c_blob VALUES (?, ?)";
  bool ok = mysql_stmt_prepare(s, ins, strlen(ins)) == 0;
  int id = 1;
  unsigned long len = n;
  MYSQL_BIND b[2];
  memset(b, 0, sizeof b);
  b[0].buffer_type = MYSQL_TYPE_LONG;
  b[0].buffer = &id;
  b[1].buffer_type = MYSQL_TYPE_LONG_BLOB;
  b[1].buffer = blob;
  b[1].buffer_length = n;
  b[1].length = &len;
  ok = ok && mysql_stmt_bind_param(s, b) == 0 && mysql_stmt_execute(s) == 0;
  check("20 MB BLOB as one COM_STMT_EXECUTE parameter", ok, "%u %s", mysql_stmt_errno(s),
        mysql_stmt_error(s));
  id = 2;
  ok = mysql_stmt_bind_param(s, b) == 0;
  for (size_t off = 0; ok && off < n; off += 1u << 20)
    ok = mysql_stmt_send_long_data(s, 1, (const char*)blob + off, 1u << 20) == 0;
  ok = ok && mysql_stmt_execute(s) == 0;
  check("20 MB BLOB via COM_STMT_SEND_LONG_DATA", ok, "%u %s", mysql_stmt_errno(s),
        mysql_stmt_error(s));
  mysql_stmt_close(s);

  // Read back: text protocol (a 20 MB row is two frames), then binary protocol.
  bool text_ok = false;
  if (mysql_query(p, "/* switchyard:route=master */ SELECT b FROM ck_c_blob ORDER BY id") == 0) {
    MYSQL_RES* r = mysql_store_result(p);
    int rows = 0, same = 0;
    MYSQL_ROW row;
    while (r && (row = mysql_fetch_row(r))) {
      rows++;
      unsigned long* l = mysql_fetch_lengths(r);
      if (l[0] == n && memcmp(row[0], blob, n) == 0) same++;
    }
    if (r) mysql_free_result(r);
    text_ok = rows == 2 && same == 2;
  }
  check("20 MB BLOB round trip (text protocol)", text_ok, "%u %s", mysql_errno(p), mysql_error(p));

  s = mysql_stmt_init(p);
  const char* sel = "SELECT b FROM ck_c_blob WHERE id = 2";
  unsigned char* back = malloc(n);
  unsigned long back_len = 0;
  MYSQL_BIND r[1];
  memset(r, 0, sizeof r);
  r[0].buffer_type = MYSQL_TYPE_LONG_BLOB;
  r[0].buffer = back;
  r[0].buffer_length = n;
  r[0].length = &back_len;
  ok = mysql_stmt_prepare(s, sel, strlen(sel)) == 0 && mysql_stmt_execute(s) == 0 &&
       mysql_stmt_bind_result(s, r) == 0 && mysql_stmt_fetch(s) == 0;
  check("20 MB BLOB round trip (binary protocol)",
        ok && back_len == n && memcmp(back, blob, n) == 0, "%u %s len=%lu", mysql_stmt_errno(s),
        mysql_stmt_error(s), back_len);
  mysql_stmt_close(s);
  compare_text("20 MB BLOBs stored intact", p, d,
               "SELECT id, LENGTH(b), SHA2(b, 256) FROM ck_c_blob ORDER BY id");
  free(back);
  free(blob);
  run(d, "DROP TABLE ck_c_blob");
}

/* Every MYSQL_TYPE_* a parameter can have, echoed by SELECT and stored by INSERT. */
static void test_prepared(MYSQL* p, MYSQL* d) {
  signed char tiny = -7;
  short shrt = -32768;
  int lng = 2147483647;
  long long llong = -9223372036854775807LL - 1;
  unsigned long long ullong = 18446744073709551615ULL;
  float flt = 1.25f;
  double dbl = -1.7976931348623157e308;
  const char* dec = "-12345678901234567890123456789012345.123456789012345678901234567891";
  const char* str = "v\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80 'quoted' \\";
  const char* json = "{\"k\": [1, null]}";
  unsigned char bin[5] = {0, 0xff, 0x27, 0x5c, 0};
  short year = 2155;
  MYSQL_TIME date = {.year = 2024, .month = 2, .day = 29, .time_type = MYSQL_TIMESTAMP_DATE};
  MYSQL_TIME time = {.hour = 838,
                     .minute = 59,
                     .second = 58,
                     .second_part = 999999,
                     .neg = 1,
                     .time_type = MYSQL_TIMESTAMP_TIME};
  MYSQL_TIME dtm = {.year = 2024,
                    .month = 2,
                    .day = 29,
                    .hour = 23,
                    .minute = 59,
                    .second = 59,
                    .second_part = 999999,
                    .time_type = MYSQL_TIMESTAMP_DATETIME};
  MYSQL_TIME ts = {
      .year = 1970, .month = 1, .day = 2, .second_part = 1, .time_type = MYSQL_TIMESTAMP_DATETIME};
  unsigned long dec_len = strlen(dec), str_len = strlen(str), json_len = strlen(json),
                bin_len = sizeof bin;
  my_bool is_null = 1;

  enum { N = 19 };
  MYSQL_BIND b[N];
  memset(b, 0, sizeof b);
  int k = 0;
#define BIND(T, ptr, len, uns) \
  b[k].buffer_type = T;        \
  b[k].buffer = (void*)(ptr);  \
  b[k].buffer_length = len;    \
  b[k].is_unsigned = uns;      \
  k++
  BIND(MYSQL_TYPE_TINY, &tiny, 0, 0);
  BIND(MYSQL_TYPE_SHORT, &shrt, 0, 0);
  BIND(MYSQL_TYPE_LONG, &lng, 0, 0);
  BIND(MYSQL_TYPE_LONGLONG, &llong, 0, 0);
  BIND(MYSQL_TYPE_LONGLONG, &ullong, 0, 1);
  BIND(MYSQL_TYPE_FLOAT, &flt, 0, 0);
  BIND(MYSQL_TYPE_DOUBLE, &dbl, 0, 0);
  BIND(MYSQL_TYPE_NEWDECIMAL, dec, dec_len, 0);
  BIND(MYSQL_TYPE_STRING, str, str_len, 0);
  BIND(MYSQL_TYPE_VAR_STRING, json, json_len, 0);
  BIND(MYSQL_TYPE_BLOB, bin, bin_len, 0);
  BIND(MYSQL_TYPE_YEAR, &year, 0, 0);
  BIND(MYSQL_TYPE_DATE, &date, 0, 0);
  BIND(MYSQL_TYPE_TIME, &time, 0, 0);
  BIND(MYSQL_TYPE_DATETIME, &dtm, 0, 0);
  BIND(MYSQL_TYPE_TIMESTAMP, &ts, 0, 0);
  BIND(MYSQL_TYPE_NULL, NULL, 0, 0);
  BIND(MYSQL_TYPE_LONG, &lng, 0, 0);
  b[k - 1].is_null = &is_null;  // a typed parameter that is NULL
  BIND(MYSQL_TYPE_TINY_BLOB, bin, bin_len, 0);
#undef BIND
  compare_stmt("binary protocol: every MYSQL_TYPE_* parameter echoed identically", p, d,
               "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, HEX(?), ?, ?, ?, ?, ?, ?, ?, HEX(?)", b,
               false);

  run(d, "DROP TABLE IF EXISTS ck_c_ps");
  run(d,
      "CREATE TABLE ck_c_ps (id INT AUTO_INCREMENT PRIMARY KEY, ti TINYINT, si SMALLINT, i INT, bi "
      "BIGINT,"
      " ub BIGINT UNSIGNED, f FLOAT, db DOUBLE, dc DECIMAL(65,30), s VARCHAR(100), js JSON, bl "
      "BLOB, yr YEAR,"
      " dt DATE, tm TIME(6), dtm DATETIME(6), ts TIMESTAMP(6) NULL, n1 INT, n2 INT, tb TINYBLOB)"
      " DEFAULT CHARSET=utf8mb4");
  const char* ins =
      "INSERT INTO ck_c_ps (ti, si, i, bi, ub, f, db, dc, s, js, bl, yr, dt, tm, dtm, ts, n1, n2, "
      "tb)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  compare_stmt("binary protocol: INSERT with every parameter type", p, d, ins, b, false);
  // Executed twice on the proxy (once above, once here with new values) and twice directly.
  MYSQL_STMT* s = mysql_stmt_init(p);
  bool ok = mysql_stmt_prepare(s, ins, strlen(ins)) == 0 && mysql_stmt_bind_param(s, b) == 0;
  tiny = 1;
  ok = ok && mysql_stmt_execute(s) == 0 && mysql_stmt_reset(s) == 0;
  tiny = 2;
  ok = ok && mysql_stmt_execute(s) == 0;
  check("binary protocol: re-execute and COM_STMT_RESET", ok, "%s", mysql_stmt_error(s));
  mysql_stmt_close(s);
  check("COM_STMT_CLOSE leaves the connection usable", value_is(p, "SELECT 1", "1"), NULL);
  compare_text(
      "rows inserted with every parameter type identical", p, d,
      "/* switchyard:route=master */ SELECT * FROM ck_c_ps WHERE id IN (1, 2) ORDER BY id");
  check("binary protocol: parameters stored",
        value_is(d, "SELECT COUNT(*) FROM ck_c_ps WHERE ti IN (1, 2)", "2"), NULL);

  // A prepared SELECT with parameters, run via cursor (COM_STMT_FETCH) and plainly.
  int from = 0;
  MYSQL_BIND one[1];
  memset(one, 0, sizeof one);
  one[0].buffer_type = MYSQL_TYPE_LONG;
  one[0].buffer = &from;
  compare_stmt("binary protocol: SELECT with parameter through a cursor", p, d,
               "SELECT id, dc, dtm, js, HEX(bl) FROM ck_c_ps WHERE id > ? ORDER BY id", one, true);
  compare_stmt_ex("binary protocol: prepare error identical", p, d,
                  "SELECT * FROM no_such_table WHERE id = ?", one, false, true);
  compare_stmt_ex("binary protocol: execute error identical", p, d,
                  "SELECT 1 FROM DUAL WHERE ? = (SELECT 1 UNION SELECT 2)", one, false, true);
}

// Text-protocol PREPARE and EXECUTE as separate statements on a fresh session: the EXECUTE of a
// read may be routed to a replica; it must find the statement there.
static void test_text_prepare(void) {
  MYSQL* m = must_connect(proxy_port);
  bool ok = run(m, "PREPARE ck_s FROM 'SELECT ? * 2'") && run(m, "SET @v = 21");
  check("text PREPARE, then EXECUTE as its own statement",
        ok && value_is(m, "EXECUTE ck_s USING @v", "42"), "%u %s", mysql_errno(m), mysql_error(m));
  check("text EXECUTE after DEALLOCATE fails with 1243",
        run(m, "DEALLOCATE PREPARE ck_s") && mysql_query(m, "EXECUTE ck_s USING @v") != 0 &&
            mysql_errno(m) == 1243,
        "%u %s", mysql_errno(m), mysql_error(m));
  mysql_close(m);
}

static void test_multi(MYSQL* p, MYSQL* d) {
  Buf a = {0};
  text_result(p, "SELECT 1; SELECT 2, 3; DO 0; SELECT 'x'", &a);
  check("multi-statements: all result sets through mysql_next_result",
        a.data && strstr(a.data, "1:1") && strstr(a.data, "1:2\t1:3") && strstr(a.data, "1:x") &&
            strstr(a.data, "affected=0"),
        "%s", a.data);
  buf_free(&a);
  compare_text("multi-statements identical to direct", p, d,
               "SELECT 1; SELECT 2, 3; DO 0; SELECT 'x'");
  compare_text("multi-statements stopping at an error identical", p, d,
               "SELECT 1; SELECT * FROM no_such_table; SELECT 3");
  check("connection usable after a failed multi-statement", value_is(p, "SELECT 5", "5"), NULL);
  // CALL returns a result set and then a final OK (CLIENT_MULTI_RESULTS).
  run(d, "DROP PROCEDURE IF EXISTS ck_c_proc");
  run(d, "CREATE PROCEDURE ck_c_proc() BEGIN SELECT 1; SELECT 2; END");
  compare_text("CALL with several result sets identical", p, d, "CALL ck_c_proc()");
  run(d, "DROP PROCEDURE ck_c_proc");
}

static void test_transactions(MYSQL* p, MYSQL* d) {
  run(p, "DROP TABLE IF EXISTS ck_c_tx");
  run(p, "CREATE TABLE ck_c_tx (id INT PRIMARY KEY)");
  mysql_autocommit(p, 0);
  run(p, "INSERT INTO ck_c_tx VALUES (1)");
  check("statements inside a transaction run on the master", value_is(p, "SELECT @@server_id", "1"),
        NULL);
  check("transaction sees its own write", value_is(p, "SELECT COUNT(*) FROM ck_c_tx", "1"), NULL);
  check("mysql_rollback", mysql_rollback(p) == 0, "%s", mysql_error(p));
  run(p, "INSERT INTO ck_c_tx VALUES (2)");
  check("mysql_commit", mysql_commit(p) == 0, "%s", mysql_error(p));
  mysql_autocommit(p, 1);
  run(p, "START TRANSACTION");
  run(p, "INSERT INTO ck_c_tx VALUES (3)");
  run(p, "ROLLBACK");
  check("rollback discards, commit keeps",
        value_is(d, "SELECT GROUP_CONCAT(id ORDER BY id) FROM ck_c_tx", "2"), NULL);
  run(d, "DROP TABLE ck_c_tx");
}

static void test_errors(MYSQL* p, MYSQL* d) {
  const char* bad[] = {"SELECT * FROM no_such_table",
                       "SELEC 1",
                       "SELECT nocol FROM ck_c_types",
                       "INSERT INTO ck_c_types (id) VALUES (1)",
                       "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom', MYSQL_ERRNO = 1644",
                       "SELECT 1 FROM DUAL WHERE 1 = (SELECT 1 UNION SELECT 2)"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    int rp = mysql_query(p, bad[i]);
    unsigned ep = mysql_errno(p);
    char sp[6], mp[512];
    snprintf(sp, sizeof sp, "%s", mysql_sqlstate(p));
    snprintf(mp, sizeof mp, "%s", mysql_error(p));
    int rd = mysql_query(d, bad[i]);
    char name[160];
    snprintf(name, sizeof name, "error code/SQLSTATE/message identical: %.100s", bad[i]);
    check(name,
          rp && rd && ep == mysql_errno(d) && strcmp(sp, mysql_sqlstate(d)) == 0 &&
              strcmp(mp, mysql_error(d)) == 0,
          "proxy %u %s %s; direct %u %s %s", ep, sp, mp, mysql_errno(d), mysql_sqlstate(d),
          mysql_error(d));
  }
  unsigned warnings[2] = {99, 99};
  MYSQL* both[2] = {p, d};
  for (int k = 0; k < 2; k++) {
    if (mysql_query(both[k], "SELECT 1/0")) continue;
    MYSQL_RES* r = mysql_store_result(both[k]);  // the count arrives with the last packet
    if (r) mysql_free_result(r);
    warnings[k] = mysql_warning_count(both[k]);
  }
  check("warning count identical", warnings[0] == 1 && warnings[1] == 1, "proxy %u direct %u",
        warnings[0], warnings[1]);
  compare_text("SHOW WARNINGS after a warning identical", p, d, "SELECT 1/0; SHOW WARNINGS");
}

typedef struct {
  MYSQL* conn;
  double elapsed;
  unsigned err;
  char value[32];
} Sleeper;
static void* sleeper(void* arg) {
  Sleeper* s = arg;
  double t0 = now_s();
  if (mysql_query(s->conn, "SELECT SLEEP(30)")) {
    s->err = mysql_errno(s->conn);
  } else {
    MYSQL_RES* r = mysql_store_result(s->conn);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    snprintf(s->value, sizeof s->value, "%s", row && row[0] ? row[0] : "?");
    if (r) mysql_free_result(r);
  }
  s->elapsed = now_s() - t0;
  return NULL;
}

static void test_kill(MYSQL* p) {
  MYSQL* victim = must_connect(proxy_port);
  unsigned long id = mysql_thread_id(victim);
  Sleeper s = {.conn = victim};
  pthread_t t;
  pthread_create(&t, NULL, sleeper, &s);
  usleep(500000);
  char sql[64];
  snprintf(sql, sizeof sql, "KILL QUERY %lu", id);
  double t0 = now_s();
  bool killed = mysql_query(p, sql) == 0;
  check("KILL QUERY <mysql_thread_id> accepted", killed, "%u %s", mysql_errno(p), mysql_error(p));
  pthread_join(t, NULL);
  double since_kill = now_s() - t0;
  check("KILL QUERY cancels SLEEP(30) within a second", since_kill < 1.0,
        "%.2f s after KILL (err %u value %s)", since_kill, s.err, s.value);
  check("killed statement's session still usable", value_is(victim, "SELECT 7", "7"), NULL);
  snprintf(sql, sizeof sql, "KILL QUERY %lu", id + 100000);
  check("KILL QUERY of an unknown id fails with 1094",
        mysql_query(p, sql) != 0 && mysql_errno(p) == 1094, "%u %s", mysql_errno(p),
        mysql_error(p));
  // mysql_kill ends the whole connection.
  check("mysql_kill", mysql_kill(p, id) == 0, "%u %s", mysql_errno(p), mysql_error(p));
  usleep(200000);
  bool gone =
      mysql_query(victim, "SELECT 1") != 0 &&
      (mysql_errno(victim) == CR_SERVER_LOST || mysql_errno(victim) == CR_SERVER_GONE_ERROR ||
       mysql_errno(victim) == 1927 /* ER_CONNECTION_KILLED */);
  check("mysql_kill ends the victim's connection", gone, "%u %s", mysql_errno(victim),
        mysql_error(victim));
  mysql_close(victim);
}

static void test_load_data(MYSQL* p, MYSQL* d) {
  char path[512];
  snprintf(path, sizeof path, "%s/load.tsv", tmp_dir);
  FILE* f = fopen(path, "w");
  for (int i = 0; i < 100000; i++) fprintf(f, "%d\trow %d\n", i, i);
  fclose(f);
  run(p, "DROP TABLE IF EXISTS ck_c_load");
  run(p, "CREATE TABLE ck_c_load (id INT PRIMARY KEY, v VARCHAR(32))");
  char sql[700];
  snprintf(sql, sizeof sql, "LOAD DATA LOCAL INFILE '%s' INTO TABLE ck_c_load", path);
  bool ok = mysql_query(p, sql) == 0;
  check("LOAD DATA LOCAL INFILE accepted", ok && mysql_affected_rows(p) == 100000,
        "%u %s affected=%llu", mysql_errno(p), mysql_error(p),
        (unsigned long long)mysql_affected_rows(p));
  check("LOAD DATA LOCAL INFILE 100k rows",
        value_is(d, "SELECT CONCAT(COUNT(*), ' ', SUM(id)) FROM ck_c_load", "100000 4999950000"),
        NULL);
  snprintf(sql, sizeof sql, "LOAD DATA LOCAL INFILE '%s/no_such_file' INTO TABLE ck_c_load",
           tmp_dir);
  int rp = mysql_query(p, sql);
  unsigned ep = mysql_errno(p);
  int rd = mysql_query(d, sql);
  check("LOAD DATA LOCAL of a missing file: same error as direct", rp && rd && ep == mysql_errno(d),
        "proxy %u direct %u %s", ep, mysql_errno(d), mysql_error(d));
  check("session usable after a failed LOAD DATA LOCAL", value_is(p, "SELECT 8", "8"), NULL);
  run(d, "DROP TABLE ck_c_load");
  unlink(path);
}

static void test_change_user_and_reset(void) {
  MYSQL* m = must_connect(proxy_port);
  unsigned long id = mysql_thread_id(m);
  run(m, "SET @x = 5");
  run(m, "CREATE TEMPORARY TABLE ck_c_tmp (i INT)");
  check("user variable set", value_is(m, "SELECT @x", "5"), NULL);
  check("mysql_change_user (same user, no database)",
        mysql_change_user(m, "app", "app_pw", NULL) == 0, "%u %s", mysql_errno(m), mysql_error(m));
  check("change_user: database cleared", value_is(m, "SELECT DATABASE()", NULL), NULL);
  check("change_user: user variable gone",
        value_is(m, "/* switchyard:route=master */ SELECT @x", NULL), NULL);
  check("change_user: temporary table gone",
        mysql_query(m, "SELECT * FROM app.ck_c_tmp") != 0 && mysql_errno(m) == 1146, "%u %s",
        mysql_errno(m), mysql_error(m));
  check("mysql_change_user back to database app", mysql_change_user(m, "app", "app_pw", "app") == 0,
        "%u %s", mysql_errno(m), mysql_error(m));
  check("change_user: database app", value_is(m, "SELECT DATABASE()", "app"), NULL);
  check("change_user: writes and reads work",
        run(m, "DO 1") && value_is(m, "SELECT CURRENT_USER() LIKE 'app@%'", "1"), NULL);

  run(m, "SET @x = 6, time_zone = '+03:00'");
  run(m, "CREATE TEMPORARY TABLE ck_c_tmp (i INT)");
  run(m, "PREPARE ck_s FROM 'SELECT 1'");
  check("mysql_reset_connection", mysql_reset_connection(m) == 0, "%u %s", mysql_errno(m),
        mysql_error(m));
  check("reset: thread id unchanged", mysql_thread_id(m) == id, "%lu vs %lu", mysql_thread_id(m),
        id);
  check("reset: user variable gone (master)",
        value_is(m, "/* switchyard:route=master */ SELECT @x", NULL), NULL);
  check("reset: user variable gone (replica)", value_is(m, "SELECT @x", NULL), NULL);
  check("reset: time_zone back to default", value_is(m, "SELECT @@time_zone", "SYSTEM"), NULL);
  check("reset: temporary table gone",
        mysql_query(m, "SELECT * FROM ck_c_tmp") != 0 && mysql_errno(m) == 1146, "%u %s",
        mysql_errno(m), mysql_error(m));
  check("reset: text prepared statement gone",
        mysql_query(m, "EXECUTE ck_s") != 0 && mysql_errno(m) == 1243, "%u %s", mysql_errno(m),
        mysql_error(m));
  check("reset: database kept", value_is(m, "SELECT DATABASE()", "app"), NULL);

  check("mysql_change_user with a wrong password fails with 1045",
        mysql_change_user(m, "app", "wrong", "app") != 0 && mysql_errno(m) == 1045, "%u %s",
        mysql_errno(m), mysql_error(m));
  mysql_close(m);
}

// Five TLS connects that verify the proxy's (self-signed) certificate: with a CA, libmariadb sends
// its ClientHello right behind the SSLRequest, often in the same TCP segment.
static void test_tls_verified(void) {
  int ok = 0, slow = 0;
  char path[512], err[256] = "";
  snprintf(path, sizeof path, "%s/server.pem", tmp_dir);
  for (int i = 0; i < 5; i++) {
    MYSQL* m = mysql_init(NULL);
    unsigned timeout = 3;
    my_bool on = 1;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_SSL_CA, path);
    mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    double t0 = now_s();
    if (mysql_real_connect(m, "127.0.0.1", "app", "app_pw", "app", proxy_port, NULL, 0) &&
        mysql_get_ssl_cipher(m) && value_is(m, "SELECT 42", "42"))
      ok++;
    else
      snprintf(err, sizeof err, "%s", mysql_error(m));
    if (now_s() - t0 > 2) slow++;
    mysql_close(m);
  }
  check("TLS connect with server certificate verification, 5 of 5", ok == 5,
        "%d of 5 (%d slow): %s", ok, slow, err);
}

static void test_tls(MYSQL* d) {
  MYSQL* m = connect_as(proxy_port, "app", "app_pw", true);
  const char* cipher = mysql_errno(m) ? NULL : mysql_get_ssl_cipher(m);
  check("TLS connect", cipher != NULL, "%u %s", mysql_errno(m), mysql_error(m));
  if (cipher) {
    check("query over TLS", value_is(m, "SELECT 42", "42"), NULL);
    compare_stmt("prepared statement over TLS", m, d, "SELECT * FROM ck_c_types ORDER BY id", NULL,
                 false);
  }
  mysql_close(m);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s PROXY_PORT MASTER_PORT TMP_DIR [TLS]\n", argv[0]);
    return 2;
  }
  proxy_port = (unsigned)atoi(argv[1]);
  master_port = (unsigned)atoi(argv[2]);
  tmp_dir = argv[3];
  bool tls = argc > 4 && atoi(argv[4]);
  mysql_library_init(0, NULL, NULL);
  printf("[libmariadb] client %s\n", mysql_get_client_info());
  test_connect();
  test_text_prepare();  // first: before the big writes below can make the replicas lag
  MYSQL* p = must_connect(proxy_port);
  MYSQL* d = must_connect(master_port);
  test_types(p, d);
  test_blob(p, d);
  test_prepared(p, d);
  test_multi(p, d);
  test_transactions(p, d);
  test_errors(p, d);
  test_kill(p);
  test_load_data(p, d);
  test_change_user_and_reset();
  if (tls) {
    test_tls(d);
    test_tls_verified();
  }
  run(d, "DROP TABLE IF EXISTS ck_c_types, ck_c_ps");
  mysql_close(p);
  mysql_close(d);
  mysql_library_end();
  printf("[libmariadb] %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
