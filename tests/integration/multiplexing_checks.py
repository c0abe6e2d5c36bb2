#!/usr/bin/python3
"""Connection multiplexing through the proxy (issue 8) against the real sandbox.

Usage: multiplexing_checks.py PROXY_PORT ADMIN_PORT DB1_PORT DB2_PORT DB3_PORT POOL_MAX
200 clients connect and run queries at once (the calling script samples the servers' own
connection counts meanwhile: none may exceed POOL_MAX). Session state (user variables,
session variables, temporary tables, transactions) stays correct while other sessions churn,
and nothing set by one client is visible to another.
"""
import re
import sys
import threading
import time
import urllib.request

import pymysql

PROXY, ADMIN = int(sys.argv[1]), int(sys.argv[2])
SERVERS = {"db1": int(sys.argv[3]), "db2": int(sys.argv[4]), "db3": int(sys.argv[5])}
POOL_MAX = int(sys.argv[6])
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"[multiplexing] ok: {name} {detail}", flush=True)
    else:
        failed += 1
        print(f"[multiplexing] FAIL: {name} {detail}", flush=True)


def connect(port=PROXY, **kw):
    args = dict(host="127.0.0.1", port=port, user="app", password="app_pw", database="app",
                autocommit=True, connect_timeout=20, read_timeout=60)
    args.update(kw)
    return pymysql.connect(**args)


def q(conn, sql, args=None):
    with conn.cursor() as c:
        c.execute(sql, args)
        return c.fetchall()


def wait_until(cond, seconds):
    deadline = time.monotonic() + seconds
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def gauge():
    text = urllib.request.urlopen(f"http://127.0.0.1:{ADMIN}/metrics", timeout=5).read().decode()
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r'^switchyard_server_backend_connections\{server="(\w+)"\} (-?\d+)$', text, re.M)}


setup = connect()
q(setup, "DROP TABLE IF EXISTS mux_t")
q(setup, "CREATE TABLE mux_t (id INT PRIMARY KEY, client INT)")

# --- 200 concurrent clients, each running 20 statements, against a pool of POOL_MAX -------------
N, PER = 200, 20
errors = []
connected = threading.Barrier(N + 1)


def client(k):
    try:
        c = connect()
    except Exception as e:  # noqa: BLE001
        errors.append(f"connect {k}: {e}")
        connected.wait()
        return
    connected.wait()  # all 200 hold a client connection before any query runs
    try:
        for i in range(PER):
            if i % 5 == 0:
                q(c, "INSERT INTO mux_t VALUES (%s, %s)", (k * 1000 + i, k))
            else:
                r = q(c, "SELECT %s + 1", (i,))
                if r[0][0] != i + 1:
                    errors.append(f"client {k}: wrong answer {r}")
    except Exception as e:  # noqa: BLE001
        errors.append(f"client {k}: {e}")
    finally:
        c.close()


threads = [threading.Thread(target=client, args=(k,)) for k in range(N)]
for t in threads:
    t.start()
connected.wait()
print(f"[multiplexing] {N} clients connected; proxy's backend connections: {gauge()}", flush=True)
for t in threads:
    t.join()
check(f"{N} clients x {PER} statements: no errors", not errors, "; ".join(errors[:5]))
rows = q(setup, "SELECT COUNT(*) FROM mux_t")[0][0]
check("every insert arrived", rows == N * PER // 5, f"{rows} rows")
g = gauge()
check(f"the proxy holds at most {POOL_MAX} backend connections per server", all(n <= POOL_MAX for n in g.values()), str(g))
print(f"[multiplexing] proxy's backend connection gauge now: {gauge()}", flush=True)

# --- session state under multiplexing, with other sessions churning ---------------------------
churn_stop = threading.Event()


def churn():
    c = connect()
    while not churn_stop.is_set():
        q(c, "SELECT 1")
    c.close()


churners = [threading.Thread(target=churn) for _ in range(20)]
for t in churners:
    t.start()
a = connect()
q(a, "SET @x = 5")
vals = {q(a, "SELECT @x")[0][0] for _ in range(50)}
check("SET @x = 5 then SELECT @x (50 times) returns 5", vals == {5}, str(vals))
q(a, "SET time_zone = '+05:00'")
vals = {q(a, "SELECT @@time_zone")[0][0] for _ in range(20)}
check("a session variable stays set", vals == {"+05:00"}, str(vals))
b = connect()
check("another client does not see @x", q(b, "SELECT @x")[0][0] is None)
check("another client keeps the default time_zone", q(b, "SELECT @@time_zone")[0][0] != "+05:00")
q(b, "CREATE TEMPORARY TABLE mux_tmp (a INT)")
q(b, "INSERT INTO mux_tmp VALUES (1), (2)")
vals = {q(b, "SELECT COUNT(*) FROM mux_tmp")[0][0] for _ in range(20)}
check("a temporary table stays visible to its session", vals == {2}, str(vals))
c = connect()
q(c, "BEGIN")
q(c, "INSERT INTO mux_t VALUES (999999, -1)")
inside = q(c, "SELECT COUNT(*) FROM mux_t WHERE id = 999999")[0][0]
q(c, "ROLLBACK")
after = q(c, "SELECT COUNT(*) FROM mux_t WHERE id = 999999")[0][0]
check("a transaction sees its own row and its rollback removes it", inside == 1 and after == 0,
      f"inside {inside}, after {after}")
q(c, "INSERT INTO mux_t VALUES (999998, -1)")
lid = q(c, "SELECT ROW_COUNT()")[0][0]
check("ROW_COUNT() right after a write reads that write", lid == 1, str(lid))
for conn in (a, b, c):
    conn.close()
# A session that set state and left: its connection must not reach anyone else.
d = connect()
q(d, "SET @leak = 'secret'")
d.close()
leaks = set()
for _ in range(30):
    e = connect()
    leaks.add(q(e, "SELECT @leak")[0][0])
    e.close()
check("state of a closed session never reaches another", leaks == {None}, str(leaks))

# --- autocommit off (PyMySQL's default) pins only while a transaction is open --------------------
# 4 x POOL_MAX sessions with autocommit off all stay connected; each then runs a transaction.
# If autocommit off pinned a connection for the session's life, clients past POOL_MAX would wait
# for one and fail.
N_AC = POOL_MAX * 4
ac_errors = []
ac_connected = threading.Barrier(N_AC + 1)
ac_go = threading.Event()


def autocommit_off_client(k):
    try:
        c = connect(autocommit=False)  # PyMySQL sends SET AUTOCOMMIT = 0 at login
        q(c, "SELECT 1")
    except Exception as e:  # noqa: BLE001
        ac_errors.append(f"connect {k}: {e}")
        ac_connected.wait()
        return
    ac_connected.wait()
    try:
        ac_go.wait()
        q(c, "INSERT INTO mux_t VALUES (%s, %s)", (500000 + k, k))
        c.commit()
        mode = q(c, "SELECT @@autocommit")[0][0]
        if mode != 0:
            ac_errors.append(f"client {k}: @@autocommit {mode} after its transaction")
        c.commit()
    except Exception as e:  # noqa: BLE001
        ac_errors.append(f"client {k}: {e}")
    finally:
        c.close()


ac_threads = [threading.Thread(target=autocommit_off_client, args=(k,)) for k in range(N_AC)]
for t in ac_threads:
    t.start()
ac_connected.wait()
ac_go.set()
for t in ac_threads:
    t.join()
check(f"{N_AC} sessions with autocommit off over a pool of {POOL_MAX}: no errors", not ac_errors,
      "; ".join(ac_errors[:5]))
direct = connect(port=SERVERS["db1"])
n = q(direct, "SELECT COUNT(*) FROM mux_t WHERE id >= 500000 AND id < %s", (500000 + N_AC,))[0][0]
check("their committed rows are on the master", n == N_AC, f"{n} of {N_AC}")
# A connection an autocommit-off session gave back must not swallow the next session's writes.
for i in range(30):
    x = connect(autocommit=False)
    q(x, "SELECT 1")
    x.close()
    y = connect()
    q(y, "INSERT INTO mux_t VALUES (%s, -2)", (600000 + i,))
    y.close()
n = q(direct, "SELECT COUNT(*) FROM mux_t WHERE id >= 600000 AND id < 600030")[0][0]
check("autocommit writes after autocommit-off sessions are committed (30 of 30)", n == 30, str(n))
modes = set()
for _ in range(20):
    y = connect()
    modes.add(q(y, "SELECT @@autocommit")[0][0])
    y.close()
check("autocommit sessions see @@autocommit = 1 on borrowed connections", modes == {1}, str(modes))
z = connect(autocommit=False)
q(z, "INSERT INTO mux_t VALUES (700000, -3)")
z.close()
gone = wait_until(lambda: q(direct, "SELECT COUNT(*) FROM mux_t WHERE id = 700000")[0][0] == 0, 10)
check("an uncommitted write of a session that left is rolled back", gone)
direct.close()

churn_stop.set()
for t in churners:
    t.join()
q(setup, "DROP TABLE IF EXISTS mux_t")
setup.close()
print(f"[multiplexing] {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
