#!/usr/bin/env bash
# bench/compare: sysbench oltp_point_select, oltp_read_only and oltp_read_write against db1
# directly, HAProxy (TCP mode) in front of db1, switchyard with only the master, and switchyard
# splitting reads over the replicas. Per case: QPS, p95 latency, errors, the proxy's own CPU
# seconds per 1,000 queries (utime + stime deltas of the proxy process from /proc) and the
# ratios against HAProxy. Prints a markdown table and writes it to bench/results/compare-<date>.md.
#   DURATION=10 ROUNDS=2 (seconds per run, runs per case and target, interleaved; QUICK=1 means
#   5 s x 1)  THREADS="1 8 64"  PS_MODE=disable  SY_EXTRA_YAML (config sections for both proxies)
#   WORKLOADS="oltp_point_select oltp_read_only oltp_read_write"  TARGETS="direct haproxy sy-master sy-split"
#   TABLES=4 TABLE_SIZE=10000  SANDBOX_PORT_BASE/SANDBOX_DIR/PROXY_PORT/ADMIN_PORT
#   HAPROXY_PORT (default PROXY_PORT + 100)  HAPROXY_THREADS (nbthread; default: HAProxy's, one per core)
#   OUT=<file> (default bench/results/compare-<date>.md)
#   PERF_DIR=<dir>: also record a profile of the proxy (linux-perf, PERF_ARGS default -g) for every
#   switchyard run into <dir>/<target>-<workload>-<threads>-<round>.data (`perf report -i FILE`).
#   sy-split listens on PROXY_PORT + 1 / ADMIN_PORT + 1.
# Needs sysbench and haproxy (scripts/setup installs both) and a built switchyard.
source "$(dirname "$0")/../lib.sh"
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
[[ ${QUICK:-0} == 1 ]] && DURATION=5 ROUNDS=1
THREADS=${THREADS:-1 8 64}
WORKLOADS=${WORKLOADS:-oltp_point_select oltp_read_only oltp_read_write}
PS_MODE=${PS_MODE:-disable}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-10000}
HAPROXY_PORT=${HAPROXY_PORT:-$((PROXY_PORT + 100))}
OUT=${OUT:-$REPO/bench/results/compare-$(date -u +%Y-%m-%d).md}
DB=bench_sysbench
read -r -a TARGETS <<<"${TARGETS:-direct haproxy sy-master sy-split}"

command -v sysbench >/dev/null || die "sysbench not found (scripts/setup)"
command -v haproxy >/dev/null || die "haproxy not found (scripts/setup)"
[[ -x $SWITCHYARD_BIN ]] || die "no switchyard binary at $SWITCHYARD_BIN (build it first)"
sandbox_up
for n in 65536 20000; do ulimit -Hn "$n" 2>/dev/null && break; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- tables ----------------------------------------------------------------------------------
root_sql db1 "CREATE DATABASE IF NOT EXISTS $DB; GRANT ALL PRIVILEGES ON $DB.* TO 'app'@'%'"
common=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-user=app --mysql-password=app_pw --mysql-db="$DB"
        --tables="$TABLES" --table-size="$TABLE_SIZE")
say "preparing $TABLES x $TABLE_SIZE rows in $DB on db1"
sysbench oltp_read_write "${common[@]}" --mysql-port="$(port_of db1)" cleanup >/dev/null 2>&1 || true
sysbench oltp_read_write "${common[@]}" --mysql-port="$(port_of db1)" --threads="$TABLES" prepare >"$BENCH_TMP/prepare.out" 2>&1 ||
  { cat "$BENCH_TMP/prepare.out" >&2; die "sysbench prepare failed"; }
caught_up() {
  local n; n=$(port_sql "$(port_of db1)" "SELECT COUNT(*) FROM $DB.sbtest$TABLES")
  [[ $(port_sql "$(port_of db2)" "SELECT COUNT(*) FROM $DB.sbtest$TABLES") == "$n" &&
     $(port_sql "$(port_of db3)" "SELECT COUNT(*) FROM $DB.sbtest$TABLES") == "$n" ]]
}
wait_for 60 caught_up || say "warning: replicas have not caught up with the prepared tables"

# --- targets ---------------------------------------------------------------------------------
# Every target runs at once on its own port, and each case runs ROUNDS times with the targets
# interleaved (direct, haproxy, sy-master, sy-split, then haproxy, sy-master, sy-split, direct,
# ...): on a shared machine, load that comes and goes then hits every target alike instead of
# whichever ran at that moment.
declare -A PORT_OF PID_OF
start_sy() { # start_sy NAME PORT ADMIN [EXTRA_YAML]
  local name=$1 port=$2 admin=$3 extra=${4:-}
  port_open "$port" && die "port $port is already in use (set PROXY_PORT/ADMIN_PORT)"
  PROXY_PORT=$port ADMIN_PORT=$admin LOG_LEVEL=warn render_config "$BENCH_TMP/$name.yaml" "$BENCH_TMP/state-$name" \
    "$extra${SY_EXTRA_YAML:+$'\n'$SY_EXTRA_YAML}"
  "$SWITCHYARD_BIN" --config "$BENCH_TMP/$name.yaml" >"$BENCH_TMP/$name.log" 2>&1 &
  PID_OF[$name]=$!
  track_pid "${PID_OF[$name]}"
  PORT_OF[$name]=$port
  wait_for 20 port_sql "$port" "select 1" || { cat "$BENCH_TMP/$name.log" >&2; die "$name did not serve a query"; }
}
for target in "${TARGETS[@]}"; do
  case "$target" in
    direct) PORT_OF[direct]=$(port_of db1) PID_OF[direct]= ;;
    haproxy)
      cat >"$BENCH_TMP/haproxy.cfg" <<CFG
global
  maxconn 4096
${HAPROXY_THREADS:+  nbthread $HAPROXY_THREADS}
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen mysql
  bind 127.0.0.1:$HAPROXY_PORT
  server db1 127.0.0.1:$(port_of db1)
CFG
      port_open "$HAPROXY_PORT" && die "port $HAPROXY_PORT is already in use (set HAPROXY_PORT)"
      haproxy -db -f "$BENCH_TMP/haproxy.cfg" >"$BENCH_TMP/haproxy.log" 2>&1 &
      PID_OF[haproxy]=$!
      track_pid "${PID_OF[haproxy]}"
      PORT_OF[haproxy]=$HAPROXY_PORT
      wait_for 10 port_sql "$HAPROXY_PORT" "select 1" || { cat "$BENCH_TMP/haproxy.log" >&2; die "haproxy did not start"; }
      ;;
    sy-master) start_sy sy-master "$PROXY_PORT" "$ADMIN_PORT" "$(master_only_yaml)" ;;
    sy-split) start_sy sy-split "$((PROXY_PORT + 1))" "$((ADMIN_PORT + 1))" ;;
    *) die "unknown target $target" ;;
  esac
done

# --- runs --------------------------------------------------------------------------------------
CASES=()
for w in $WORKLOADS; do
  for t in $THREADS; do CASES+=("$w $t"); done
  # the issue's targets are stated at 16 and 64 threads for point selects
  [[ $w == oltp_point_select && " $THREADS " != *" 16 "* ]] && CASES+=("$w 16")
done
declare -A QPS P95 ERR CPU NQ SECS TICKS P95S
for c in "${CASES[@]}"; do
  read -r w t <<<"$c"
  for round in $(seq 1 "$ROUNDS"); do
    # The order rotates each round: the run right after another one (or first) tends to see a
    # different machine (caches, MariaDB's state), and no target should always get that slot.
    for i in "${!TARGETS[@]}"; do
      target=${TARGETS[$(( (i + round - 1) % ${#TARGETS[@]} ))]}
      pid=${PID_OF[$target]}
      k="$target/$w/$t"
      out="$BENCH_TMP/$target-$w-$t-$round.out"
      t0=0; [[ -n $pid ]] && t0=$(cpu_ticks "$pid")
      perf_pid=
      if [[ -n ${PERF_DIR:-} && $target == sy-* ]]; then
        mkdir -p "$PERF_DIR"
        perf record -q ${PERF_ARGS:--g} -p "$pid" -o "$PERF_DIR/$target-$w-$t-$round.data" >/dev/null 2>&1 &
        perf_pid=$!
      fi
      sysbench "$w" "${common[@]}" --mysql-port="${PORT_OF[$target]}" --threads="$t" --time="$DURATION" \
        --db-ps-mode="$PS_MODE" --rand-type=uniform --mysql-ignore-errors=all --report-interval=0 run >"$out" 2>&1 || true
      t1=0; [[ -n $pid ]] && t1=$(cpu_ticks "$pid")
      if [[ -n $perf_pid ]]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
      queries=$(awk '/^ +queries: /{print $2}' "$out")
      secs=$(awk '/^ +total time: /{gsub(/s/, "", $3); print $3}' "$out")
      NQ[$k]=$(( ${NQ[$k]:-0} + ${queries:-0} ))
      SECS[$k]=$(awk -v a="${SECS[$k]:-0}" -v b="${secs:-0}" 'BEGIN{print a + b}')
      TICKS[$k]=$(( ${TICKS[$k]:-0} + t1 - t0 ))
      P95S[$k]="${P95S[$k]:-} $(awk '/95th percentile:/{print $3}' "$out")"
      e=$(awk '/ignored errors:/{print $3}' "$out")
      grep -q FATAL "$out" && e=fatal
      if [[ ${ERR[$k]:-0} == fatal || $e == fatal ]]; then ERR[$k]=fatal; else ERR[$k]=$(( ${ERR[$k]:-0} + ${e:-0} )); fi
      say "round $round/$ROUNDS $target $w $t threads: ${queries:-?} queries in ${secs:-?} s, proxy CPU ticks $((t1 - t0))"
    done
  done
  for target in "${TARGETS[@]}"; do
    k="$target/$w/$t"
    QPS[$k]=$(awk -v q="${NQ[$k]}" -v s="${SECS[$k]}" 'BEGIN{ if (s > 0) printf "%.0f", q / s; else print "-" }')
    P95[$k]=$(tr ' ' '\n' <<<"${P95S[$k]}" | grep -v '^$' | sort -g | awk '{v[NR]=$1} END{ if (NR) print v[int((NR + 1) / 2)]; else print "-" }')
    if [[ -n ${PID_OF[$target]} && ${NQ[$k]} -gt 0 ]]; then
      CPU[$k]=$(awk -v d="${TICKS[$k]}" -v hz="$CLK_TCK" -v q="${NQ[$k]}" 'BEGIN{printf "%.4f", d / hz / (q / 1000)}')
    else
      CPU[$k]="-"
    fi
    say "$target $w $t threads: ${QPS[$k]} qps, p95 ${P95[$k]} ms, errors ${ERR[$k]}, proxy CPU ${CPU[$k]} s/1k queries"
  done
done
sysbench oltp_read_write "${common[@]}" --mysql-port="$(port_of db1)" cleanup >/dev/null 2>&1 || true

# --- table -------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
{
  echo "# bench/compare $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$(nproc) cores (shared by sysbench, MariaDB and the proxy), $(sysbench --version), $(haproxy -v | head -1 | cut -d' ' -f1-3)," \
       "switchyard $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'); $TABLES tables x $TABLE_SIZE rows," \
       "$ROUNDS rounds x ${DURATION} s per case and target, targets interleaved in a rotating order, --db-ps-mode=$PS_MODE, --rand-type=uniform." \
       "${SY_EXTRA_YAML:+switchyard config extra: $(tr '\n' ' ' <<<"$SY_EXTRA_YAML").}" \
       "${HAPROXY_THREADS:+HAProxy nbthread $HAPROXY_THREADS.}"
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes runs noisy)."
  echo "Targets: direct = db1; haproxy = HAProxy TCP mode in front of db1; sy-master = switchyard with only db1;"
  echo "sy-split = switchyard with db1 + replicas db2, db3 (read/write splitting, read-your-writes)."
  echo "QPS = all rounds' queries / their time; p95 = median of the rounds; CPU = the proxy process's"
  echo "utime+stime per 1,000 queries over all rounds; vs HAProxy = QPS ratio / CPU ratio."
  echo
  echo "| workload | threads | target | QPS | p95 ms | errors | proxy CPU s/1k q | QPS vs HAProxy | CPU vs HAProxy |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for c in "${CASES[@]}"; do
    read -r w t <<<"$c"
    for target in "${TARGETS[@]}"; do
      k="$target/$w/$t" h="haproxy/$w/$t"
      qr="-" cr="-"
      if [[ $target == sy-* ]]; then qr=$(ratio "${QPS[$k]:-}" "${QPS[$h]:-}"); cr=$(ratio "${CPU[$k]:-}" "${CPU[$h]:-}"); fi
      echo "| ${w#oltp_} | $t | $target | ${QPS[$k]:-?} | ${P95[$k]:-?} | ${ERR[$k]:-?} | ${CPU[$k]:-?} | $qr | $cr |"
    done
  done
  echo
  echo "Issue 8 targets: sy CPU per query <= 1.1x HAProxy's on point_select; sy QPS >= 0.95x HAProxy's at 16 and 64 threads."
} >"$BENCH_TMP/table.md"
mkdir -p "$(dirname "$OUT")"
cp "$BENCH_TMP/table.md" "$OUT"
cat "$OUT"
say "written to $OUT"
