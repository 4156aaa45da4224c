#!/usr/bin/env python3
"""Many clients at once, a full queue, and the deadline, against the real server."""
import json
import socket
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

from khabar_server import ARTICLE, SENTENCE, Server, big_text, error_of, main


class Concurrency(unittest.TestCase):
    def test_parallel_clients_get_identical_complete_answers(self):
        texts = [ARTICLE, SENTENCE * 3, ARTICLE + SENTENCE, 'قال الوزير: «نعم». ' * 40]
        with Server('--workers', '4', '--queue-length', '256') as srv:
            expected = {}
            for t in texts:
                status, _, body = srv.analyze(t)
                self.assertEqual(status, 200, body)
                expected[t] = json.loads(body)

            def client(i):
                results = []
                c = srv.connection()
                try:
                    for k in range(6):
                        t = texts[(i + k) % len(texts)]
                        status, h, body = srv.analyze(t, conn=c if k % 2 == 0 else None)
                        results.append((t, status, h.get('content-length'), body))
                finally:
                    c.close()
                return results

            with ThreadPoolExecutor(max_workers=32) as ex:
                all_results = [r for rs in ex.map(client, range(32)) for r in rs]
            self.assertEqual(len(all_results), 32 * 6)
            for t, status, clen, body in all_results:
                self.assertEqual(status, 200, body[:200])
                self.assertEqual(int(clen), len(body))
                self.assertEqual(json.loads(body), expected[t])
            m = srv.metrics()
            self.assertGreaterEqual(
                m['kh_http_requests_total{route="/v1/analyze",method="POST",code="200"}'], 32 * 6 + len(texts))


class Overload(unittest.TestCase):
    def test_full_queue_answers_503_at_once_and_server_survives(self):
        text = big_text(1000 * 1000)
        with Server('--workers', '1', '--queue-length', '1', '--deadline-ms', '120000') as srv:
            results = []
            lock = threading.Lock()
            start = threading.Barrier(16)

            def client():
                start.wait()
                t0 = time.monotonic()
                status, h, body = srv.analyze(text, timeout=120)
                with lock:
                    results.append((status, h, body, time.monotonic() - t0))

            threads = [threading.Thread(target=client) for _ in range(16)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            statuses = sorted(r[0] for r in results)
            self.assertEqual(len(results), 16)
            self.assertIn(503, statuses)
            self.assertIn(200, statuses)
            self.assertEqual(set(statuses), {200, 503}, statuses)
            ok_times = [r[3] for r in results if r[0] == 200]
            for status, h, body, secs in results:
                if status == 503:
                    err = error_of(self, status, body, 503, 'overloaded')
                    self.assertEqual(h.get('retry-after'), '1')
                    # refused at once, not after waiting for a worker
                    self.assertLess(secs, max(ok_times) + 0.001)
                else:
                    self.assertEqual(json.loads(body)['length'], len(text))
            m = srv.metrics()
            self.assertGreaterEqual(m['kh_http_rejected_total{reason="queue_full"}'], statuses.count(503))
            # still alive and well
            status, _, body = srv.analyze(ARTICLE)
            self.assertEqual(status, 200, body)
            self.assertEqual(srv.request('GET', '/readyz')[0], 200)


def jobs_run(srv):
    m = srv.metrics()
    return m['kh_jobs_run_total{thread="polling"}'], m['kh_jobs_run_total{thread="worker"}']


class WhereJobsRun(unittest.TestCase):
    def test_short_texts_run_on_the_polling_thread_long_ones_on_a_worker(self):
        long_text = big_text(8000)
        with Server('--workers', '2', '--inline-max', '4096') as srv:
            status, _, short_here = srv.analyze(ARTICLE[:3000])
            self.assertEqual(status, 200, short_here)
            self.assertEqual(jobs_run(srv), (1, 0))
            status, _, long_worker = srv.analyze(long_text)
            self.assertEqual(status, 200, long_worker)
            self.assertEqual(jobs_run(srv), (1, 1))
        with Server('--workers', '2', '--inline-max', '0') as srv:
            self.assertEqual(srv.analyze(ARTICLE[:3000])[2], short_here, 'the same answer either way')
            self.assertEqual(srv.analyze(long_text)[2], long_worker)
            self.assertEqual(jobs_run(srv), (0, 2), 'inline_max 0: always a worker')

    def test_deadline_on_the_polling_thread_gives_504_and_frees_the_slot(self):
        text = big_text(1000 * 1000)
        with Server('--workers', '1', '--deadline-ms', '1', '--inline-max', '2MiB') as srv:
            status, _, body = srv.analyze(text)
            error_of(self, status, body, 504, 'deadline_exceeded')
            self.assertEqual(jobs_run(srv), (1, 0))
            m = srv.metrics()
            self.assertEqual(m['kh_jobs_inflight'], 0)
            self.assertGreaterEqual(m['kh_http_rejected_total{reason="deadline"}'], 1)
            # the one slot was given back: the next text runs here again, not queued
            status, _, body = srv.analyze(text)
            error_of(self, status, body, 504, 'deadline_exceeded')
            self.assertEqual(jobs_run(srv), (2, 0))


class Deadline(unittest.TestCase):
    def test_deadline_gives_504_and_frees_the_worker(self):
        text = big_text(1000 * 1000)
        with Server('--workers', '1', '--queue-length', '4', '--deadline-ms', '1') as srv:
            status, _, body = srv.analyze(text)
            err = error_of(self, status, body, 504, 'deadline_exceeded')
            self.assertIn('1 ms', err['message'])
            # the single worker is free again: readiness and metrics agree
            for _ in range(100):
                m = srv.metrics()
                if m['kh_jobs_inflight'] == 0 and m['kh_jobs_queued'] == 0:
                    break
                time.sleep(0.02)
            self.assertEqual(m['kh_jobs_inflight'], 0)
            self.assertGreaterEqual(m['kh_http_rejected_total{reason="deadline"}'], 1)

    def test_small_request_meets_a_normal_deadline(self):
        with Server('--workers', '1', '--deadline-ms', '5000') as srv:
            self.assertEqual(srv.analyze(ARTICLE)[0], 200)



def first_bytes(sock, timeout):
    """What the server sends first; b'' when it closes (or resets) the connection."""
    sock.settimeout(timeout)
    try:
        return sock.recv(100)
    except ConnectionResetError:
        return b''


class SlowClients(unittest.TestCase):
    def test_idle_and_trickling_connections_are_cut_off(self):
        with Server('--connection-timeout-s', '1', '--workers', '1') as srv:
            idle = socket.create_connection(('127.0.0.1', srv.port))
            slow = socket.create_connection(('127.0.0.1', srv.port))
            slow.sendall(b'POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n'
                         b'Content-Length: 100\r\n\r\nab')
            t0 = time.monotonic()
            # others are served meanwhile
            for _ in range(5):
                self.assertEqual(srv.analyze(ARTICLE)[0], 200)
            for s in (idle, slow):
                self.assertEqual(first_bytes(s, 10), b'', 'the server should close, not answer')
                s.close()
            elapsed = time.monotonic() - t0
            self.assertGreater(elapsed, 0.5)
            self.assertLess(elapsed, 8)
            self.assertEqual(srv.request('GET', '/healthz')[0], 200)

    def two_served_connections(self, srv):
        """Two connections the server has accepted and answered once (kept alive), so that
        a third is the one over the limit whichever polling thread takes which.  A closed
        connection (the start-up probe's) may still count for a moment: then try again."""
        for _ in range(50):
            held = [socket.create_connection(('127.0.0.1', srv.port)) for _ in range(2)]
            served = True
            for s in held:
                s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
                served = served and first_bytes(s, 5).startswith(b'HTTP/1.1 200')
            if served:
                return held
            for s in held:
                s.close()
            time.sleep(0.1)
        self.fail('two connections from one address were never both served')

    def test_per_ip_limit(self):
        with Server('--per-ip-limit', '2') as srv:
            held = self.two_served_connections(srv)
            extra = socket.create_connection(('127.0.0.1', srv.port))
            extra.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
            self.assertEqual(first_bytes(extra, 5), b'', 'a third connection from one address is refused')
            extra.close()
            for s in held:
                s.close()
            time.sleep(0.2)
            self.assertEqual(srv.request('GET', '/healthz')[0], 200)


if __name__ == '__main__':
    main()
