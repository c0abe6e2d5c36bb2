#!/usr/bin/env bash
# MariaDB Connector/J (Debian libmariadb-java) runs the client checklist through the proxy:
# client- and server-side prepared statements, batches, multi-queries, KILL QUERY and
# Statement.cancel(), LOAD DATA LOCAL, COM_RESET_CONNECTION and TLS (trusted and verified).
source "$(dirname "$0")/../integration/lib.sh"
JAR=/usr/share/java/mariadb-java-client.jar
[[ -f $JAR ]] || { fail "$JAR missing: run scripts/setup (libmariadb-java)"; finish; }
javac -encoding UTF-8 -Xlint:all -Werror -cp "$JAR" -d "$TEST_TMP/classes" "$(dirname "$0")/ConnectorJChecklist.java" ||
  { fail "compile ConnectorJChecklist.java"; finish; }
start_proxy_for_clients
java -Xmx512m -cp "$JAR:$TEST_TMP/classes" ConnectorJChecklist "$PROXY_PORT" "$(port_of db1)" "$TEST_TMP" 1 &&
  pass "Connector/J checklist" || fail "Connector/J checklist"
finish
