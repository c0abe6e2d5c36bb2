#!/usr/bin/env bash
# Perl DBI with DBD::MariaDB (Debian libdbd-mariadb-perl) runs the client checklist through the
# proxy, with client-side placeholders and with server-side (binary protocol) prepared statements.
source "$(dirname "$0")/../integration/lib.sh"
start_proxy_for_clients
/usr/bin/perl "$(dirname "$0")/perl_dbd.pl" "$PROXY_PORT" "$(port_of db1)" "$TEST_TMP" 1 && pass "perl DBD::MariaDB checklist" ||
  fail "perl DBD::MariaDB checklist"
finish
