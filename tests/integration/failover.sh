#!/usr/bin/env bash
# Automatic failover against the sandbox: writers insert through the proxy, db1 (the master)
# is killed with SIGKILL; a replica must be promoted and written to, every acknowledged id must
# be on it, db1 must have received nothing after the kill. db1 then comes back writable while
# the proxy is restarted: the persisted epoch must win over discovery (db1 fenced, read-only),
# and db1 must rejoin as a replica of the new master. Finally the sandbox is switched back to
# its initial shape (db1 master, db2/db3 its replicas, caught up).
# Semi-synchronous replication (AFTER_SYNC) is enabled for the test so that an acknowledged
# write has reached a replica before the kill; without it an asynchronous master can lose the
# last acknowledged writes, which no proxy can recover (PITFALLS "Failover").
source "$(dirname "$0")/lib.sh"
WRITERS=$(dirname "$0")/failover_writers.py
TABLE=failover_ids
MONITOR=$FAILOVER_TEST_MONITOR

status_field() { admin_get /v1/status | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
ids_on() { sql "$1" "SELECT id FROM $TABLE ORDER BY id" | sort; }

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY, writer INT)"
wait_for 10 bash -c "[[ \$(mariadb --no-defaults -h127.0.0.1 -P$(port_of db3) -uapp -papp_pw -N -B -e 'show tables like \"$TABLE\"' app) == $TABLE ]]"
semi_sync db1 on
wait_for 10 replicating db2; wait_for 10 replicating db3

start_proxy_default "$MONITOR"
check "db1 is the master before the kill" wait_for 10 master_is db1

/usr/bin/python3 "$WRITERS" "$PROXY_PORT" 6 "$TEST_TMP/acked" "$TEST_TMP/stop" "$TABLE" &
WRITER_PID=$!; track_pid $WRITER_PID
sleep 2
( while [[ ! -e $TEST_TMP/stop ]]; do curl -sf "http://127.0.0.1:$ADMIN_PORT/v1/status" >>"$TEST_TMP/statuses" && echo >>"$TEST_TMP/statuses"; sleep 0.05; done ) &
track_pid $!
DB1_PID=$(cat "${SANDBOX_DIR:-$REPO/var/sandbox}/db1/mysqld.pid")
track_pid "$(watch_port_closed db1 "$TEST_TMP/port_closed")"
KILL_SENT_MS=$(now_ms)
kill -KILL "$DB1_PID"
# SIGKILL is instant, but the process (its memory, then its sockets) takes a while to go;
# reaped, it can have acknowledged nothing after this.
wait_for 30 bash -c "! kill -0 $DB1_PID" || fail "db1 (pid $DB1_PID) did not exit"
KILL_MS=$(now_ms)
check "a new master is published" wait_for 30 bash -c "m=\$(curl -sf http://127.0.0.1:$ADMIN_PORT/v1/status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"master\") or \"\")'); [[ \$m == db2 || \$m == db3 ]]"
NEW=$(master_name)
log "new master: $NEW"
sleep 3
touch "$TEST_TMP/stop"; wait $WRITER_PID || true

if grep -q '"master":null,"epoch":0,"failover_in_progress":true' "$TEST_TMP/statuses"; then
  log "seen in /v1/status during the failover: master null, failover_in_progress true"
fi
# The first write acknowledged after db1's sockets closed (an OK db1 sent before it died may
# arrive just after the SIGKILL).
wait_for 10 test -s "$TEST_TMP/port_closed" || fail "db1's port never closed"
PORT_CLOSED_MS=$(cat "$TEST_TMP/port_closed")
FIRST_AFTER=$(awk -v k="$PORT_CLOSED_MS" '$2 > k {print $2; exit}' <(sort -k2,2n "$TEST_TMP/acked"))
ACKED=$(wc -l <"$TEST_TMP/acked")
AFTER=$(awk -v k="$KILL_MS" '$2 > k' "$TEST_TMP/acked" | wc -l)
log "acknowledged $ACKED inserts, $AFTER after the kill"
if [[ -n $FIRST_AFTER ]]; then
  log "time from kill to first acknowledged write: $((FIRST_AFTER - KILL_SENT_MS)) ms (from the SIGKILL; db1's port closed after $((PORT_CLOSED_MS - KILL_SENT_MS)) ms, the process was reaped after $((KILL_MS - KILL_SENT_MS)) ms)"
  pass "writes succeed after the failover"
else
  fail "no write succeeded after the kill"
fi
awk '{print $1}' "$TEST_TMP/acked" | sort >"$TEST_TMP/acked_ids"
ids_on "$NEW" >"$TEST_TMP/new_ids"
MISSING=$(comm -23 "$TEST_TMP/acked_ids" "$TEST_TMP/new_ids" | wc -l)
expect_eq "every acknowledged id is on the new master $NEW" 0 "$MISSING"
OTHER=db2; [[ $NEW == db2 ]] && OTHER=db3
check "$OTHER replicates from $NEW" wait_for 15 caught_up "$OTHER" "$NEW"
checksum() { sql "$1" "CHECKSUM TABLE $TABLE" | awk '{print $2}'; }
expect_eq "$OTHER and $NEW have identical table checksums" "$(checksum "$NEW")" "$(checksum "$OTHER")"
expect_eq "status shows epoch 1" 1 "$(status_field "d['epoch']")"

# The old master comes back writable while the proxy is down: on restart the persisted epoch
# wins over discovery, db1 is fenced, then rejoins.
stop_proxy
cp "$TEST_TMP/proxy.log" "$TEST_TMP/proxy-failover.log"
grep -E "failover:|monitor: master" "$TEST_TMP/proxy-failover.log" | sed 's/^/  proxy: /' | head -40
semi_sync db1 off 2>/dev/null || true
# A crashed semi-sync master may hold a transaction in its binlog that no replica received
# (written, never acknowledged). Started with rpl_semi_sync_slave_enabled, MariaDB (10.6+,
# MDEV-21117) rolls such transactions back and truncates its binlog during crash recovery;
# with init_rpl_role=SLAVE; without that, the proxy reports db1 diverged (checked by the unit tests) and never rejoins it.
DB1_CNF=${SANDBOX_DIR:-$REPO/var/sandbox}/db1/my.cnf
cp "$DB1_CNF" "$TEST_TMP/db1.cnf.orig"
printf 'rpl_semi_sync_slave_enabled=ON\ninit_rpl_role=SLAVE\n' >>"$DB1_CNF"
"$SANDBOX" start db1 >/dev/null
cp "$TEST_TMP/db1.cnf.orig" "$DB1_CNF"
root_sql db1 "SET GLOBAL rpl_semi_sync_master_enabled=OFF; SET GLOBAL rpl_semi_sync_slave_enabled=OFF"
expect_eq "db1 came back writable (as a crashed master does)" 0 "$(root_sql db1 'select @@read_only')"
awk -v k="$KILL_MS" '$2 > k {print $1}' "$TEST_TMP/acked" | sort >"$TEST_TMP/after_ids"
ON_DB1_AFTER=$(comm -12 "$TEST_TMP/after_ids" <(ids_on db1) | wc -l)
expect_eq "db1 received nothing acknowledged after the kill" 0 "$ON_DB1_AFTER"

start_proxy "$TEST_TMP/switchyard.yaml"
wait_for 20 proxy_sql "select 1" || fail "proxy did not serve after restart"
check "after restart the persisted master $NEW is still the master" master_is "$NEW"
expect_eq "writes after restart go to $NEW" "$(root_sql "$NEW" 'select @@server_id')" "$(proxy_sql 'select @@server_id for update' 2>/dev/null || proxy_sql 'begin; select @@server_id; commit')"
check "db1 is fenced read-only" wait_for 10 bash -c "[[ \$(mariadb --no-defaults -uroot -S ${SANDBOX_DIR:-$REPO/var/sandbox}/db1/mysqld.sock -N -B -e 'select @@read_only') == 1 ]]"
check "db1 rejoins as a replica of $NEW and catches up" wait_for 20 caught_up db1 "$NEW"
MISSING_DB1=$(comm -23 "$TEST_TMP/acked_ids" <(ids_on db1) | wc -l)
expect_eq "db1 has every acknowledged id after rejoining" 0 "$MISSING_DB1"
check "status shows db1 as a replica" wait_for 10 bash -c "curl -sf http://127.0.0.1:$ADMIN_PORT/v1/status | grep -q '\"name\":\"db1\"[^}]*\"role\":\"replica\"'"

# Back to the initial shape: switchover to db1.
CODE=$(admin_post /v1/switchover '{"to":"db1"}')
expect_eq "switchover back to db1 answers 200" 200 "$CODE"
[[ $CODE == 200 ]] || cat "$TEST_TMP/post.json" >&2
check "db1 is the master again" master_is db1
check "db2 replicates from db1" wait_for 15 caught_up db2 db1
check "db3 replicates from db1" wait_for 15 caught_up db3 db1
expect_eq "db1 writable" 0 "$(root_sql db1 'select @@read_only')"
expect_eq "db2 read-only" 1 "$(root_sql db2 'select @@read_only')"
expect_eq "db3 read-only" 1 "$(root_sql db3 'select @@read_only')"
stop_proxy
root_sql db1 "DROP TABLE IF EXISTS app.$TABLE"
semi_sync db1 off
finish
