#!/usr/bin/env bash
# TLS on the client side: with tls.cert/key a client connecting with --ssl gets an encrypted
# session; with tls.require a plaintext client is refused with MySQL's error 3159.
source "$(dirname "$0")/lib.sh"
make_test_cert
start_proxy_default "tls:
  cert: $TEST_TMP/server.pem
  key: $TEST_TMP/server.key"
status=$(mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw --ssl -e '\s' app 2>&1)
check "--ssl session is encrypted" grep -qE "SSL:[[:space:]]+Cipher in use is" <<<"$status"
expect_eq "query over TLS" 42 "$(mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw --ssl -N -B -e 'select 42' app)"
plain=$(mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw --skip-ssl -e '\s' app 2>&1)
check "plaintext still allowed without tls.require" grep -qE "SSL:[[:space:]]+Not in use" <<<"$plain"
stop_proxy

PROXY_SSL_ARGS=--ssl start_proxy_default "tls:
  cert: $TEST_TMP/server.pem
  key: $TEST_TMP/server.key
  require: true"
set +e
err=$(mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw --skip-ssl -e 'select 1' app 2>&1); rc=$?
set -e
check "tls.require refuses plaintext (3159)" bash -c "[[ $rc != 0 ]] && grep -q 3159 <<<'$err'"
expect_eq "tls.require accepts TLS clients" 1 "$(mariadb --no-defaults -h127.0.0.1 -P"$PROXY_PORT" -uapp -papp_pw --ssl -N -B -e 'select 1' app)"
finish
