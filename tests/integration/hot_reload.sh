#!/usr/bin/env bash
# Hot reload through POST /v1/config/reload and SIGHUP: a new user can log in, a replica
# removed from the config leaves the topology and comes back when re-added, routing and
# monitor settings apply, a listen change is reported as "requires restart", an invalid file
# is rejected with its errors (422; SIGHUP logs them) and the running config is kept. A client
# connection held open across all of it keeps working on the same session.
source "$(dirname "$0")/lib.sh"
CONFIG=$TEST_TMP/switchyard.yaml

reload() { curl -s -o "$TEST_TMP/reload.json" -w '%{http_code}' -X POST "http://127.0.0.1:$ADMIN_PORT/v1/config/reload"; }
reload_has() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$TEST_TMP/reload.json')); sys.exit(not any('$2' in x for x in d.get('$1', [])))"; }
servers() { admin_get /v1/status | /usr/bin/python3 -c "import json,sys; print(' '.join(s['name'] for s in json.load(sys.stdin)['servers']))"; }
servers_are() { [[ $(servers) == "$1" ]]; }
db3_up() { admin_get /v1/status | /usr/bin/python3 -c "import json,sys; sys.exit(not any(s['name']=='db3' and s['state']=='up' for s in json.load(sys.stdin)['servers']))"; }
bob_sql() { mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -ubob -pbob_pw -N -B -e "$1" app; }
users_yaml() { # users_yaml [EXTRA_USER]
  printf 'users:\n  - name: app\n    password: app_pw\n'
  [[ -n ${1:-} ]] && printf '  - name: %s\n    password: %s_pw\n' "$1" "$1"
  return 0
}
servers_yaml() { # servers_yaml NAME...
  echo "servers:"
  local n; for n in "$@"; do printf '  - name: %s\n    address: 127.0.0.1:%s\n' "$n" "$(port_of "$n")"; done
}
monitor_yaml() { printf 'monitor:\n  user: monitor\n  password: monitor_pw\n  interval_ms: %s\n  timeout_ms: 1000\n  failure_threshold: 3\n' "$1"; }

root_sql db1 "CREATE USER IF NOT EXISTS 'bob'@'%' IDENTIFIED BY 'bob_pw'; GRANT SELECT ON app.* TO 'bob'@'%'"
start_proxy_default
wait_for 20 replicas_caught_up || log "replicas still lagging"

# A client connection held open for the whole test.
mkfifo "$TEST_TMP/held.in"
/usr/bin/python3 - "$PROXY_PORT" "$TEST_TMP/held.in" "$TEST_TMP/held.out" <<'PY' &
import sys, pymysql
port, fifo, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw", database="app", autocommit=True)
def run(tag):
    with conn.cursor() as cur:
        cur.execute("SELECT CONNECTION_ID()")
        with open(out, "a") as f:
            f.write(f"{tag} {cur.fetchone()[0]}\n")
run("before")
with open(fifo) as f:
    f.read()
run("after")
PY
HELD_PID=$!; track_pid $HELD_PID
exec 7>"$TEST_TMP/held.in"  # keeps the reader blocked until closed
wait_for 10 grep -q before "$TEST_TMP/held.out" || fail "held connection did not start"

bob_refused() { ! bob_sql 'select 1' 2>/dev/null; }
check "bob cannot log in before the reload" bob_refused

# --- POST /v1/config/reload: new user, db3 removed, routing and monitor settings ----------
write_config "$CONFIG" "$(users_yaml bob)
$(servers_yaml db1 db2)
$(monitor_yaml 200)
routing:
  max_lag_ms: 1500
  causal_wait_ms: 40"
expect_eq "reload answers 200" 200 "$(reload)"
check "reload lists the new user" reload_has applied "users: added bob"
check "reload lists the removed replica" reload_has applied "servers: removed db3"
check "reload lists the monitor timing" reload_has applied "monitor.interval_ms: 250 -> 200"
check "reload lists the routing change" reload_has applied "routing.causal_wait_ms: 50 -> 40"
expect_eq "bob logs in after the reload" bob "$(bob_sql 'select current_user()' | cut -d@ -f1)"
check "db3 left the topology" wait_for 10 servers_are "db1 db2"
expect_eq "reads still work" 1 "$(proxy_sql "select 1")"

# --- SIGHUP: db3 back, listen change reported as requiring a restart ----------------------
write_config "$CONFIG" "$(users_yaml bob)
$(servers_yaml db1 db2 db3)
$(monitor_yaml 250)"
sed -i "s/^listen: .*/listen: 127.0.0.1:$((PROXY_PORT + 1))/" "$CONFIG"
kill -HUP "$PROXY_PID"
check "SIGHUP reload logged" wait_for 10 grep -q "config reload: .*change(s) applied" "$TEST_TMP/proxy.log"
check "SIGHUP re-added db3" wait_for 10 servers_are "db1 db2 db3"
check "db3 is up again after the SIGHUP reload" wait_for 20 db3_up
check "the listen change is logged as requiring a restart" grep -q "requires restart (running value kept): listen: 127.0.0.1:$PROXY_PORT -> " "$TEST_TMP/proxy.log"
expect_eq "still listening on the old port" 1 "$(proxy_sql 'select 1')"
expect_eq "POST reports the listen change as requires_restart" 200 "$(reload)"
check "requires_restart lists listen" reload_has requires_restart "listen: 127.0.0.1:$PROXY_PORT"

# --- invalid config: rejected with its errors, running config kept ------------------------
cp "$CONFIG" "$TEST_TMP/good.yaml"
write_config "$CONFIG" "$(users_yaml)
routing:
  max_lag_ms: banana
  unknown_key: 1"
expect_eq "invalid config rejected with 422" 422 "$(reload)"
check "the errors name the bad key" reload_has errors "max_lag_ms"
check "the errors name the unknown key" reload_has errors "unknown_key"
expect_eq "bob still logs in (running config kept)" 1 "$(bob_sql 'select 1')"
LINES=$(wc -l <"$TEST_TMP/proxy.log")
kill -HUP "$PROXY_PID"
check "SIGHUP with an invalid config logs the errors" wait_for 10 bash -c "tail -n +$LINES '$TEST_TMP/proxy.log' | grep -q 'config reload: .*max_lag_ms'"
check "the proxy survives it" kill -0 "$PROXY_PID"
expect_eq "queries still work" 1 "$(proxy_sql 'select 1')"
cp "$TEST_TMP/good.yaml" "$CONFIG"

# --- the held connection survived everything, on the same session ------------------------
exec 7>&-
wait "$HELD_PID" || fail "held connection failed after the reloads"
BEFORE=$(awk '$1 == "before" {print $2}' "$TEST_TMP/held.out")
AFTER=$(awk '$1 == "after" {print $2}' "$TEST_TMP/held.out")
check "held connection answered after the reloads" test -n "$AFTER"
expect_eq "held connection kept its backend session" "$BEFORE" "$AFTER"

stop_proxy
root_sql db1 "DROP USER IF EXISTS 'bob'@'%'"
finish
