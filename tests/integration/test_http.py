#!/usr/bin/env python3
"""Every endpoint and every error case of the HTTP API, against the real server."""
import json
import os
import re
import socket
import time
import unittest

from khabar_server import ARTICLE, Server, big_text, error_of, main
from openapi_check import SchemaError, check_component

SOURCE_ROOT = os.environ.get('KHABAR_SOURCE_ROOT', '')
JSON_HDR = {'Content-Type': 'application/json'}
TEXT_HDR = {'Content-Type': 'text/plain; charset=utf-8'}


class HttpApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server('--workers', '2', '--queue-length', '16').start()

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        if code != 0:
            raise AssertionError('khabar exited with %r:\n%s' % (code, cls.srv.log_text()))

    def req(self, *a, **kw):
        return self.srv.request(*a, **kw)

    def raw(self, data, read_until_close=True, timeout=10):
        """Send raw bytes; return the whole response as bytes."""
        with socket.create_connection(('127.0.0.1', self.srv.port), timeout=timeout) as s:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            chunks = []
            while True:
                try:
                    b = s.recv(65536)
                except ConnectionResetError:
                    break
                if not b:
                    break
                chunks.append(b)
                if not read_until_close and b'\r\n\r\n' in b''.join(chunks):
                    break
            return b''.join(chunks)

    # ---- health, readiness, metadata ------------------------------------------------------

    def test_healthz(self):
        status, h, body = self.req('GET', '/healthz')
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {'status': 'ok'})
        self.assertTrue(h['content-type'].startswith('application/json'))

    def test_head_is_get_without_body(self):
        status, h, body = self.req('HEAD', '/healthz')
        self.assertEqual(status, 200)
        self.assertEqual(body, b'')
        self.assertEqual(h.get('content-length'), str(len(b'{"status":"ok"}\n')))

    def test_readyz(self):
        status, _, body = self.req('GET', '/readyz')
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc['status'], 'ready')
        self.assertEqual(doc['workers'], 2)

    def test_keep_alive_on_probes(self):
        c = self.srv.connection()
        try:
            s1, h1, _ = self.srv.request('GET', '/healthz', conn=c)
            sock = c.sock
            s2, _, _ = self.srv.request('GET', '/readyz', conn=c)
            s3, _, _ = self.srv.analyze(ARTICLE, conn=c)
            self.assertEqual((s1, s2, s3), (200, 200, 200))
            self.assertNotEqual(h1.get('connection', '').lower(), 'close')
            self.assertIs(c.sock, sock, 'the connection was not kept alive')
        finally:
            c.close()

    def test_metrics(self):
        self.srv.analyze(ARTICLE)
        status, h, body = self.req('GET', '/metrics')
        self.assertEqual(status, 200)
        self.assertTrue(h['content-type'].startswith('text/plain; version=0.0.4'))
        text = body.decode()
        self.assertTrue(text.endswith('\n'))
        for name in ('kh_http_requests_total', 'kh_http_request_duration_seconds_bucket',
                     'kh_http_request_body_bytes_bucket', 'kh_jobs_queued', 'kh_jobs_inflight',
                     'kh_http_rejected_total', 'kh_stage_duration_seconds_bucket', 'kh_build_info',
                     'process_start_time_seconds', 'kh_workers'):
            self.assertIn('\n' + name, '\n' + text, name)
        self.assertRegex(text, r'kh_http_requests_total\{route="/v1/analyze",method="POST",code="200"\} [1-9]')
        self.assertRegex(text, r'kh_stage_duration_seconds_count\{stage="normalize"\} [1-9]')
        # the memory of each analysed document is observed
        self.assertRegex(text, r'\nkh_document_memory_bytes_count [1-9]')
        self.assertRegex(text, r'\nkh_document_memory_bytes_sum [1-9][0-9]{3,}\n')
        # every sample line is NAME{labels} VALUE; HELP/TYPE precede each family once
        seen = set()
        for line in text.splitlines():
            if line.startswith('# TYPE '):
                fam = line.split()[2]
                self.assertNotIn(fam, seen)
                seen.add(fam)
            elif not line.startswith('#'):
                self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [0-9.e+-]+$|.*\+Inf"\} \d+$')

    def test_info(self):
        status, _, body = self.req('GET', '/v1/info')
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc['name'], 'khabar')
        self.assertRegex(doc['version'], r'^\d+\.\d+\.\d+')
        self.assertEqual(doc['limits']['max_body'], 1048576)
        self.assertEqual(doc['limits']['workers'], 2)
        self.assertEqual(doc['limits']['queue_length'], 16)
        for name in ('words', 'gazetteer', 'titles', 'cues', 'triggers'):
            self.assertIsInstance(doc['lexicons'][name], int, name)
        self.assertGreater(doc['lexicons']['words'], 0)
        self.assertIn('PERSON', doc['entity_types'])
        self.assertIn('air_strike', doc['event_types'])
        self.assertEqual(sorted(doc['offsets']), ['codepoint', 'utf16', 'utf8'])
        for lib in ('libmicrohttpd', 'jansson', 'icu'):
            self.assertTrue(doc['libraries'][lib])

    def test_openapi(self):
        status, h, body = self.req('GET', '/openapi.json')
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc['openapi'], '3.0.3')
        for p in ('/v1/analyze', '/healthz', '/readyz', '/metrics', '/v1/info', '/openapi.json'):
            self.assertIn(p, doc['paths'])
        if SOURCE_ROOT:
            with open(os.path.join(SOURCE_ROOT, 'api', 'openapi.json'), 'rb') as f:
                self.assertEqual(body, f.read(), 'served document differs from api/openapi.json')

    def test_responses_match_openapi(self):
        spec = json.loads(self.req('GET', '/openapi.json')[2])
        status, _, body = self.srv.analyze(obj={'text': ARTICLE, 'id': 'x', 'published': '2024-01-02'})
        check_component(json.loads(body), 'Document', spec)
        check_component(json.loads(self.req('GET', '/v1/info')[2]), 'Info', spec)
        for path, body in (('/nope', None), ('/v1/analyze', b'{')):
            _, _, b = self.req('POST' if body else 'GET', path, body, JSON_HDR)
            check_component(json.loads(b), 'Error', spec)
        # the checker itself rejects a wrong document
        with self.assertRaises(SchemaError):
            check_component({'id': None, 'lang': 'fr'}, 'Document', spec)
        request_schema = spec['paths']['/v1/analyze']['post']['requestBody']['content']
        self.assertIn('application/json', request_schema)
        self.assertIn('text/plain', request_schema)

    def test_root_serves_the_page(self):
        status, headers, body = self.req('GET', '/')
        self.assertEqual(status, 200)
        self.assertTrue(headers['content-type'].startswith('text/html'), headers['content-type'])
        page = body.decode('utf-8')
        self.assertIn('dir="rtl"', page)
        self.assertIn('/v1/analyze?offsets=utf16', page)
        self.assertNotRegex(page, r'(src|href)="https?:', 'no remote assets')

    # ---- routing -----------------------------------------------------------------------------

    def test_unknown_route(self):
        status, _, body = self.req('GET', '/v2/nothing')
        error_of(self, status, body, 404, 'not_found')

    def test_wrong_method(self):
        status, h, body = self.req('DELETE', '/healthz')
        error_of(self, status, body, 405, 'method_not_allowed')
        self.assertEqual(h['allow'], 'GET, HEAD')
        status, h, body = self.req('GET', '/v1/analyze')
        error_of(self, status, body, 405, 'method_not_allowed')
        self.assertEqual(h['allow'], 'POST')

    def test_uri_too_long(self):
        status, _, body = self.req('GET', '/healthz?x=' + 'a' * 3000)
        error_of(self, status, body, 414, 'uri_too_long')
        status, _, body = self.req('GET', '/' + 'b' * 3000)
        error_of(self, status, body, 414, 'uri_too_long')

    # ---- analyze: success ----------------------------------------------------------------------

    def test_analyze_json(self):
        status, h, body = self.srv.analyze(obj={'text': ARTICLE, 'id': 'art-1', 'published': '2024-03-05',
                                                'lang': 'ar'})
        self.assertEqual(status, 200, body)
        self.assertTrue(h['content-type'].startswith('application/json'))
        doc = json.loads(body)
        self.assertEqual(doc['id'], 'art-1')
        self.assertEqual(doc['lang'], 'ar')
        for key in ('sentences', 'entities', 'attributions', 'events'):
            self.assertIsInstance(doc[key], list)
        self.assertGreaterEqual(len(doc['sentences']), 1)

    def test_analyze_integer_id(self):
        status, _, body = self.srv.analyze(obj={'text': ARTICLE, 'id': 12345})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)['id'], '12345')

    def test_analyze_text_plain_equals_json(self):
        s1, _, b1 = self.req('POST', '/v1/analyze', ARTICLE.encode(), TEXT_HDR)
        s2, _, b2 = self.srv.analyze(ARTICLE)
        s3, _, b3 = self.req('POST', '/v1/analyze', ARTICLE.encode(), {'Content-Type': 'text/plain'})
        self.assertEqual((s1, s2, s3), (200, 200, 200))
        self.assertEqual(json.loads(b1), json.loads(b2))
        self.assertEqual(b1, b3)

    def test_offset_units(self):
        text = ARTICLE
        units = {
            'codepoint': (lambda s: len(s), lambda s, a, b: s[a:b]),
            'utf16': (lambda s: len(s.encode('utf-16-le')) // 2,
                      lambda s, a, b: s.encode('utf-16-le')[2 * a:2 * b].decode('utf-16-le')),
            'utf8': (lambda s: len(s.encode()), lambda s, a, b: s.encode()[a:b].decode()),
        }
        slices = {}
        for unit, (length, cut) in units.items():
            status, _, body = self.srv.analyze(text, query='?offsets=' + unit)
            self.assertEqual(status, 200, body)
            doc = json.loads(body)
            self.assertEqual(doc['offsets'], unit)
            self.assertEqual(doc['length'], length(text), unit)
            slices[unit] = [cut(text, s['start'], s['end']) for s in doc['sentences']]
            for e in doc['entities']:
                for m in e['mentions']:
                    self.assertEqual(cut(text, m['start'], m['end']), m['text'])
        self.assertEqual(slices['codepoint'], slices['utf16'])
        self.assertEqual(slices['codepoint'], slices['utf8'])
        # the emoji sentence differs between units, so the check above is not vacuous
        self.assertIn('😀', ''.join(slices['utf8']))

    def test_offsets_default_is_codepoint(self):
        status, _, body = self.srv.analyze(ARTICLE)
        self.assertEqual(json.loads(body)['offsets'], 'codepoint')

    def test_bad_offsets_value(self):
        status, _, body = self.srv.analyze(ARTICLE, query='?offsets=furlongs')
        error_of(self, status, body, 400, 'invalid_query')

    def test_huge_single_line(self):
        text = big_text(1024 * 1024 - 200).replace('\n', ' ')
        status, _, body = self.srv.analyze(text, timeout=120)
        self.assertEqual(status, 200, body[:300])
        doc = json.loads(body)
        self.assertEqual(doc['length'], len(text))

    # ---- analyze: errors -----------------------------------------------------------------------

    def post(self, body, ctype='application/json', query=''):
        return self.req('POST', '/v1/analyze' + query, body, {'Content-Type': ctype})

    def test_malformed_json(self):
        for bad in (b'{"text": "abc"', b'{text: 1}', b'', b'{"text":"x"} trailing', b'nul'):
            status, _, body = self.post(bad)
            err = error_of(self, status, body, 400, 'malformed_json')
        self.assertIn('line', err['message'])

    def test_json_not_object(self):
        status, _, body = self.post(b'["text"]')
        error_of(self, status, body, 400, 'malformed_json')

    def test_duplicate_keys(self):
        status, _, body = self.post(b'{"text":"\xd9\x82\xd8\xa7\xd9\x84","text":"b"}')
        error_of(self, status, body, 400, 'malformed_json')

    def test_missing_text(self):
        status, _, body = self.post(json.dumps({'body': 'x'}).encode())
        error_of(self, status, body, 400, 'missing_text')

    def test_text_not_string(self):
        for v in (42, None, ['a'], {'a': 1}, True):
            status, _, body = self.post(json.dumps({'text': v}).encode())
            error_of(self, status, body, 400, 'text_not_string')

    def test_bad_field_types(self):
        for obj in ({'text': 'abc', 'id': [1]}, {'text': 'abc', 'published': 20240101},
                    {'text': 'abc', 'lang': 7}):
            status, _, body = self.post(json.dumps(obj).encode())
            error_of(self, status, body, 400, 'invalid_field')

    def test_empty_text(self):
        for t in ('', '   \n\t '):
            status, _, body = self.srv.analyze(t)
            error_of(self, status, body, 422, 'empty_text')
        status, _, body = self.post(b'', ctype='text/plain; charset=utf-8')
        error_of(self, status, body, 422, 'empty_text')

    def test_invalid_utf8_plain(self):
        data = 'قال '.encode() + b'\xff\xfe' + ' الوزير'.encode()
        status, _, body = self.post(data, ctype='text/plain; charset=utf-8')
        err = error_of(self, status, body, 422, 'invalid_utf8')
        self.assertIn('byte offset 7', err['message'])

    def test_invalid_utf8_in_json(self):
        data = b'{"text": "\xd9\x82\xc3("}'
        status, _, body = self.post(data)
        err = error_of(self, status, body, 422, 'invalid_utf8')
        self.assertRegex(err['message'], r'byte offset \d+')

    def test_nul_byte(self):
        status, _, body = self.post('قال'.encode() + b'\x00' + 'x'.encode(), ctype='text/plain')
        err = error_of(self, status, body, 422, 'nul_byte')
        self.assertIn('byte offset 6', err['message'])
        status, _, body = self.post(b'{"text": "ab\\u0000c"}')
        err = error_of(self, status, body, 422, 'nul_byte')
        self.assertIn('byte offset 2', err['message'])

    def test_unsupported_lang(self):
        status, _, body = self.srv.analyze(obj={'text': ARTICLE, 'lang': 'fr'})
        error_of(self, status, body, 422, 'unsupported_language')

    def test_bad_published(self):
        status, _, body = self.srv.analyze(obj={'text': ARTICLE, 'published': 'yesterday'})
        error_of(self, status, body, 422, 'invalid_published')

    def test_media_type(self):
        for ct in ('application/xml', 'application/x-www-form-urlencoded', 'text/plain; charset=latin1',
                   'application/json; charset=utf-16'):
            status, _, body = self.post(b'{"text":"abc"}', ctype=ct)
            error_of(self, status, body, 415, 'unsupported_media_type')
        status, _, body = self.req('POST', '/v1/analyze', b'{"text":"abc"}', {})
        error_of(self, status, body, 415, 'unsupported_media_type')

    def test_json_too_deep(self):
        body = b'{"text":"abc","x":' + b'[' * 40 + b']' * 40 + b'}'
        status, _, body = self.post(body)
        error_of(self, status, body, 400, 'json_too_deep')
        body = b'{"text":"abc","x":' + b'[' * 20 + b']' * 20 + b'}'
        status, _, body = self.post(body)
        self.assertEqual(status, 200, body)

    def test_string_too_long(self):
        status, _, body = self.srv.analyze(obj={'text': 'قال', 'id': 'x' * 5000})
        error_of(self, status, body, 400, 'string_too_long')

    def test_too_large_content_length(self):
        # Answered from the headers alone: the body is never sent.
        t0 = time.monotonic()
        resp = self.raw(b'POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                        b'Content-Length: 5000000\r\n\r\n{"text":"')
        self.assertLess(time.monotonic() - t0, 5)
        head, _, body = resp.partition(b'\r\n\r\n')
        self.assertTrue(head.startswith(b'HTTP/1.1 413'), resp[:200])
        err = json.loads(body)['error']
        self.assertEqual(err['code'], 'payload_too_large')

    def post_chunked(self, chunks):
        """POST with Transfer-Encoding: chunked; returns (status, body)."""
        c = self.srv.connection()
        try:
            c.request('POST', '/v1/analyze', body=chunks, headers=JSON_HDR, encode_chunked=True)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def test_too_large_chunked(self):
        limit = 1024 * 1024

        def chunks():
            piece = b'a' * 65536
            yield b'{"text":"'
            for _ in range(limit // len(piece) * 2):
                yield piece
            yield b'"}'
        status, body = self.post_chunked(chunks())
        error_of(self, status, body, 413, 'payload_too_large')
        # the server is fine afterwards
        self.assertEqual(self.srv.analyze(ARTICLE)[0], 200)

    def test_chunked_within_limit(self):
        data = json.dumps({'text': ARTICLE}).encode()

        def chunks():
            for i in range(0, len(data), 7):
                yield data[i:i + 7]
        status, body = self.post_chunked(chunks())
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), json.loads(self.srv.analyze(ARTICLE)[2]))

    # ---- request IDs and logs -----------------------------------------------------------------

    def test_request_id_echoed(self):
        status, h, body = self.srv.analyze(ARTICLE, headers={'X-Request-ID': 'req-42.abc_DEF'})
        self.assertEqual(h['x-request-id'], 'req-42.abc_DEF')
        status, h, body = self.post(b'{', query='')
        self.assertRegex(h['x-request-id'], r'^[0-9a-f]{32}$')
        self.assertEqual(json.loads(body)['error']['request_id'], h['x-request-id'])
        status, h, body = self.req('POST', '/v1/analyze', b'{', {'Content-Type': 'application/json',
                                                                 'X-Request-ID': 'mine-7'})
        self.assertEqual(json.loads(body)['error']['request_id'], 'mine-7')

    def test_request_id_invalid_replaced(self):
        for bad in ('has space', 'x' * 129, 'semi;colon', 'ع'):
            hdr = {'X-Request-ID': bad.encode('utf-8').decode('latin-1')}
            status, h, _ = self.req('GET', '/healthz', headers=hdr)
            self.assertEqual(status, 200)
            self.assertRegex(h['x-request-id'], r'^[0-9a-f]{32}$')

    def test_access_log(self):
        rid = 'access-log-check-1'
        self.srv.analyze(ARTICLE, headers={'X-Request-ID': rid, 'X-Forwarded-For': '203.0.113.9'})
        line = None
        for _ in range(50):
            found = [l for l in self.srv.log_lines() if l.get('request_id') == rid and l.get('msg') == 'request']
            if found:
                line = found[0]
                break
            time.sleep(0.02)
        self.assertIsNotNone(line, self.srv.log_text()[-2000:])
        self.assertEqual(line['method'], 'POST')
        self.assertEqual(line['route'], '/v1/analyze')
        self.assertEqual(line['path'], '/v1/analyze')
        self.assertEqual(line['status'], 200)
        self.assertGreater(line['bytes_in'], 0)
        self.assertGreater(line['bytes_out'], 0)
        self.assertGreaterEqual(line['duration_ms'], 0)
        self.assertRegex(line['ts'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
        self.assertEqual(line['level'], 'info')
        # no trusted proxies configured: X-Forwarded-For is ignored
        self.assertEqual(line['client_ip'], '127.0.0.1')
        for l in self.srv.log_lines():
            self.assertNotIn('raw', l, 'a log line is not JSON: %r' % l)


if __name__ == '__main__':
    main()
