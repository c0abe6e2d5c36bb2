/* stream_client: runs one query with mysql_use_result (rows are streamed, never stored) and
 * discards the rows. Prints "rows=<n> bytes=<sum of field lengths> seconds=<wall>" or, on
 * failure, "error=<code> <message>" and exits 1. "first row" goes to stderr when the first row has
 * arrived (tests wait for it before breaking things). Used by bench/stream and integration tests.
 * usage: stream_client HOST PORT USER PASSWORD DATABASE QUERY */
#include <mysql.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(MYSQL* db) {
  printf("error=%u %s\n", mysql_errno(db), mysql_error(db));
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s HOST PORT USER PASSWORD DATABASE QUERY\n", argv[0]);
    return 2;
  }
  MYSQL* db = mysql_init(NULL);
  if (!mysql_real_connect(db, argv[1], argv[3], argv[4], argv[5], (unsigned)atoi(argv[2]), NULL, 0))
    return fail(db);
  double start = now();
  if (mysql_real_query(db, argv[6], (unsigned long)strlen(argv[6]))) return fail(db);
  MYSQL_RES* res = mysql_use_result(db);
  if (!res) return fail(db);
  unsigned fields = mysql_num_fields(res);
  unsigned long long rows = 0, bytes = 0;
  MYSQL_ROW row;
  while ((row = mysql_fetch_row(res))) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    for (unsigned i = 0; i < fields; ++i) bytes += lengths[i];
    if (++rows == 1) {
      fputs("first row\n", stderr);
      fflush(stderr);
    }
  }
  if (mysql_errno(db)) return fail(db);
  double seconds = now() - start;
  mysql_free_result(res);
  mysql_close(db);
  printf("rows=%llu bytes=%llu seconds=%.3f\n", rows, bytes, seconds);
  return 0;
}
