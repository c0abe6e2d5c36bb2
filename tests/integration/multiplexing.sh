#!/usr/bin/env bash
# Connection multiplexing (issue 8): 200 clients through a pool of 8 connections per server,
# session state still right under sharing, no state leaking between clients; then the existing
# routing checks with multiplexing on.
source "$(dirname "$0")/lib.sh"
start_proxy_default "pool:
  multiplexing: true
  max_per_server: 8
  idle_timeout_ms: 60000"
wait_for 30 replicas_caught_up || log "replicas still lagging"
# The servers' own view: connections of user app (only the proxy connects as app here), sampled
# every 50 ms while the clients run; the peak per server goes to TEST_TMP/peak.
app_connections() { root_sql "$1" "SELECT COUNT(*) FROM information_schema.processlist WHERE user = 'app'"; }
sampler() {
  local p1=0 p2=0 p3=0 n
  while [[ ! -e $TEST_TMP/stop ]]; do
    n=$(app_connections db1); ((n > p1)) && p1=$n
    n=$(app_connections db2); ((n > p2)) && p2=$n
    n=$(app_connections db3); ((n > p3)) && p3=$n
    echo "$p1 $p2 $p3" >"$TEST_TMP/peak"
    sleep 0.05
  done
}
sampler &
track_pid $!
/usr/bin/python3 "$(dirname "$0")/multiplexing_checks.py" "$PROXY_PORT" "$ADMIN_PORT" \
  "$(port_of db1)" "$(port_of db2)" "$(port_of db3)" 8 && pass "multiplexing checks" || fail "multiplexing checks"
touch "$TEST_TMP/stop"
wait_for 5 bash -c "! kill -0 $! 2>/dev/null" || true
read -r p1 p2 p3 <"$TEST_TMP/peak"
log "peak connections of the proxy seen by the servers: db1 $p1, db2 $p2, db3 $p3"
check "db1 never saw more than 8 proxy connections ($p1)" test "$p1" -le 8
check "db2 never saw more than 8 proxy connections ($p2)" test "$p2" -le 8
check "db3 never saw more than 8 proxy connections ($p3)" test "$p3" -le 8
check "the servers did see the pooled connections" test $((p1 + p2 + p3)) -gt 0
run() { /usr/bin/python3 "$(dirname "$0")/routing_checks.py" "$PROXY_PORT" "$ADMIN_PORT" "$1" && pass "routing $1 (multiplexed)" || fail "routing $1 (multiplexed)"; }
run spread
run session-state
run prepared
stop_proxy
finish
