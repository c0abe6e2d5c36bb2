# Shared helpers for integration tests (sourced). Each test script is one ctest test that
# runs against the sandbox fixture (scripts/sandbox up, done once by ctest).
set -euo pipefail
REPO=${SWITCHYARD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
source "$REPO/tests/config_yaml.sh"
SWITCHYARD_BIN=${SWITCHYARD_BIN:-$REPO/build/app/switchyard}
SANDBOX=$REPO/scripts/sandbox
TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
TEST_TMP=$(mktemp -d "/tmp/switchyard-$TEST_NAME.XXXXXX")
PASSED=0
FAILED=0
_PIDS=()

# SANDBOX_PORT_BASE: the sandbox's db1 port (db2, db3 follow), as for scripts/sandbox.
SANDBOX_PORT_BASE=${SANDBOX_PORT_BASE:-3307}
export SANDBOX_PORT_BASE
port_of() { case "$1" in db1) echo "$SANDBOX_PORT_BASE" ;; db2) echo $((SANDBOX_PORT_BASE + 1)) ;; db3) echo $((SANDBOX_PORT_BASE + 2)) ;; *) echo "$1" ;; esac; }

# sql NAME|PORT QUERY: run QUERY as app over TCP, tab-separated output without headers.
sql() { mariadb --no-defaults -h127.0.0.1 -P"$(port_of "$1")" -uapp -papp_pw -N -B -e "$2" app; }
# root_sql NAME QUERY: as root over the sandbox socket (administrative steps of a test).
root_sql() { mariadb --no-defaults -uroot -S "${SANDBOX_DIR:-$REPO/var/sandbox}/$1/mysqld.sock" -N -B -e "$2"; }

# slave_status NAME: SHOW SLAVE STATUS\G with field names, for grep.
slave_status() { mariadb --no-defaults -uroot -S "${SANDBOX_DIR:-$REPO/var/sandbox}/$1/mysqld.sock" -e 'show slave status\G'; }
replicating() { [[ $(slave_status "$1" | grep -cE 'Slave_(IO|SQL)_Running: Yes') == 2 ]]; }

log() { echo "[$TEST_NAME] $*"; }
fail() { echo "[$TEST_NAME] FAIL: $*" >&2; FAILED=$((FAILED + 1)); }
pass() { echo "[$TEST_NAME] ok: $*"; PASSED=$((PASSED + 1)); }
check() { # check DESCRIPTION COMMAND...: records pass/fail of COMMAND
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
expect_eq() { # expect_eq DESCRIPTION EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# wait_for SECONDS COMMAND...: polls COMMAND every 20 ms until it succeeds; 1 on timeout.
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.02
  done
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# watch_port_closed NAME FILE: in the background, writes to FILE the ms (now_ms) at which
# NAME's port first refuses connections (a killed server's sockets close a while after
# SIGKILL; nothing it sent can arrive after that). Prints the watcher's pid.
watch_port_closed() {
  ( while (exec 3<>"/dev/tcp/127.0.0.1/$(port_of "$1")") 2>/dev/null; do sleep 0.005; done; now_ms >"$2" ) >/dev/null 2>&1 &
  echo $!
}

# start_proxy CONFIG [ARGS...]: runs switchyard in the background; waits for its listen port.
start_proxy() {
  local config=$1; shift
  local port; port=$(awk -F: '/^listen:/{print $NF}' "$config" | tr -d ' ')
  # A port already taken would make the test talk to someone else's proxy.
  if (exec 3<>"/dev/tcp/127.0.0.1/${port:-6033}") 2>/dev/null; then
    fail "port ${port:-6033} is already in use (set PROXY_PORT/ADMIN_PORT)"; finish
  fi
  "$SWITCHYARD_BIN" --config "$config" "$@" >"$TEST_TMP/proxy.log" 2>&1 &
  PROXY_PID=$!
  _PIDS+=("$PROXY_PID")
  wait_for 15 bash -c "exec 3<>/dev/tcp/127.0.0.1/${port:-6033}" || { cat "$TEST_TMP/proxy.log" >&2; fail "proxy did not start"; finish; }
  kill -0 "$PROXY_PID" 2>/dev/null || { cat "$TEST_TMP/proxy.log" >&2; fail "proxy exited at start"; finish; }
}
# The monitor section of the failover tests: a check every 250 ms that gives up after 500 ms.
FAILOVER_TEST_MONITOR="monitor:
  user: monitor
  password: monitor_pw
  interval_ms: 250
  timeout_ms: 500
  failure_threshold: 3"

# write_config FILE [EXTRA_YAML]: the example config on test ports (PROXY_PORT, ADMIN_PORT),
# state in TEST_TMP; EXTRA_YAML replaces whole top-level sections of the same name.
PROXY_PORT=${PROXY_PORT:-16033}
ADMIN_PORT=${ADMIN_PORT:-16080}
write_config() { render_config "$1" "$TEST_TMP/state" "${2:-}"; }
proxy_sql() { mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw ${PROXY_SSL_ARGS:-} -N -B -e "$1" app; }
# start_proxy_default [EXTRA_YAML]: config + start + wait until the proxy has found the master.
start_proxy_default() {
  write_config "$TEST_TMP/switchyard.yaml" "${1:-}"
  start_proxy "$TEST_TMP/switchyard.yaml"
  wait_for 20 proxy_sql "select 1" || { cat "$TEST_TMP/proxy.log" >&2; fail "proxy never served a query"; finish; }
}
admin_get() { curl -sf "http://127.0.0.1:$ADMIN_PORT$1"; }
# admin_post PATH [BODY]: prints the HTTP code; the body is in TEST_TMP/post.json.
admin_post() { curl -s -o "$TEST_TMP/post.json" -w '%{http_code}' -X POST -d "${2:-}" "http://127.0.0.1:$ADMIN_PORT$1"; }
master_name() { admin_get /v1/status | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin).get('master') or '')"; }
master_is() { [[ $(master_name 2>/dev/null) == "$1" ]]; }
# caught_up REPLICA MASTER: REPLICA replicates and has applied everything MASTER binlogged.
caught_up() {
  replicating "$1" && [[ $(root_sql "$1" "select @@gtid_slave_pos") == $(root_sql "$2" "select @@gtid_binlog_pos") ]]
}
# semi_sync MASTER on|off: semi-synchronous replication (AFTER_SYNC, 10 s timeout) so that an
# acknowledged write has reached a replica. Only MASTER is a semi-sync master: a replica with
# rpl_semi_sync_master_enabled=ON and no semi-sync replica of its own stalls its SQL thread
# on every commit for rpl_semi_sync_master_timeout (wait_no_slave=ON), which would hold up
# a candidate's catch-up before promotion for that long.
semi_sync() {
  local master=$1 v=OFF n m; [[ $2 == on ]] && v=ON
  for n in db1 db2 db3; do
    m=OFF; [[ $n == "$master" ]] && m=$v
    root_sql $n "SET GLOBAL rpl_semi_sync_master_enabled=$m; SET GLOBAL rpl_semi_sync_master_wait_point=AFTER_SYNC;
                 SET GLOBAL rpl_semi_sync_master_timeout=10000; SET GLOBAL rpl_semi_sync_slave_enabled=$v" || return 1
    # The IO thread negotiates semi-sync when it connects.
    if [[ -n $(slave_status $n) ]]; then root_sql $n "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD"; fi
  done
}

# make_test_cert: a self-signed certificate for 127.0.0.1 in TEST_TMP/server.{pem,key}.
make_test_cert() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$TEST_TMP/server.key" -out "$TEST_TMP/server.pem" >/dev/null 2>&1
}
# start_proxy_for_clients: the proxy with client-side TLS (TEST_TMP/server.pem), then waits
# until every replica is up and caught up, so replica-route checks do run on a replica.
replicas_caught_up() {
  admin_get /v1/status | /usr/bin/python3 -c 'import json, sys
servers = json.load(sys.stdin)["servers"]
sys.exit(not all(s["state"] == "up" and s["lag_ms"] == 0 for s in servers))'
}
start_proxy_for_clients() {
  make_test_cert
  start_proxy_default "tls:
  cert: $TEST_TMP/server.pem
  key: $TEST_TMP/server.key"
  wait_for 30 replicas_caught_up || log "replicas still lagging: replica-route checks may run on the master"
}

stop_proxy() {
  [[ -n ${PROXY_PID:-} ]] || return 0
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=
}
# restore_sandbox: for tests that move the master. Rebuilds the sandbox unless the test put it
# back itself (RESTORED=1), in which case only its table ($TABLE) is dropped.
restore_sandbox() {
  if [[ ${RESTORED:-0} != 1 ]]; then
    log "rebuilding the sandbox (the test did not put it back)"
    "$SANDBOX" down >/dev/null 2>&1; "$SANDBOX" up >/dev/null 2>&1
  else
    root_sql db1 "DROP TABLE IF EXISTS app.$TABLE" >/dev/null 2>&1
  fi
}
track_pid() { _PIDS+=("$1"); }

_cleanup() {
  for p in "${_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ ${KEEP_TMP:-0} == 1 ]] || rm -rf "$TEST_TMP"
}
trap _cleanup EXIT

# finish: prints the plain summary line and exits non-zero if anything failed.
finish() {
  echo "[$TEST_NAME] $PASSED passed, $FAILED failed"
  ((FAILED == 0 && PASSED > 0))
  exit $?
}
