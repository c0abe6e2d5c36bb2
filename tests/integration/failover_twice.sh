#!/usr/bin/env bash
# Two failures in a row: db1 (the master) is killed, a replica is promoted and written to;
# then that new master is killed too: the last server must become the master (epoch 2) with
# writes working and every acknowledged row on it. Then both dead servers come back: the
# proxy fences them and rejoins them as replicas of the last master, and a switchover puts
# the sandbox back in its initial shape (db1 master). If the test stops half-way, the sandbox
# is rebuilt (scripts/sandbox down && up) so the next tests find it as usual.
source "$(dirname "$0")/lib.sh"
TABLE=twice_ids
MONITOR=$FAILOVER_TEST_MONITOR

RESTORED=0
restore() {
  stop_proxy
  restore_sandbox
}
trap 'set +e; restore; _cleanup' EXIT
other_than() { for n in db1 db2 db3; do [[ " $* " == *" $n "* ]] || { echo "$n"; return; }; done; }
rows_on() { sql "$1" "SELECT GROUP_CONCAT(id ORDER BY id) FROM $TABLE"; }
new_master_among() { local m; m=$(master_name 2>/dev/null); [[ -n $m && " $* " == *" $m "* ]]; }
epoch() { admin_get /v1/status | jq -r .epoch; }

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY)"
start_proxy_default "$MONITOR"
check "db1 is the master" wait_for 10 master_is db1
check "write 1 through the proxy" proxy_sql "INSERT INTO $TABLE VALUES (1)"
check "db2 caught up" wait_for 10 caught_up db2 db1
check "db3 caught up" wait_for 10 caught_up db3 db1

# First failure.
"$SANDBOX" kill db1 >/dev/null
check "a replica is promoted after db1 dies" wait_for 20 new_master_among db2 db3
FIRST=$(master_name); LAST=$(other_than db1 "$FIRST")
log "first failover: db1 -> $FIRST ($LAST is re-pointed to it)"
expect_eq "epoch 1" 1 "$(epoch)"
# INSERT IGNORE: an attempt whose outcome was unknown may be retried without a duplicate error.
check "write 2 through the proxy lands on $FIRST" wait_for 15 proxy_sql "INSERT IGNORE INTO $TABLE VALUES (2)"
check "$LAST replicates from $FIRST and caught up" wait_for 15 caught_up "$LAST" "$FIRST"

# Second failure: the new master dies too.
"$SANDBOX" kill "$FIRST" >/dev/null
check "$LAST, the last server, becomes the master" wait_for 20 master_is "$LAST"
expect_eq "epoch 2" 2 "$(epoch)"
check "write 3 through the proxy" wait_for 15 proxy_sql "INSERT IGNORE INTO $TABLE VALUES (3)"
expect_eq "$LAST has every acknowledged row" "1,2,3" "$(rows_on "$LAST")"
expect_eq "$LAST is writable" 0 "$(root_sql "$LAST" 'select @@read_only')"
expect_eq "no failover in progress" false "$(admin_get /v1/status | jq -r .failover_in_progress)"
check "the persisted epoch names $LAST" grep -q "\"$LAST\"" "$TEST_TMP/state/topology.json"

# Both come back: fenced, then rejoined as replicas of $LAST.
"$SANDBOX" start db1 >/dev/null
"$SANDBOX" start "$FIRST" >/dev/null
check "db1 rejoins as a replica of $LAST" wait_for 20 caught_up db1 "$LAST"
check "$FIRST rejoins as a replica of $LAST" wait_for 20 caught_up "$FIRST" "$LAST"
expect_eq "db1 is read-only" 1 "$(root_sql db1 'select @@read_only')"
expect_eq "db1 has every acknowledged row" "1,2,3" "$(rows_on db1)"
check "writes still go to $LAST" proxy_sql "INSERT INTO $TABLE VALUES (4)"
expect_eq "row 4 is on $LAST" "1,2,3,4" "$(rows_on "$LAST")"

# Back to the initial shape.
expect_eq "switchover to db1 answers 200" 200 "$(admin_post /v1/switchover '{"to":"db1"}')"
check "db1 is the master" master_is db1
check "db2 replicates from db1" wait_for 15 caught_up db2 db1
check "db3 replicates from db1" wait_for 15 caught_up db3 db1
expect_eq "db2 read-only" 1 "$(root_sql db2 'select @@read_only')"
expect_eq "db3 read-only" 1 "$(root_sql db3 'select @@read_only')"
expect_eq "db1 writable" 0 "$(root_sql db1 'select @@read_only')"
((FAILED == 0)) && RESTORED=1
finish
