#!/usr/bin/env bash
# Proxy-only partition: the proxy reaches db1 through a TCP forwarder (socat) while db2 and db3
# replicate from db1 directly. Killing the forwarder cuts the proxy off db1 alone: no failover
# may happen (the replicas still replicate from db1), /v1/status says why and
# switchyard_master_unreachable_alert is 1; a new client logs in at once on a replica and reads
# there; writes are held, then fail with a clear error.
# With the forwarder back, db1 is the master again, the alert is 0 and writes work, epoch 0.
source "$(dirname "$0")/lib.sh"
TABLE=partition_ids
FWD_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

FWD_PID=
start_forwarder() {
  # setsid: socat and the children it forks per connection share one process group, so the
  # whole forwarder (established connections included) is killed at once.
  setsid socat "TCP-LISTEN:$FWD_PORT,fork,reuseaddr,bind=127.0.0.1" "TCP:127.0.0.1:$(port_of db1)" &
  FWD_PID=$!
  track_pid "$FWD_PID"
  wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FWD_PORT"
}
kill_forwarder() {
  kill -KILL -- "-$FWD_PID" 2>/dev/null || true
  wait "$FWD_PID" 2>/dev/null || true
}
# A PyMySQL client (user app, database app) running the Python in $1 with `c` its connection,
# `table` and `start` (time.time() before connecting); an error prints
# "error CODE after MS ms: MESSAGE".
pymysql_client() {
  /usr/bin/python3 - "$PROXY_PORT" "$TABLE" "$1" <<'PY'
import sys, time, pymysql
port, table, body = int(sys.argv[1]), sys.argv[2], sys.argv[3]
start = time.time()
try:
    c = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw",
                        database="app", autocommit=True, read_timeout=30)
    exec(body)
except pymysql.MySQLError as e:
    print(f"error {e.args[0]} after {int((time.time() - start) * 1000)} ms: {e.args[-1]}")
PY
}
metric() { curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
db1_field() { admin_get /v1/status | jq -r ".servers[] | select(.name==\"db1\") | .$1"; }
alert_is() { [[ $(metric switchyard_master_unreachable_alert) == "$1" ]]; }
restore() {
  [[ -n $FWD_PID ]] && kill -KILL -- "-$FWD_PID" 2>/dev/null
  root_sql db1 "DROP TABLE IF EXISTS app.$TABLE" >/dev/null 2>&1
}
trap 'set +e; restore; _cleanup' EXIT

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY)"
start_forwarder
write_config "$TEST_TMP/switchyard.yaml" "failover:
  auto: true
  hold_ms: 1500"
# The proxy (its monitor and its sessions) reaches db1 only through the forwarder.
sed -i "s|address: 127.0.0.1:$(port_of db1)$|address: 127.0.0.1:$FWD_PORT|" "$TEST_TMP/switchyard.yaml"
grep -q "127.0.0.1:$FWD_PORT" "$TEST_TMP/switchyard.yaml" || { fail "config does not use the forwarder"; finish; }
start_proxy "$TEST_TMP/switchyard.yaml"
check "db1 (through the forwarder) is the master" wait_for 15 master_is db1
check "a write through the proxy works" proxy_sql "INSERT INTO $TABLE VALUES (1)"
expect_eq "no alert while db1 is reachable" 0 "$(metric switchyard_master_unreachable_alert)"

kill_forwarder
check "alert raised: the proxy cannot reach db1" wait_for 10 alert_is 1
DETAIL=$(db1_field detail)
log "db1 status detail: $DETAIL"
check "status says why there is no failover" grep -q "still replicate from it: no failover" <<<"$DETAIL"
check "status names the replicas that still replicate" grep -qE "db2|db3" <<<"$DETAIL"
# The replicas keep replicating from db1 directly: writes made on db1 reach them.
root_sql db1 "INSERT INTO app.$TABLE VALUES (2)"
check "db2 still replicates from db1" wait_for 10 caught_up db2 db1
check "db3 still replicates from db1" wait_for 10 caught_up db3 db1
# Watch for 3 s (12 monitor rounds): no failover may start.
NO_FAILOVER=1
deadline=$(( $(now_ms) + 3000 ))
while (( $(now_ms) < deadline )); do
  s=$(admin_get /v1/status) || continue
  [[ $(jq -r '"\(.master) \(.epoch) \(.failover_in_progress)"' <<<"$s") == "db1 0 false" ]] || { NO_FAILOVER=0; log "status changed: $s"; break; }
  sleep 0.1
done
expect_eq "no failover for 3 s: master db1, epoch 0, nothing in progress" 1 "$NO_FAILOVER"
expect_eq "switchyard_failovers_total stays 0" 0 "$(metric switchyard_failovers_total)"
expect_eq "db2 still read-only" 1 "$(root_sql db2 'select @@read_only')"
expect_eq "db3 still read-only" 1 "$(root_sql db3 'select @@read_only')"
# A new client does not wait for the master at login: a replica checks it, and it reads there.
OUT=$(pymysql_client '
login_ms = int((time.time() - start) * 1000)
cur = c.cursor()
cur.execute(f"SELECT COUNT(*) FROM {table}")
rows = cur.fetchone()[0]
cur.execute("SELECT @@server_id")
print(f"login {login_ms} ms rows {rows} server_id {cur.fetchone()[0]}")')
log "reader: $OUT"
check "a new client logs in within 1 s (not after hold_ms) while db1 is unreachable" grep -qE "^login [0-9]{1,3} ms" <<<"$OUT"
check "it reads both rows from a replica" grep -qE " rows 2 server_id " <<<"$OUT"
check "that server is not db1" test "$(awk '{print $NF}' <<<"$OUT")" != "$(root_sql db1 'select @@server_id')"
# A client writing now is held for hold_ms, then gets an error.
OUT=$(pymysql_client 'c.cursor().execute(f"INSERT INTO {table} VALUES (3)"); print("ok")')
log "client: $OUT"
check "a write is held for hold_ms (1500) then fails while db1 is unreachable" grep -qE "^error 9001 after (1[5-9]|[2-9])[0-9]{2} ms" <<<"$OUT"
check "the error says no master is available" grep -q "no master available" <<<"$OUT"
# libmariadb (the mariadb CLI) must see the code and reason too, not 2027 "malformed packet".
CLI_OUT=$(proxy_sql "INSERT INTO $TABLE VALUES (3)" 2>&1 || true)
log "mariadb CLI: $CLI_OUT"
check "libmariadb reports ERROR 9001 (HY000) with the reason" grep -q "^ERROR 9001 (HY000).*no master available" <<<"$CLI_OUT"
expect_eq "the failed write reached no server" 0 "$(root_sql db1 "SELECT COUNT(*) FROM app.$TABLE WHERE id=3")"

start_forwarder
check "alert cleared once db1 answers again" wait_for 10 alert_is 0
check "db1 is still the master" master_is db1
check "writes work again" wait_for 10 proxy_sql "INSERT INTO $TABLE VALUES (4)"
expect_eq "epoch still 0" 0 "$(admin_get /v1/status | jq -r .epoch)"
stop_proxy
finish
