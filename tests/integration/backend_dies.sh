#!/usr/bin/env bash
# A backend that dies mid-statement gives the client a prompt, proper error, never a hang, and
# the proxy goes on serving everyone else:
#  - a replica server killed (SIGKILL) while it streams a big result: the client, which already
#    has rows, gets 2013 at once; other clients' reads and writes keep succeeding meanwhile;
#  - the master's backend thread killed (KILL CONNECTION) during SELECT SLEEP(30): an error
#    within seconds;
#  - the master connection cut (a TCP relay in front of db1 killed) while an INSERT runs:
#    the client gets 2013 and the write is not retried (the server ran it exactly once).
source "$(dirname "$0")/lib.sh"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$TEST_TMP/stream_client" \
  "$REPO/bench/stream/stream_client.c" $(pkg-config --cflags --libs libmariadb) ||
  { fail "compile bench/stream/stream_client.c"; finish; }

# db1 is reached through a relay we can kill; db3 is the only replica. No automatic failover:
# the relay's death must look like a lost master connection, not start a promotion.
RELAY_PORT=${RELAY_PORT:-$((PROXY_PORT + 101))}
start_relay() {
  /usr/bin/python3 "$(dirname "$0")/tcp_relay.py" "$RELAY_PORT" "$(port_of db1)" &
  RELAY_PID=$!
  track_pid "$RELAY_PID"
  wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$RELAY_PORT" || { fail "relay did not start"; finish; }
}
start_relay
start_proxy_default "servers:
  - name: db1
    address: 127.0.0.1:$RELAY_PORT
  - name: db3
    address: 127.0.0.1:$(port_of db3)
failover:
  auto: false"
root_sql db1 "DROP TABLE IF EXISTS app.bd_writes; CREATE TABLE app.bd_writes (tag VARCHAR(20)) ENGINE=InnoDB;
              DROP TABLE IF EXISTS app.bd_other; CREATE TABLE app.bd_other (id INT AUTO_INCREMENT PRIMARY KEY)"
wait_for 10 replicas_caught_up || log "db3 not caught up yet"

# Other clients: a loop of fresh connections, each a write then a read, counting outcomes.
other_clients() {
  while [[ ! -e $TEST_TMP/stop_others ]]; do
    if proxy_sql "INSERT INTO app.bd_other VALUES (NULL); SELECT COUNT(*) FROM app.bd_other" >/dev/null 2>>"$TEST_TMP/others.err"; then
      echo ok >>"$TEST_TMP/others"
    else
      echo failed >>"$TEST_TMP/others"
    fi
  done
}
other_clients &
OTHERS_PID=$!
track_pid "$OTHERS_PID"

# run_client NAME COMMAND...: starts a client in the background, output in TEST_TMP/NAME.{out,err}.
run_client() {
  local name=$1; shift
  "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
  CLIENT_PID=$!
  track_pid "$CLIENT_PID"
}
# wait_exit PID SECONDS: 0 if the process has exited within SECONDS.
wait_exit() { wait_for "$2" bash -c "! kill -0 $1 2>/dev/null"; }

# --- a replica dies while streaming a big result -------------------------------------------
# About 5 GB: far more than can be sent before the kill.
run_client replica_read "$TEST_TMP/stream_client" 127.0.0.1 "$PROXY_PORT" app app_pw app \
  "SELECT REPEAT('x', 1000) FROM seq_1_to_5000000"
READER=$CLIENT_PID
check "rows from db3 reach the client" wait_for 20 grep -q "first row" "$TEST_TMP/replica_read.err"
t0=$(now_ms)
"$SANDBOX" kill db3 >/dev/null
check "the client gets an error within 5 s of db3's death" wait_exit "$READER" 5
log "replica kill -> client error: $(( $(now_ms) - t0 )) ms: $(cat "$TEST_TMP/replica_read.out")"
check "the error is 2013 (lost connection)" grep -q "^error=2013 " "$TEST_TMP/replica_read.out"
expect_eq "the proxy is alive" 1 "$(proxy_sql 'select 1')"
expect_eq "reads fall back to the master" "$(root_sql db1 'select @@server_id')" "$(proxy_sql 'select @@server_id')"

# --- the master's backend thread is killed during SELECT SLEEP(30) --------------------------
run_client master_sleep mariadb --no-defaults --comments -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw -N -B app \
  -e "/* switchyard:route=master */ SELECT SLEEP(30)"
SLEEPER=$CLIENT_PID
sleep_thread() { root_sql db1 "SELECT id FROM information_schema.processlist WHERE info LIKE '%SELECT SLEEP(30)%' AND id <> CONNECTION_ID()"; }
sleeping() { [[ -n $(sleep_thread) ]]; }
check "SLEEP(30) runs on db1" wait_for 10 sleeping
t0=$(now_ms)
root_sql db1 "KILL CONNECTION $(sleep_thread | head -1)"
check "the client gets an error within 5 s of KILL CONNECTION" wait_exit "$SLEEPER" 5
log "KILL CONNECTION -> client error: $(( $(now_ms) - t0 )) ms: $(cat "$TEST_TMP/master_sleep.err")"
check "the error is 2013 (lost connection) or the server's own ERR 1927" \
  grep -qE "ERROR (2013|1927)" "$TEST_TMP/master_sleep.err"

touch "$TEST_TMP/stop_others"
wait "$OTHERS_PID" 2>/dev/null || true
OK_COUNT=$(grep -c ok "$TEST_TMP/others" || true)
FAILED_COUNT=$(grep -c failed "$TEST_TMP/others" || true)
log "other clients meanwhile: $OK_COUNT ok, $FAILED_COUNT failed $(head -3 "$TEST_TMP/others.err" 2>/dev/null | tr '\n' ' ')"
check "other clients kept being served" test "$OK_COUNT" -gt 0
expect_eq "no other client failed" 0 "$FAILED_COUNT"

# --- the master connection is cut while a write runs -----------------------------------------
run_client master_write mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw -N -B app \
  -e "INSERT INTO app.bd_writes SELECT 'w1' FROM (SELECT SLEEP(3)) AS s"
WRITER=$CLIENT_PID
writes_running() { [[ $(root_sql db1 "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'INSERT INTO app.bd_writes%'") -ge 1 ]]; }
check "the INSERT runs on db1" wait_for 10 writes_running
t0=$(now_ms)
kill -KILL "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null || true
check "the client gets an error within 5 s of the cut" wait_exit "$WRITER" 5
log "master connection cut -> client error: $(( $(now_ms) - t0 )) ms: $(cat "$TEST_TMP/master_write.err")"
check "the error is 2013 (lost connection)" grep -q "ERROR 2013" "$TEST_TMP/master_write.err"
# The server finishes the statement it had (its client vanished silently); a retry by the proxy
# would be a second row.
insert_done() { [[ $(root_sql db1 "SELECT COUNT(*) FROM app.bd_writes") -ge 1 ]]; }
check "db1 finished the INSERT" wait_for 10 insert_done
start_relay
check "the proxy serves clients again once db1 is reachable" wait_for 20 proxy_sql "select 1"
no_writes_running() { ! writes_running; }
check "no INSERT is running any more" no_writes_running
expect_eq "the write ran exactly once (not retried)" 1 "$(root_sql db1 'SELECT COUNT(*) FROM app.bd_writes')"

stop_proxy
"$SANDBOX" start db3 >/dev/null
check "db3 replicates again" wait_for 30 replicating db3
root_sql db1 "DROP TABLE IF EXISTS app.bd_writes; DROP TABLE IF EXISTS app.bd_other"
finish
