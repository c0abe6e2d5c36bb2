#!/usr/bin/env bash
# Node.js mysql2 (version pinned in tests/clients/node/package-lock.json, installed by scripts/setup
# with `npm ci`) runs the client checklist through the proxy: text and binary protocol, changeUser,
# reset, KILL QUERY, LOAD DATA LOCAL and TLS with certificate verification.
source "$(dirname "$0")/../integration/lib.sh"
NODE_DIR=$(cd "$(dirname "$0")/node" && pwd)
[[ -d $NODE_DIR/node_modules/mysql2 ]] || { fail "mysql2 missing: run scripts/setup (npm ci --prefix tests/clients/node)"; finish; }
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
node "$NODE_DIR/checklist.js" "$PROXY_PORT" 3307 "$TEST_TMP" 1 && pass "node mysql2 checklist" || fail "node mysql2 checklist"
finish
