#!/usr/bin/env bash
# Planned switchover under a write load: db1 -> db2 with writers inserting through the proxy,
# zero lost acknowledged ids, writes held only briefly; then back to db1 (the sandbox's shape).
# Also: manual failover is refused (409) while the master is healthy; ctl switchover works.
source "$(dirname "$0")/lib.sh"
WRITERS=$(dirname "$0")/failover_writers.py
TABLE=switchover_ids

post_field() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TEST_TMP/post.json')); print($1)"; }
ids_on() { sql "$1" "SELECT id FROM $TABLE ORDER BY id" | sort; }

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY, writer INT)"
start_proxy_default
check "db1 is the master" wait_for 10 master_is db1
expect_eq "manual failover refused while the master is healthy" 409 "$(admin_post /v1/failover)"

/usr/bin/python3 "$WRITERS" "$PROXY_PORT" 4 "$TEST_TMP/acked" "$TEST_TMP/stop" "$TABLE" &
WRITER_PID=$!; track_pid $WRITER_PID
sleep 1.5
CODE=$(admin_post /v1/switchover '{"to":"db2"}')
expect_eq "switchover to db2 answers 200" 200 "$CODE"
[[ $CODE == 200 ]] && log "writes held $(post_field "d['writes_held_ms']") ms" || cat "$TEST_TMP/post.json" >&2
check "db2 is the master" master_is db2
sleep 1.5
touch "$TEST_TMP/stop"; wait $WRITER_PID || true
check "writes were acknowledged" test -s "$TEST_TMP/acked"
awk '{print $1}' "$TEST_TMP/acked" | sort >"$TEST_TMP/acked_ids"
check "db1 replicates from db2 and caught up" wait_for 15 caught_up db1 db2
check "db3 replicates from db2 and caught up" wait_for 15 caught_up db3 db2
expect_eq "no acknowledged id lost on db2" 0 "$(comm -23 "$TEST_TMP/acked_ids" <(ids_on db2) | wc -l)"
expect_eq "db1 read-only after the switchover" 1 "$(root_sql db1 'select @@read_only')"

# Back with ctl.
OUT=$("$SWITCHYARD_BIN" ctl --admin "http://127.0.0.1:$ADMIN_PORT" switchover --to db1 2>&1) || fail "ctl switchover: $OUT"
log "$(head -1 <<<"$OUT")"
check "db1 is the master again" master_is db1
check "db2 replicates from db1" wait_for 15 caught_up db2 db1
check "db3 replicates from db1" wait_for 15 caught_up db3 db1
expect_eq "db1 writable" 0 "$(root_sql db1 'select @@read_only')"
expect_eq "db2 read-only" 1 "$(root_sql db2 'select @@read_only')"
stop_proxy
root_sql db1 "DROP TABLE IF EXISTS app.$TABLE"
finish
