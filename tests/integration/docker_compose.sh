#!/usr/bin/env bash
# docker/ cannot be run here (no Docker engine): check it statically instead. compose.yaml
# parses; the services the mounted switchyard.yaml names exist on the port it uses; the proxy
# and admin ports are published; the users it logs in as are created by the init SQL with the
# same passwords; the image runs as a non-root user on Debian 12.
source "$(dirname "$0")/lib.sh"
out=$(/usr/bin/python3 - "$REPO/docker" <<'PY'
import os, re, sys, yaml
d = sys.argv[1]
ok = lambda what: print("ok " + what)
bad = lambda what: print("FAIL " + what)
compose = yaml.safe_load(open(os.path.join(d, "compose.yaml")))
services = compose.get("services", {})
sy = services.get("switchyard")
if not sy:
    bad("compose has a switchyard service"); sys.exit()
mount = next((v for v in sy.get("volumes", []) if v.endswith(":ro") and "switchyard.yaml" in v), None)
if not mount:
    bad("switchyard.yaml is mounted"); sys.exit()
src, target = mount.split(":")[0], mount.split(":")[1]
ok("switchyard.yaml mounted at " + target)
(ok if target in sy.get("command", []) else bad)("switchyard runs --config " + target)
conf = yaml.safe_load(open(os.path.join(d, src)))
published = {p.split(":")[-1] for p in sy.get("ports", [])}
for key in ("listen",):
    port = conf[key].rsplit(":", 1)[1]
    (ok if port in published else bad)(f"proxy port {port} published")
port = conf["admin"]["listen"].rsplit(":", 1)[1]
(ok if port in published else bad)(f"admin port {port} published")
host = conf["admin"]["listen"].rsplit(":", 1)[0]
(ok if host in ("127.0.0.1", "localhost", "::1") or conf["admin"].get("token") else bad)("non-loopback admin has a token")
sql = ""
for svc in services.values():
    for v in svc.get("volumes", []):
        if v.split(":")[0].endswith(".sql"):
            sql += open(os.path.join(d, v.split(":")[0])).read()
for s in conf["servers"]:
    h, p = s["address"].rsplit(":", 1)
    svc = services.get(h)
    (ok if svc else bad)(f"server {s['name']} is the compose service {h}")
    if svc:
        (ok if svc.get("image", "").startswith("mysql:8.4") else bad)(f"{h} runs mysql:8.4")
        (ok if p == "3306" else bad)(f"{h} listens on {p}")
        cmd = " ".join(svc.get("command", []))
        (ok if "--gtid-mode=ON" in cmd else bad)(f"{h} has GTID mode on")
users = [(u["name"], u["password"]) for u in conf["users"]]
users += [(conf["monitor"]["user"], conf["monitor"]["password"]), (conf["replication"]["user"], conf["replication"]["password"])]
for name, pw in users:
    pat = rf"CREATE USER IF NOT EXISTS '{re.escape(name)}'@'%' IDENTIFIED BY '{re.escape(pw)}'"
    (ok if re.search(pat, sql) else bad)(f"user {name} created with the config's password")
(ok if re.search(r"SOURCE_USER='%s', *\n? *SOURCE_PASSWORD='%s'" % (conf["replication"]["user"], conf["replication"]["password"]), sql) else bad)("replicas use the replication user")
df = open(os.path.join(d, "Dockerfile")).read()
(ok if re.search(r"^FROM debian:12", df, re.M) else bad)("Dockerfile is based on Debian 12")
(ok if "scripts/setup" in df else bad)("Dockerfile builds with scripts/setup")
user = re.findall(r"^USER (\S+)", df, re.M)
(ok if user and user[-1] not in ("root", "0") else bad)("image runs as a non-root user")
readme = open(os.path.join(d, "README.md")).read()
(ok if "No Docker engine" in readme else bad)("README says no Docker engine runs here")
PY
) || fail "checker crashed"
while IFS= read -r line; do
  case $line in ok\ *) pass "${line#ok }" ;; FAIL\ *) fail "${line#FAIL }" ;; esac
done <<<"$out"
# The mounted config is a valid switchyard config (same loader as the proxy).
check "docker/switchyard.yaml passes --check-config" "$SWITCHYARD_BIN" --check-config "$REPO/docker/switchyard.yaml" >/dev/null
finish
