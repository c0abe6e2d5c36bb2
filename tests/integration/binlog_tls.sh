#!/usr/bin/env bash
# The binlog tailer over TLS (tls.backend). The sandbox servers offer TLS; db1's
# information_schema.USER_STATISTICS (userstat, on for the test) counts TLS connections per user,
# and the only TLS client of the repl account is the tailer (the replicas' IO threads use it
# plaintext, MASTER_SSL=0), so its delta proves the stream is encrypted, independently of what
# /v1/status reports. Lag still comes from that stream. Then, through a relay that clears
# CLIENT_SSL from db1's greeting (a server without TLS): tls.backend_require leaves the tailer
# disconnected with a clear error in /v1/status and the log and the proxy running; tls.backend
# alone falls back to a plaintext stream. db1's userstat is restored at the end.
source "$(dirname "$0")/lib.sh"
RELAY_PORT=${RELAY_PORT:-$((PROXY_PORT + 101))}

status_field() { admin_get /v1/status | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
binlog_field() { status_field "(d.get('binlog') or {}).get('$1')"; }
lag_of() { status_field "next(s['lag_ms'] for s in d['servers'] if s['name']=='$1')"; }
streaming_with_tls() { [[ $(binlog_field connected) == True && $(binlog_field tls) == "$1" ]]; }
# TLS / all connections of the repl account accepted by db1 since userstat was switched on.
repl_connections() {
  root_sql db1 "SELECT COALESCE(SUM(TOTAL_SSL_CONNECTIONS), 0), COALESCE(SUM(TOTAL_CONNECTIONS), 0)
                FROM information_schema.USER_STATISTICS WHERE USER = 'repl'"
}
repl_tls_connections() { repl_connections | cut -f1; }
db2_lagging() { (( $(lag_of db2) > 0 )); }
db2_caught_up() { [[ $(lag_of db2) == 0 ]]; }
query_refused() { # at once, not after failover.hold_ms: a TLS policy is not a passing fault
  ! timeout 20 mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw -e "select 1" app >/dev/null 2>"$TEST_TMP/query.err" &&
    grep -q "ERROR 3159 (HY000).*server db1 does not offer TLS" "$TEST_TMP/query.err" &&
    grep -q "backend db1: does not offer TLS and tls.backend_require is on" "$TEST_TMP/proxy.log"
}
query_works() { proxy_sql "select 1" >/dev/null; }
admin_answers() { admin_get /v1/status >/dev/null; }
stream_reached_master() { [[ $(binlog_field gtid) == $(root_sql db1 "select @@gtid_binlog_pos") ]]; }

if [[ $(root_sql db1 "select @@have_ssl") != YES ]]; then
  fail "db1 does not offer TLS (a sandbox started before scripts/sandbox had TLS: down + up)"
  finish
fi
USERSTAT_WAS=$(root_sql db1 "select @@global.userstat")
restore() { root_sql db1 "SET GLOBAL userstat=$USERSTAT_WAS" >/dev/null 2>&1 || true; }
trap 'restore; _cleanup' EXIT
root_sql db1 "SET GLOBAL userstat=ON"
expect_eq "db2 replicates from db1 without TLS" "No" \
  "$(slave_status db2 | awk -F': ' '/Master_SSL_Allowed/{print $2}')"

# 1. TLS offered and required: the stream is encrypted.
before=$(repl_tls_connections)
start_proxy_default "tls:
  backend: true
  backend_require: true"
check "tailer streams over TLS (/v1/status binlog.tls)" wait_for 20 streaming_with_tls True
after=$(repl_tls_connections)
check "db1 counted a TLS connection of the repl account ($before -> $after)" test "$after" -gt "$before"
check "the log says the stream is over TLS" grep -q 'binlog: streaming from .* over TLS' "$TEST_TMP/proxy.log"

# The stream and the lag it times still work.
proxy_sql "CREATE TABLE IF NOT EXISTS binlog_tls (id INT PRIMARY KEY); REPLACE INTO binlog_tls VALUES (1)" \
  || fail "write through the proxy"
check "the stream reaches the master's GTID position" wait_for 10 stream_reached_master
root_sql db2 "STOP SLAVE SQL_THREAD"
proxy_sql "REPLACE INTO binlog_tls VALUES (2)" || fail "write through the proxy"
check "db2 with a stopped SQL thread shows lag" wait_for 10 db2_lagging
expect_eq "lag is timed from the binlog stream" binlog "$(binlog_field lag_source)"
root_sql db2 "START SLAVE SQL_THREAD"
check "db2's lag is back to 0 after START SLAVE" wait_for 15 db2_caught_up
stop_proxy

# 2. A server that does not offer TLS (greeting rewritten by the relay).
/usr/bin/python3 "$(dirname "$0")/tcp_relay.py" "$RELAY_PORT" "$(port_of db1)" --strip-tls &
RELAY_PID=$!; track_pid $RELAY_PID
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$RELAY_PORT" || { fail "relay did not start"; finish; }
only_db1_via_relay="servers:
  - name: db1
    address: 127.0.0.1:$RELAY_PORT"
rm -rf "$TEST_TMP/state"
write_config "$TEST_TMP/require.yaml" "tls:
  backend: true
  backend_require: true
failover:
  auto: true
  hold_ms: 1000
$only_db1_via_relay"
start_proxy "$TEST_TMP/require.yaml"
tls_refused() { [[ $(binlog_field last_error) == *"does not offer TLS"* ]]; }
check "required TLS: /v1/status binlog.last_error says the server does not offer TLS" wait_for 20 tls_refused
log "binlog.last_error: $(binlog_field last_error)"
expect_eq "required TLS: the tailer is not streaming" False "$(binlog_field connected)"
check "required TLS: the log names the reason" grep -q 'binlog: stream from .* lost: .*server does not offer TLS' "$TEST_TMP/proxy.log"
check "required TLS: a query fails (the log says why) instead of going out in plaintext" query_refused
log "the client got: $(cat "$TEST_TMP/query.err")"
check "required TLS: the proxy is still running" kill -0 "$PROXY_PID"
check "required TLS: the admin API still answers" admin_answers
stop_proxy

rm -rf "$TEST_TMP/state"
write_config "$TEST_TMP/prefer.yaml" "tls:
  backend: true
$only_db1_via_relay"
before=$(repl_connections)
start_proxy "$TEST_TMP/prefer.yaml"
check "TLS when offered: the tailer streams in plaintext from a server without TLS" wait_for 20 streaming_with_tls False
after=$(repl_connections)
expect_eq "db1 counted no TLS connection of the repl account" "$(cut -f1 <<<"$before")" "$(cut -f1 <<<"$after")"
check "db1 counted the plaintext connection" test "$(cut -f2 <<<"$after")" -gt "$(cut -f2 <<<"$before")"
check "plaintext: a query through the proxy works" query_works
stop_proxy

root_sql db1 "DROP TABLE IF EXISTS app.binlog_tls"
finish
