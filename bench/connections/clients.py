#!/usr/bin/env python3
"""Opens many authenticated MySQL client connections with asyncio (raw protocol,
mysql_native_password), keeps them idle, then has every one run one query at the same time.
Measures the proxy's RSS (from /proc) and the servers' Threads_connected at each phase and
prints a markdown table. Used by bench/connections/run.sh; not a test.

usage: clients.py PROXY_PID PORT CLIENTS SANDBOX_DIR [QUERY]
"""
import asyncio
import hashlib
import struct
import subprocess
import sys
import time

PROXY_PID, PORT, CLIENTS, SANDBOX_DIR = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
QUERY = sys.argv[5] if len(sys.argv) > 5 else "SELECT 1"
USER, PASSWORD, DB = b"app", b"app_pw", b"app"
CONNECT_CONCURRENCY = 200

CLIENT_LONG_PASSWORD, CLIENT_LONG_FLAG, CLIENT_CONNECT_WITH_DB = 1, 4, 8
CLIENT_PROTOCOL_41, CLIENT_TRANSACTIONS, CLIENT_SECURE_CONNECTION = 0x200, 0x2000, 0x8000
CLIENT_PLUGIN_AUTH = 0x80000
CAPS = (CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41
        | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH)


def native_token(scramble):
    h1 = hashlib.sha1(PASSWORD).digest()
    h2 = hashlib.sha1(h1).digest()
    h3 = hashlib.sha1(scramble + h2).digest()
    return bytes(a ^ b for a, b in zip(h1, h3))


class Conn:
    def __init__(self):
        self.reader = self.writer = None

    async def read_packet(self):
        header = await self.reader.readexactly(4)
        n = header[0] | header[1] << 8 | header[2] << 16
        return header[3], await self.reader.readexactly(n)

    def write_packet(self, seq, payload):
        self.writer.write(struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload)

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", PORT)
        seq, greeting = await self.read_packet()
        if greeting[0] == 0xFF:
            raise RuntimeError("refused: " + greeting[9:].decode(errors="replace"))
        pos = greeting.index(b"\0", 1) + 1 + 4  # version, connection id
        scramble = greeting[pos:pos + 8]
        pos += 8 + 1 + 2 + 1 + 2 + 2  # filler, caps low, charset, status, caps high
        auth_len = greeting[pos]
        pos += 1 + 10
        scramble += greeting[pos:pos + max(13, auth_len - 8) - 1]
        token = native_token(scramble)
        response = (struct.pack("<IIB", CAPS, 1 << 24, 45) + b"\0" * 23 + USER + b"\0"
                    + bytes([len(token)]) + token + DB + b"\0" + b"mysql_native_password\0")
        self.write_packet(seq + 1, response)
        seq, answer = await self.read_packet()
        if answer[0] == 0xFE:  # AuthSwitchRequest
            plugin_end = answer.index(b"\0", 1)
            self.write_packet(seq + 1, native_token(answer[plugin_end + 1:plugin_end + 21]))
            seq, answer = await self.read_packet()
        if answer[0] != 0x00:
            raise RuntimeError("login failed: " + answer[3:].decode(errors="replace"))

    async def query(self, sql):
        self.write_packet(0, b"\x03" + sql.encode())
        _, first = await self.read_packet()
        if first[0] == 0xFF:
            raise RuntimeError("query failed: " + first[9:].decode(errors="replace"))
        if first[0] == 0x00:
            return
        eofs = 0
        while eofs < 2:  # column definitions, EOF, rows, EOF (no DEPRECATE_EOF)
            _, p = await self.read_packet()
            if p[0] == 0xFF:
                raise RuntimeError("query failed: " + p[9:].decode(errors="replace"))
            if p[0] == 0xFE and len(p) < 9:
                eofs += 1

    def close(self):
        if self.writer:
            self.writer.close()


def rss_kb():
    with open(f"/proc/{PROXY_PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def threads_connected():
    counts = {}
    for name in ("db1", "db2", "db3"):
        try:
            out = subprocess.run(["mariadb", "--no-defaults", "-uroot", "-S", f"{SANDBOX_DIR}/{name}/mysqld.sock", "-N", "-B",
                                  "-e", "SHOW GLOBAL STATUS LIKE 'Threads_connected'"],
                                 capture_output=True, text=True, timeout=30).stdout.split()
            counts[name] = int(out[1]) if len(out) == 2 else -1
        except (subprocess.SubprocessError, OSError):
            counts[name] = -1
    return counts


async def main():
    baseline_rss, baseline_threads = rss_kb(), threads_connected()
    conns, errors = [], {}
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one():
        c = Conn()
        async with gate:
            try:
                await asyncio.wait_for(c.connect(), 60)
                conns.append(c)
            except Exception as e:  # noqa: BLE001 - every failure is counted and reported
                key = f"connect: {str(e)[:80] or type(e).__name__}"
                errors[key] = errors.get(key, 0) + 1
                c.close()

    t0 = time.monotonic()
    await asyncio.gather(*(open_one() for _ in range(CLIENTS)))
    connect_s = time.monotonic() - t0
    await asyncio.sleep(2)  # let the proxy settle (allocator, timers)
    idle_rss, idle_threads = rss_kb(), threads_connected()

    query_errors = 0

    async def query_one(c):
        nonlocal query_errors
        try:
            await asyncio.wait_for(c.query(QUERY), 120)
        except Exception as e:  # noqa: BLE001
            query_errors += 1
            key = f"query: {str(e)[:80] or type(e).__name__}"
            errors[key] = errors.get(key, 0) + 1

    t0 = time.monotonic()
    await asyncio.gather(*(query_one(c) for c in conns))
    query_s = time.monotonic() - t0
    after_rss, after_threads = rss_kb(), threads_connected()
    for c in conns:
        c.close()

    n = len(conns)
    per_idle = (idle_rss - baseline_rss) * 1024 / n if n else 0
    per_after = (after_rss - baseline_rss) * 1024 / n if n else 0

    def backends(counts):
        return ", ".join(f"{k} {counts[k] - baseline_threads[k]:+d}" for k in counts)

    print(f"| clients asked | connected | connect s | proxy RSS before | RSS idle | bytes per idle client "
          f"| RSS after one query each | bytes per client after | query s | backend connections idle (Threads_connected delta) "
          f"| backend connections after queries | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {CLIENTS} | {n} | {connect_s:.1f} | {baseline_rss} kB | {idle_rss} kB | {per_idle:.0f} | {after_rss} kB "
          f"| {per_after:.0f} | {query_s:.1f} | {backends(idle_threads)} | {backends(after_threads)} "
          f"| {sum(errors.values())} |")
    for k, v in sorted(errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"\n{v} x {k}", end="")
    print()


asyncio.run(main())
