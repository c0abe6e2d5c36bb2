#!/usr/bin/env bash
# bench/stream: a 1 GB result set (1,000,000 rows of 1,000 bytes from the server's sequence
# engine) read by a streaming libmariadb client (mysql_use_result), directly from db1 and
# through switchyard (master-only config, so both read the same server). Runs the two in
# turn RUNS times and prints a table: seconds and MB/s per run, the best-of ratio proxy/direct,
# the proxy's peak RSS (VmHWM) and its CPU seconds per GB.
#   RUNS=3 ROWS=1000000 ROW_BYTES=1000 SANDBOX_PORT_BASE=... PROXY_PORT=... ADMIN_PORT=...
source "$(dirname "$0")/../lib.sh"
RUNS=${RUNS:-3}
ROWS=${ROWS:-1000000}
ROW_BYTES=${ROW_BYTES:-1000}
QUERY="SELECT REPEAT('x', $ROW_BYTES) FROM seq_1_to_$ROWS"

[[ -x $SWITCHYARD_BIN ]] || die "no switchyard binary at $SWITCHYARD_BIN (build it first)"
cc -std=c11 -D_GNU_SOURCE -O2 -o "$BENCH_TMP/stream_client" "$REPO/bench/stream/stream_client.c" \
  $(pkg-config --cflags --libs libmariadb)
sandbox_up
write_config "$BENCH_TMP/switchyard.yaml" "$(master_only_yaml)"
start_proxy "$BENCH_TMP/switchyard.yaml"
say "proxy pid $PROXY_PID, RSS at start $(rss_kb "$PROXY_PID") kB; $RUNS runs of: $QUERY"

# run PORT: prints "seconds bytes" of one streamed read, or dies.
run() {
  local out; out=$("$BENCH_TMP/stream_client" 127.0.0.1 "$1" app app_pw app "$QUERY" 2>/dev/null) || die "port $1: $out"
  local bytes seconds
  bytes=$(sed -nE 's/.*bytes=([0-9]+).*/\1/p' <<<"$out")
  seconds=$(sed -nE 's/.*seconds=([0-9.]+).*/\1/p' <<<"$out")
  [[ $bytes == $((ROWS * ROW_BYTES)) ]] || die "port $1: expected $((ROWS * ROW_BYTES)) bytes, got '$out'"
  echo "$seconds $bytes"
}

rows=()
best_direct=0 best_proxy=0 proxy_ticks=0 proxy_bytes=0
for ((i = 1; i <= RUNS; i++)); do
  read -r ds db < <(run "$(port_of db1)")
  t0=$(cpu_ticks "$PROXY_PID")
  read -r ps pb < <(run "$PROXY_PORT")
  t1=$(cpu_ticks "$PROXY_PID")
  proxy_ticks=$((proxy_ticks + t1 - t0)) proxy_bytes=$((proxy_bytes + pb))
  dm=$(awk -v b="$db" -v s="$ds" 'BEGIN{printf "%.1f", b / s / 1e6}')
  pm=$(awk -v b="$pb" -v s="$ps" 'BEGIN{printf "%.1f", b / s / 1e6}')
  best_direct=$(awk -v a="$best_direct" -v b="$dm" 'BEGIN{print (b > a) ? b : a}')
  best_proxy=$(awk -v a="$best_proxy" -v b="$pm" 'BEGIN{print (b > a) ? b : a}')
  rows+=("| $i | $ds | $dm | $ps | $pm | $(awk -v p="$pm" -v d="$dm" 'BEGIN{printf "%.2f", p / d}') |")
  say "run $i: direct ${ds}s ${dm} MB/s, proxy ${ps}s ${pm} MB/s"
done
hwm=$(hwm_kb "$PROXY_PID")
cpu_per_gb=$(awk -v t="$proxy_ticks" -v hz="$CLK_TCK" -v b="$proxy_bytes" 'BEGIN{printf "%.2f", t / hz / (b / 1e9)}')
stop_proxy

echo "## bench/stream: $((ROWS * ROW_BYTES / 1000000)) MB result set ($ROWS rows of $ROW_BYTES bytes), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo
echo "| run | direct s | direct MB/s | proxy s | proxy MB/s | proxy/direct |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "| best direct MB/s | best proxy MB/s | ratio (best/best) | proxy peak RSS (VmHWM) | proxy CPU s per GB |"
echo "|---|---|---|---|---|"
echo "| $best_direct | $best_proxy | $(awk -v p="$best_proxy" -v d="$best_direct" 'BEGIN{printf "%.2f", p / d}') | $((hwm / 1024)) MB ($hwm kB) | $cpu_per_gb |"
echo
echo "Targets (issue 8): ratio >= 0.8, peak RSS < 64 MB."
