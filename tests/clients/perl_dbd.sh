#!/usr/bin/env bash
# Perl DBI with DBD::MariaDB (Debian libdbd-mariadb-perl) runs the client checklist through the
# proxy, with client-side placeholders and with server-side (binary protocol) prepared statements.
source "$(dirname "$0")/../integration/lib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$TEST_TMP/server.key" -out "$TEST_TMP/server.pem" >/dev/null 2>&1
start_proxy_default "tls:
  cert: $TEST_TMP/server.pem
  key: $TEST_TMP/server.key"
/usr/bin/perl "$(dirname "$0")/perl_dbd.pl" "$PROXY_PORT" 3307 "$TEST_TMP" 1 && pass "perl DBD::MariaDB checklist" ||
  fail "perl DBD::MariaDB checklist"
finish
