#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The real khabar behind a real nginx, configured from deploy/nginx/khabar.conf.

usage: test_nginx.py SOURCE_ROOT KHABAR_BINARY

Starts `khabar serve` on a free loopback port and nginx (Debian nginx-light) on another, with
a config made from deploy/nginx/khabar.conf where only the listen address, the upstream
address and the log paths are substituted, wrapped in a minimal nginx.conf (nginx -p TMP
-c TMP/nginx.conf, daemon off).  Clients connect from 127.0.0.2, nginx reaches khabar from
127.0.0.1, so the two addresses can be told apart in khabar's access log.  Checks:
  - requests through nginx work (GET /healthz, POST /v1/analyze text and JSON, /metrics);
  - the body limits agree: a body of exactly client_max_body_size reaches khabar and is
    analysed; one byte more gets 413 from nginx and never reaches khabar;
  - X-Request-ID: a client's id passes through to khabar and back, a missing or malformed one
    is replaced by nginx's 32-hex id, which khabar logs and the client gets back (once);
  - upstream keep-alive: several requests share one nginx->khabar connection;
  - with KHABAR_TRUSTED_PROXIES=127.0.0.1 khabar logs client_ip from X-Forwarded-For (the
    client's 127.0.0.2, not a forged left-most entry); with nginx not trusted it logs nginx's
    own address 127.0.0.1.
Skipped (TAP "1..0 # SKIP") only when no nginx binary exists.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SRC, KHABAR = sys.argv[1], sys.argv[2]
CONF = os.path.join(SRC, "deploy", "nginx", "khabar.conf")
ARTICLE = os.path.join(SRC, "tests", "data", "deploy-smoke-ar.txt")
CLIENT_ADDR = "127.0.0.2"

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                       if os.access(p, os.X_OK)), None)
if NGINX is None:
    # TAP's own skip: meson reports SKIP for an empty plan with a reason and exit 0 (under
    # protocol 'tap' it counts exit 77 as an error).
    print("1..0 # SKIP nginx is not installed (Debian: apt-get install nginx-light)")
    sys.exit(0)

count = 0
failures = 0


def check(ok, what):
    global count, failures
    count += 1
    print(("ok %d - " if ok else "not ok %d - ") % count + what, flush=True)
    if not ok:
        failures += 1
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def size_of(text):
    m = re.match(r"^(\d+)([kKmMgG]?)$", text)
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def nginx_config(tmp, nginx_port, khabar_port):
    """deploy/nginx/khabar.conf with ports and paths substituted, inside a minimal nginx.conf."""
    text = open(CONF, encoding="utf-8").read()
    subs = [
        (r"(?m)^(\s*server\s+)127\.0\.0\.1:8080(\s*;)", r"\g<1>127.0.0.1:%d\g<2>" % khabar_port),
        (r"(?m)^(\s*listen\s+)80(\s*;)", r"\g<1>127.0.0.1:%d\g<2>" % nginx_port),
        (r"/var/log/nginx/", tmp + "/"),
    ]
    for pattern, repl in subs:
        text, n = re.subn(pattern, repl, text)
        if n == 0:
            raise SystemExit("Bail out! %s: expected to substitute %r" % (CONF, pattern))
    with open(os.path.join(tmp, "khabar.conf"), "w", encoding="utf-8") as f:
        f.write(text)
    main = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 128; }}
http {{
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/khabar.conf;
}}
""".format(tmp=tmp)
    with open(os.path.join(tmp, "nginx.conf"), "w", encoding="utf-8") as f:
        f.write(main)
    return text


class Stack:
    """khabar + nginx in front of it, both on loopback, logs in a temporary directory."""

    def __init__(self, trusted):
        self.tmp = tempfile.mkdtemp(prefix="khabar-nginx-")
        os.chmod(self.tmp, 0o755)  # nginx workers run as nobody when the test runs as root
        self.kport, self.nport = free_port(), free_port()
        self.conf_text = nginx_config(self.tmp, self.nport, self.kport)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
        env.update(KHABAR_BIND="127.0.0.1", KHABAR_PORT=str(self.kport), KHABAR_TRUSTED_PROXIES=trusted,
                   KHABAR_DATA_DIR=os.path.join(SRC, "data"), KHABAR_WORKERS="2")
        self.klog_path = os.path.join(self.tmp, "khabar.log")
        self.klog = open(self.klog_path, "wb")
        self.khabar = subprocess.Popen([KHABAR, "serve"], env=env, stdout=self.klog, stderr=subprocess.STDOUT)
        self.nginx = subprocess.Popen([NGINX, "-p", self.tmp, "-c", os.path.join(self.tmp, "nginx.conf"),
                                       "-e", os.path.join(self.tmp, "error.log")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_up()

    def wait_up(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.khabar.poll() is not None or self.nginx.poll() is not None:
                break
            try:
                st, _, _ = self.request("GET", "/readyz")
                if st == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.dump()
        raise SystemExit("Bail out! khabar behind nginx did not come up")

    def request(self, method, path, body=None, headers=None, source=CLIENT_ADDR):
        conn = http.client.HTTPConnection("127.0.0.1", self.nport, timeout=60, source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            conn.close()

    def khabar_log(self):
        """khabar's JSON log lines (access log and others)."""
        lines = []
        with open(self.klog_path, "rb") as f:
            for raw in f:
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    pass
        return lines

    def access(self, request_id, present=True):
        """khabar's access log lines for a request id.  The line is written when the response
        completes, which can be just after the client has it: wait up to 5 s for it (or, when
        it should be absent, 0.5 s to give it the chance to appear)."""
        deadline = time.monotonic() + (5 if present else 0.5)
        while True:
            found = [x for x in self.khabar_log() if x.get("request_id") == request_id and "status" in x]
            if (present and found) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def upstream_connections(self):
        """Established TCP connections to khabar's port (counted on the khabar side)."""
        n = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                rows = open(table).read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                f = row.split()
                local_port = int(f[1].split(":")[1], 16)
                if local_port == self.kport and f[3] == "01":
                    n += 1
        return n

    def dump(self):
        for name in ("error.log", "khabar.log"):
            try:
                lines = open(os.path.join(self.tmp, name), errors="replace").read().splitlines()[-15:]
            except OSError:
                continue
            sys.stdout.write("# %s:\n" % name + "".join("#   %s\n" % line for line in lines))

    def stop(self):
        if failures:
            self.dump()
        for p in (self.nginx, self.khabar):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM if p is self.khabar else signal.SIGQUIT)
        rcs = []
        for p in (self.nginx, self.khabar):
            try:
                rcs.append(p.wait(timeout=30))
            except subprocess.TimeoutExpired:
                p.kill()
                rcs.append(p.wait())
        self.klog.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rcs


def header(headers, name):
    vals = [v for k, v in headers if k.lower() == name.lower()]
    return vals


def seconds(text):
    m = re.match(r"^(\d+)(ms|s|m)?$", text)
    return int(m.group(1)) * {"ms": 0.001, "s": 1, None: 1, "m": 60}[m.group(2)]


def check_settings_agree():
    """nginx's limits and timeouts against the service's defaults (khabar serve --check-config)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
    p = subprocess.run([KHABAR, "serve", "--check-config"], env=env, capture_output=True, text=True, timeout=30)
    eff = dict(re.findall(r"(?m)^(\w+)\s*=\s*(\S*)", p.stdout))
    conf = open(CONF, encoding="utf-8").read()

    def directive(name):
        m = re.search(r"(?m)^\s*%s\s+(\S+);" % name, conf)
        return m.group(1) if m else None

    body = directive("client_max_body_size")
    check(body is not None and str(size_of(body)) == eff.get("max_body"),
          "client_max_body_size %s equals khabar's max_body %s" % (body, eff.get("max_body")))
    m = re.search(r"location\s*=\s*/v1/analyze/batch\s*\{([^}]*)\}", conf)
    bbody = re.search(r"client_max_body_size\s+(\S+);", m.group(1)) if m else None
    check(bbody is not None and str(size_of(bbody.group(1))) == eff.get("batch_max_body"),
          "/v1/analyze/batch client_max_body_size %s equals khabar's batch_max_body %s"
          % (bbody.group(1) if bbody else None, eff.get("batch_max_body")))
    check(m is not None and re.search(r"proxy_buffering\s+off;", m.group(1)) is not None,
          "/v1/analyze/batch is streamed (proxy_buffering off)")
    deadline = int(eff.get("deadline_ms", "0")) / 1000
    for d in ("proxy_read_timeout", "proxy_send_timeout"):
        v = directive(d)
        check(v is not None and seconds(v) > deadline, "%s %s > khabar's deadline %.0f s" % (d, v, deadline))
    ka = directive("keepalive_timeout")
    idle = int(eff.get("connection_timeout_s", "0"))
    check(ka is not None and seconds(ka) < idle,
          "upstream keepalive_timeout %s < khabar's connection_timeout_s %d" % (ka, idle))
    check(directive("proxy_request_buffering") == "on", "proxy_request_buffering on")
    check(directive("proxy_http_version") == "1.1" and re.search(r'proxy_set_header\s+Connection\s+"";', conf),
          "HTTP/1.1 with an empty Connection header to the upstream (keep-alive)")


def main():
    article = open(ARTICLE, "rb").read()
    check_settings_agree()
    s = Stack(trusted="127.0.0.1")
    try:
        conf = s.conf_text
        limit = size_of(re.search(r"(?m)^\s*client_max_body_size\s+(\S+);", conf).group(1))

        st, hd, body = s.request("GET", "/healthz")
        check(st == 200, "GET /healthz through nginx -> %d" % st)
        st, hd, body = s.request("POST", "/v1/analyze", article, {"Content-Type": "text/plain; charset=utf-8",
                                                                  "X-Request-ID": "nginx-test-1"})
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        check(st == 200 and isinstance(doc.get("entities"), list) and isinstance(doc.get("sentences"), list),
              "POST /v1/analyze (text/plain) through nginx -> %d with the analysis JSON" % st)
        st, hd, body = s.request("POST", "/v1/analyze?offsets=utf16",
                                 json.dumps({"text": article.decode("utf-8"), "id": "a1"}).encode(),
                                 {"Content-Type": "application/json"})
        check(st == 200 and json.loads(body).get("id") == "a1", "POST /v1/analyze (JSON) through nginx -> %d" % st)
        st, hd, body = s.request("GET", "/metrics")
        check(st == 200 and b"# TYPE" in body, "GET /metrics through nginx from loopback -> %d" % st)

        # X-Request-ID: passed through, echoed once, logged by khabar
        st, hd, body = s.request("GET", "/healthz", headers={"X-Request-ID": "client-id.42_x"})
        ids = header(hd, "X-Request-ID")
        check(ids == ["client-id.42_x"], "client X-Request-ID comes back unchanged, once (%s)" % ids)
        check(len(s.access("client-id.42_x")) == 1, "khabar logged the client's request id")
        st, hd, body = s.request("POST", "/v1/analyze", article, {"Content-Type": "text/plain; charset=utf-8"})
        ids = header(hd, "X-Request-ID")
        gen = ids[0] if len(ids) == 1 else ""
        check(st == 200 and re.fullmatch(r"[0-9a-f]{32}", gen) is not None,
              "missing X-Request-ID: nginx generates one and returns it (%s)" % ids)
        logged = s.access(gen)
        check(len(logged) == 1 and logged[0].get("status") == 200,
              "khabar's access log has nginx's generated id %s" % gen)
        st, hd, body = s.request("GET", "/healthz", headers={"X-Request-ID": "bad id with spaces"})
        ids = header(hd, "X-Request-ID")
        check(len(ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids[0]) is not None and len(s.access(ids[0])) == 1,
              "malformed X-Request-ID is replaced by a generated one that khabar logs (%s)" % ids)

        # body limit: equal on both sides
        line = "خبر عاجل من العاصمة.\n".encode("utf-8")
        exact = line * (limit // len(line))
        exact += b" " * (limit - len(exact))
        check(len(exact) == limit, "test body of exactly client_max_body_size = %d bytes" % limit)
        st, hd, body = s.request("POST", "/v1/analyze", exact, {"Content-Type": "text/plain; charset=utf-8",
                                                                "X-Request-ID": "at-the-limit"})
        logged = s.access("at-the-limit")
        check(st == 200 and len(logged) == 1, "a body at the limit passes nginx and khabar analyses it (%d)" % st)
        st, hd, body = s.request("POST", "/v1/analyze", exact + b".", {"Content-Type": "text/plain; charset=utf-8",
                                                                       "X-Request-ID": "over-the-limit"})
        check(st == 413, "one byte over the limit -> %d from nginx" % st)
        check(b"nginx" in body.lower() and header(hd, "X-Request-ID") == ["over-the-limit"],
              "the 413 is nginx's own page and still carries X-Request-ID")
        check(s.access("over-the-limit", present=False) == [], "the oversized request never reached khabar")

        # batch: its own, larger limit, streamed NDJSON through nginx
        blimit = size_of(re.search(r"location\s*=\s*/v1/analyze/batch\s*\{[^}]*client_max_body_size\s+(\S+);",
                                   conf).group(1))
        doc_line = json.dumps({"text": (line.decode("utf-8") * 400)}, ensure_ascii=False).encode("utf-8") + b"\n"
        nd = doc_line * (2 * limit // len(doc_line) + 1)
        st, hd, body = s.request("POST", "/v1/analyze/batch", nd, {"Content-Type": "application/x-ndjson",
                                                                   "X-Request-ID": "batch-1"})
        out = [json.loads(x) for x in body.splitlines() if x.strip()]
        check(st == 200 and len(out) == nd.count(b"\n") and all("entities" in x for x in out),
              "a %d-byte batch (over the 1m default, under the batch limit) -> %d, %d NDJSON lines"
              % (len(nd), st, len(out)))
        st, hd, body = s.request("POST", "/v1/analyze/batch", b"x" * (blimit + 1),
                                 {"Content-Type": "application/x-ndjson", "X-Request-ID": "batch-over"})
        check(st == 413 and s.access("batch-over", present=False) == [],
              "a batch one byte over %d -> %d from nginx, never reaching khabar" % (blimit, st))

        # upstream keep-alive: several sequential requests share one upstream connection
        for i in range(5):
            s.request("POST", "/v1/analyze", article, {"Content-Type": "text/plain; charset=utf-8"})
        n = s.upstream_connections()
        check(n == 1, "upstream keep-alive: %d established nginx->khabar connection(s) after 5 POSTs" % n)

        # trusted proxy: client_ip from X-Forwarded-For
        s.request("GET", "/healthz", headers={"X-Request-ID": "xff-trusted"})
        logged = s.access("xff-trusted")
        ip = logged[0].get("client_ip") if logged else None
        check(ip == CLIENT_ADDR, "nginx trusted: khabar logs client_ip %s from X-Forwarded-For (got %s)" % (CLIENT_ADDR, ip))
        s.request("GET", "/healthz", headers={"X-Request-ID": "xff-forged", "X-Forwarded-For": "203.0.113.9"})
        logged = s.access("xff-forged")
        ip = logged[0].get("client_ip") if logged else None
        check(ip == CLIENT_ADDR, "a forged left-most X-Forwarded-For is not believed (client_ip %s)" % ip)
    finally:
        rcs = s.stop()
    check(rcs[1] == 0, "khabar exits 0 on SIGTERM (%s)" % rcs[1])

    s = Stack(trusted="")
    try:
        s.request("GET", "/healthz", headers={"X-Request-ID": "xff-untrusted"})
        logged = s.access("xff-untrusted")
        ip = logged[0].get("client_ip") if logged else None
        check(ip == "127.0.0.1", "nginx not trusted: khabar logs nginx's own address, not X-Forwarded-For (got %s)" % ip)
    finally:
        s.stop()

    print("1..%d" % count)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
