"""Start the real `khabar serve` on a free port and talk HTTP to it (standard library only).

Every integration test goes through this module: the binary comes from $KHABAR_BIN
(meson passes it), the port is a free one picked here, and stop() checks the exit code,
so a test cannot pass without a server that really ran and shut down cleanly.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ.get('KHABAR_BIN', '')
DATA_DIR = os.environ.get('KHABAR_TEST_DATA_DIR', '')

# Arabic news-style sentences written for these tests.
SENTENCE = ('قال المتحدث باسم وزارة الخارجية إن الوفد سيصل إلى العاصمة يوم الأحد المقبل '
            'لإجراء محادثات مع المسؤولين حول الأوضاع الإنسانية. ')
ARTICLE = ('بيروت - أعلن رئيس الحكومة أمس أن الاجتماع المقبل سيعقد في القاهرة، '
           'وقال في مؤتمر صحفي إن «المفاوضات تسير في الاتجاه الصحيح». '
           'وأضاف أن الوفد 😀 سيعود الأسبوع المقبل.\n')


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def big_text(nbytes):
    """Arabic text of about nbytes UTF-8 bytes (never more)."""
    unit = SENTENCE.encode('utf-8')
    data = (unit * (nbytes // len(unit) + 1))[:nbytes]
    return data.decode('utf-8', errors='ignore')


class Server:
    """One `khabar serve` process. Use as a context manager or call start()/stop()."""

    def __init__(self, *args, env=None, port=None):
        if not BIN or not os.access(BIN, os.X_OK):
            raise RuntimeError('KHABAR_BIN does not name the khabar binary: %r' % BIN)
        self.port = port or free_port()
        self.args = [BIN, 'serve', '--bind', '127.0.0.1', '--port', str(self.port)] + list(args)
        if DATA_DIR and not any(a.startswith('--data-dir') for a in args):
            self.args += ['--data-dir', DATA_DIR]
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith('KHABAR_') and k not in ('KHABAR_BIN', 'KHABAR_TEST_DATA_DIR'):
                del self.env[k]
        self.env.update(env or {})
        self.log = tempfile.NamedTemporaryFile(prefix='khabar-test-', suffix='.log', delete=False)
        self.proc = None

    def start(self, timeout=10.0):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self.log, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('khabar exited with %d at start:\n%s' % (self.proc.returncode, self.log_text()))
            try:
                status, _, _ = self.request('GET', '/healthz', timeout=1)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError('khabar did not answer /healthz within %.0f s:\n%s' % (timeout, self.log_text()))

    def stop(self, sig=signal.SIGTERM, timeout=60.0):
        """Signal the server and wait; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        code = self.stop()
        if exc[0] is None and code != 0:
            raise AssertionError('khabar exited with %r:\n%s' % (code, self.log_text()))
        os.unlink(self.log.name)

    def log_text(self):
        self.log.flush()
        with open(self.log.name, encoding='utf-8', errors='replace') as f:
            return f.read()

    def log_lines(self):
        out = []
        for line in self.log_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({'raw': line})
        return out

    def connection(self, timeout=30):
        return http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30, conn=None):
        """Returns (status, headers dict with lower-case names, body bytes)."""
        own = conn is None
        c = conn or self.connection(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if own:
                c.close()

    def analyze(self, text=None, obj=None, query='', headers=None, conn=None, timeout=60):
        if obj is None:
            obj = {'text': text}
        h = {'Content-Type': 'application/json'}
        h.update(headers or {})
        return self.request('POST', '/v1/analyze' + query, json.dumps(obj, ensure_ascii=False).encode('utf-8'),
                            h, conn=conn, timeout=timeout)

    def metrics(self):
        status, _, body = self.request('GET', '/metrics')
        assert status == 200
        out = {}
        for line in body.decode().splitlines():
            if line and not line.startswith('#'):
                name, value = line.rsplit(' ', 1)
                out[name] = float(value)
        return out


def error_of(testcase, status, body, want_status, want_code):
    """Check a JSON error reply; returns the error object."""
    testcase.assertEqual(status, want_status, body)
    doc = json.loads(body)
    testcase.assertIn('error', doc)
    err = doc['error']
    testcase.assertEqual(err['code'], want_code, body)
    testcase.assertIsInstance(err['message'], str)
    testcase.assertTrue(err['message'])
    testcase.assertRegex(err['request_id'], r'^[A-Za-z0-9._-]{1,128}$')
    return err


def main():
    if not BIN:
        print('KHABAR_BIN is not set', file=sys.stderr)
        sys.exit(2)
    unittest.main(verbosity=2)
