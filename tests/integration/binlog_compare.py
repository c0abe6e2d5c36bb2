#!/usr/bin/env python3
"""Compares `switchyard binlog dump FILE` with `mariadb-binlog -vv --base64-output=decode-rows FILE`.

Usage: binlog_compare.py OURS.txt MARIADB.txt [--allow TYPE ...]
Checks: the same events, keyed by end position (end_log_pos; mariadb-binlog prints an
ANNOTATE_ROWS under the `# at` of the TABLE_MAP it annotates, so start positions are checked as
"every `# at` of mariadb-binlog is an event start of ours"), the same event type for each, and the same row
values in the same order (mariadb-binlog's `/* TYPE meta=.. */` comments are stripped and used
to name the column type of a mismatch). Types passed with --allow may differ (each is reported
with both renderings). Exit 0 when everything else matches.
"""
import re
import sys

# mariadb-binlog header keyword -> our event type name (prefix)
TYPES = [
    ("Start:", "FORMAT_DESCRIPTION"), ("Gtid list", "MARIA_GTID_LIST"),
    ("Binlog checkpoint", "MARIA_BINLOG_CHECKPOINT"), ("GTID", "MARIA_GTID"),
    ("Annotate_rows", "MARIA_ANNOTATE_ROWS"), ("Table_map", "TABLE_MAP"),
    ("Write_rows", "WRITE_ROWS"), ("Update_rows", "UPDATE_ROWS"), ("Delete_rows", "DELETE_ROWS"),
    ("Query", "QUERY"), ("Xid", "XID"), ("Rotate", "ROTATE"), ("Stop", "STOP"),
]


def theirs(path):
    events, rows, pos, starts = {}, [], None, set()
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"# at (\d+)$", line)
        if m:
            pos = int(m.group(1))
            starts.add(pos)
            continue
        m = re.match(r"#\d{6} +\d+:\d+:\d+ server id \d+ +end_log_pos (\d+) (?:CRC32 0x[0-9a-f]+ )?\s*(.*)", line)
        if m and pos is not None:
            body = m.group(2)
            events[int(m.group(1))] = next((ours for key, ours in TYPES if body.startswith(key)), body.split()[0])
            continue
        if line.startswith("###"):
            typ = ""
            c = line.rfind(" /* ")
            if c >= 0 and line.endswith("*/"):
                typ = line[c + 4:].split(" meta=")[0]
                line = line[:c]
            rows.append((line.rstrip(), typ))
    return events, rows, starts


def ours(path):
    events, rows, starts = {}, [], set()
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"#(\d+) (\S+) .* log_pos=(\d+)", line)
        if m and not line.startswith("###"):
            events[int(m.group(3))] = m.group(2)
            starts.add(int(m.group(1)))
        elif line.startswith("###"):
            rows.append(line.rstrip())
    return events, rows, starts


def main():
    args = sys.argv[1:]
    allow = set()
    if "--allow" in args:
        i = args.index("--allow")
        allow = set(args[i + 1:])
        args = args[:i]
    our_events, our_rows, our_starts = ours(args[0])
    their_events, their_rows, their_starts = theirs(args[1])
    problems = 0
    if set(our_events) != set(their_events):
        print(f"end positions differ: only ours {sorted(set(our_events) - set(their_events))[:10]}, "
              f"only mariadb-binlog {sorted(set(their_events) - set(our_events))[:10]}")
        problems += 1
    if not their_starts <= our_starts:
        print(f"start positions of mariadb-binlog that are no event of ours: {sorted(their_starts - our_starts)[:10]}")
        problems += 1
    for pos in sorted(set(our_events) & set(their_events)):
        if not our_events[pos].startswith(their_events[pos]):
            print(f"#{pos}: type {our_events[pos]} vs mariadb-binlog {their_events[pos]}")
            problems += 1
    print(f"{len(their_events)} events, {len(our_events)} decoded by switchyard; "
          f"{len(their_rows)} row lines vs {len(our_rows)}")
    if len(our_rows) != len(their_rows):
        print("row line counts differ")
        problems += 1
    allowed = {}
    for o, (t, typ) in zip(our_rows, their_rows):
        if o == t:
            continue
        base = typ.split("(")[0]
        if base in allow:
            allowed.setdefault(base, (o, t))
            continue
        print(f"row value differs ({typ or 'no type'}):\n  switchyard:     {o}\n  mariadb-binlog: {t}")
        problems += 1
    for base, (o, t) in sorted(allowed.items()):
        print(f"known difference for {base}: switchyard {o.split('=', 1)[-1]!r} vs mariadb-binlog {t.split('=', 1)[-1]!r}")
    print("MATCH" if problems == 0 else f"{problems} differences")
    return 0 if problems == 0 else 1


sys.exit(main())
