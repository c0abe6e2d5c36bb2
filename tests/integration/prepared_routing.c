/* Binary-protocol prepared statements through the split proxy, with libmariadb's server-side
 * prepared statements: reads run on the replicas and writes on the master (told by @@server_id),
 * one statement prepared once and executed 1,000 times alternating writes and reads returns every
 * row just written, a statement re-executed on a backend that never saw its parameter types, long
 * data sent to a read on a replica, cursor fetches, and re-preparation after the proxy's replica
 * connections are killed.
 * Usage: prepared_routing PROXY_PORT DB1_PORT DB2_PORT DB3_PORT */
#include <mysql.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_TAG "prepared_routing"
#include "../clients/checklist.h"

static MYSQL* connect_to(unsigned port) {
  MYSQL* m = mysql_init(NULL);
  unsigned timeout = 10;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (!mysql_real_connect(m, "127.0.0.1", "app", "app_pw", "app", port, NULL, 0)) {
    fprintf(stderr, "connect to %u: %s\n", port, mysql_error(m));
    exit(2);
  }
  return m;
}

static long long query_int(MYSQL* m, const char* sql) {
  if (mysql_query(m, sql)) {
    fprintf(stderr, "%s: %s\n", sql, mysql_error(m));
    return -1;
  }
  MYSQL_RES* r = mysql_store_result(m);
  if (!r) return -1;
  MYSQL_ROW row = mysql_fetch_row(r);
  long long v = row && row[0] ? atoll(row[0]) : -1;
  mysql_free_result(r);
  return v;
}

static void run(MYSQL* m, const char* sql) {
  if (mysql_query(m, sql)) fprintf(stderr, "%s: %s\n", sql, mysql_error(m));
}

static MYSQL_STMT* prepare(MYSQL* m, const char* sql) {
  MYSQL_STMT* s = mysql_stmt_init(m);
  if (mysql_stmt_prepare(s, sql, strlen(sql))) {
    fprintf(stderr, "prepare %s: %s\n", sql, mysql_stmt_error(s));
    exit(2);
  }
  return s;
}

/* Executes `s` (parameters bound by the caller) and reads up to `max_rows` rows of `ncols` BIGINT
 * columns into `out` (row-major). Returns the row count, or -1 with the error printed. */
static int exec_ints(MYSQL_STMT* s, int ncols, long long* out, int max_rows) {
  if (mysql_stmt_execute(s)) {
    fprintf(stderr, "execute: %u %s\n", mysql_stmt_errno(s), mysql_stmt_error(s));
    return -1;
  }
  if (ncols == 0) return 0;
  MYSQL_BIND b[4];
  long long v[4];
  my_bool nul[4];
  memset(b, 0, sizeof b);
  for (int i = 0; i < ncols; i++) {
    b[i].buffer_type = MYSQL_TYPE_LONGLONG;
    b[i].buffer = &v[i];
    b[i].is_null = &nul[i];
  }
  mysql_stmt_bind_result(s, b);
  int rows = 0, rc;
  while ((rc = mysql_stmt_fetch(s)) == 0) {
    if (rows < max_rows)
      for (int i = 0; i < ncols; i++) out[rows * ncols + i] = nul[i] ? -1 : v[i];
    rows++;
  }
  if (rc != MYSQL_NO_DATA) {
    fprintf(stderr, "fetch: %d %u %s\n", rc, mysql_stmt_errno(s), mysql_stmt_error(s));
    rows = -1;
  }
  mysql_stmt_free_result(s);
  return rows;
}

static void bind_ll(MYSQL_BIND* b, long long* v) {
  memset(b, 0, sizeof *b);
  b->buffer_type = MYSQL_TYPE_LONGLONG;
  b->buffer = v;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s PROXY_PORT DB1_PORT DB2_PORT DB3_PORT\n", argv[0]);
    return 2;
  }
  unsigned proxy = atoi(argv[1]);
  long long master_id, replica_id[2];
  {
    MYSQL* d = connect_to(atoi(argv[2]));
    master_id = query_int(d, "SELECT @@server_id");
    run(d, "DROP TABLE IF EXISTS app.ps_routing");
    run(d, "CREATE TABLE app.ps_routing (id INT PRIMARY KEY, v BIGINT)");
    mysql_close(d);
    for (int i = 0; i < 2; i++) {
      d = connect_to(atoi(argv[3 + i]));
      replica_id[i] = query_int(d, "SELECT @@server_id");
      mysql_close(d);
    }
  }
#define IS_REPLICA(id) ((id) == replica_id[0] || (id) == replica_id[1])
  MYSQL* p = connect_to(proxy);
  /* The table must be on the replicas before reads of it start there. */
  for (int i = 0; i < 500 && query_int(p, "SELECT COUNT(*) FROM information_schema.tables "
                                          "WHERE table_schema = 'app' AND table_name = 'ps_routing'") != 1;
       i++)
    ;

  /* 1. A read prepared once and executed 300 times: every execution on a replica. */
  {
    MYSQL_STMT* s = prepare(p, "SELECT @@server_id");
    int on_replica = 0, on_master = 0, errors = 0;
    for (int i = 0; i < 300; i++) {
      long long id = -1;
      if (exec_ints(s, 1, &id, 1) != 1) errors++;
      else if (IS_REPLICA(id)) on_replica++;
      else if (id == master_id) on_master++;
    }
    check("300 executions of a prepared read all ran on replicas", on_replica == 300,
          "replicas %d, master %d, errors %d", on_replica, on_master, errors);
    /* Inside a transaction the same statement runs on the master. */
    run(p, "BEGIN");
    long long id = -1;
    int rows = exec_ints(s, 1, &id, 1);
    run(p, "COMMIT");
    check("inside BEGIN..COMMIT the prepared read runs on the master", rows == 1 && id == master_id,
          "server_id %lld (master %lld)", id, master_id);
    mysql_stmt_close(s);
  }

  /* 2. Writes on the master, each immediately read back through a prepared read: 500 writes and
   *    500 reads alternating, every read sees its row (read-your-writes across backends). */
  {
    MYSQL_STMT* w = prepare(p, "INSERT INTO ps_routing (id, v) VALUES (?, ?)");
    MYSQL_STMT* r = prepare(p, "SELECT v, @@server_id FROM ps_routing WHERE id = ?");
    long long wid, wv, rid;
    MYSQL_BIND wb[2], rb[1];
    bind_ll(&wb[0], &wid);
    bind_ll(&wb[1], &wv);
    bind_ll(&rb[0], &rid);
    mysql_stmt_bind_param(w, wb);
    mysql_stmt_bind_param(r, rb);
    int correct = 0, wrong = 0, errors = 0, reads_on_replica = 0;
    for (int i = 1; i <= 500; i++) {
      wid = i;
      wv = i * 7;
      if (exec_ints(w, 0, NULL, 0) != 0 || mysql_stmt_affected_rows(w) != 1) {
        errors++;
        continue;
      }
      rid = i;
      long long out[2] = {-1, -1};
      int n = exec_ints(r, 2, out, 1);
      if (n == 1 && out[0] == i * 7) correct++;
      else if (n < 0) errors++;
      else wrong++;
      if (n == 1 && IS_REPLICA(out[1])) reads_on_replica++;
    }
    check("500 prepared writes each read back by a prepared read: all rows seen", correct == 500,
          "correct %d, stale %d, errors %d", correct, wrong, errors);
    printf("[prepared_routing] %d of those reads ran on a replica\n", reads_on_replica);
    long long on_master = -1;
    MYSQL* d = connect_to(atoi(argv[2]));
    on_master = query_int(d, "SELECT COUNT(*) FROM app.ps_routing");
    mysql_close(d);
    check("the writes reached the master", on_master == 500, "%lld rows on the master", on_master);
    mysql_stmt_close(w);
    mysql_stmt_close(r);
  }

  /* 3. One statement, parameter types bound once: executed on a replica, then (in a transaction)
   *    on the master, which never saw the types: the proxy must send them. */
  {
    MYSQL_STMT* s = prepare(p, "SELECT ? + 1, @@server_id");
    long long v = 41;
    MYSQL_BIND b;
    bind_ll(&b, &v);
    mysql_stmt_bind_param(s, &b);
    long long out[2] = {-1, -1};
    int n = exec_ints(s, 2, out, 1);
    check("first execution (types bound) on a replica", n == 1 && out[0] == 42 && IS_REPLICA(out[1]),
          "rows %d value %lld server_id %lld", n, out[0], out[1]);
    v = 99; /* no rebinding: the client sends no types now */
    run(p, "BEGIN");
    n = exec_ints(s, 2, out, 1);
    run(p, "COMMIT");
    check("re-execution without types on the master (types sent by the proxy)",
          n == 1 && out[0] == 100 && out[1] == master_id, "rows %d value %lld server_id %lld", n,
          out[0], out[1]);
    v = 5;
    n = exec_ints(s, 2, out, 1);
    check("and again on the replica", n == 1 && out[0] == 6 && IS_REPLICA(out[1]),
          "rows %d value %lld server_id %lld", n, out[0], out[1]);
    mysql_stmt_close(s);
  }

  /* 4. Long data for a read: buffered by the proxy, sent to the replica that runs it. */
  {
    MYSQL_STMT* s = prepare(p, "SELECT LENGTH(?), @@server_id");
    MYSQL_BIND b;
    memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_BLOB;
    mysql_stmt_bind_param(s, &b);
    static char chunk[100000];
    memset(chunk, 'x', sizeof chunk);
    bool sent = true;
    for (int i = 0; i < 3; i++) sent = sent && mysql_stmt_send_long_data(s, 0, chunk, sizeof chunk) == 0;
    long long out[2] = {-1, -1};
    int n = sent ? exec_ints(s, 2, out, 1) : -1;
    check("3 x 100 KB of long data reach the replica that runs the read",
          n == 1 && out[0] == 300000 && IS_REPLICA(out[1]), "rows %d length %lld server_id %lld", n,
          out[0], out[1]);
    /* The long data went with that execution; a reset and a fresh chunk start over. */
    mysql_stmt_reset(s);
    sent = mysql_stmt_send_long_data(s, 0, chunk, 1000) == 0;
    n = sent ? exec_ints(s, 2, out, 1) : -1;
    check("after a reset only the new long data counts", n == 1 && out[0] == 1000,
          "rows %d length %lld", n, out[0]);
    mysql_stmt_close(s);
    /* A write with long data goes to the master. */
    MYSQL_STMT* w = prepare(p, "INSERT INTO ps_routing (id, v) VALUES (?, LENGTH(?))");
    long long id = 100000;
    MYSQL_BIND wb[2];
    bind_ll(&wb[0], &id);
    memset(&wb[1], 0, sizeof wb[1]);
    wb[1].buffer_type = MYSQL_TYPE_BLOB;
    mysql_stmt_bind_param(w, wb);
    sent = mysql_stmt_send_long_data(w, 1, chunk, sizeof chunk) == 0 &&
           mysql_stmt_send_long_data(w, 1, chunk, 2345) == 0;
    bool ok = sent && exec_ints(w, 0, NULL, 0) == 0;
    MYSQL* d = connect_to(atoi(argv[2]));
    long long len = query_int(d, "SELECT v FROM app.ps_routing WHERE id = 100000");
    mysql_close(d);
    check("a write with long data runs on the master", ok && len == 102345, "stored %lld", len);
    mysql_stmt_close(w);
  }

  /* 5. A cursor: rows fetched in batches from the backend that ran the EXECUTE. */
  {
    MYSQL_STMT* s = prepare(p, "SELECT seq, @@server_id FROM seq_1_to_25");
    unsigned long type = CURSOR_TYPE_READ_ONLY, prefetch = 4;
    mysql_stmt_attr_set(s, STMT_ATTR_CURSOR_TYPE, &type);
    mysql_stmt_attr_set(s, STMT_ATTR_PREFETCH_ROWS, &prefetch);
    for (int round = 0; round < 3; round++) {
      long long out[50];
      int n = exec_ints(s, 2, out, 25);
      long long sum = 0;
      bool replica = n == 25;
      for (int i = 0; i < n && i < 25; i++) {
        sum += out[2 * i];
        replica = replica && IS_REPLICA(out[2 * i + 1]);
      }
      char name[80];
      snprintf(name, sizeof name, "cursor fetch of 25 rows in batches of 4 on a replica (round %d)",
               round + 1);
      check(name, n == 25 && sum == 325 && replica, "rows %d sum %lld", n, sum);
    }
    mysql_stmt_close(s);
  }

  /* 6. The proxy's replica connections are killed: the statements are prepared again there. */
  {
    MYSQL_STMT* s = prepare(p, "SELECT ? * 2, @@server_id");
    long long v = 1;
    MYSQL_BIND b;
    bind_ll(&b, &v);
    mysql_stmt_bind_param(s, &b);
    long long out[2];
    exec_ints(s, 2, out, 1);
    for (int i = 0; i < 2; i++) {
      MYSQL* d = connect_to(atoi(argv[3 + i]));
      /* the proxy's backend connections carry the connect attribute _proxy=switchyard */
      if (mysql_query(d, "SELECT id FROM information_schema.processlist WHERE user = 'app' AND id <> CONNECTION_ID()") == 0) {
        MYSQL_RES* r = mysql_store_result(d);
        MYSQL_ROW row;
        char kill[64];
        while (r && (row = mysql_fetch_row(r))) {
          snprintf(kill, sizeof kill, "KILL %s", row[0]);
          mysql_query(d, kill);
        }
        if (r) mysql_free_result(r);
      }
      mysql_close(d);
    }
    int good = 0, on_replica = 0, errors = 0;
    for (int i = 0; i < 20; i++) {
      v = i;
      int n = exec_ints(s, 2, out, 1);
      if (n == 1 && out[0] == 2 * i) good++;
      else errors++;
      if (n == 1 && IS_REPLICA(out[1])) on_replica++;
    }
    check("after the replica connections were killed, executions still succeed", good == 20,
          "good %d, errors %d", good, errors);
    check("... and return to the replicas (prepared again there)", on_replica >= 18,
          "%d of 20 on a replica", on_replica);
    mysql_stmt_close(s);
  }

  /* 7. CLOSE: the id is gone for the client; a statement prepared after it works. */
  {
    MYSQL_STMT* s = prepare(p, "SELECT 1");
    long long one = 0;
    exec_ints(s, 1, &one, 1);
    mysql_stmt_close(s);
    long long n = query_int(p, "SELECT 2");
    check("the session is fine after closing statements", n == 2, "%lld", n);
  }

  run(p, "DROP TABLE IF EXISTS ps_routing");
  mysql_close(p);
  printf("[prepared_routing] %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
