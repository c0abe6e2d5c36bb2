#!/usr/bin/env bash
# MariaDB Connector/J (Debian libmariadb-java) runs the client checklist through the proxy:
# client- and server-side prepared statements, batches, multi-queries, KILL QUERY and
# Statement.cancel(), LOAD DATA LOCAL, COM_RESET_CONNECTION and TLS (trusted and verified).
source "$(dirname "$0")/../integration/lib.sh"
JAR=/usr/share/java/mariadb-java-client.jar
[[ -f $JAR ]] || { fail "$JAR missing: run scripts/setup (libmariadb-java)"; finish; }
javac -encoding UTF-8 -Xlint:all -Werror -cp "$JAR" -d "$TEST_TMP/classes" "$(dirname "$0")/ConnectorJChecklist.java" ||
  { fail "compile ConnectorJChecklist.java"; finish; }
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
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
java -Xmx512m -cp "$JAR:$TEST_TMP/classes" ConnectorJChecklist "$PROXY_PORT" 3307 "$TEST_TMP" 1 &&
  pass "Connector/J checklist" || fail "Connector/J checklist"
finish
