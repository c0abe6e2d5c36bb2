#!/usr/bin/python3
"""Read/write splitting through the proxy against the real sandbox (issue 4's checks).

Usage: routing_checks.py PROXY_PORT ADMIN_PORT CHECK
CHECK is one of: spread, consistency-session, consistency-eventual, lag-exclusion,
session-state, prepared. Prints ok/FAIL lines and a final "N passed, M failed".
"""
import json
import os
import re
import sys
import threading
import time
import urllib.request

import pymysql

PROXY, ADMIN, CHECK = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
# db3, the replica these checks delay and stop (SANDBOX_PORT_BASE is db1's port, as for lib.sh).
DB3 = int(os.environ.get("SANDBOX_PORT_BASE", "3307")) + 2
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"[routing] ok: {name} {detail}")
    else:
        failed += 1
        print(f"[routing] FAIL: {name} {detail}")


def connect(port=PROXY, **kw):
    args = dict(host="127.0.0.1", port=port, user="app", password="app_pw", database="app",
                autocommit=True, connect_timeout=10)
    args.update(kw)
    return pymysql.connect(**args)


def q(conn, sql, args=None):
    with conn.cursor() as c:
        c.execute(sql, args)
        return c.fetchall()


def root(port, sql):
    """Administrative statement on a sandbox server (monitor account has the privileges)."""
    c = pymysql.connect(host="127.0.0.1", port=port, user="monitor", password="monitor_pw", autocommit=True)
    try:
        return q(c, sql)
    finally:
        c.close()


def metrics():
    text = urllib.request.urlopen(f"http://127.0.0.1:{ADMIN}/metrics", timeout=5).read().decode()
    out = {}
    for m in re.finditer(r'^switchyard_server_queries_total\{server="(\w+)"\} (\d+)$', text, re.M):
        out[m.group(1)] = int(m.group(2))
    return out


def status():
    return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{ADMIN}/v1/status", timeout=5).read())


def lag_of(name):
    for s in status()["servers"]:
        if s["name"] == name:
            return s
    return None


def wait_until(seconds, fn):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(0.05)
    return False


if CHECK == "spread":
    before = metrics()
    hits = {}
    for _ in range(200):  # 200 sessions x 5 reads = 1000 reads
        c = connect()
        for _ in range(5):
            sid = q(c, "SELECT @@server_id")[0][0]
            hits[sid] = hits.get(sid, 0) + 1
        c.close()
    check("1000 reads outside a transaction never hit the master", hits.get(1, 0) == 0, hits)
    check("db2 got at least 30%", hits.get(2, 0) >= 300, hits)
    check("db3 got at least 30%", hits.get(3, 0) >= 300, hits)
    after = metrics()
    check("proxy's own per-server counters agree (db2)", after["db2"] - before["db2"] >= hits.get(2, 0), (before, after))
    check("proxy's own per-server counters agree (db3)", after["db3"] - before["db3"] >= hits.get(3, 0), (before, after))
    c = connect()
    c.begin()
    inside = {q(c, "SELECT @@server_id")[0][0] for _ in range(50)}
    c.commit()
    check("inside BEGIN..COMMIT every read is on the master", inside == {1}, inside)
    q(c, "START TRANSACTION READ ONLY")
    ro = {q(c, "SELECT @@server_id")[0][0] for _ in range(50)}
    q(c, "COMMIT")
    check("START TRANSACTION READ ONLY runs on one replica", len(ro) == 1 and 1 not in ro, ro)

elif CHECK in ("consistency-session", "consistency-eventual"):
    # db3 applies everything 2 s late; with max_lag_ms 10000 it stays a read target.
    root(DB3, "STOP SLAVE")
    root(DB3, "CHANGE MASTER TO MASTER_DELAY=2")
    root(DB3, "START SLAVE")
    try:
        c = connect()
        q(c, "CREATE TABLE IF NOT EXISTS ryw (id INT PRIMARY KEY, v INT)")
        q(c, "DELETE FROM ryw")
        time.sleep(2.5)  # let db3 apply the DDL/DELETE so it is a valid read target
        stale = 0
        n = 2000 if CHECK == "consistency-session" else 300
        for i in range(n):
            q(c, "INSERT INTO ryw VALUES (%s, %s)", (i, i))
            if q(c, "SELECT v FROM ryw WHERE id = %s", (i,)) != ((i,),):
                stale += 1
        if CHECK == "consistency-session":
            check(f"read-your-writes: {n} INSERT+SELECT with 0 stale reads", stale == 0, f"stale={stale}")
        else:
            check(f"eventual consistency shows stale reads exist ({stale} of {n})", stale > 0, f"stale={stale}")
    finally:
        root(DB3, "STOP SLAVE")
        root(DB3, "CHANGE MASTER TO MASTER_DELAY=0")
        root(DB3, "START SLAVE")

elif CHECK == "lag-exclusion":
    stop = threading.Event()

    def writer():
        w = connect()
        q(w, "CREATE TABLE IF NOT EXISTS lagw (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6))")
        while not stop.is_set():
            q(w, "INSERT INTO lagw (at) VALUES (NOW(6))")
            time.sleep(0.02)

    t = threading.Thread(target=writer)
    t.start()
    try:
        time.sleep(0.5)
        root(DB3, "STOP SLAVE SQL_THREAD")
        stopped_at = time.time()
        # lag passes max_lag_ms (1000) about 1 s after the stop; from then +2 s no read may hit db3.
        wait_until(5, lambda: (lag_of("db3")["lag_ms"] or 0) > 1000 or lag_of("db3")["state"] != "up")
        over_at = time.time()
        check("db3 lag grows past max_lag_ms after its SQL thread stops", over_at - stopped_at < 4.5,
              f"{over_at - stopped_at:.2f}s, status={lag_of('db3')}")
        time.sleep(2)
        hits3 = 0
        for _ in range(100):
            c = connect()
            if q(c, "SELECT @@server_id")[0][0] == 3:
                hits3 += 1
            c.close()
        check("no read reaches db3 once it is over max_lag_ms", hits3 == 0, f"hits={hits3}")
        root(DB3, "START SLAVE SQL_THREAD")
        started = time.time()
        back = wait_until(10, lambda: lag_of("db3")["state"] == "up" and (lag_of("db3")["lag_ms"] or 0) <= 1000)
        caught = time.time()
        check("db3 back under max_lag_ms after START SLAVE", back, f"{caught - started:.2f}s")

        def db3_gets_reads():
            c = connect()
            try:
                return any(q(c, "SELECT @@server_id")[0][0] == 3 for _ in range(1))
            finally:
                c.close()
        ok = wait_until(2, db3_gets_reads)
        check("reads return to db3 within 2 s of catching up", ok, f"{time.time() - caught:.2f}s")
    finally:
        stop.set()
        t.join()
        root(DB3, "START SLAVE")

elif CHECK == "session-state":
    c = connect()
    q(c, "SET time_zone = '+05:00'")
    tz, sid = q(c, "SELECT @@time_zone, @@server_id")[0]
    check("SET time_zone honoured on a replica", tz == "+05:00" and sid != 1, (tz, sid))
    utc, local, sid = q(c, "SELECT UTC_TIMESTAMP(), NOW(), @@server_id")[0]
    check("NOW() on the replica is UTC+5", abs((local - utc).total_seconds() - 5 * 3600) < 5 and sid != 1, (utc, local, sid))
    c2 = connect(database=None)
    q(c2, "USE app")
    rows = q(c2, "SELECT COUNT(*) > -1, @@server_id FROM sandbox_ready")
    check("USE app then an unqualified SELECT on a replica", rows[0][0] == 1 and rows[0][1] != 1, rows)
    q(c, "SET @x = 5")
    x, sid = q(c, "SELECT @x, @@server_id")[0]
    check("SET @x=5; SELECT @x returns 5 (on a replica)", x == 5 and sid != 1, (x, sid))
    q(c, "CREATE TEMPORARY TABLE tmp_r (a INT)")
    q(c, "INSERT INTO tmp_r VALUES (1)")
    check("temporary table readable (pinned to the master)", q(c, "SELECT a, @@server_id FROM tmp_r") == ((1, 1),))
    check("hint route=master", q(c, "/* switchyard:route=master */ SELECT @@server_id")[0][0] == 1)
    check("hint route=server:db3", q(c, "/* switchyard:route=server:db3 */ SELECT @@server_id")[0][0] == 3)

elif CHECK == "prepared":
    c = connect()
    q(c, "CREATE TABLE IF NOT EXISTS ps_t (id INT PRIMARY KEY, v INT)")
    q(c, "DELETE FROM ps_t")
    q(c, "PREPARE ins FROM 'INSERT INTO ps_t VALUES (?, ?)'")
    q(c, "PREPARE sel FROM 'SELECT v FROM ps_t WHERE id = ?'")
    bad = 0
    for i in range(500):
        q(c, "SET @i = %s", (i,))
        q(c, "EXECUTE ins USING @i, @i")
        if q(c, "EXECUTE sel USING @i") != ((i,),):
            bad += 1
    check("1000 executes of two prepared statements, alternating write/read, all correct", bad == 0, f"bad={bad}")

print(f"[routing] {passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
