#!/usr/bin/env bash
# sysbench oltp_read_write through the split proxy at 16 threads, with binary-protocol prepared
# statements (--db-ps-mode=auto) and with plain text queries (disable), inside transactions and
# outside them (reads on the replicas): 10 s each must see no error at all. Uniform random rows (not sysbench's default hot spots), so that InnoDB deadlocks,
# which sysbench would count as ignored errors even without the proxy, stay rare. The tables live
# in their own database (ck_sysbench), away from any other test's or benchmark's sbtest tables;
# they are prepared directly on the master.
source "$(dirname "$0")/../integration/lib.sh"
start_proxy_default
DB=ck_sysbench
root_sql db1 "CREATE DATABASE IF NOT EXISTS $DB; GRANT ALL PRIVILEGES ON $DB.* TO 'app'@'%'"
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user=app --mysql-password=app_pw --mysql-db="$DB"
        --tables=4 --table-size=10000)
sysbench oltp_read_write "${common[@]}" --mysql-port="$(port_of db1)" cleanup >/dev/null 2>&1 || true
check "sysbench prepare (4 tables x 10000 rows, on the master)" \
  sysbench oltp_read_write "${common[@]}" --mysql-port="$(port_of db1)" --threads=4 prepare >"$TEST_TMP/prepare.out"
# The replicas should have the tables before the reads start (they may read from either).
wait_for 30 bash -c "[[ \$(mariadb --no-defaults -h127.0.0.1 -P$(port_of db3) -uapp -papp_pw -N -B -e 'SELECT COUNT(*) FROM $DB.sbtest4') == 10000 && \
  \$(mariadb --no-defaults -h127.0.0.1 -P$(port_of db2) -uapp -papp_pw -N -B -e 'SELECT COUNT(*) FROM $DB.sbtest4') == 10000 ]]" ||
  log "replicas have not caught up with the prepared tables"

# Statements the proxy sent to the replicas so far (its own per-server counters).
replica_queries() {
  admin_get /metrics | awk '/^switchyard_server_queries_total\{server="db[23]"\}/{n += $2} END {print n + 0}'
}
# Three runs at 16 threads: binary prepared statements inside sysbench's transactions (all on the
# master), then outside transactions (--skip-trx: reads split to the replicas, read-your-writes
# after each write) with binary prepared statements and with text queries.
for run in "auto trx" "auto skip-trx" "disable skip-trx"; do
  read -r mode trx <<<"$run"
  extra=()
  # Without transactions two threads deleting and re-inserting the same id collide (1062) even
  # on a direct connection: no delete/insert pairs there.
  [[ $trx == skip-trx ]] && extra=(--skip-trx=on --delete_inserts=0)
  before=$(replica_queries)
  set +e
  sysbench oltp_read_write "${common[@]}" --mysql-port="$PROXY_PORT" --threads=16 --time=10 \
    --rand-type=uniform --db-ps-mode="$mode" "${extra[@]}" run >"$TEST_TMP/run-$mode-$trx.out" 2>&1
  rc=$?
  set -e
  after=$(replica_queries)
  out="$TEST_TMP/run-$mode-$trx.out"
  what="--db-ps-mode=$mode $trx"
  grep -E 'queries:|transactions:|ignored errors:|reconnects:|FATAL|error' "$out" | sed "s/^/[$TEST_NAME] $what: /" | head -12
  expect_eq "$what: sysbench exits 0" 0 "$rc"
  check "$what: ignored errors: 0" grep -qE '^ +ignored errors: +0 ' "$out"
  check "$what: reconnects: 0" grep -qE '^ +reconnects: +0 ' "$out"
  queries=$(awk '/^ +queries: /{print $2}' "$out")
  check "$what: queries > 0 (${queries:-none})" bash -c "(( ${queries:-0} > 0 ))"
  transactions=$(awk '/^ +transactions: /{print $2}' "$out")
  check "$what: transactions > 0 (${transactions:-none})" bash -c "(( ${transactions:-0} > 0 ))"
  if [[ $trx == skip-trx ]]; then
    check "$what: the replicas served reads ($((after - before)) statements)" bash -c "(( $after - $before > 1000 ))"
  fi
done
# Every row still there and the replicas agree with the master after the write load.
sums() { mariadb --no-defaults -h127.0.0.1 -P"$1" -uapp -papp_pw -N -B -e \
  "SELECT COUNT(*), SUM(k) FROM $DB.sbtest1 UNION ALL SELECT COUNT(*), SUM(k) FROM $DB.sbtest4"; }
expect_eq "row counts after the run" $'10000\n10000' "$(sums "$(port_of db1)" | cut -f1)"
replicas_match() { local m; m=$(sums "$(port_of db1)"); [[ $(sums "$(port_of db2)") == "$m" && $(sums "$(port_of db3)") == "$m" ]]; }
check "replicas converge to the master's data" wait_for 30 replicas_match
sysbench oltp_read_write "${common[@]}" --mysql-port="$(port_of db1)" cleanup >/dev/null 2>&1 || true
root_sql db1 "DROP DATABASE IF EXISTS $DB"
finish
