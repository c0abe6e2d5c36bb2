#!/usr/bin/env bash
# limits.idle_timeout_ms: an idle client connection is closed once the timeout passes with no
# command; a statement running longer than the timeout is not idleness, and every command moves
# the deadline. (One timer per session re-armed lazily, not one per command.)
source "$(dirname "$0")/lib.sh"
start_proxy_default "limits:
  idle_timeout_ms: 1500"
out=$(/usr/bin/python3 - "$PROXY_PORT" <<'PY'
import sys, time
import pymysql
port = int(sys.argv[1])
c = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw", database="app",
                    autocommit=True, read_timeout=30)
def q(sql):
    with c.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()
# busy longer than the timeout: not closed
print("sleep", q("SELECT SLEEP(2.5)")[0][0])
# commands every 0.5 s for 4 s (well past the 1.5 s timeout in total): each moves the deadline
ok = 0
for _ in range(8):
    time.sleep(0.5)
    ok += q("SELECT 1")[0][0]
print("steady", ok)
# then idle (no command at all, not even a ping): the proxy closes the socket
import select, socket
last = time.monotonic()
closed_after = None
sock = c._sock
readable, _, _ = select.select([sock], [], [], 10)
if readable and sock.recv(1, socket.MSG_PEEK) == b"":
    closed_after = time.monotonic() - last
print("closed_after", "none" if closed_after is None else f"{closed_after:.2f}")
PY
)
log "$(echo "$out" | tr '\n' ' ')"
expect_eq "a 2.5 s statement outlives the 1.5 s idle timeout" "sleep 0" "$(echo "$out" | grep '^sleep')"
expect_eq "8 commands 0.5 s apart keep the session open" "steady 8" "$(echo "$out" | grep '^steady')"
after=$(echo "$out" | awk '/^closed_after/{print $2}')
check "an idle session is closed (after ${after} s; expected 1.5 s)" test "$after" != none
[[ $after != none ]] && check "not before the timeout, not much after (${after} s)" \
  awk -v a="$after" 'BEGIN{exit !(a >= 1.4 && a <= 5)}'
stop_proxy
finish
