#!/usr/bin/env bash
# The monitor discovers the sandbox topology by itself and reports it on the admin API:
# roles; lag from the GTID tracker (0 when idle, growing about 1 s per second while db3's SQL
# thread is stopped and db1 keeps writing, back to 0 after START SLAVE); a killed server is
# down within failure_threshold*interval+timeout and up again after a restart; a hung server
# (accepts, never answers) is down by the timeout and does not slow the others' checks;
# maintenance via the API; ctl status; bearer token. Leaves the sandbox as it found it.
source "$(dirname "$0")/lib.sh"

# Ports from the environment (lib.sh: PROXY_PORT, ADMIN_PORT, SANDBOX_PORT_BASE).
HUNG_PORT=$((ADMIN_PORT + 19))
INTERVAL_MS=250
TIMEOUT_MS=1000
THRESHOLD=3
BASE=http://127.0.0.1:$ADMIN_PORT

write_config() { # write_config FILE TOKEN [EXTRA_SERVER_LINES]
  cat >"$1" <<EOF
listen: 127.0.0.1:$PROXY_PORT
admin:
  listen: 127.0.0.1:$ADMIN_PORT
  token: "$2"
users:
  - name: app
    password: app_pw
monitor:
  user: monitor
  password: monitor_pw
  interval_ms: $INTERVAL_MS
  timeout_ms: $TIMEOUT_MS
  failure_threshold: $THRESHOLD
servers:
  - name: db1
    address: 127.0.0.1:$(port_of db1)
  - name: db2
    address: 127.0.0.1:$(port_of db2)
  - name: db3
    address: 127.0.0.1:$(port_of db3)
${3:-}
EOF
}

TOKEN=
status() { curl -sf -m 2 ${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$BASE/v1/status"; }
field() { status | jq -r --arg n "$1" ".servers[] | select(.name==\$n) | .$2"; }
is() { [[ $(field "$1" "$2") == "$3" ]]; }
master_is() { [[ $(status | jq -r .master) == "$1" ]]; }
up_replica() { is "$1" role replica && is "$1" state up; }
caught_up() { is "$1" lag_ms 0 && is "$1" state up; }
lag_below() { local l; l=$(field "$1" lag_ms); [[ $l =~ ^[0-9]+$ ]] && ((l < $2)); }
checks_of() { curl -sf -m 2 ${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$BASE/metrics" |
  awk -v s="switchyard_monitor_checks_total{server=\"$1\"}" '$1 == s {print $2}'; }
# wait_for_ms MS COMMAND...: like wait_for with a millisecond budget.
wait_for_ms() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.02
  done
}

start_switchyard() { # start_switchyard CONFIG
  "$SWITCHYARD_BIN" --config "$1" >>"$TEST_TMP/switchyard.log" 2>&1 &
  SY_PID=$!
  track_pid "$SY_PID"
  wait_for 15 status || { cat "$TEST_TMP/switchyard.log" >&2; fail "admin API did not come up"; finish; }
}
stop_switchyard() {
  kill -TERM "$SY_PID" 2>/dev/null || true
  wait "$SY_PID" 2>/dev/null || true
}

WRITER_PID=
start_writer() {
  ( while :; do sql db1 "insert into monitor_probe (v) values (1)" || true; sleep 0.05; done ) &
  WRITER_PID=$!
  track_pid "$WRITER_PID"
}
stop_writer() {
  [[ -z $WRITER_PID ]] && return 0
  kill "$WRITER_PID" 2>/dev/null || true
  wait "$WRITER_PID" 2>/dev/null || true
  WRITER_PID=
}

restore_sandbox() {
  stop_writer
  "$SANDBOX" start db3 >/dev/null 2>&1 || true
  root_sql db3 "START SLAVE" >/dev/null 2>&1 || true
  wait_for 30 replicating db3 || echo "[$TEST_NAME] WARNING: db3 is not replicating after the test" >&2
  sql db1 "drop table if exists monitor_probe" >/dev/null 2>&1 || true
}
trap 'set +e; restore_sandbox; _cleanup' EXIT

sql db1 "create table if not exists monitor_probe (id bigint primary key auto_increment, v int)"
CFG=$TEST_TMP/switchyard.yaml
write_config "$CFG" ""
start_switchyard "$CFG"

# --- discovery, idle lag ------------------------------------------------------------------
check "db1 discovered as master" wait_for 5 master_is db1
expect_eq "db1 role" master "$(field db1 role)"
for r in db2 db3; do
  check "$r is an up replica" wait_for 5 up_replica "$r"
  check "$r lag_ms is 0 when idle" wait_for 5 is "$r" lag_ms 0
done
sleep 1
expect_eq "idle master: db3 lag_ms still 0 a second later" 0 "$(field db3 lag_ms)"
expect_eq "epoch 0, no failover" "0 false" "$(status | jq -r '"\(.epoch) \(.failover_in_progress)"')"

# --- stopped SQL thread with writes flowing -----------------------------------------------
start_writer
root_sql db3 "STOP SLAVE SQL_THREAD"
check "db3 lagging within 2 s of STOP SLAVE SQL_THREAD" wait_for 2 is db3 state lagging
sleep 0.5
l1=$(field db3 lag_ms)
sleep 1
l2=$(field db3 lag_ms)
log "db3 lag_ms $l1 -> $l2 over 1 s"
check "db3 lag_ms is measured, not null" bash -c "[[ '$l1' =~ ^[0-9]+\$ && '$l2' =~ ^[0-9]+\$ ]]"
check "db3 lag_ms grows about 1 s per second (+700..1300 ms)" \
  bash -c "(( $l2 - $l1 >= 700 && $l2 - $l1 <= 1300 ))"
db2_ok() { is db2 state up && lag_below db2 1000; }
check "db2 stays up and within max_lag_ms while db1 writes" db2_ok
stop_writer
root_sql db3 "START SLAVE SQL_THREAD"
check "db3 back to lag_ms 0 and up within 2 s of START SLAVE" wait_for 2 caught_up db3

# --- killed and restarted -----------------------------------------------------------------
budget=$((THRESHOLD * INTERVAL_MS + TIMEOUT_MS))
t0=$(now_ms)
"$SANDBOX" kill db3 >/dev/null
check "db3 down within failure_threshold*interval+timeout (${budget} ms, +300 ms polling)" \
  wait_for_ms $((budget + 300 - ($(now_ms) - t0))) is db3 state down
log "db3 reported down $(( $(now_ms) - t0 )) ms after the kill started"
expect_eq "db3 lag_ms unknown while down" null "$(field db3 lag_ms)"
expect_eq "db1 still master and up" "master up" "$(field db1 role) $(field db1 state)"
"$SANDBOX" start db3 >/dev/null
check "db3 up again after restart" wait_for 10 up_replica db3

# --- maintenance through the API ----------------------------------------------------------
code=$(curl -s -o "$TEST_TMP/m.json" -w '%{http_code}' -X POST -d '{"reason":"test"}' "$BASE/v1/servers/db2/maintenance")
expect_eq "POST maintenance db2 -> 200" 200 "$code"
expect_eq "db2 in maintenance immediately" "maintenance true" "$(field db2 state) $(field db2 maintenance)"
expect_eq "POST maintenance on the master -> 409" 409 \
  "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/servers/db1/maintenance")"
expect_eq "POST maintenance unknown server -> 404" 404 \
  "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/servers/nope/maintenance")"
sleep 0.6
expect_eq "maintenance sticks across monitor rounds" maintenance "$(field db2 state)"
expect_eq "DELETE maintenance db2 -> 200" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$BASE/v1/servers/db2/maintenance")"
check "db2 back up within 2 s" wait_for 2 is db2 state up
expect_eq "manual failover refused while the master is healthy -> 409" 409 \
  "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/v1/failover")"
expect_eq "unknown path -> 404 JSON" "404 not found" \
  "$(curl -s -o "$TEST_TMP/e.json" -w '%{http_code}' "$BASE/nope") $(jq -r .error "$TEST_TMP/e.json")"
expect_eq "wrong method -> 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$BASE/v1/status")"

# --- ctl ----------------------------------------------------------------------------------
out=$("$SWITCHYARD_BIN" ctl --config "$CFG" status)
check "ctl status prints the table" grep -qE "^db1 +127\.0\.0\.1:$(port_of db1) +master +up +0 " <<<"$out"
expect_eq "ctl status --json" db1 "$("$SWITCHYARD_BIN" ctl --config "$CFG" --json status | jq -r .master)"
stop_switchyard

set +e
err=$("$SWITCHYARD_BIN" ctl --admin "$BASE" status 2>&1); rc=$?
set -e
expect_eq "ctl status exits 1 when the admin API is unreachable" 1 "$rc"
check "ctl says it cannot reach the admin API" grep -q "cannot reach the admin API at $BASE" <<<"$err"

# --- a hung server, and a token ------------------------------------------------------------
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $HUNG_PORT)); s.listen(64); held = []
while True:
    c, _ = s.accept(); held.append(c)   # accept, never answer
" &
track_pid $!
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$HUNG_PORT"
CFG2=$TEST_TMP/switchyard-hung.yaml
write_config "$CFG2" "t0k" "  - name: hung
    address: 127.0.0.1:$HUNG_PORT
    weight: 0
    promotable: false"
TOKEN=t0k
start_switchyard "$CFG2"
expect_eq "without the bearer token -> 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/status")"
expect_eq "with a wrong token -> 401" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$BASE/v1/status")"
check "hung server is down (by timeout, not waited on forever)" \
  wait_for $(( (THRESHOLD + 1) * TIMEOUT_MS / 1000 + 2 )) is hung state down
c1=$(checks_of db1); sleep 2; c2=$(checks_of db1)
log "db1 checked $((c2 - c1)) times in 2 s next to a hung server"
check "a hung server does not slow db1's checks (>= 5 in 2 s at ${INTERVAL_MS} ms; 2 if it did)" bash -c "(( $c2 - $c1 >= 5 ))"
expect_eq "db1 still master and up next to the hung server" "master up" "$(field db1 role) $(field db1 state)"
expect_eq "ctl uses admin.token from --config" db1 "$("$SWITCHYARD_BIN" ctl --config "$CFG2" --json status | jq -r .master)"
t0=$(now_ms)
stop_switchyard
check "SIGTERM stops switchyard within 5 s despite a hung probe" bash -c "(( $(now_ms) - $t0 < 5000 ))"

finish
