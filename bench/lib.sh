# Shared helpers for the bench/*/run.sh scripts (sourced). Benchmarks print tables; they never
# fail on a threshold. Ports come from the same variables as the integration tests:
#   SANDBOX_PORT_BASE (db1; db2 and db3 follow), SANDBOX_DIR, PROXY_PORT, ADMIN_PORT.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/tests/config_yaml.sh"
SWITCHYARD_BIN=${SWITCHYARD_BIN:-$REPO/build/app/switchyard}
SANDBOX=$REPO/scripts/sandbox
export SANDBOX_PORT_BASE=${SANDBOX_PORT_BASE:-3307}
export SANDBOX_DIR=${SANDBOX_DIR:-$REPO/var/sandbox}
PROXY_PORT=${PROXY_PORT:-16033}
ADMIN_PORT=${ADMIN_PORT:-16080}
BENCH_TMP=$(mktemp -d "/tmp/switchyard-bench.XXXXXX")
_BENCH_PIDS=()

port_of() { case "$1" in db1) echo "$SANDBOX_PORT_BASE" ;; db2) echo $((SANDBOX_PORT_BASE + 1)) ;; db3) echo $((SANDBOX_PORT_BASE + 2)) ;; *) echo "$1" ;; esac; }
say() { echo "[$(basename "$(dirname "$0")")] $*" >&2; }
die() { say "error: $*"; exit 1; }
root_sql() { mariadb --no-defaults -uroot -S "$SANDBOX_DIR/$1/mysqld.sock" -N -B -e "$2"; }
port_sql() { mariadb --no-defaults -h127.0.0.1 -P"$1" -uapp -papp_pw -N -B -e "$2" app; }

# wait_for SECONDS COMMAND...: polls COMMAND every 50 ms; 1 on timeout.
wait_for() {
  local deadline=$(($(date +%s%N) + $1 * 1000000000)); shift
  until "$@" >/dev/null 2>&1; do
    (($(date +%s%N) < deadline)) || return 1
    sleep 0.05
  done
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# sandbox_up: the sandbox on SANDBOX_PORT_BASE (started if db1 does not answer).
sandbox_up() {
  if ! root_sql db1 "select 1" >/dev/null 2>&1; then
    say "starting the sandbox on ports $SANDBOX_PORT_BASE-$((SANDBOX_PORT_BASE + 2))"
    "$SANDBOX" up >&2
  fi
}

# write_config FILE [EXTRA_YAML]: the example config on the bench ports; EXTRA_YAML replaces
# whole top-level sections of the same name (as in tests/integration/lib.sh).
write_config() { LOG_LEVEL=warn render_config "$1" "$BENCH_TMP/state" "${2:-}"; }
# master_only_yaml: config sections with only db1, so every statement goes to the master.
master_only_yaml() {
  printf 'servers:\n  - name: db1\n    address: 127.0.0.1:%s\nfailover:\n  auto: false\n' "$(port_of db1)"
}

# start_proxy CONFIG: runs switchyard in the background (PROXY_PID) until it serves a query.
start_proxy() {
  port_open "$PROXY_PORT" && die "port $PROXY_PORT is already in use (set PROXY_PORT/ADMIN_PORT)"
  "$SWITCHYARD_BIN" --config "$1" >"$BENCH_TMP/proxy.log" 2>&1 &
  PROXY_PID=$!
  _BENCH_PIDS+=("$PROXY_PID")
  wait_for 20 port_sql "$PROXY_PORT" "select 1" || { cat "$BENCH_TMP/proxy.log" >&2; die "the proxy did not serve a query"; }
}
stop_proxy() {
  [[ -n ${PROXY_PID:-} ]] || return 0
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=
}
track_pid() { _BENCH_PIDS+=("$1"); }

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
CLK_TCK=$(getconf CLK_TCK)
# rss_kb PID / hwm_kb PID: current and peak resident set size.
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status"; }

_bench_cleanup() {
  for p in "${_BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ ${KEEP_TMP:-0} == 1 ]] || rm -rf "$BENCH_TMP"
}
trap _bench_cleanup EXIT
