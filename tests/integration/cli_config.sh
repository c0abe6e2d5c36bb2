#!/usr/bin/env bash
# The command line: --check-config on the example (exit 0 with a summary) and on a broken
# file (exit 2 naming file:line:key); --version; an unknown flag is a usage error.
source "$(dirname "$0")/lib.sh"

out=$("$SWITCHYARD_BIN" --check-config "$REPO/conf/switchyard.example.yaml"); rc=$?
expect_eq "--check-config example exits 0" 0 "$rc"
check "summary lists the three sandbox servers" grep -q "db3 .*127.0.0.1:3309" <<<"$out"

printf 'listen: 127.0.0.1:6033\nservers:\n  - name: db1\n    address: nowhere\nusers: [{name: app, password: x}]\n' >"$TEST_TMP/bad.yaml"
set +e; err=$("$SWITCHYARD_BIN" --check-config "$TEST_TMP/bad.yaml" 2>&1); rc=$?; set -e
expect_eq "--check-config broken exits 2" 2 "$rc"
check "error names file:line:key" grep -qF "$TEST_TMP/bad.yaml:4: servers[0].address: expected host:port" <<<"$err"

set +e; "$SWITCHYARD_BIN" --config "$TEST_TMP/bad.yaml" >/dev/null 2>&1; rc=$?; set -e
expect_eq "running with a broken config exits 2" 2 "$rc"
check "--version prints the version" bash -c "'$SWITCHYARD_BIN' --version | grep -qE '^switchyard [0-9]+\.[0-9]+'"
set +e; "$SWITCHYARD_BIN" --no-such-flag >/dev/null 2>&1; rc=$?; set -e
expect_eq "unknown flag exits 2" 2 "$rc"
finish
