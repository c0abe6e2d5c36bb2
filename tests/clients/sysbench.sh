#!/usr/bin/env bash
# sysbench oltp_read_write through the proxy, with binary-protocol prepared statements
# (--db-ps-mode=auto) and with plain text queries (disable): 8 threads for 10 s each must see no
# error at all. Uniform random rows (not sysbench's default hot spots), so that InnoDB deadlocks,
# which sysbench would count as ignored errors even without the proxy, stay rare. The tables live
# in their own database (ck_sysbench), away from any other test's or benchmark's sbtest tables;
# they are prepared directly on the master.
source "$(dirname "$0")/../integration/lib.sh"
start_proxy_default
DB=ck_sysbench
root_sql db1 "CREATE DATABASE IF NOT EXISTS $DB; GRANT ALL PRIVILEGES ON $DB.* TO 'app'@'%'"
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user=app --mysql-password=app_pw --mysql-db="$DB"
        --tables=4 --table-size=10000)
sysbench oltp_read_write "${common[@]}" --mysql-port=3307 cleanup >/dev/null 2>&1 || true
check "sysbench prepare (4 tables x 10000 rows, on the master)" \
  sysbench oltp_read_write "${common[@]}" --mysql-port=3307 --threads=4 prepare >"$TEST_TMP/prepare.out"
# The replicas should have the tables before the reads start (they may read from either).
wait_for 30 bash -c "[[ \$(mariadb --no-defaults -h127.0.0.1 -P3309 -uapp -papp_pw -N -B -e 'SELECT COUNT(*) FROM $DB.sbtest4') == 10000 && \
  \$(mariadb --no-defaults -h127.0.0.1 -P3308 -uapp -papp_pw -N -B -e 'SELECT COUNT(*) FROM $DB.sbtest4') == 10000 ]]" ||
  log "replicas have not caught up with the prepared tables"

for mode in auto disable; do
  set +e
  sysbench oltp_read_write "${common[@]}" --mysql-port="$PROXY_PORT" --threads=8 --time=10 \
    --rand-type=uniform --db-ps-mode="$mode" run >"$TEST_TMP/run-$mode.out" 2>&1
  rc=$?
  set -e
  out="$TEST_TMP/run-$mode.out"
  grep -E 'queries:|transactions:|ignored errors:|reconnects:|FATAL|error' "$out" | sed "s/^/[$TEST_NAME] $mode: /" | head -12
  expect_eq "--db-ps-mode=$mode: sysbench exits 0" 0 "$rc"
  check "--db-ps-mode=$mode: ignored errors: 0" grep -qE '^ +ignored errors: +0 ' "$out"
  check "--db-ps-mode=$mode: reconnects: 0" grep -qE '^ +reconnects: +0 ' "$out"
  queries=$(awk '/^ +queries: /{print $2}' "$out")
  check "--db-ps-mode=$mode: queries > 0 (${queries:-none})" bash -c "(( ${queries:-0} > 0 ))"
  transactions=$(awk '/^ +transactions: /{print $2}' "$out")
  check "--db-ps-mode=$mode: transactions > 0 (${transactions:-none})" bash -c "(( ${transactions:-0} > 0 ))"
done
# Every row still there and the replicas agree with the master after the write load.
sums() { mariadb --no-defaults -h127.0.0.1 -P"$1" -uapp -papp_pw -N -B -e \
  "SELECT COUNT(*), SUM(k) FROM $DB.sbtest1 UNION ALL SELECT COUNT(*), SUM(k) FROM $DB.sbtest4"; }
expect_eq "row counts after the run" $'10000\n10000' "$(sums 3307 | cut -f1)"
check "replicas converge to the master's data" wait_for 30 bash -c "[[ \"\$(sums 3308)\" == \"\$(sums 3307)\" && \"\$(sums 3309)\" == \"\$(sums 3307)\" ]]"
sysbench oltp_read_write "${common[@]}" --mysql-port=3307 cleanup >/dev/null 2>&1 || true
root_sql db1 "DROP DATABASE IF EXISTS $DB"
finish
