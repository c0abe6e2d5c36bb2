#!/usr/bin/env bash
# Consistent backup from a paused replica under a continuous write (and read) workload:
# `ctl backup db3 --meta m.json -- sh -c 'mariadb-dump ... > dump.sql'`, then the dump is
# restored into a fresh MariaDB instance, which replicates from db1 starting at the recorded
# GTID; once caught up its table checksums must equal the master's. Also: db3 got no reads
# through the proxy while paused, the master was never paused (409, writes went on), db3 is
# back in the read pool afterwards, CMD's exit status is ctl's, and SIGINT still resumes.
source "$(dirname "$0")/lib.sh"
WRITERS=$(dirname "$0")/failover_writers.py
TABLE=backup_ids
RESTORE_PORT=${BACKUP_RESTORE_PORT:-$((SANDBOX_PORT_BASE + 5))}
RESTORE_DIR=$TEST_TMP/restore
SOCK_DB3=${SANDBOX_DIR:-$REPO/var/sandbox}/db3/mysqld.sock

metric() { # metric NAME SERVER [FILE]: a per-server series from /metrics (or a saved copy)
  local text; if [[ -n ${3:-} ]]; then text=$(cat "$3"); else text=$(admin_get /metrics); fi
  awk -v n="$1{server=\"$2\"}" '$1 == n {print $2}' <<<"$text"
}
server_state() {
  admin_get /v1/status | /usr/bin/python3 -c "import json,sys
print(next(s['state'] for s in json.load(sys.stdin)['servers'] if s['name'] == '$1'))"
}
state_is() { [[ $(server_state "$1") == "$2" ]]; }
metric_grows() { local before; before=$(metric "$1" "$2"); sleep 0.3; (($(metric "$1" "$2") > before)); }
restore_sql() { mariadb --no-defaults --max-allowed-packet=256M -uroot -S "$RESTORE_DIR/mysqld.sock" -N -B "$@"; }
restore_caught_up() {
  [[ $(restore_sql -e "select @@gtid_slave_pos") == $(root_sql db1 "select @@gtid_binlog_pos") ]]
}
stop_restore() {
  [[ -s $RESTORE_DIR/mysqld.pid ]] || return 0
  local pid; pid=$(cat "$RESTORE_DIR/mysqld.pid")
  kill -TERM "$pid" 2>/dev/null || return 0
  wait_for 30 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
}
trap 'stop_restore; _cleanup' EXIT

root_sql db1 "DROP TABLE IF EXISTS app.$TABLE; CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY, writer INT, note VARCHAR(64) DEFAULT 'x')"
start_proxy_default
wait_for 30 replicas_caught_up || fail "replicas never caught up"

# Workload: writers through the proxy, and a reader loop (new connection per read: no session
# writes, so reads go to the replicas).
/usr/bin/python3 "$WRITERS" "$PROXY_PORT" 3 "$TEST_TMP/acked" "$TEST_TMP/stop" "$TABLE" &
track_pid $!
WRITER_PID=$!
(while [[ ! -e $TEST_TMP/stop ]]; do proxy_sql "SELECT COUNT(*) FROM $TABLE" >/dev/null 2>&1 || true; done) &
track_pid $!
READER_PID=$!
check "db3 serves reads before the backup" wait_for 20 metric_grows switchyard_server_queries_total db3
expect_eq "maintenance on the master is refused" 409 \
  "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"pause_replication":true}' "http://127.0.0.1:$ADMIN_PORT/v1/servers/db1/maintenance")"

# The backup command records what it saw around the dump.
cat >"$TEST_TMP/backup_cmd.sh" <<EOF
set -e
curl -sf http://127.0.0.1:$ADMIN_PORT/metrics >"$TEST_TMP/metrics_start"
wc -l <"$TEST_TMP/acked" >"$TEST_TMP/acked_start"
mariadb --no-defaults -uroot -S "$SOCK_DB3" -e 'show slave status\G' >"$TEST_TMP/db3_status"
mariadb --no-defaults -uroot -S "$SOCK_DB3" -N -B -e 'select @@gtid_slave_pos' >"$TEST_TMP/db3_gtid_start"
env | grep '^SWITCHYARD_BACKUP_' | sort >"$TEST_TMP/backup_env"
mariadb-dump --no-defaults --single-transaction -h127.0.0.1 -P$(port_of db3) -uapp -papp_pw app >"$TEST_TMP/dump.sql"
sleep 1
mariadb --no-defaults -uroot -S "$SOCK_DB3" -N -B -e 'select @@gtid_slave_pos' >"$TEST_TMP/db3_gtid_end"
curl -sf http://127.0.0.1:$ADMIN_PORT/metrics >"$TEST_TMP/metrics_end"
wc -l <"$TEST_TMP/acked" >"$TEST_TMP/acked_end"
EOF
CODE=0
"$SWITCHYARD_BIN" ctl --admin "http://127.0.0.1:$ADMIN_PORT" backup db3 --meta "$TEST_TMP/m.json" \
  -- sh -c ". '$TEST_TMP/backup_cmd.sh'" 2>"$TEST_TMP/ctl.err" || CODE=$?
expect_eq "ctl backup exits with the command's status" 0 "$CODE"
sed 's/^/  ctl: /' "$TEST_TMP/ctl.err"
check "ctl showed progress" grep -q "frozen at GTID" "$TEST_TMP/ctl.err"

GTID=$(/usr/bin/python3 -c "import json; print(json.load(open('$TEST_TMP/m.json'))['gtid'])")
check "meta has a GTID" test -n "$GTID"
check "meta has the master binlog file" /usr/bin/python3 -c "import json,sys; m=json.load(open('$TEST_TMP/m.json')); sys.exit(not (m['binlog_file'].startswith('db1-bin.') and m['binlog_pos'] > 0 and m['exit_status'] == 0))"
check "the command saw the GTID in its environment" grep -qx "SWITCHYARD_BACKUP_GTID=$GTID" "$TEST_TMP/backup_env"
check "the command saw the server" grep -qx "SWITCHYARD_BACKUP_SERVER=db3" "$TEST_TMP/backup_env"
check "db3's SQL thread was stopped during the backup" grep -q "Slave_SQL_Running: No" "$TEST_TMP/db3_status"
check "db3's IO thread kept fetching" grep -q "Slave_IO_Running: Yes" "$TEST_TMP/db3_status"
expect_eq "db3 had applied exactly the recorded GTID when the dump started" "$GTID" "$(cat "$TEST_TMP/db3_gtid_start")"
expect_eq "db3 applied nothing while the dump ran" "$GTID" "$(cat "$TEST_TMP/db3_gtid_end")"
expect_eq "db3 got no reads through the proxy while paused" \
  "$(metric switchyard_server_queries_total db3 "$TEST_TMP/metrics_start")" \
  "$(metric switchyard_server_queries_total db3 "$TEST_TMP/metrics_end")"
check "db2 kept serving reads meanwhile" test "$(metric switchyard_server_queries_total db2 "$TEST_TMP/metrics_end")" -gt \
  "$(metric switchyard_server_queries_total db2 "$TEST_TMP/metrics_start")"
check "the master kept taking writes during the backup" test "$(cat "$TEST_TMP/acked_end")" -gt "$(cat "$TEST_TMP/acked_start")"
check "db3 replicates again" wait_for 10 replicating db3
check "db3 is back in the read pool" wait_for 30 state_is db3 up
check "db3 serves reads again" wait_for 20 metric_grows switchyard_server_queries_total db3

# Exit status passthrough and SIGINT: maintenance is always turned off.
CODE=0
"$SWITCHYARD_BIN" ctl --admin "http://127.0.0.1:$ADMIN_PORT" backup db3 -- sh -c 'exit 3' 2>/dev/null || CODE=$?
expect_eq "ctl backup returns the command's failure status" 3 "$CODE"
check "db3 resumed after a failed command" wait_for 10 replicating db3
"$SWITCHYARD_BIN" ctl --admin "http://127.0.0.1:$ADMIN_PORT" backup db3 -- sleep 30 2>"$TEST_TMP/int.err" &
CTL_PID=$!
wait_for 10 grep -q "frozen at GTID" "$TEST_TMP/int.err" || fail "ctl backup (SIGINT case) did not pause"
kill -INT $CTL_PID
CODE=0
wait $CTL_PID || CODE=$?
check "ctl backup ended on SIGINT with a non-zero status ($CODE)" test "$CODE" -ne 0
check "db3 resumed after SIGINT" wait_for 10 replicating db3
check "db3 maintenance off after SIGINT" wait_for 30 state_is db3 up

# Restore into a fresh instance and replicate from db1 from the recorded GTID.
if (exec 3<>"/dev/tcp/127.0.0.1/$RESTORE_PORT") 2>/dev/null; then
  fail "port $RESTORE_PORT for the restore instance is in use (set BACKUP_RESTORE_PORT)"; finish
fi
mkdir -p "$RESTORE_DIR"
TEMPLATE=${SANDBOX_DIR:-$REPO/var/sandbox}/.template
if [[ -d $TEMPLATE/mysql ]]; then
  cp -a "$TEMPLATE" "$RESTORE_DIR/data"
else
  mariadb-install-db --no-defaults --user=root --datadir="$RESTORE_DIR/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$RESTORE_DIR/install.log" 2>&1
fi
cat >"$RESTORE_DIR/my.cnf" <<EOF
[mariadbd]
user=root
datadir=$RESTORE_DIR/data
socket=$RESTORE_DIR/mysqld.sock
pid-file=$RESTORE_DIR/mysqld.pid
log-error=$RESTORE_DIR/error.log
port=$RESTORE_PORT
bind-address=127.0.0.1
server_id=77
gtid_domain_id=0
skip-name-resolve
skip-slave-start=ON
innodb_buffer_pool_size=32M
max_allowed_packet=256M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
EOF
setsid mariadbd --defaults-file="$RESTORE_DIR/my.cnf" </dev/null >"$RESTORE_DIR/stdout.log" 2>&1 &
check "fresh instance starts" wait_for 60 restore_sql -e "select 1"
restore_sql -e "CREATE DATABASE app"
restore_sql app <"$TEST_TMP/dump.sql"
check "dump restored" test "$(restore_sql -e "select count(*) from app.$TABLE")" -gt 0
restore_sql -e "SET GLOBAL gtid_slave_pos='$GTID'; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$(port_of db1), MASTER_USER='repl', MASTER_PASSWORD='repl_pw', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE"

sleep 1
touch "$TEST_TMP/stop"; wait $WRITER_PID $READER_PID 2>/dev/null || true
check "fresh instance caught up with db1" wait_for 60 restore_caught_up
for t in $(root_sql db1 "SELECT table_name FROM information_schema.tables WHERE table_schema='app' AND table_type='BASE TABLE' ORDER BY 1"); do
  expect_eq "checksum of app.$t equals the master's" \
    "$(root_sql db1 "CHECKSUM TABLE app.$t EXTENDED" | cut -f2)" "$(restore_sql -e "CHECKSUM TABLE app.$t EXTENDED" | cut -f2)"
done
expect_eq "row count of $TABLE equals the master's" "$(root_sql db1 "select count(*) from app.$TABLE")" \
  "$(restore_sql -e "select count(*) from app.$TABLE")"
check "the restored instance replicates without errors" bash -c "mariadb --no-defaults -uroot -S '$RESTORE_DIR/mysqld.sock' -e 'show slave status\G' | grep -q 'Slave_SQL_Running: Yes'"

stop_restore
stop_proxy
root_sql db1 "DROP TABLE IF EXISTS app.$TABLE"
finish
