#!/usr/bin/env bash
# The mariadb command-line client runs the client checklist through the proxy. Every check
# compares what the proxy returns with what a direct connection to the master (3307) returns.
# Not covered, because the CLI has no such command: binary-protocol prepared statements,
# COM_CHANGE_USER and COM_RESET_CONNECTION (the 10.11 CLI's `connect` opens a new connection).
source "$(dirname "$0")/../integration/lib.sh"
start_proxy_for_clients

# cli PORT [ARGS...]: the client as app, utf8mb4, without headers, over TCP, plaintext; with
# --comments, or the CLI strips the /* switchyard:route=... */ hints before sending.
cli() {
  local port=$1; shift
  mariadb --no-defaults -h127.0.0.1 -P"$port" -uapp -papp_pw --default-character-set=utf8mb4 \
    --skip-ssl --comments -N -B "$@" app
}
P=$PROXY_PORT
D=$(port_of db1)
# run_both NAME ARGS... : runs the client via the proxy and directly, output+stderr+status in
# files; stdin is $INPUT (empty by default) for both.
run_both() {
  local name=$1; shift
  set +e
  cli "$P" "$@" <<<"${INPUT:-}" >"$TEST_TMP/$name.proxy" 2>&1; echo "rc=$?" >>"$TEST_TMP/$name.proxy"
  cli "$D" "$@" <<<"${INPUT:-}" >"$TEST_TMP/$name.direct" 2>&1; echo "rc=$?" >>"$TEST_TMP/$name.direct"
  set -e
}
same() { # same NAME: the proxy's and the direct output are byte-identical
  cmp -s "$TEST_TMP/$1.proxy" "$TEST_TMP/$1.direct" ||
    { diff <(head -c 2000 "$TEST_TMP/$1.proxy") <(head -c 2000 "$TEST_TMP/$1.direct") | head -20 >&2; return 1; }
}

# --- connect, wrong password ------------------------------------------------------------------
expect_eq "connect and query" 1 "$(cli "$P" -e 'select 1')"
set +e
err=$(mariadb --no-defaults -h127.0.0.1 -P"$P" -uapp -pwrong --skip-ssl -e 'select 1' app 2>&1); rc=$?
set -e
check "wrong password rejected with 1045 (28000)" \
  bash -c '[[ $1 != 0 && $2 == *"ERROR 1045 (28000): Access denied for user '"'app'@"'"* ]]' _ "$rc" "$err"

# --- text PREPARE, then EXECUTE as its own statement ---------------------------------------------
# Without a hint the EXECUTE of a read is routed like the read (to a replica), wherever the PREPARE ran.
INPUT="PREPARE s3 FROM 'SELECT ?, 1 + 1'; EXECUTE s3 USING 'a'; SET @v = 'b'; EXECUTE s3 USING @v;
  DEALLOCATE PREPARE s3; EXECUTE s3 USING @v;" run_both ps_route
check "PREPARE then EXECUTE of a read (routed to a replica) identical" same ps_route

# --- every column type, incl. NULLs, JSON, DECIMAL(65,30), DATETIME(6) -------------------------
cli "$D" -e "DROP TABLE IF EXISTS ck_cli_types; CREATE TABLE ck_cli_types (id INT PRIMARY KEY,
  ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT, bi BIGINT UNSIGNED, f FLOAT, db DOUBLE,
  dc DECIMAL(65,30), dt DATE, tm TIME(3), dtm DATETIME(6), ts TIMESTAMP(6) NULL, yr YEAR,
  ch CHAR(10), vc VARCHAR(200), bn BINARY(4), vb VARBINARY(20), tx TEXT, mt MEDIUMTEXT, bl LONGBLOB,
  en ENUM('a','b'), st SET('x','y'), bt BIT(10), js JSON, ge POINT NULL, nul INT NULL) DEFAULT CHARSET=utf8mb4"
insert="INSERT INTO ck_cli_types VALUES (1, -128, 65535, -8388608, -2147483648, 18446744073709551615,
  1.5, 2.25, '12345678901234567890123456789012345.123456789012345678901234567891', '2024-02-29',
  '-838:59:59.999', '2024-02-29 23:59:59.999999', '2024-02-29 12:00:00.000001', 2155, 'char',
  'vé中😀', X'00010203', X'ff00', REPEAT('text', 100), REPEAT('m', 70000), REPEAT(X'00', 1000), 'b',
  'x,y', b'1000000001', '{\"a\": [1, 2, {\"b\": null}]}', POINT(1, 2), NULL);
  INSERT INTO ck_cli_types (id) VALUES (2);
  INSERT INTO ck_cli_types (id, dc, dtm) VALUES (3, -0.000000000000000000000000000001, '1000-01-01 00:00:00.000000')"
# The SELECT runs in the session of the writes, so read-your-writes holds on the replica route;
# --column-type-info prints the metadata too.
set +e
cli "$P" --column-type-info -e "$insert; SELECT * FROM ck_cli_types ORDER BY id" >"$TEST_TMP/types.proxy" 2>&1
echo "rc=$?" >>"$TEST_TMP/types.proxy"
cli "$D" --column-type-info -e "SELECT * FROM ck_cli_types ORDER BY id" >"$TEST_TMP/types.direct" 2>&1
echo "rc=$?" >>"$TEST_TMP/types.direct"
set -e
check "every column type incl. NULLs and metadata identical via proxy and direct" same types
check "DECIMAL(65,30) exact" grep -q '12345678901234567890123456789012345.123456789012345678901234567891' "$TEST_TMP/types.proxy"
check "DATETIME(6) exact" grep -q '2024-02-29 23:59:59.999999' "$TEST_TMP/types.proxy"
check "JSON exact" grep -qF '{"a": [1, 2, {"b": null}]}' "$TEST_TMP/types.proxy"
run_both types_master -e "/* switchyard:route=master */ SELECT * FROM ck_cli_types ORDER BY id"
check "every column type identical on the master route" same types_master

# --- 20 MB BLOB: a 40 MB query packet (hex literal) in, a 20 MB row out ------------------------
head -c $((20 * 1024 * 1024)) /dev/urandom >"$TEST_TMP/blob.bin"
{ printf 'INSERT INTO ck_cli_blob VALUES (1, X'"'"; od -An -v -tx1 "$TEST_TMP/blob.bin" | tr -d ' \n'; printf "');\n"; } >"$TEST_TMP/blob.sql"
cli "$P" -e "DROP TABLE IF EXISTS ck_cli_blob; CREATE TABLE ck_cli_blob (id INT PRIMARY KEY, b LONGBLOB)"
check "20 MB BLOB insert (40 MB query)" cli "$P" --max-allowed-packet=64M <"$TEST_TMP/blob.sql"
{ cat "$TEST_TMP/blob.bin"; echo; } >"$TEST_TMP/blob.expected"
cli "$P" --raw --max-allowed-packet=64M -e "/* switchyard:route=master */ SELECT b FROM ck_cli_blob WHERE id = 1" >"$TEST_TMP/blob.back" || true
check "20 MB BLOB round trip" cmp -s "$TEST_TMP/blob.expected" "$TEST_TMP/blob.back"
run_both blob_sha -e "SELECT SHA2(b, 256), LENGTH(b) FROM ck_cli_blob"
expect_eq "20 MB BLOB stored intact" "$(sha256sum <"$TEST_TMP/blob.bin" | cut -d' ' -f1)	$((20 * 1024 * 1024))" \
  "$(head -1 "$TEST_TMP/blob_sha.direct")"
rm -f "$TEST_TMP"/blob.*

# --- prepared statements (text protocol: the CLI has no binary protocol) -----------------------
# Every parameter type; the EXECUTEs carry a master hint so that this check is about values only.
ps="SET @i = -42, @u = 18446744073709551615, @d = 1.000000000000000000000000000001, @f = 1.5e300,
  @s = 'vé中😀', @b = X'00ff', @n = NULL, @dt = TIMESTAMP'2024-02-29 23:59:59.999999', @j = '{\"k\": 1}';
  PREPARE s1 FROM 'SELECT ?, ?, ?, ?, ?, HEX(?), ? IS NULL, CAST(? AS DATETIME(6)), JSON_EXTRACT(?, \"\$.k\")';
  /* switchyard:route=master */ EXECUTE s1 USING @i, @u, @d, @f, @s, @b, @n, @dt, @j;
  PREPARE s2 FROM 'INSERT INTO ck_cli_ps VALUES (?, ?)';
  EXECUTE s2 USING @i, @s; SET @i = 7; EXECUTE s2 USING @i, @n;
  SELECT * FROM ck_cli_ps ORDER BY id; DEALLOCATE PREPARE s1; DEALLOCATE PREPARE s2"
cli "$D" -e "DROP TABLE IF EXISTS ck_cli_ps; CREATE TABLE ck_cli_ps (id INT PRIMARY KEY, v VARCHAR(20)) DEFAULT CHARSET=utf8mb4"
cli "$P" -e "$ps" >"$TEST_TMP/ps.proxy" 2>&1 || true
cli "$D" -e "DELETE FROM ck_cli_ps; $ps" >"$TEST_TMP/ps.direct" 2>&1 || true
check "PREPARE/EXECUTE with every parameter type identical" same ps
check "PREPARE/EXECUTE returned the rows" grep -q '^7	NULL$' "$TEST_TMP/ps.proxy"

# --- multi-statements: one COM_QUERY with several result sets ----------------------------------
INPUT=$'DELIMITER //\nSELECT 1; SELECT 2, 3; DO 0; SELECT \'x\' //\n' run_both multi
expect_eq "multi-statement result sets" $'1\n2\t3\nx\nrc=0' "$(cat "$TEST_TMP/multi.proxy")"
check "multi-statement identical to direct" same multi
INPUT=$'DELIMITER //\nSELECT 1; SELECT * FROM no_such_table; SELECT 3 //\n' run_both multi_err
check "multi-statement stopping at an error identical" same multi_err

# --- transactions -------------------------------------------------------------------------------
cli "$P" -e "DROP TABLE IF EXISTS ck_cli_tx; CREATE TABLE ck_cli_tx (id INT PRIMARY KEY)"
tx=$(cli "$P" -e "BEGIN; INSERT INTO ck_cli_tx VALUES (1); SELECT @@server_id; ROLLBACK;
  START TRANSACTION; INSERT INTO ck_cli_tx VALUES (2); COMMIT;
  SET autocommit = 0; INSERT INTO ck_cli_tx VALUES (3); ROLLBACK; INSERT INTO ck_cli_tx VALUES (4); COMMIT")
expect_eq "statements inside a transaction run on the master" 1 "$tx"
expect_eq "rollback discards, commit keeps (BEGIN and autocommit=0)" $'2\n4' "$(cli "$D" -e 'SELECT id FROM ck_cli_tx ORDER BY id')"

# --- errors identical ---------------------------------------------------------------------------
for q in "SELECT * FROM no_such_table" "SELEC 1" "INSERT INTO ck_cli_tx VALUES (2)" \
         "SELECT 1 FROM ck_cli_tx WHERE nocol = 1" "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom', MYSQL_ERRNO = 1644"; do
  run_both err -e "$q"
  check "error code/SQLSTATE/message identical: $q" same err
done
check "error output carries code and SQLSTATE" grep -q 'ERROR 1146 (42S02)' <(cli "$P" -e "SELECT * FROM no_such_table" 2>&1)

# --- KILL QUERY from a second connection --------------------------------------------------------
# The status command prints the id the client library reports (mysql_thread_id); the SELECT after
# it flushes that output (-n flushes after each statement), then SLEEP(30) starts. With --force
# (and stdin, not -e) the session goes on after the interrupted statement.
printf '\\s\nSELECT "ready";\nSELECT SLEEP(30);\nSELECT 7;\n' |
  mariadb --no-defaults -h127.0.0.1 -P"$P" -uapp -papp_pw --skip-ssl --force -n -N -B app >"$TEST_TMP/victim.out" 2>&1 &
VICTIM=$!; track_pid "$VICTIM"
wait_for 5 grep -qx ready "$TEST_TMP/victim.out" || fail "victim client did not start"
victim_id=$(awk '/Connection id:/{print $3}' "$TEST_TMP/victim.out")
sleep 0.5
t0=$(now_ms)
cli "$P" -e "KILL QUERY ${victim_id:-0}" >"$TEST_TMP/kill.out" 2>&1 || cat "$TEST_TMP/kill.out" >&2
# MariaDB ends the interrupted SLEEP with error 1317 (--force goes on); the next statement prints 7.
wait_for 10 grep -qE '^(1|ERROR 1317 .*)$' "$TEST_TMP/victim.out" || true
elapsed=$(($(now_ms) - t0))
check "KILL QUERY $victim_id (the id the client reports) cancels SLEEP(30) within a second ($elapsed ms)" \
  bash -c "(( $elapsed < 1000 ))"
check "killed session still usable" wait_for 5 grep -qx 7 "$TEST_TMP/victim.out"
wait "$VICTIM" 2>/dev/null || true

# --- LOAD DATA LOCAL INFILE of 100k rows --------------------------------------------------------
seq 0 99999 | awk '{print $1 "\trow " $1}' >"$TEST_TMP/load.tsv"
cli "$P" -e "DROP TABLE IF EXISTS ck_cli_load; CREATE TABLE ck_cli_load (id INT PRIMARY KEY, v VARCHAR(32))"
check "LOAD DATA LOCAL INFILE accepted" cli "$P" --local-infile=1 -e "LOAD DATA LOCAL INFILE '$TEST_TMP/load.tsv' INTO TABLE ck_cli_load"
expect_eq "LOAD DATA LOCAL INFILE 100k rows" $'100000\t4999950000' "$(cli "$D" -e 'SELECT COUNT(*), SUM(id) FROM ck_cli_load')"
run_both load_missing --local-infile=1 -e "LOAD DATA LOCAL INFILE '$TEST_TMP/no_such_file' INTO TABLE ck_cli_load"
check "LOAD DATA LOCAL of a missing file: same error, session survives" same load_missing

# --- TLS ------------------------------------------------------------------------------------------
status=$(mariadb --no-defaults -h127.0.0.1 -P"$P" -uapp -papp_pw --ssl -e 'status' app 2>&1)
check "TLS session is encrypted" grep -qE "SSL:[[:space:]]+Cipher in use is" <<<"$status"
expect_eq "query over TLS" 42 "$(mariadb --no-defaults -h127.0.0.1 -P"$P" -uapp -papp_pw --ssl -N -B -e 'select 42' app)"
verified=0
for _ in 1 2 3 4 5; do
  [[ $(mariadb --no-defaults -h127.0.0.1 -P"$P" -uapp -papp_pw --ssl-ca="$TEST_TMP/server.pem" --ssl-verify-server-cert \
       --connect-timeout=3 -N -B -e 'select 42' app 2>&1) == 42 ]] && verified=$((verified + 1))
done
expect_eq "TLS with server certificate verification, 5 connects" 5 "$verified"

cli "$D" -e "DROP TABLE IF EXISTS ck_cli_types, ck_cli_blob, ck_cli_ps, ck_cli_tx, ck_cli_load"
finish
