#!/usr/bin/env bash
# Node.js mysql2 (version pinned in tests/clients/node/package-lock.json, installed by scripts/setup
# with `npm ci`) runs the client checklist through the proxy: text and binary protocol, changeUser,
# reset, KILL QUERY, LOAD DATA LOCAL and TLS with certificate verification.
source "$(dirname "$0")/../integration/lib.sh"
NODE_DIR=$(cd "$(dirname "$0")/node" && pwd)
[[ -d $NODE_DIR/node_modules/mysql2 ]] || { fail "mysql2 missing: run scripts/setup (npm ci --prefix tests/clients/node)"; finish; }
start_proxy_for_clients
node "$NODE_DIR/checklist.js" "$PROXY_PORT" "$(port_of db1)" "$TEST_TMP" 1 && pass "node mysql2 checklist" || fail "node mysql2 checklist"
finish
