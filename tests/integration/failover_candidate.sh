#!/usr/bin/env bash
# Candidate choice and divergence. db2's SQL thread is stopped, writes go on (db2 receives
# them into its relay log, db3 applies them), db1 is killed: db3, the replica with the least
# left to apply, must be promoted, and db2, re-pointed to it, must end with every row.
# Then db1 comes back while the proxy is down and a transaction is written on it (an errant
# GTID: the new master never had it): the restarted proxy fences db1 (read_only) and reports
# it diverged with that GTID instead of rejoining it; writes keep going to db3.
# The sandbox is rebuilt at the end (db1 cannot rejoin without being re-cloned).
source "$(dirname "$0")/lib.sh"
TABLE=candidate_ids
MONITOR=$FAILOVER_TEST_MONITOR

restore() {
  stop_proxy
  root_sql db2 "START SLAVE SQL_THREAD" >/dev/null 2>&1
  log "rebuilding the sandbox (db1 diverged)"
  "$SANDBOX" down >/dev/null 2>&1
  "$SANDBOX" up >/dev/null 2>&1 || echo "[$TEST_NAME] WARNING: sandbox up failed" >&2
}
trap 'set +e; restore; _cleanup' EXIT
rows_on() { sql "$1" "SELECT COUNT(*) FROM $TABLE"; }
io_pos() { slave_status "$1" | awk '/Gtid_IO_Pos:/ {print $2}'; }
received_all() { [[ $(io_pos "$1") == $(root_sql "$2" "select @@gtid_binlog_pos") ]]; }
server_field() { admin_get /v1/status | jq -r ".servers[] | select(.name==\"$1\") | .$2"; }

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY)"
start_proxy_default "$MONITOR"
check "db1 is the master" wait_for 10 master_is db1
check "db2 caught up" wait_for 10 caught_up db2 db1
check "db3 caught up" wait_for 10 caught_up db3 db1

root_sql db2 "STOP SLAVE SQL_THREAD"
INSERTS=""
for i in $(seq 1 30); do INSERTS+="INSERT INTO $TABLE VALUES ($i);"; done
check "30 writes through the proxy" proxy_sql "$INSERTS"
check "db3 applied them" wait_for 10 caught_up db3 db1
check "db2 received them (IO thread) without applying them" wait_for 10 received_all db2 db1
expect_eq "db2 applied none of them" 0 "$(rows_on db2)"

"$SANDBOX" kill db1 >/dev/null
check "db3 is promoted" wait_for 20 master_is db3
CHOSE=$(grep -m1 "failover: (+[0-9]* ms) chose" "$TEST_TMP/proxy.log" || true)
log "${CHOSE#*failover: }"
check "the log says why: equal received positions, db2's SQL thread stopped" \
  grep -q "chose db3: db3 is the most advanced, with the least left to apply (db2 received .* applied .* (SQL thread stopped)" <<<"$CHOSE"
check "db2 replicates from db3 and has every row" wait_for 15 caught_up db2 db3
expect_eq "db2 has the 30 rows" 30 "$(rows_on db2)"
check "a write through the proxy" wait_for 15 proxy_sql "INSERT IGNORE INTO $TABLE VALUES (31)"
expect_eq "db3 has 31 rows" 31 "$(rows_on db3)"

# db1 comes back while the proxy is down; something writes on it directly.
stop_proxy
"$SANDBOX" start db1 >/dev/null
root_sql db1 "INSERT INTO app.$TABLE VALUES (1000)"
ERRANT=$(root_sql db1 "select @@gtid_binlog_pos")
log "errant transaction on db1: $ERRANT"
start_proxy "$TEST_TMP/switchyard.yaml"
check "the proxy serves again" wait_for 20 proxy_sql "select 1"
check "db3 is still the master (persisted epoch)" master_is db3
check "db1 is fenced: read_only" wait_for 10 bash -c "[[ \$(mariadb --no-defaults -uroot -S ${SANDBOX_DIR:-$REPO/var/sandbox}/db1/mysqld.sock -N -B -e 'select @@read_only') == 1 ]]"
check "db1 is reported diverged" wait_for 10 bash -c "[[ \$(curl -sf http://127.0.0.1:$ADMIN_PORT/v1/status | jq -r '.servers[] | select(.name==\"db1\") | .state') == diverged ]]"
DETAIL=$(server_field db1 detail)
log "db1: $(server_field db1 role)/$(server_field db1 state): $DETAIL"
check "the status names the errant GTID $ERRANT" grep -qF "$ERRANT" <<<"$DETAIL"
expect_eq "db1 did not rejoin (no replication configured)" "" "$(slave_status db1)"
check "writes go to db3, not db1" proxy_sql "INSERT INTO $TABLE VALUES (32)"
expect_eq "row 32 on db3" 1 "$(sql db3 "SELECT COUNT(*) FROM $TABLE WHERE id=32")"
expect_eq "row 32 not on db1" 0 "$(sql db1 "SELECT COUNT(*) FROM $TABLE WHERE id=32")"
check "the log reports the divergence" grep -q "failover: db1: diverged: has transactions $ERRANT" "$TEST_TMP/proxy.log"
finish
