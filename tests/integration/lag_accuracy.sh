#!/usr/bin/env bash
# Replica lag from the binlog tail, against reality. db3 with MASTER_DELAY=3 under a steady
# write stream (pt-heartbeat --update every 50 ms): MariaDB applies delayed transactions in
# whole-second batches (event timestamps have one-second resolution), so the true age of the
# oldest unapplied transaction saws between 2 and 3 s plus a per-run phase (so the issue's
# "3000 +/- 300 ms" cannot hold for every sample). Asserted: switchyard's median lag matches the
# median age of the newest heartbeat row applied on db3 (pt-heartbeat's table read directly,
# the ground truth) within 500 ms, its peak is 3 s plus the phase (2.7..4.2 s);
# pt-heartbeat --check's own figure is printed next to it. An idle master keeps lag at 0; a stopped SQL thread makes
# lag grow about 1 s per second; after START SLAVE it is back to 0 about a second after the
# replica caught up. db3's settings are restored at the end.
source "$(dirname "$0")/lib.sh"
SOCK_DIR=${SANDBOX_DIR:-$REPO/var/sandbox}

status_field() { admin_get /v1/status | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
lag_of() { status_field "next(s['lag_ms'] for s in d['servers'] if s['name']=='$1')"; }
pt_check_ms() { # pt-heartbeat --check's measurement of db3, in ms
  pt-heartbeat --check -D app --utc --socket "$SOCK_DIR/db3/mysqld.sock" -u root --master-server-id 1 2>/dev/null |
    awk '{printf "%d", $1 * 1000}'
}
row_age_ms() { # age of the newest heartbeat row applied on db3 (what pt-heartbeat measures)
  root_sql db3 "SELECT ROUND(TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) / 1000) FROM app.heartbeat WHERE server_id = 1"
}
binlog_streaming() {
  [[ $(status_field "d['binlog'] and d['binlog']['connected'] and d['binlog']['lag_source']") == binlog ]]
}
start_heartbeat() {
  pt-heartbeat --update --create-table -D app --utc --interval 0.05 --socket "$SOCK_DIR/db1/mysqld.sock" -u root \
    >>"$TEST_TMP/pt-heartbeat.log" 2>&1 &
  HB_PID=$!; track_pid $HB_PID
}
stop_heartbeat() { kill "$HB_PID" 2>/dev/null || true; wait "$HB_PID" 2>/dev/null || true; }
set_delay() { root_sql db3 "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=$1; START SLAVE"; }
caught_up() { [[ $(root_sql "$1" "select @@gtid_slave_pos") == $(root_sql db1 "select @@gtid_binlog_pos") ]]; }
restore() { set_delay 0 >/dev/null 2>&1 || true; root_sql db3 "START SLAVE" >/dev/null 2>&1 || true; }
trap 'restore; _cleanup' EXIT

start_proxy_default
check "binlog tailer streaming, lag timed from it" wait_for 20 binlog_streaming

# 1. MASTER_DELAY=3 under a steady stream.
set_delay 3
start_heartbeat
sleep 6  # the first delayed transactions apply 3 s after they were written
: >"$TEST_TMP/samples"
PT=""
for i in $(seq 1 40); do
  echo "$(lag_of db3) $(row_age_ms)" >>"$TEST_TMP/samples"
  ((i % 10)) || PT+="$(pt_check_ms) "
  sleep 0.1
done
log "db3 lag samples, switchyard_ms heartbeat_row_age_ms: $(tr '\n' ',' <"$TEST_TMP/samples")"
log "pt-heartbeat --check (ms): $PT"
read -r OURS_MED OURS_MAX OURS_MIN ROW_MED < <(/usr/bin/python3 -c "
import statistics
rows = [l.split() for l in open('$TEST_TMP/samples') if len(l.split()) == 2]
ours = [int(r[0]) for r in rows]; age = [int(float(r[1])) for r in rows]
print(int(statistics.median(ours)), max(ours), min(ours), int(statistics.median(age)))")
log "switchyard: median ${OURS_MED} ms, max ${OURS_MAX} ms, min ${OURS_MIN} ms; heartbeat row age median ${ROW_MED} ms"
# The batches start at a fraction of a second (the same in every second of a run, different
# between runs), so the true age saws between 2 s and 3 s plus that fraction: the peak is
# between 3 s and 4 s, never below 2.7 s.
check "MASTER_DELAY=3: switchyard's peak lag is 3 s plus the batch phase (${OURS_MAX} in 2700..4200)" \
  test "$OURS_MAX" -ge 2700 -a "$OURS_MAX" -le 4200
# switchyard's figure is that of the monitor's latest replica check (every interval_ms = 250 ms)
# and the lag saws at 1 s/s, so single samples may differ by an interval; medians are close.
check "median agrees with the heartbeat row age within 500 ms" \
  test $((OURS_MED > ROW_MED ? OURS_MED - ROW_MED : ROW_MED - OURS_MED)) -le 500

# 2. Idle master: no growth from silence.
stop_heartbeat
check "db3 caught up once the master went idle" wait_for 15 caught_up db3
sleep 0.6  # one monitor round after catching up
IDLE=""
for _ in $(seq 1 12); do IDLE+="$(lag_of db2),$(lag_of db3) "; sleep 0.25; done
log "idle master, db2,db3 lag: $IDLE"
expect_eq "idle master keeps lag at 0" "" "$(tr ' ' '\n' <<<"$IDLE" | grep -vE '^(0,0)?$' || true)"

# 3. Stopped SQL thread: lag grows about 1 s per second while writes flow.
set_delay 0
start_heartbeat
sleep 1
root_sql db3 "STOP SLAVE SQL_THREAD"
sleep 1
T1=$(now_ms); L1=$(lag_of db3)
sleep 3
T2=$(now_ms); L2=$(lag_of db3)
RATE=$(( (L2 - L1) * 1000 / (T2 - T1) ))
log "stopped SQL thread: lag $L1 -> $L2 ms over $((T2 - T1)) ms (rate ${RATE}/1000)"
check "lag grows about 1 s per second (rate $RATE/1000)" test "$RATE" -ge 800 -a "$RATE" -le 1200

# 4. START SLAVE: back to 0 within about a second of catching up.
stop_heartbeat
root_sql db3 "START SLAVE SQL_THREAD"
check "db3 caught up after START SLAVE" wait_for 15 caught_up db3
T_CAUGHT=$(now_ms)
zero() { [[ $(lag_of db3) == 0 ]]; }
check "lag back to 0" wait_for 5 zero
T_ZERO=$(now_ms)
log "lag 0 reported $((T_ZERO - T_CAUGHT)) ms after db3 caught up"
check "lag 0 within about a second of catch-up" test $((T_ZERO - T_CAUGHT)) -le 1200

stop_proxy
restore
expect_eq "db3 MASTER_DELAY restored" 0 "$(slave_status db3 | awk '/SQL_Delay:/{print $2}')"
root_sql db1 "DROP TABLE IF EXISTS app.heartbeat"
finish
