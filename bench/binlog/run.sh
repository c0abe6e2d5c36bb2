#!/usr/bin/env bash
# bench/binlog/run.sh: times (CPU seconds) `switchyard binlog dump` (text and --json) against
# `mariadb-binlog -vv --base64-output=decode-rows` on the same >= 100 MB row-based binlog and
# prints a table (MB/s, ratio). The binlog is generated once in the sandbox's master (db1, must
# be up: scripts/sandbox up) from INSERT ... SELECT over mixed column types and kept in
# var/bench/ (BENCH_BINLOG=FILE reuses any binlog). Also runs bench_binlog_decode on it
# (pure decode, no printing) when the binary is built (-DSWITCHYARD_BENCH=ON).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SWITCHYARD_BUILD_DIR:-$REPO/build}
BIN=${SWITCHYARD_BIN:-$BUILD/app/switchyard}
SANDBOX_DIR=${SANDBOX_DIR:-$REPO/var/sandbox}
OUT_DIR=$REPO/var/bench
FILE=${BENCH_BINLOG:-$OUT_DIR/rows-100mb.bin}
ROUNDS=${BENCH_ROUNDS:-3}
mkdir -p "$OUT_DIR"

root() { mariadb --no-defaults -uroot -S "$SANDBOX_DIR/db1/mysqld.sock" -N -B "$@"; }

if [[ ! -s $FILE ]]; then
  echo "generating a row-based binlog of >= 100 MB in db1 ($SANDBOX_DIR) ..."
  root -e "CREATE DATABASE IF NOT EXISTS bench; DROP TABLE IF EXISTS bench.rows_bench;
    CREATE TABLE bench.rows_bench (id BIGINT PRIMARY KEY, a INT, b BIGINT UNSIGNED, c VARCHAR(64),
      d DECIMAL(12,4), e DATETIME(3), f DOUBLE, g TIMESTAMP NULL, h DATE, i TEXT, j TINYINT) ENGINE=InnoDB;
    FLUSH BINARY LOGS;"
  file=$(root -e "SHOW MASTER STATUS" | awk '{print $1}')
  for chunk in 0 1 2 3 4; do
    root -D bench -e "INSERT INTO bench.rows_bench SELECT $chunk * 200000 + seq, CAST(seq % 100000 AS SIGNED) - 50000, seq * 2654435761,
      MD5(seq), seq / 7, TIMESTAMP'2024-01-01 00:00:00.123' + INTERVAL seq SECOND, seq / 3.0,
      IF(seq % 10 = 0, NULL, FROM_UNIXTIME(1700000000 + seq)), DATE'2024-06-15' - INTERVAL seq % 900 DAY,
      REPEAT(MD5(seq * 3), 1 + seq % 3), seq % 120 FROM seq_1_to_200000"
  done
  root -e "FLUSH BINARY LOGS"
  cp "$SANDBOX_DIR/db1/data/$file" "$FILE"
  root -e "DROP DATABASE bench"
fi
SIZE=$(stat -c %s "$FILE")
MB=$(awk -v s="$SIZE" 'BEGIN{printf "%.1f", s / 1048576}')
echo "binlog: $FILE ($MB MB)"

# CPU seconds (user + sys: the machine may be shared) of one run of a command, output discarded.
cpu() {
  /usr/bin/time -o "$OUT_DIR/time.txt" -f "%U %S" "$@" >/dev/null 2>&1
  tail -1 "$OUT_DIR/time.txt" | awk '{printf "%.3f", $1 + $2}'
}
min() { awk -v x="$1" -v y="$2" 'BEGIN{print (y == "" || x < y) ? x : y}'; }
# Best of ROUNDS for each command. The rounds interleave the three commands, so that a burst of
# load from other processes on the machine hits all of them rather than one.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
T_MB="" T_SY="" T_SYJ=""
for _ in $(seq 1 "$ROUNDS"); do
  T_MB=$(min "$(cpu mariadb-binlog --no-defaults -vv --base64-output=decode-rows "$FILE")" "$T_MB")
  T_SY=$(min "$(cpu "$BIN" binlog dump "$FILE")" "$T_SY")
  T_SYJ=$(min "$(cpu "$BIN" binlog dump --json "$FILE")" "$T_SYJ")
done
row() { awk -v n="$1" -v t="$2" -v mb="$MB" -v base="$T_MB" 'BEGIN{printf "| %-48s | %7.3f | %7.1f | %6.2fx |\n", n, t, mb / t, base / t}'; }
echo
echo "| decoder (same file, output to /dev/null, best of $ROUNDS) | CPU s | MB/s | vs mariadb-binlog |"
echo "|---|---|---|---|"
row "mariadb-binlog -vv --base64-output=decode-rows" "$T_MB"
row "switchyard binlog dump" "$T_SY"
row "switchyard binlog dump --json" "$T_SYJ"
echo "(load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg), on $(nproc) cores)"

if [[ -x $BUILD/bench/bench_binlog_decode ]]; then
  echo
  echo "full row decode without printing (bench_binlog_decode, one core):"
  BINLOG_BENCH_FILE=$FILE "$BUILD/bench/bench_binlog_decode" --benchmark_filter=File 2>/dev/null | grep -E "^BM_"
fi
