#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""khabar probe against small loopback servers that answer in known ways.

usage: test_probe.py KHABAR_BINARY
Checks the exit code (0 only for 2xx), the timeout, and the request the probe sends.
"""
import os
import socket
import subprocess
import sys
import threading
import time

KHABAR = sys.argv[1]
failures = 0
count = 0


def check(ok, what):
    global failures, count
    count += 1
    print(("ok %d - " if ok else "not ok %d - ") % count + what, flush=True)
    if not ok:
        failures += 1


class OneShotServer:
    """Accepts connections on 127.0.0.1 and hands each to `behaviour(conn)`."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            self.requests.append(data)
            try:
                self.behaviour(conn)
            except OSError:
                pass
            conn.close()

    def close(self):
        self.sock.close()


def answer(raw):
    def behaviour(conn):
        conn.sendall(raw)
    return behaviour


def silent(conn):
    time.sleep(3)


def probe(*args, env=None):
    e = dict(os.environ)
    e.pop("KHABAR_PORT", None)
    if env:
        e.update(env)
    start = time.monotonic()
    p = subprocess.run([KHABAR, "probe", *args], capture_output=True, text=True, env=e, timeout=30)
    return p.returncode, time.monotonic() - start, p.stdout + p.stderr


cases = [
    ("200 OK", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0),
    ("204 No Content", b"HTTP/1.0 204 No Content\r\n\r\n", 0),
    ("299 status line split over two writes", None, 0),
    ("503 Service Unavailable", b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\r\n", 1),
    ("301 redirect is not followed", b"HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n", 1),
    ("404", b"HTTP/1.1 404 Not Found\r\n\r\n", 1),
    ("garbage instead of HTTP", b"hello there\r\n", 1),
    ("truncated status line", b"HTTP/1.1 20", 1),
    ("connection closed without a byte", b"", 1),
]
for name, raw, want in cases:
    if raw is None:
        def split(conn):
            conn.sendall(b"HTTP/1.1 2")
            time.sleep(0.2)
            conn.sendall(b"99 Fine\r\n\r\n")
        srv = OneShotServer(split)
    else:
        srv = OneShotServer(answer(raw))
    rc, _, out = probe("http://127.0.0.1:%d/healthz" % srv.port)
    check(rc == want, "%s -> exit %d (got %d: %s)" % (name, want, rc, out.strip()))
    srv.close()

# The request itself: HTTP/1.0 GET of the path, with a Host header.
srv = OneShotServer(answer(b"HTTP/1.1 200 OK\r\n\r\n"))
rc, _, _ = probe("http://127.0.0.1:%d/readyz?x=1" % srv.port)
req = srv.requests[0].decode("latin-1") if srv.requests else ""
check(rc == 0 and req.startswith("GET /readyz?x=1 HTTP/1.0\r\n"), "request line: %r" % req[:40])
check(("\r\nHost: 127.0.0.1:%d\r\n" % srv.port) in req, "Host header sent")
srv.close()

# Default URL: 127.0.0.1:$KHABAR_PORT/healthz.
srv = OneShotServer(answer(b"HTTP/1.1 200 OK\r\n\r\n"))
rc, _, out = probe(env={"KHABAR_PORT": str(srv.port)})
req = srv.requests[0].decode("latin-1") if srv.requests else ""
check(rc == 0 and req.startswith("GET /healthz HTTP/1.0"), "default URL follows KHABAR_PORT (%s)" % out.strip())
srv.close()

# A server that accepts and never answers: the timeout holds.
srv = OneShotServer(silent)
rc, took, out = probe("--timeout", "0.5", "http://127.0.0.1:%d/healthz" % srv.port)
check(rc == 1 and took < 2.5, "silent server -> exit 1 after the timeout (%.2fs)" % took)
srv.close()

# Nobody listening.
s = socket.socket()
s.bind(("127.0.0.1", 0))
free_port = s.getsockname()[1]
s.close()
rc, _, out = probe("http://127.0.0.1:%d/healthz" % free_port)
check(rc == 1 and "refused" in out, "connection refused -> exit 1 (%s)" % out.strip())

# Bad arguments are exit 1 as well (Docker reserves 2 for HEALTHCHECKs).
for bad in ["https://127.0.0.1/healthz", "http://", "http://127.0.0.1:99999/", "http://h:80/a b",
            "127.0.0.1:8080"]:
    rc, _, _ = probe(bad)
    check(rc == 1, "bad URL %r -> exit 1" % bad)
rc, _, _ = probe("--timeout", "-1", "http://127.0.0.1:1/")
check(rc == 1, "bad --timeout -> exit 1")
rc, _, out = probe("--help")
check(rc == 0 and "usage" in out, "--help")

print("1..%d" % count)
sys.exit(1 if failures else 0)
