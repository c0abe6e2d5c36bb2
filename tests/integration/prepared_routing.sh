#!/usr/bin/env bash
# Binary-protocol prepared statements through the split proxy (issue 4), driven by libmariadb's
# server-side prepared statements (prepared_routing.c): reads on the replicas, writes on the
# master, read-your-writes, parameter types re-sent to a backend that never saw them, long data,
# cursors, re-preparation after lost backend connections. The proxy's own per-server counters
# must agree that the replicas served the reads.
source "$(dirname "$0")/lib.sh"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -o "$TEST_TMP/prepared_routing" \
  "$(dirname "$0")/prepared_routing.c" $(pkg-config --cflags --libs libmariadb) ||
  { fail "compile prepared_routing.c"; finish; }
start_proxy_default
wait_for 30 replicas_caught_up || log "replicas still lagging: replica checks may fail"
served() { # served SERVER: statements the proxy sent to SERVER so far
  admin_get /metrics | awk -v s="$1" '$1 == "switchyard_server_queries_total{server=\""s"\"}" {print $2}'
}
before_master=$(served db1) before_replicas=$(( $(served db2) + $(served db3) ))
"$TEST_TMP/prepared_routing" "$PROXY_PORT" "$(port_of db1)" "$(port_of db2)" "$(port_of db3)" &&
  pass "prepared statement checks" || { fail "prepared statement checks"; tail -20 "$TEST_TMP/proxy.log" >&2; }
master=$(( $(served db1) - before_master )) replicas=$(( $(served db2) + $(served db3) - before_replicas ))
log "statements on the master: $master, on the replicas: $replicas"
check "the proxy counted at least 800 statements on the replicas ($replicas)" test "$replicas" -ge 800
check "the proxy counted at least 500 statements on the master ($master)" test "$master" -ge 500
stop_proxy
finish
