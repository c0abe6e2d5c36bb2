#!/usr/bin/env bash
# A TLS client may send its ClientHello in the same TCP segment as the SSLRequest packet (libmariadb
# does when it verifies the server certificate, depending on timing). The proxy must hand those
# early bytes to the TLS handshake instead of leaving them in its plaintext read buffer.
source "$(dirname "$0")/lib.sh"
make_test_cert
start_proxy_default "tls:
  cert: $TEST_TMP/server.pem
  key: $TEST_TMP/server.key"
hello() { # hello together|apart: prints the first byte of the server's answer to the ClientHello
  /usr/bin/python3 - "$PROXY_PORT" "$1" <<'PY'
import socket, ssl, struct, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(3)
hdr = s.recv(4); n = int.from_bytes(hdr[:3], "little"); g = b""
while len(g) < n: g += s.recv(n - len(g))
caps = 0x200 | 0x8000 | 0x800 | 0x80000  # PROTOCOL_41 | SECURE_CONNECTION | SSL | PLUGIN_AUTH
body = struct.pack("<IIB23x", caps, 16 << 20, 45)
ssl_request = len(body).to_bytes(3, "little") + b"\x01" + body
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
tls = ctx.wrap_bio(ssl.MemoryBIO(), out := ssl.MemoryBIO(), server_side=False)
try: tls.do_handshake()
except ssl.SSLWantReadError: pass
client_hello = out.read()
if mode == "together": s.sendall(ssl_request + client_hello)
else: s.sendall(ssl_request); time.sleep(0.2); s.sendall(client_hello)
try: data = s.recv(1)
except socket.timeout: data = b""
print(data.hex() or "none")
PY
}
expect_eq "ClientHello after the SSLRequest: the proxy answers with a TLS handshake record" 16 "$(hello apart)"
expect_eq "ClientHello in the same segment as the SSLRequest: the proxy answers too" 16 "$(hello together)"
finish
