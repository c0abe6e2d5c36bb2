#!/usr/bin/env bash
# The binlog stream client delivers every committed transaction exactly once, in order, while
# writes flow and its connection is killed on the master (KILL of its dump thread) and the
# master itself is killed (-9) and restarted. `switchyard binlog tail` prints one line per
# complete transaction; the expected list is every GTID in db1's binlog after the start.
source "$(dirname "$0")/lib.sh"
TABLE=stream_ids
DATADIR=${SANDBOX_DIR:-$REPO/var/sandbox}/db1/data

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id INT AUTO_INCREMENT PRIMARY KEY, n INT, pad VARCHAR(200))"
START=$(root_sql db1 "SELECT @@gtid_binlog_pos")
log "starting after $START"

"$SWITCHYARD_BIN" binlog tail --master "127.0.0.1:$(port_of db1)" --server-id 9901 \
  --heartbeat-ms 500 >"$TEST_TMP/tail.out" 2>"$TEST_TMP/tail.err" &
TAIL_PID=$!; track_pid $TAIL_PID
streams() { grep -c '^# streaming' "$TEST_TMP/tail.err" || true; }
check "tail streams" wait_for 10 grep -q '^# streaming' "$TEST_TMP/tail.err"

# Writers: single-row autocommit inserts and multi-statement transactions, through restarts
# (failures while db1 is down are expected and simply retried).
writer() {
  local i=0
  while [[ ! -f $TEST_TMP/stop ]]; do
    i=$((i + 1))
    sql db1 "INSERT INTO $TABLE (n, pad) VALUES ($1$i, REPEAT('x', 150));
             BEGIN; INSERT INTO $TABLE (n) VALUES (-$i); UPDATE $TABLE SET n = n + 1 WHERE n = -$i; COMMIT" \
      >/dev/null 2>&1 || sleep 0.05
  done
}
writer 1 & W1=$!; track_pid $W1
writer 2 & W2=$!; track_pid $W2
sleep 1.5

# 1. KILL the tailer's connection on the master, twice.
for round in 1 2; do
  conn=$(grep '^# streaming' "$TEST_TMP/tail.err" | tail -1 | sed -E 's/.*connection ([0-9]+).*/\1/')
  before=$(streams)
  root_sql db1 "KILL $conn" || fail "KILL $conn"
  check "tail resumed after KILL $round" wait_for 10 bash -c "(( \$(grep -c '^# streaming' $TEST_TMP/tail.err) > $before ))"
  sleep 1
done

# 2. Kill the master itself mid-stream and restart it.
before=$(streams)
"$SANDBOX" kill db1 >/dev/null
sleep 1
"$SANDBOX" start db1 >/dev/null
check "tail resumed after the master restarted" wait_for 30 bash -c "(( \$(grep -c '^# streaming' $TEST_TMP/tail.err) > $before ))"
sleep 2
touch "$TEST_TMP/stop"; wait $W1 $W2 2>/dev/null || true

END=$(root_sql db1 "SELECT @@gtid_binlog_pos")
tail_reached_end() { [[ $(tail -1 "$TEST_TMP/tail.out" | awk '{print $1}') == "$END" ]]; }
check "tail reached the master's position $END" wait_for 15 tail_reached_end
kill -TERM $TAIL_PID; wait $TAIL_PID 2>/dev/null || true
log "$(tail -1 "$TEST_TMP/tail.err")"

# Expected: every GTID in db1's binlogs after START, in binlog order (mariadb-binlog's view).
start_seq=${START##*-}
for f in $(sed 's|.*/||' "$DATADIR"/db1-bin.index); do
  mariadb-binlog --no-defaults "$DATADIR/$f" 2>/dev/null | grep -aoE 'GTID [0-9]+-[0-9]+-[0-9]+' | awk '{print $2}'
done | awk -F- -v s="$start_seq" '$3 > s' >"$TEST_TMP/expected"
awk '{print $1}' "$TEST_TMP/tail.out" >"$TEST_TMP/seen"
log "$(wc -l <"$TEST_TMP/expected") transactions committed, $(wc -l <"$TEST_TMP/seen") seen, $(streams) streams"
check "transactions were committed across the restarts" test "$(wc -l <"$TEST_TMP/expected")" -gt 50
expect_eq "no GTID seen twice" 0 "$(sort "$TEST_TMP/seen" | uniq -d | wc -l)"
expect_eq "every committed GTID seen exactly once, in order" "" "$(diff "$TEST_TMP/expected" "$TEST_TMP/seen" | head -5)"
check "at least 4 streams (start, 2 kills, restart)" test "$(streams)" -ge 4

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE"
finish
