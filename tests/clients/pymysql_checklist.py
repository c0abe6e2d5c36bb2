#!/usr/bin/python3
"""The client checklist through the proxy with PyMySQL (pure-Python connector).

Each check compares what the proxy returns with what a direct connection to the master
returns, so a check fails if the proxy alters, loses or misroutes anything.
Usage: pymysql_checklist.py PROXY_PORT MASTER_PORT
"""
import decimal
import os
import sys
import tempfile
import threading
import time

import pymysql

PROXY, MASTER = int(sys.argv[1]), int(sys.argv[2])
passed = failed = 0


def connect(port, **kw):
    args = dict(host="127.0.0.1", port=port, user="app", password="app_pw", database="app",
                autocommit=True, local_infile=True, connect_timeout=10)
    args.update(kw)
    return pymysql.connect(**args)


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"[pymysql] ok: {name}")
    else:
        failed += 1
        print(f"[pymysql] FAIL: {name} {detail}")


def query(conn, sql, args=None):
    with conn.cursor() as c:
        c.execute(sql, args)
        return c.fetchall()


def error_of(conn, sql):
    try:
        query(conn, sql)
    except pymysql.MySQLError as e:
        return e.args
    return None


p = connect(PROXY)
d = connect(MASTER)

# Wrong password is refused with 1045 and MySQL's message shape.
try:
    connect(PROXY, password="wrong")
    check("wrong password rejected", False, "connected")
except pymysql.err.OperationalError as e:
    check("wrong password rejected with 1045", e.args[0] == 1045 and "Access denied for user 'app'@" in e.args[1], e.args)

# caching_sha2-style client is switched to native and still logs in (PyMySQL handles auth switch).
check("plain connect works", query(p, "SELECT 1") == ((1,),))

# Every column type round trips identically through the proxy.
query(d, "DROP TABLE IF EXISTS ck_types")
query(d, """CREATE TABLE ck_types (id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT,
  bi BIGINT UNSIGNED, f FLOAT, db DOUBLE, dc DECIMAL(65,30), dt DATE, tm TIME(3), dtm DATETIME(6),
  ts TIMESTAMP(6) NULL, yr YEAR, ch CHAR(10), vc VARCHAR(200), bn BINARY(4), vb VARBINARY(20),
  tx TEXT, bl LONGBLOB, en ENUM('a','b'), st SET('x','y'), bt BIT(10), js JSON, nul INT NULL) DEFAULT CHARSET=utf8mb4""")
row = (1, -128, 65535, -8388608, 18446744073709551615, 1.5, 2.25,
       decimal.Decimal("12345678901234567890123456789012345.123456789012345678901234567891"),
       "2024-02-29", "-838:59:59.999", "2024-02-29 23:59:59.999999", "2024-02-29 12:00:00.000001", 2155,
       "char", "v\u00e9\u4e2d\U0001F600", b"\x00\x01\x02\x03", b"\xff\x00", "text" * 100, b"\x00" * 1000,
       "b", "x,y", 5, '{"a": [1, 2, {"b": null}]}', None)
query(p, "INSERT INTO ck_types VALUES (" + ",".join(["%s"] * len(row)) + ")", row)
query(p, "INSERT INTO ck_types (id) VALUES (2)")
via_proxy = query(p, "SELECT * FROM ck_types ORDER BY id")
direct = query(d, "SELECT * FROM ck_types ORDER BY id")
check("every column type incl. NULLs identical via proxy and direct", via_proxy == direct, (via_proxy, direct))
check("DECIMAL(65,30) exact", via_proxy[0][7] == row[7], via_proxy[0][7])

# A 20 MB BLOB.
blob = os.urandom(20 * 1024 * 1024)
query(p, "DROP TABLE IF EXISTS ck_blob")
query(p, "CREATE TABLE ck_blob (id INT PRIMARY KEY, b LONGBLOB)")
query(p, "INSERT INTO ck_blob VALUES (1, %s)", (blob,))
back = query(p, "/* switchyard:route=master */ SELECT b FROM ck_blob WHERE id = 1")[0][0]
check("20 MB BLOB round trip", back == blob, len(back))
query(p, "DROP TABLE ck_blob")  # later tests dump the app schema

# Errors pass through unchanged.
for sql in ("SELECT * FROM no_such_table", "SELEC 1", "INSERT INTO ck_types (id) VALUES (1)"):
    check(f"error identical: {sql}", error_of(p, sql) == error_of(d, sql), (error_of(p, sql), error_of(d, sql)))

# Multi-statements with several result sets.
mp = connect(PROXY, client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
with mp.cursor() as c:
    c.execute("SELECT 1; SELECT 2, 3; DO 0")
    sets = [c.fetchall()]
    while c.nextset():
        sets.append(c.fetchall())
check("multi-statement result sets", sets[:2] == [((1,),), ((2, 3),)], sets)

# Transactions: rollback discards, commit keeps; everything inside runs on the master.
query(p, "DROP TABLE IF EXISTS ck_tx")
query(p, "CREATE TABLE ck_tx (id INT PRIMARY KEY)")
p.begin()
query(p, "INSERT INTO ck_tx VALUES (1)")
in_txn = query(p, "SELECT @@server_id")[0][0]
p.rollback()
p.begin()
query(p, "INSERT INTO ck_tx VALUES (2)")
p.commit()
check("transaction statements on the master", in_txn == 1, in_txn)
check("rollback discards, commit keeps", query(d, "SELECT id FROM ck_tx") == ((2,),))

# KILL QUERY from another client cancels SLEEP(30) within a second.
victim = connect(PROXY)
victim_id = victim.thread_id()
result = {}


def sleeper():
    t0 = time.time()
    try:
        result["rows"] = query(victim, "SELECT SLEEP(30)")
    except pymysql.MySQLError as e:
        result["err"] = e.args
    result["elapsed"] = time.time() - t0


t = threading.Thread(target=sleeper)
t.start()
time.sleep(0.5)
query(p, f"KILL QUERY {victim_id}")
t.join(10)
check("KILL QUERY cancels SLEEP(30) within a second", result.get("elapsed", 99) < 1.6, result)
check("killed session still usable", query(victim, "SELECT 7") == ((7,),))

# LOAD DATA LOCAL INFILE of 100k rows.
with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
    for i in range(100000):
        f.write(f"{i}\trow {i}\n")
    path = f.name
query(p, "DROP TABLE IF EXISTS ck_load")
query(p, "CREATE TABLE ck_load (id INT PRIMARY KEY, v VARCHAR(32))")
query(p, f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE ck_load")
os.unlink(path)
check("LOAD DATA LOCAL INFILE 100k rows", query(d, "SELECT COUNT(*), SUM(id) FROM ck_load") == ((100000, 4999950000),))

# Prepared statements (server-side via the text protocol; PyMySQL has no binary protocol).
query(p, "PREPARE s1 FROM 'SELECT ? + ?, ?'")
query(p, "SET @a = 1, @b = 2, @c = 'x'")
check("text PREPARE/EXECUTE", query(p, "EXECUTE s1 USING @a, @b, @c") == ((3, "x"),))

# Session state follows the session across servers.
query(p, "SET time_zone = '+05:00'")
tz = query(p, "SELECT @@time_zone, @@server_id")[0]
check("SET time_zone honoured where reads run", tz[0] == "+05:00", tz)
query(p, "SET @x = 5")
check("user variable readable after SET", query(p, "SELECT @x")[0][0] == 5)

# COM_RESET_CONNECTION clears the session (PyMySQL has no COM_CHANGE_USER).
p.select_db("app")
ok_reset = True
try:
    p._execute_command(0x1F, b"")  # COM_RESET_CONNECTION
    p._read_ok_packet()
except Exception as e:  # noqa: BLE001
    ok_reset = False
    print("reset error", e)
check("COM_RESET_CONNECTION", ok_reset)
check("user variable gone after reset", query(p, "/* switchyard:route=master */ SELECT @x")[0][0] is None)

print(f"[pymysql] {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
