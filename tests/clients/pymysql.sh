#!/usr/bin/env bash
# PyMySQL (Debian python3-pymysql) runs the client checklist through the proxy.
source "$(dirname "$0")/../integration/lib.sh"
start_proxy_default
/usr/bin/python3 "$(dirname "$0")/pymysql_checklist.py" "$PROXY_PORT" "$(port_of db1)" && pass "pymysql checklist" || fail "pymysql checklist"
finish
