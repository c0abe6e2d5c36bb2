#!/usr/bin/env bash
# Results stream through the proxy: a 1 GB result set (1,000,000 rows of 1,000 bytes, generated
# by the server's sequence engine so nothing big is stored) and 400 MiB of 20 MiB rows (each row
# is a multi-frame packet) reach a libmariadb client that streams them (mysql_use_result) with
# the right row and byte counts, while the proxy's peak RSS (VmHWM) stays under 64 MB and the
# 16 MiB frames stream through without being buffered whole.
source "$(dirname "$0")/lib.sh"
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$TEST_TMP/stream_client" \
  "$REPO/bench/stream/stream_client.c" $(pkg-config --cflags --libs libmariadb) ||
  { fail "compile bench/stream/stream_client.c"; finish; }

start_proxy_default
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$PROXY_PID/status"; }
log "proxy peak RSS before: $(hwm_kb) kB"

# stream QUERY: runs QUERY through the proxy (bounded in time); prints stream_client's line.
stream() { timeout 100 "$TEST_TMP/stream_client" 127.0.0.1 "$PROXY_PORT" app app_pw app "$1" || true; }
field() { sed -nE "s/.*$1=([0-9.]+).*/\\1/p" <<<"$2"; }

out=$(stream "SELECT REPEAT('x', 1000) FROM seq_1_to_1000000")
log "1 GB result: $out"
expect_eq "1 GB result: every row arrived" 1000000 "$(field rows "$out")"
expect_eq "1 GB result: every byte arrived" 1000000000 "$(field bytes "$out")"
peak_1gb=$(hwm_kb)
log "proxy peak RSS after the 1 GB result: $peak_1gb kB"

out=$(stream "SELECT REPEAT('y', 20 * 1024 * 1024) FROM seq_1_to_20")
log "20 rows of 20 MiB: $out"
expect_eq "20 MiB rows (multi-frame packets): every row arrived" 20 "$(field rows "$out")"
expect_eq "20 MiB rows: every byte arrived" $((20 * 20 * 1024 * 1024)) "$(field bytes "$out")"

peak=$(hwm_kb)
log "proxy peak RSS: $peak kB"
check "proxy peak RSS $peak kB is under 64 MB" test "$peak" -lt $((64 * 1024))
# Frames of 16 MiB stream through in pieces: buffering one whole would add 16 MiB.
check "20 MiB rows raised the peak by $((peak - peak_1gb)) kB (< 8 MB: frames are not buffered whole)" \
  test $((peak - peak_1gb)) -lt $((8 * 1024))
expect_eq "the proxy still serves queries afterwards" 42 "$(proxy_sql 'select 42')"
finish
