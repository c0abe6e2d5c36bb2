#!/usr/bin/env bash
# bench/failover/run.sh: how long applications cannot write when the master dies, and what
# a planned switchover costs them, with switchyard's default monitor and failover settings.
#
#   RUNS (5) times, each on a fresh sandbox (scripts/sandbox down + up):
#     WRITERS (6) threads insert unique ids through the proxy with autocommit for LOAD_S (2)
#     seconds, then db1 (the master) is killed with SIGKILL; writing goes on for AFTER_S (3) s.
#     Printed per run, in ms after the SIGKILL: db1's port refusing connections, the proxy's
#     first failed check, suspicion, the failover's start, the candidate's catch-up wait, the
#     new master's publication, the first acknowledged write; and acknowledged ids missing
#     from the new master (lost).
#   One switchover db1 -> db2 under the same load: writes held (the proxy's figure and the
#   longest gap between two acknowledged writes seen by the clients), lost acknowledged ids.
#   Then median and max time-to-first-write and the total lost.
#
# Semi-synchronous replication (AFTER_SYNC) is on during the runs, as a deployment that
# cannot lose acknowledged writes needs (tests/integration/lib.sh semi_sync).
# Environment: as for the integration tests (SANDBOX_DIR, SANDBOX_PORT_BASE, PROXY_PORT,
# ADMIN_PORT, SWITCHYARD_BIN); RUNS, WRITERS, LOAD_S, AFTER_S; RESULTS (a file the summary
# is appended to). Leaves the sandbox up in its initial shape. Exits 1 if a target is missed
# (median >= 3000 ms, max >= 5000 ms, lost > 0, switchover hold >= 1000 ms).
HERE=$(cd "$(dirname "$0")" && pwd)
export SWITCHYARD_SOURCE_DIR=${SWITCHYARD_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
source "$SWITCHYARD_SOURCE_DIR/tests/integration/lib.sh"
set +e
RUNS=${RUNS:-5}
NWRITERS=${WRITERS:-6}
LOAD_S=${LOAD_S:-2}
AFTER_S=${AFTER_S:-3}
WRITERS_PY=$REPO/tests/integration/failover_writers.py
TABLE=bench_failover_ids
SDIR=${SANDBOX_DIR:-$REPO/var/sandbox}

fresh_sandbox() {
  "$SANDBOX" down >/dev/null 2>&1
  "$SANDBOX" up >"$TEST_TMP/sandbox.log" 2>&1 || { cat "$TEST_TMP/sandbox.log" >&2; echo "sandbox up failed" >&2; exit 2; }
  root_sql db1 "CREATE TABLE app.$TABLE (id BIGINT PRIMARY KEY, writer INT)"
  wait_for 20 caught_up db2 db1 && wait_for 20 caught_up db3 db1 || { echo "replicas not caught up" >&2; exit 2; }
  rm -rf "$TEST_TMP/state"  # the persisted epoch of the previous run names another master
}
ids_on() { sql "$1" "SELECT id FROM $TABLE" | sort; }

# start_loaded_run DIR LABEL: a fresh sandbox with semi-sync on db1, the proxy, and the writers
# inserting through it (WRITERS_PID) for LOAD_S seconds; both runs start from this shape.
start_loaded_run() {
  local dir=$1 label=$2
  mkdir -p "$dir"
  fresh_sandbox
  semi_sync db1 on
  wait_for 10 replicating db2 && wait_for 10 replicating db3
  start_proxy_default
  wait_for 10 master_is db1 || { echo "$label: db1 never became master" >&2; return 1; }
  /usr/bin/python3 "$WRITERS_PY" "$PROXY_PORT" "$NWRITERS" "$dir/acked" "$dir/stop" "$TABLE" &
  WRITERS_PID=$!
  sleep "$LOAD_S"
}

# One failover run; appends a JSON line of figures to TEST_TMP/runs.jsonl.
failover_run() {
  local run=$1 dir=$TEST_TMP/run$1
  start_loaded_run "$dir" "run $run" || return 1
  local writers=$WRITERS_PID
  # db1's port is watched from here: when the kernel has closed it after the SIGKILL.
  local watcher; watcher=$(watch_port_closed db1 "$dir/port_closed")
  local pid; pid=$(cat "$SDIR/db1/mysqld.pid")
  now_ms >"$dir/kill"
  kill -KILL "$pid"
  wait_for 30 bash -c "m=\$(curl -sf http://127.0.0.1:$ADMIN_PORT/v1/status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"master\") or \"\")'); [[ \$m == db2 || \$m == db3 ]]"
  sleep "$AFTER_S"
  touch "$dir/stop"; wait "$writers"; wait_for 10 test -s "$dir/port_closed"; kill "$watcher" 2>/dev/null
  local new; new=$(master_name)
  echo "$new" >"$dir/new_master"
  awk '{print $1}' "$dir/acked" | sort >"$dir/acked_ids"
  if [[ -n $new ]]; then ids_on "$new" >"$dir/new_ids"; else : >"$dir/new_ids"; fi
  comm -23 "$dir/acked_ids" "$dir/new_ids" | wc -l >"$dir/lost"
  stop_proxy
  cp "$TEST_TMP/proxy.log" "$dir/proxy.log"
  /usr/bin/python3 - "$dir" "$run" >>"$TEST_TMP/runs.jsonl" <<'PY'
import datetime, json, os, re, sys
d, run = sys.argv[1], int(sys.argv[2])
def read(name, default=None):
    p = os.path.join(d, name)
    return open(p).read().strip() if os.path.exists(p) else default
kill = int(read("kill"))
closed = read("port_closed")
acked = [int(l.split()[1]) for l in open(os.path.join(d, "acked")) if l.strip()]
# The first write acknowledged after db1's sockets closed (an OK db1 sent before it died may
# arrive just after the SIGKILL), measured from the SIGKILL.
after = sorted(t for t in acked if t > (int(closed) if closed else kill))
out = {"run": run, "new_master": read("new_master", ""), "lost": int(read("lost", "-1")),
       "acked": len(acked), "port_closed": int(closed) - kill if closed else None,
       "first_write": after[0] - kill if after else None}
# Proxy log lines start with the local wall clock: "2026-11-29 21:40:46.077 warning [..] ..."
marks = {"first_failed_check": r"monitor: master db1 failed a check",
         "suspected": r"monitor: master db1 suspected",
         "failover_start": r"failover: starting failover",
         "caught_up": r"failover: db\d: applied everything",
         "published": r"failover: \(\+\d+ ms\) failover done",
         "repointed": r"the other servers are re-pointed"}
for line in open(os.path.join(d, "proxy.log")):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ", line)
    if not m:
        continue
    t = int(datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp() * 1000)
    for key, pattern in marks.items():
        if key not in out and t >= kill - 5 and re.search(pattern, line):
            out[key] = t - kill
    w = re.search(r"waited (\d+) ms", line)
    if w and "catch_up_wait" not in out and t >= kill:
        out["catch_up_wait"] = int(w.group(1))
print(json.dumps(out))
PY
}

switchover_run() {
  local dir=$TEST_TMP/switchover
  start_loaded_run "$dir" "switchover" || return 1
  local writers=$WRITERS_PID
  local t0; t0=$(now_ms)
  local code; code=$(admin_post /v1/switchover '{"to":"db2"}')
  local t1; t1=$(now_ms)
  cp "$TEST_TMP/post.json" "$dir/response.json"
  sleep "$AFTER_S"
  touch "$dir/stop"; wait "$writers"
  awk '{print $1}' "$dir/acked" | sort >"$dir/acked_ids"
  wait_for 20 caught_up db1 db2
  local lost; lost=$(comm -23 "$dir/acked_ids" <(ids_on db2) | wc -l)
  # Back to the sandbox's initial shape.
  semi_sync db1 off
  admin_post /v1/switchover '{"to":"db1"}' >/dev/null
  wait_for 20 caught_up db2 db1; wait_for 20 caught_up db3 db1
  stop_proxy
  cp "$TEST_TMP/proxy.log" "$dir/proxy.log"
  /usr/bin/python3 - "$dir" "$code" "$t0" "$t1" "$lost" >"$dir/result.json" <<'PY'
import json, sys
d, code, t0, t1, lost = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
try:
    held = json.load(open(d + "/response.json")).get("writes_held_ms")
except Exception:
    held = None
acks = sorted(int(l.split()[1]) for l in open(d + "/acked") if l.strip())
# The longest pause in acknowledgements around the switchover, as the clients saw it.
gap = max((b - a for a, b in zip(acks, acks[1:]) if b >= t0 - 1000 and a <= t1 + 1000), default=None)
print(json.dumps({"http": code, "writes_held_ms": held, "client_gap_ms": gap, "lost": lost,
                  "acked": len(acks), "request_ms": t1 - t0}))
PY
}

: >"$TEST_TMP/runs.jsonl"
echo "failover bench: $RUNS runs, $NWRITERS writers, kill -9 db1 after ${LOAD_S}s of load (default monitor settings: interval 250 ms, timeout 1000 ms, threshold 3)"
for run in $(seq 1 "$RUNS"); do
  failover_run "$run" || echo "{\"run\": $run, \"error\": true}" >>"$TEST_TMP/runs.jsonl"
  tail -1 "$TEST_TMP/runs.jsonl"
done
switchover_run
# Leave the sandbox up, fresh, in its initial shape.
"$SANDBOX" down >/dev/null 2>&1; "$SANDBOX" up >/dev/null 2>&1

/usr/bin/python3 - "$TEST_TMP/runs.jsonl" "$TEST_TMP/switchover/result.json" "${RESULTS:-}" <<'PY'
import json, statistics, sys, datetime
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sw = json.load(open(sys.argv[2])) if sys.argv[2] else {}
cols = [("run", "run"), ("new_master", "new"), ("port_closed", "port closed"),
        ("first_failed_check", "1st failed check"), ("suspected", "suspected"),
        ("failover_start", "failover start"), ("catch_up_wait", "catch-up wait"),
        ("published", "published"), ("first_write", "FIRST WRITE"), ("lost", "lost"),
        ("acked", "acked")]
lines = ["ms after SIGKILL of db1 (catch-up wait: duration)",
         " | ".join(h for _, h in cols)]
for r in runs:
    lines.append(" | ".join(str(r.get(k, "-")) if r.get(k) is not None else "-" for k, _ in cols))
firsts = [r["first_write"] for r in runs if r.get("first_write") is not None]
lost = sum(max(r.get("lost", 0), 0) for r in runs)
failed = [r["run"] for r in runs if r.get("first_write") is None or r.get("lost", -1) < 0]
ok = bool(firsts) and not failed
if firsts:
    med, mx = statistics.median(firsts), max(firsts)
    lines.append(f"time to first write: median {med:.0f} ms, max {mx} ms over {len(firsts)} runs; "
                 f"lost acknowledged writes: {lost}" + (f"; runs without a write: {failed}" if failed else ""))
    ok = ok and med < 3000 and mx < 5000 and lost == 0
else:
    lines.append("no run produced a write after the kill")
if sw:
    lines.append(f"switchover db1 -> db2 (HTTP {sw['http']}): writes held {sw['writes_held_ms']} ms "
                 f"(proxy), longest gap between acknowledged writes {sw['client_gap_ms']} ms (clients), "
                 f"lost acknowledged writes: {sw['lost']}")
    ok = ok and sw["http"] == "200" and sw["lost"] == 0 and (sw["writes_held_ms"] or 0) < 1000
lines.append("targets (median < 3000 ms, max < 5000 ms, 0 lost, switchover hold < 1000 ms): " +
             ("met" if ok else "MISSED"))
print("\n".join(lines))
if sys.argv[3]:
    with open(sys.argv[3], "a") as f:
        f.write(f"## {datetime.datetime.utcnow().isoformat(timespec='seconds')}Z\n" + "\n".join(lines) + "\n\n")
sys.exit(0 if ok else 1)
PY
