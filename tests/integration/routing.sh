#!/usr/bin/env bash
# Read/write splitting against the real sandbox: spread over replicas, transactions on the
# master, read-your-writes with a delayed replica (and proof that eventual mode is stale),
# lag-based exclusion and return, session state on replicas, text prepared statements.
source "$(dirname "$0")/lib.sh"
checks=$(dirname "$0")/routing_checks.py
run() { /usr/bin/python3 "$checks" "$PROXY_PORT" "$ADMIN_PORT" "$1" && pass "$1" || fail "$1"; }

start_proxy_default "routing:
  max_lag_ms: 1000
  read_consistency: session
  load_balance: least_conn
  causal_wait_ms: 50"
run spread
run session-state
run prepared
run lag-exclusion
stop_proxy

start_proxy_default "routing:
  max_lag_ms: 10000
  read_consistency: session
  causal_wait_ms: 50"
run consistency-session
stop_proxy

start_proxy_default "routing:
  max_lag_ms: 10000
  read_consistency: eventual"
run consistency-eventual
finish
