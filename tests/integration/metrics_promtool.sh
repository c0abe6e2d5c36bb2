#!/usr/bin/env bash
# /metrics passes `promtool check metrics` (Debian package prometheus, installed by
# scripts/setup) after some traffic, and carries the series README documents: queries by
# route and server, client connections, per-server state/lag, failovers/switchovers, writes held.
source "$(dirname "$0")/lib.sh"
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}
[[ -n $PROMTOOL ]] || { fail "promtool not found: run scripts/setup (package prometheus) or set PROMTOOL"; finish; }

start_proxy_default
wait_for 20 replicas_caught_up || log "replicas still lagging"
for i in 1 2 3 4 5; do proxy_sql "select $i" >/dev/null; done
proxy_sql "select * from no_such_table" >/dev/null 2>&1 || true
admin_get /metrics >"$TEST_TMP/metrics.txt"
# promtool exits non-zero on parse errors and on lint findings. Three names predate the
# lint and are kept stable (README: Metrics): their unit findings are the only ones accepted.
"$PROMTOOL" check metrics <"$TEST_TMP/metrics.txt" >"$TEST_TMP/promtool.out" 2>&1 || true
check "promtool parses /metrics" bash -c "! grep -qi 'error' '$TEST_TMP/promtool.out'"
grep -vE '^(switchyard_last_writes_held_ms|switchyard_server_lag_ms) metric names should not contain abbreviated units$|^switchyard_writes_held_milliseconds_total use base unit "seconds" instead of "milliseconds"$' \
  "$TEST_TMP/promtool.out" | grep -v '^$' >"$TEST_TMP/promtool.unexpected" || true
if [[ -s $TEST_TMP/promtool.unexpected ]]; then
  fail "promtool check metrics: $(head -20 "$TEST_TMP/promtool.unexpected")"
else
  pass "promtool check metrics finds nothing beyond the three known legacy unit names"
fi
# A broken exposition must be caught (the check above is not vacuous).
printf 'switchyard_bad{x="1" 1\n' | "$PROMTOOL" check metrics >"$TEST_TMP/bad.out" 2>&1 || true
check "promtool rejects a malformed line" grep -qi error "$TEST_TMP/bad.out"
for series in 'switchyard_queries_total{route="replica"}' 'switchyard_queries_total{route="master"}' \
  'switchyard_server_queries_total{server="db1"}' 'switchyard_client_connections' \
  'switchyard_client_connections_total' 'switchyard_client_connections_refused_total' \
  'switchyard_server_backend_connections{server="db2"}' 'switchyard_server_reads_in_flight{server="db3"}' \
  'switchyard_failovers_total' 'switchyard_switchovers_total' 'switchyard_writes_held_total' \
  'switchyard_writes_held_milliseconds_total' 'switchyard_backend_errors_total' 'switchyard_auth_failures_total' \
  'switchyard_errors_total{kind="no_master"}' 'switchyard_query_duration_seconds_bucket{route="master",le="+Inf"}' \
  'switchyard_query_duration_seconds_count{route="replica"}'; do
  check "/metrics has $series" grep -qF "$series " "$TEST_TMP/metrics.txt"
done
check "/metrics has a per-server state series" grep -qE '^switchyard_server_(up|state)\{' "$TEST_TMP/metrics.txt"
check "/metrics has a per-server lag series" grep -qE '^switchyard_(server_)?(replica_)?lag' "$TEST_TMP/metrics.txt"
stop_proxy
finish
