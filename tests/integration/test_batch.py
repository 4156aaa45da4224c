#!/usr/bin/env python3
"""POST /v1/analyze/batch (issue 11): NDJSON in, NDJSON out in input order, per-line errors."""
import json
import signal
import socket
import threading
import time
import unittest

from khabar_server import ARTICLE, SENTENCE, Server, big_text, error_of, main
from openapi_check import check_component

NDJSON = {'Content-Type': 'application/x-ndjson'}
TEXTS = [ARTICLE, SENTENCE, 'زار الرئيس القاهرة أمس والتقى نظيره. 😀', SENTENCE * 4]


def ndjson(objs):
    return ''.join(json.dumps(o, ensure_ascii=False) + '\n' for o in objs).encode('utf-8')


def parse(body):
    lines = body.decode('utf-8').split('\n')
    assert lines[-1] == '', 'the stream must end with a newline'
    return [json.loads(l) for l in lines[:-1]]


class Batch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server('--workers', '2', '--batch-max-lines', '500', '--batch-max-body', '2MiB').start()
        cls.single = {}
        for t in TEXTS:
            status, _, body = cls.srv.analyze(t)
            assert status == 200
            cls.single[t] = json.loads(body)

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        if code != 0:
            raise AssertionError('khabar exited with %r:\n%s' % (code, cls.srv.log_text()))

    def batch(self, body, query='', headers=NDJSON):
        return self.srv.request('POST', '/v1/analyze/batch' + query, body, headers, timeout=120)

    def test_mixed_lines_in_order(self):
        body = (ndjson([{'id': 'a', 'text': TEXTS[0]}]) + b'\n' + b'{not json}\n' +
                ndjson([{'id': 'b', 'text': ''}, {'id': 'c'}, {'id': 4, 'text': TEXTS[2]},
                        {'id': 'e', 'text': TEXTS[1], 'lang': 'en'}]) +
                b'{"id":"f","text":"\xd9\x82\xff"}\r\n' + ndjson([{'id': 'g', 'text': TEXTS[3]}]))
        status, h, resp = self.batch(body)
        self.assertEqual(status, 200, resp[:300])
        self.assertTrue(h['content-type'].startswith('application/x-ndjson'))
        out = parse(resp)
        self.assertEqual([o['line'] for o in out], [1, 3, 4, 5, 6, 7, 8, 9])
        self.assertEqual([o.get('id') for o in out], ['a', None, 'b', 'c', '4', 'e', None, 'g'])
        codes = [o['error']['code'] if 'error' in o else 'ok' for o in out]
        self.assertEqual(codes, ['ok', 'malformed_json', 'empty_text', 'missing_text', 'ok',
                                 'unsupported_language', 'invalid_utf8', 'ok'])
        spec = json.loads(self.srv.request('GET', '/openapi.json')[2])
        for o in out:
            check_component(o, 'BatchErrorLine' if 'error' in o else 'BatchResultLine', spec)
        for o, t in ((out[0], TEXTS[0]), (out[4], TEXTS[2]), (out[7], TEXTS[3])):
            doc = dict(o)
            del doc['line']
            want = dict(self.single[t])
            want['id'] = doc['id']
            self.assertEqual(doc, want)

    def test_many_lines_spread_over_workers(self):
        objs = [{'id': 'n%d' % i, 'text': TEXTS[i % len(TEXTS)]} for i in range(300)]
        status, _, resp = self.batch(ndjson(objs), query='?offsets=utf8')
        self.assertEqual(status, 200)
        out = parse(resp)
        self.assertEqual(len(out), 300)
        for i, o in enumerate(out):
            self.assertEqual(o['line'], i + 1)
            self.assertEqual(o['id'], 'n%d' % i)
            self.assertEqual(o['offsets'], 'utf8')
            self.assertEqual(o['length'], len(TEXTS[i % len(TEXTS)].encode()))
        # the single-document endpoint still works alongside
        self.assertEqual(self.srv.analyze(ARTICLE)[0], 200)

    def test_empty_batch(self):
        status, _, resp = self.batch(b'\n\n')
        self.assertEqual(status, 200)
        self.assertEqual(resp, b'')

    def test_too_many_lines(self):
        status, _, body = self.batch(ndjson([{'text': 'قال'}] * 501))
        error_of(self, status, body, 413, 'payload_too_large')

    def test_body_over_batch_limit(self):
        # refused from Content-Length alone, before the body is sent
        with socket.create_connection(('127.0.0.1', self.srv.port), timeout=10) as s:
            s.sendall(b'POST /v1/analyze/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n'
                      b'Content-Length: 3000000\r\n\r\n')
            resp = b''
            while True:
                b = s.recv(65536)
                if not b:
                    break
                resp += b
        head, _, body = resp.partition(b'\r\n\r\n')
        self.assertTrue(head.startswith(b'HTTP/1.1 413'), resp[:200])
        self.assertEqual(json.loads(body)['error']['code'], 'payload_too_large')

    def test_media_type(self):
        status, _, body = self.batch(ndjson([{'text': 'قال'}]), headers={'Content-Type': 'application/json'})
        error_of(self, status, body, 415, 'unsupported_media_type')

    def test_bad_offsets(self):
        status, _, body = self.batch(ndjson([{'text': 'قال'}]), query='?offsets=bits')
        error_of(self, status, body, 400, 'invalid_query')

    def test_client_gone_mid_stream(self):
        body = ndjson([{'id': str(i), 'text': TEXTS[3]} for i in range(400)])
        with socket.create_connection(('127.0.0.1', self.srv.port)) as s:
            s.sendall(b'POST /v1/analyze/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n'
                      b'Content-Length: %d\r\n\r\n' % len(body) + body)
            s.recv(100)
        time.sleep(0.2)
        self.assertEqual(self.srv.request('GET', '/healthz')[0], 200)
        self.assertEqual(self.srv.analyze(ARTICLE)[0], 200)


class BatchShutdown(unittest.TestCase):
    LINES = 24

    def run_batch_and_stop(self, drain_ms):
        """SIGTERM while a batch of LINES long texts runs on one worker; returns the parsed output lines."""
        text = big_text(300 * 1000)
        srv = Server('--workers', '1', '--max-body', '1MiB', '--batch-max-body', '8MiB', '--deadline-ms', '120000',
                     '--drain-timeout-ms', str(drain_ms))
        srv.start()
        result = {}

        def client():
            result['r'] = srv.request('POST', '/v1/analyze/batch',
                                      ndjson([{'id': str(i), 'text': text} for i in range(self.LINES)]), NDJSON,
                                      timeout=120)

        th = threading.Thread(target=client)
        th.start()
        try:
            for _ in range(2000):
                if srv.metrics()['kh_jobs_inflight'] >= 1:
                    break
                time.sleep(0.005)
            srv.proc.send_signal(signal.SIGTERM)
            th.join()
            code = srv.proc.wait(timeout=120)
        finally:
            srv.stop()
        self.assertEqual(code, 0, srv.log_text()[-2000:])
        status, _, body = result['r']
        self.assertEqual(status, 200)
        out = parse(body)
        self.assertEqual([o['line'] for o in out], list(range(1, self.LINES + 1)))
        for o in out:
            self.assertTrue('error' not in o or o['error']['code'] == 'shutting_down', o)
        return out

    def test_sigterm_during_batch_completes_every_line(self):
        self.run_batch_and_stop(120000)

    def test_drain_timeout_during_batch_still_answers_every_line(self):
        # 24 texts of 300 KB take seconds even in a release build; 50 ms cannot cover them
        out = self.run_batch_and_stop(50)
        self.assertTrue(any('error' in o for o in out), 'nothing was cut short by a 50 ms drain')

if __name__ == '__main__':
    main()
