#!/usr/bin/env bash
# Perl DBI with DBD::MariaDB (Debian libdbd-mariadb-perl) runs the client checklist through the
# proxy, with client-side placeholders and with server-side (binary protocol) prepared statements.
source "$(dirname "$0")/../integration/lib.sh"
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
/usr/bin/perl "$(dirname "$0")/perl_dbd.pl" "$PROXY_PORT" 3307 "$TEST_TMP" 1 && pass "perl DBD::MariaDB checklist" ||
  fail "perl DBD::MariaDB checklist"
finish
