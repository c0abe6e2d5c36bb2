#!/usr/bin/env bash
# A replica dies under a read load: reads move to the other replica (or the master) and no
# statement started after the kill gets an error; db1 stays the master, nothing is promoted.
# The replica comes back behind (writes went on meanwhile) with its replication not yet
# started: it gets no reads while it is behind; after START SLAVE it catches up and is back in
# the read pool.
source "$(dirname "$0")/lib.sh"
TABLE=replica_down_ids
MONITOR=$FAILOVER_TEST_MONITOR
SDIR=${SANDBOX_DIR:-$REPO/var/sandbox}
cp "$SDIR/db3/my.cnf" "$TEST_TMP/db3.cnf.orig"

restore() {
  cp "$TEST_TMP/db3.cnf.orig" "$SDIR/db3/my.cnf"
  "$SANDBOX" start db3 >/dev/null 2>&1
  root_sql db3 "START SLAVE" >/dev/null 2>&1
  wait_for 30 caught_up db3 db1 || echo "[$TEST_NAME] WARNING: db3 is not caught up after the test" >&2
  root_sql db1 "DROP TABLE IF EXISTS app.$TABLE" >/dev/null 2>&1
}
trap 'set +e; touch "$TEST_TMP/stop"; stop_proxy; restore; _cleanup' EXIT
server_is() { [[ $(admin_get /v1/status | jq -r ".servers[] | select(.name==\"$1\") | \"\(.role)/\(.state)\"") == "$2" ]]; }
# reads_between FROM_MS TO_MS: "<server_id or ERR> <count>" of reads started in [FROM, TO).
reads_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 < b {n[$3]++} END {for (k in n) print k, n[k]}' "$TEST_TMP/reads" | sort; }
served_by() { awk -v a="$1" -v s="$2" '$1 >= a && $3 == s' "$TEST_TMP/reads" | wc -l; }

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY)"
start_proxy_default "$MONITOR"
check "db2 is an up replica" wait_for 10 server_is db2 replica/up
check "db3 is an up replica" wait_for 10 server_is db3 replica/up

# Readers: 4 sessions, each reading @@server_id in a loop; every read is logged as
# "<start ms> <end ms> <server_id | ERR:<code>>".
/usr/bin/python3 - "$PROXY_PORT" "$TEST_TMP" <<'PY' &
import os, sys, threading, time, pymysql
port, tmp = int(sys.argv[1]), sys.argv[2]
out = open(f"{tmp}/reads", "w", buffering=1)
lock = threading.Lock()
def now(): return int(time.time() * 1000)
def reader():
    conn = None
    while not os.path.exists(f"{tmp}/stop"):
        start = now()
        try:
            if conn is None:
                conn = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw",
                                       database="app", autocommit=True, read_timeout=10)
            with conn.cursor() as c:
                c.execute("SELECT @@server_id")
                result = str(c.fetchone()[0])
        except pymysql.MySQLError as e:
            result = f"ERR:{e.args[0]}"
            conn = None
        with lock:
            out.write(f"{start} {now()} {result}\n")
        time.sleep(0.005)
ts = [threading.Thread(target=reader) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
PY
track_pid $!
check "reads are served by db3 before the kill" wait_for 10 bash -c "awk '\$3 == 3' $TEST_TMP/reads | grep -q ."

DB3_PID=$(cat "$SDIR/db3/mysqld.pid")
kill -KILL "$DB3_PID"
KILL_MS=$(now_ms)  # a read started after this cannot be answered by db3
check "db3 exited" wait_for 30 bash -c "! kill -0 $DB3_PID"
check "db3 is reported down" wait_for 10 server_is db3 replica/down
check "reads go on after the kill" wait_for 10 bash -c "(( \$(awk -v k=$KILL_MS '\$1 > k' $TEST_TMP/reads | wc -l) > 100 ))"
# Writes while db3 is away: it will come back behind.
ROWS=""; for i in $(seq 1 50); do ROWS+="INSERT INTO $TABLE VALUES ($i);"; done
check "writes through the proxy while db3 is down" proxy_sql "$ROWS"
AFTER_KILL=$(reads_between "$KILL_MS" 99999999999999)
log "reads started after the kill, by server: $(tr '\n' ' ' <<<"$AFTER_KILL")"
expect_eq "no read started after the kill failed" "" "$(grep ERR <<<"$AFTER_KILL" || true)"
check "reads moved to db2" bash -c "(( $(served_by "$KILL_MS" 2) > 0 ))"
expect_eq "no read was served by db3 after it was killed" 0 "$(served_by "$KILL_MS" 3)"
INFLIGHT=$(awk -v k="$KILL_MS" '$1 < k && $2 >= k && $3 ~ /ERR/' "$TEST_TMP/reads" | wc -l)
log "reads in flight at the kill that failed: $INFLIGHT"
expect_eq "db1 is still the master, nothing promoted" "db1 0" "$(admin_get /v1/status | jq -r '"\(.master) \(.epoch)"')"

# db3 back, behind, replication not started.
printf 'skip-slave-start=ON\n' >>"$SDIR/db3/my.cnf"
"$SANDBOX" start db3 >/dev/null
cp "$TEST_TMP/db3.cnf.orig" "$SDIR/db3/my.cnf"
BACK_MS=$(now_ms)
check "db3 is a replica again but not up (behind, replication stopped)" wait_for 10 bash -c "
  s=\$(curl -sf http://127.0.0.1:$ADMIN_PORT/v1/status | jq -r '.servers[] | select(.name==\"db3\") | \"\(.role)/\(.state)\"'); [[ \$s == replica/lagging ]]"
# Fresh sessions would pick db3 first (least_conn: the readers' sessions are on db2).
for i in 1 2 3 4 5 6; do proxy_sql "select @@server_id" >>"$TEST_TMP/fresh_lagging"; done
expect_eq "no read on db3 while it is behind" 0 "$(( $(served_by "$BACK_MS" 3) + $(grep -c '^3$' "$TEST_TMP/fresh_lagging" || true) ))"
root_sql db3 "START SLAVE"
START_MS=$(now_ms)
check "db3 catches up and is up again" wait_for 20 server_is db3 replica/up
check "db3 has every row" wait_for 5 bash -c "[[ \$(mariadb --no-defaults -h127.0.0.1 -P$(port_of db3) -uapp -papp_pw -N -B -e 'select count(*) from $TABLE' app) == 50 ]]"
fresh_on_db3() { proxy_sql "select @@server_id" | grep -qx 3; }
check "db3 serves reads again (fresh sessions)" wait_for 10 fresh_on_db3
touch "$TEST_TMP/stop"
expect_eq "no read failed after db3 came back" "" "$(reads_between "$BACK_MS" 99999999999999 | grep ERR || true)"
stop_proxy
finish
