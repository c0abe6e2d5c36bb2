#!/usr/bin/env bash
# libmariadb (MariaDB Connector/C) runs the client checklist through the proxy: binary-protocol
# prepared statements with every MYSQL_TYPE_* parameter, cursors, multi-statements, KILL QUERY,
# mysql_kill, LOAD DATA LOCAL, mysql_change_user, mysql_reset_connection and TLS.
source "$(dirname "$0")/../integration/lib.sh"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -o "$TEST_TMP/libmariadb_checklist" \
  "$(dirname "$0")/libmariadb_checklist.c" $(pkg-config --cflags --libs libmariadb) -lpthread ||
  { fail "compile libmariadb_checklist.c"; finish; }
start_proxy_for_clients
"$TEST_TMP/libmariadb_checklist" "$PROXY_PORT" "$(port_of db1)" "$TEST_TMP" 1 && pass "libmariadb checklist" || fail "libmariadb checklist"
finish
