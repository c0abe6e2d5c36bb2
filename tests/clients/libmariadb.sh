#!/usr/bin/env bash
# libmariadb (MariaDB Connector/C) runs the client checklist through the proxy: binary-protocol
# prepared statements with every MYSQL_TYPE_* parameter, cursors, multi-statements, KILL QUERY,
# mysql_kill, LOAD DATA LOCAL, mysql_change_user, mysql_reset_connection and TLS.
source "$(dirname "$0")/../integration/lib.sh"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -o "$TEST_TMP/libmariadb_checklist" \
  "$(dirname "$0")/libmariadb_checklist.c" $(pkg-config --cflags --libs libmariadb) -lpthread ||
  { fail "compile libmariadb_checklist.c"; finish; }
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$TEST_TMP/server.key" -out "$TEST_TMP/server.pem" >/dev/null 2>&1
start_proxy_default "tls:
  cert: $TEST_TMP/server.pem
  key: $TEST_TMP/server.key"
# Reads go to a replica only when one is caught up: wait for that, so that the replica-route
# checks at the start of the checklist do run on a replica.
replicas_caught_up() {
  admin_get /v1/status | /usr/bin/python3 -c 'import json, sys
servers = json.load(sys.stdin)["servers"]
sys.exit(not all(s["state"] == "up" and s["lag_ms"] == 0 for s in servers))'
}
wait_for 30 replicas_caught_up || log "replicas still lagging: replica-route checks may run on the master"
"$TEST_TMP/libmariadb_checklist" "$PROXY_PORT" 3307 "$TEST_TMP" 1 && pass "libmariadb checklist" || fail "libmariadb checklist"
finish
