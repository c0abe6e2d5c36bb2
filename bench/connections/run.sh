#!/usr/bin/env bash
# bench/connections: CLIENTS (default 10,000) authenticated client connections to switchyard,
# held idle, then each runs one query at the same time (bench/connections/clients.py, an
# asyncio raw-protocol client). Prints the proxy's RSS before/idle/after, bytes per idle client,
# the backend connections it holds (servers' Threads_connected deltas) and errors.
#   CLIENTS=10000 QUERY="SELECT 1" SPLIT=0 (1: db1 + replicas, else master only)
#   SERVER_MAX_CONNECTIONS=N: raise db1's max_connections to N for the run (restored after), for
#   a proxy that opens one backend connection per client (the sandbox allows 1,000).
#   SANDBOX_PORT_BASE/SANDBOX_DIR/PROXY_PORT/ADMIN_PORT as for the other benches.
source "$(dirname "$0")/../lib.sh"
CLIENTS=${CLIENTS:-10000}
QUERY=${QUERY:-SELECT 1}
# Each client is a socket here and one (or two, with a backend connection) in the proxy.
for n in 262144 65536 $((CLIENTS * 3 + 1000)); do ulimit -Hn "$n" 2>/dev/null && break; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) >= CLIENTS * 2 + 1000)) || say "warning: only $(ulimit -n) file descriptors for $CLIENTS clients"

[[ -x $SWITCHYARD_BIN ]] || die "no switchyard binary at $SWITCHYARD_BIN (build it first)"
sandbox_up
if [[ ${SPLIT:-0} == 1 ]]; then
  write_config "$BENCH_TMP/switchyard.yaml" "limits:
  max_client_connections: $((CLIENTS + 100))"
else
  write_config "$BENCH_TMP/switchyard.yaml" "$(master_only_yaml)
limits:
  max_client_connections: $((CLIENTS + 100))"
fi
if [[ -n ${SERVER_MAX_CONNECTIONS:-} ]]; then
  OLD_MAX=$(root_sql db1 "SELECT @@global.max_connections")
  root_sql db1 "SET GLOBAL max_connections = $SERVER_MAX_CONNECTIONS"
  restore_max() { root_sql db1 "SET GLOBAL max_connections = $OLD_MAX" || true; _bench_cleanup; }
  trap restore_max EXIT
fi
start_proxy "$BENCH_TMP/switchyard.yaml"
say "proxy pid $PROXY_PID (fd limit $(ulimit -n)); $CLIENTS clients, query: $QUERY"
echo "## bench/connections $(date -u +%Y-%m-%dT%H:%MZ), switchyard $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'), $( [[ ${SPLIT:-0} == 1 ]] && echo 'read/write split' || echo 'master only')"
echo
/usr/bin/python3 "$REPO/bench/connections/clients.py" "$PROXY_PID" "$PROXY_PORT" "$CLIENTS" "$SANDBOX_DIR" "$QUERY"
say "$(grep -ciE "error|warn" "$BENCH_TMP/proxy.log" || true) warning/error lines in the proxy log"
grep -iE "error|warn" "$BENCH_TMP/proxy.log" | cut -c1-200 | head -3 >&2 || true
stop_proxy
echo
echo "Issue 8 target: 10,000 idle clients at < 8 KB each, <= 64 backend connections per server, zero errors."
