#!/usr/bin/python3
"""Writer load for failover tests: THREADS threads insert unique ids through the proxy with
autocommit until STOP_FILE exists. Every acknowledged insert is printed as "<id> <ms>" to
ACKED_FILE (ms: wall clock when the OK arrived); errors reconnect and go on with a new id
(an id whose outcome is unknown is never retried, so it is not counted as acknowledged)."""
import os
import sys
import threading
import time

import pymysql

port, threads, acked_path, stop_path, table = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                               sys.argv[4], sys.argv[5])
lock = threading.Lock()
out = open(acked_path, "w", buffering=1)


def writer(n):
    seq = 0
    conn = None
    while not os.path.exists(stop_path):
        seq += 1
        row_id = n * 10_000_000 + seq
        try:
            if conn is None:
                conn = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw",
                                       database="app", autocommit=True, connect_timeout=5,
                                       read_timeout=15, write_timeout=15)
            with conn.cursor() as cur:
                cur.execute(f"INSERT INTO {table} (id, writer) VALUES (%s, %s)", (row_id, n))
            with lock:
                out.write(f"{row_id} {int(time.time() * 1000)}\n")
        except Exception:
            try:
                if conn is not None:
                    conn.close()
            except Exception:
                pass
            conn = None
            time.sleep(0.02)


ts = [threading.Thread(target=writer, args=(n + 1,)) for n in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
