#!/usr/bin/env bash
# The sandbox is a real replicating topology: server ids, row propagation within a second,
# and a replica killed with SIGKILL coming back and catching up.
source "$(dirname "$0")/lib.sh"

expect_eq "db2 answers as server_id 2" 2 "$(sql db2 'select @@server_id')"
expect_eq "db3 answers as server_id 3" 3 "$(sql db3 'select @@server_id')"
expect_eq "db1 is writable" 0 "$(sql db1 'select @@read_only')"
expect_eq "db2 is read-only" 1 "$(sql db2 'select @@read_only')"

sql db1 "create table if not exists repl_probe (id bigint primary key, v varchar(32))"
token=$(date +%s%N)
sql db1 "insert into repl_probe values ($token, 'hello')"
start=$(now_ms)
row_on() { [[ $(sql "$1" "select v from repl_probe where id=$token") == hello ]]; }
check "row inserted on db1 visible on db2 within 1 s" wait_for 1 row_on db2
check "row inserted on db1 visible on db3 within 1 s" wait_for 1 row_on db3
log "propagated to both replicas in $(( $(now_ms) - start )) ms"

"$SANDBOX" kill db2 >/dev/null
check "db2 is down after kill" bash -c "! mariadb --no-defaults -h127.0.0.1 -P3308 -uapp -papp_pw -e 'select 1' 2>/dev/null"
token2=$((token + 1))
sql db1 "insert into repl_probe values ($token2, 'while-down')"
"$SANDBOX" start db2 >/dev/null
caught_up() { [[ $(sql db2 "select v from repl_probe where id=$token2") == while-down ]]; }
check "db2 restarted replicates what it missed" wait_for 20 caught_up
check "db2 IO and SQL threads running after restart" wait_for 10 replicating db2
check "sandbox status shows db2 as a replica" bash -c "'$SANDBOX' status | grep -E '^db2 .* replica +Yes +Yes'"
finish
