#!/usr/bin/env python3
"""khabar analyze over many inputs (issue 11 part 2): files, directory trees, NDJSON on stdin,
order with several threads, --out DIR, interruption with SIGINT and restart, exit codes."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from khabar_server import ARTICLE, BIN, DATA_DIR, SENTENCE

SENTENCES = [
    SENTENCE,
    ARTICLE,
    'زار الرئيس القاهرة أمس والتقى نظيره لبحث العلاقات الثنائية.',
    'أعلنت وزارة الصحة في بغداد ارتفاع عدد المصابين إلى مئة وعشرين شخصا.',
    'قال مصدر دبلوماسي إن المفاوضات ستستأنف في الدوحة الأسبوع المقبل.',
]
TIMEOUT = 600


def run(args, stdin=None):
    env = dict(os.environ)
    p = subprocess.run([BIN, 'analyze', '--data-dir', DATA_DIR] + args, input=stdin,
                       capture_output=True, timeout=TIMEOUT, env=env)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def lines_of(out):
    text = out.decode('utf-8')
    if text == '':
        return []
    assert text.endswith('\n'), 'NDJSON output must end with a newline'
    return [json.loads(l) for l in text[:-1].split('\n')]


def ndjson(objs):
    return ''.join(json.dumps(o, ensure_ascii=False) + '\n' for o in objs).encode('utf-8')


def summary(err):
    """(done, failed, skipped) from the summary line."""
    for line in err.splitlines():
        if ' done, ' in line and ' failed, ' in line:
            words = line.split(': ', 1)[1].replace(',', '').split()
            return int(words[0]), int(words[2]), int(words[4])
    raise AssertionError('no summary in:\n' + err)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data.encode('utf-8') if isinstance(data, str) else data)


class CliBatch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.single = {}
        for i, t in enumerate(SENTENCES):
            code, out, err = run(['-'], stdin=t.encode('utf-8'))
            assert code == 0, err
            cls.single[t] = json.loads(out)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='khabar-batch-')

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def same_as_single(self, doc, text):
        want = dict(self.single[text])
        want['id'] = doc['id']
        got = dict(doc)
        got.pop('line', None)
        self.assertEqual(got, want)

    def test_single_file_unchanged(self):
        write(self.path('one.txt'), SENTENCES[0])
        code, out, err = run([self.path('one.txt')])
        self.assertEqual(code, 0, err)
        self.assertEqual(out.count(b'\n'), 1)
        self.assertEqual(json.loads(out), self.single[SENTENCES[0]])
        self.assertEqual(err, '')
        write(self.path('bad.txt'), b'\xd9\x82\xff')
        code, out, err = run([self.path('bad.txt')])
        self.assertEqual((code, out), (1, b''))
        self.assertIn('invalid_utf8', err)

    def test_files_in_argument_order(self):
        names = []
        for i, t in enumerate(SENTENCES):
            names.append(self.path('f%d.txt' % (len(SENTENCES) - i)))
            write(names[-1], t)
        code, out, err = run(['--jobs', '3'] + names)
        self.assertEqual(code, 0, err)
        docs = lines_of(out)
        self.assertEqual([d['id'] for d in docs], names)
        for d, t in zip(docs, SENTENCES):
            self.same_as_single(d, t)
        self.assertEqual(summary(err), (len(SENTENCES), 0, 0))

    def test_directory_tree_with_bad_inputs(self):
        write(self.path('in', 'b', 'z.txt'), SENTENCES[1])
        write(self.path('in', 'a.txt'), SENTENCES[0])
        write(self.path('in', 'b', 'c', 'd.txt'), SENTENCES[2])
        write(self.path('in', 'b', 'empty.txt'), '')
        write(self.path('in', 'b', 'blank.txt'), '  \n\t\n')
        write(self.path('in', 'bad.txt'), b'\xd9\x82\xff\xfe')
        write(self.path('in', 'notes.md'), SENTENCES[3])
        write(self.path('in', '.hidden.txt'), SENTENCES[3])
        code, out, err = run(['-j', '2', self.path('in')])
        self.assertEqual(code, 1, err)
        docs = lines_of(out)
        self.assertEqual([d['id'] for d in docs],
                         ['a.txt', 'b/blank.txt', 'b/c/d.txt', 'b/empty.txt', 'b/z.txt', 'bad.txt'])
        codes = [d['error']['code'] if 'error' in d else 'ok' for d in docs]
        self.assertEqual(codes, ['ok', 'empty_text', 'ok', 'empty_text', 'ok', 'invalid_utf8'])
        self.same_as_single(docs[0], SENTENCES[0])
        self.same_as_single(docs[2], SENTENCES[2])
        self.same_as_single(docs[4], SENTENCES[1])
        self.assertIn('byte offset 2', docs[5]['error']['message'])
        self.assertEqual(summary(err), (3, 3, 0))
        # --ext / --glob choose other files
        code, out, _ = run(['--ext', 'md', self.path('in')])
        self.assertEqual(code, 0)
        self.assertEqual([d['id'] for d in lines_of(out)], ['notes.md'])
        code, out, _ = run(['--glob', '[az].txt', self.path('in')])
        self.assertEqual(code, 0)
        self.assertEqual([d['id'] for d in lines_of(out)], ['a.txt', 'b/z.txt'])

    def test_missing_file_is_an_error_line(self):
        write(self.path('a.txt'), SENTENCES[0])
        code, out, err = run([self.path('nope.txt'), self.path('a.txt')])
        self.assertEqual(code, 1, err)
        docs = lines_of(out)
        self.assertEqual(docs[0]['error']['code'], 'unreadable_input')
        self.assertNotIn('error', docs[1])

    def test_ndjson_stdin_with_bad_lines(self):
        body = (ndjson([{'id': 'a', 'text': SENTENCES[0], 'published': '2024-03-01'}]) + b'\n' +
                b'{not json}\n' +
                ndjson([{'id': 'b', 'text': ''}, {'id': 'c'}, {'id': 4, 'text': SENTENCES[2]},
                        {'id': 'e', 'text': SENTENCES[1], 'lang': 'en'},
                        {'id': 'f', 'text': SENTENCES[1], 'published': 'soon'}]) +
                b'{"id":"g","text":"\xd9\x82\xff"}\r\n' + b'[1,2]\n' +
                ndjson([{'text': SENTENCES[3]}]))
        code, out, err = run(['--ndjson', '-j', '4'], stdin=body)
        self.assertEqual(code, 1, err)
        docs = lines_of(out)
        self.assertEqual([d['line'] for d in docs], [1, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        self.assertEqual([d.get('id') for d in docs], ['a', None, 'b', 'c', '4', 'e', 'f', None, None, None])
        codes = [d['error']['code'] if 'error' in d else 'ok' for d in docs]
        self.assertEqual(codes, ['ok', 'malformed_json', 'empty_text', 'missing_text', 'ok',
                                 'unsupported_language', 'invalid_published', 'invalid_utf8',
                                 'malformed_json', 'ok'])
        self.same_as_single(docs[4], SENTENCES[2])
        self.same_as_single(docs[9], SENTENCES[3])
        self.assertEqual(summary(err), (3, 7, 0))

    def test_order_preserved_with_four_jobs(self):
        # long and short articles mixed, so later ones finish first
        objs = [{'id': 'n%03d' % i, 'text': (SENTENCES[i % 5] + ' ') * (40 if i % 7 == 0 else 1)}
                for i in range(300)]
        code, out, err = run(['--ndjson', '--jobs', '4', '--offsets', 'utf8'], stdin=ndjson(objs))
        self.assertEqual(code, 0, err)
        docs = lines_of(out)
        self.assertEqual([d['id'] for d in docs], [o['id'] for o in objs])
        self.assertEqual([d['line'] for d in docs], list(range(1, 301)))
        for d, o in zip(docs, objs):
            self.assertEqual(d['length'], len(o['text'].encode('utf-8')))
            self.assertEqual(d['offsets'], 'utf8')
        self.assertEqual(summary(err), (300, 0, 0))

    def test_out_dir(self):
        write(self.path('in', 'x', 'a.txt'), SENTENCES[0])
        write(self.path('in', 'b.txt'), SENTENCES[1])
        write(self.path('in', 'bad.txt'), '')
        code, out, err = run(['--out', self.path('out'), '-j', '2', self.path('in')])
        self.assertEqual(code, 1, err)
        self.assertEqual([d['id'] for d in lines_of(out)], ['bad.txt'])  # only errors on stdout
        found = sorted(os.path.relpath(os.path.join(d, f), self.path('out'))
                       for d, _, fs in os.walk(self.path('out')) for f in fs)
        self.assertEqual(found, ['b.json', 'x/a.json'])
        with open(self.path('out', 'x', 'a.json'), encoding='utf-8') as f:
            self.same_as_single(json.load(f), SENTENCES[0])
        mtime = os.stat(self.path('out', 'b.json')).st_mtime_ns
        time.sleep(0.05)
        code, out, err = run(['--out', self.path('out'), self.path('in')])
        self.assertEqual(code, 1)
        self.assertEqual(summary(err), (0, 1, 2))
        self.assertEqual(os.stat(self.path('out', 'b.json')).st_mtime_ns, mtime)
        code, out, err = run(['--out', self.path('out'), '--force', self.path('in')])
        self.assertEqual(summary(err), (2, 1, 0))
        self.assertNotEqual(os.stat(self.path('out', 'b.json')).st_mtime_ns, mtime)
        # NDJSON in, files out: named after the id, made safe
        code, out, err = run(['--ndjson', '--out', self.path('nd')],
                             stdin=ndjson([{'id': '../x/y', 'text': SENTENCES[0]}, {'text': SENTENCES[1]}]))
        self.assertEqual(code, 0, err)
        self.assertEqual(sorted(os.listdir(self.path('nd'))), ['_._x_y.json', 'line-2.json'])

    def test_usage_errors(self):
        code, _, err = run(['--jobs', '0', self.tmp])
        self.assertEqual(code, 2)
        code, _, err = run(['--resume', self.path('r'), '--out', self.path('o'), self.tmp])
        self.assertEqual(code, 2)
        code, _, err = run(['--ndjson', 'a', 'b'])
        self.assertEqual(code, 2)
        code, out, _ = run(['--help'])
        self.assertEqual(code, 0)
        self.assertIn(b'--resume', out)

    def interrupt_when(self, args, ready, stdin=None):
        """Start khabar analyze, wait until ready() is true, send SIGINT, return (code, stderr)."""
        p = subprocess.Popen([BIN, 'analyze', '--data-dir', DATA_DIR] + args, stdin=stdin,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + TIMEOUT
        while not ready() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertIsNone(p.poll(), 'khabar finished before it could be interrupted')
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=TIMEOUT)
        return p.returncode, err.decode('utf-8', 'replace')

    def test_interrupt_and_restart_out_dir(self):
        n = 400
        for i in range(n):
            write(self.path('in', 'd%d' % (i % 4), 'a%03d.txt' % i), (SENTENCES[i % 5] + ' ') * 30)
        out = self.path('out')

        def count():
            return sum(1 for _, _, fs in os.walk(out) for f in fs if f.endswith('.json'))

        code, err = self.interrupt_when(['--out', out, '--jobs', '2', self.path('in')], lambda: count() >= 10)
        self.assertEqual(code, 130, err)
        self.assertIn('interrupted', err)
        done, failed, skipped = summary(err)
        files = {os.path.join(d, f): os.stat(os.path.join(d, f)).st_mtime_ns
                 for d, _, fs in os.walk(out) for f in fs}
        self.assertEqual(len(files), done, 'one result file per finished input, no temporary left')
        self.assertTrue(10 <= done < n, done)
        for f in files:
            self.assertTrue(f.endswith('.json'), f)
            with open(f, encoding='utf-8') as fh:
                json.load(fh)
        time.sleep(0.05)
        code, _, err = run(['--out', out, '--jobs', '2', self.path('in')])
        self.assertEqual(code, 0, err)
        self.assertEqual(summary(err), (n - done, 0, done))
        self.assertEqual(count(), n)
        for f, mtime in files.items():
            self.assertEqual(os.stat(f).st_mtime_ns, mtime, f + ' was rewritten')

    def test_interrupt_and_resume_ndjson(self):
        n, first = 300, 120
        objs = [{'id': 'r%03d' % i, 'text': SENTENCES[i % 5]} for i in range(n)]
        objs.insert(7, {'id': 'broken', 'text': ''})
        journal = self.path('out.ndjson')

        def journal_lines():
            try:
                with open(journal, 'rb') as f:
                    return f.read().count(b'\n')
            except FileNotFoundError:
                return 0

        # Feed only the first lines through a pipe that stays open: khabar waits for more,
        # is interrupted there, and must have written exactly those.
        p = subprocess.Popen([BIN, 'analyze', '--data-dir', DATA_DIR, '--ndjson', '-j', '2', '--resume', journal],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(ndjson(objs[:first]))
        p.stdin.flush()
        deadline = time.monotonic() + TIMEOUT
        while journal_lines() < first and time.monotonic() < deadline:
            time.sleep(0.01)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT)
        err = err.decode()
        self.assertEqual(p.returncode, 130, err)
        self.assertEqual(out, b'')
        self.assertEqual(summary(err), (first - 1, 1, 0))
        # a torn last line (as from a hard kill) is cut on resume
        with open(journal, 'ab') as f:
            f.write(b'{"line":999,"id":"r9')
        code, out, err = run(['--ndjson', '-j', '2', '--resume', journal], stdin=ndjson(objs))
        self.assertEqual(code, 0, err)
        self.assertEqual(summary(err), (n + 1 - first, 0, first))
        with open(journal, 'rb') as f:
            docs = lines_of(f.read())
        self.assertEqual([d['id'] for d in docs], [o['id'] for o in objs])
        self.assertEqual(docs[7]['error']['code'], 'empty_text')


if __name__ == '__main__':
    if not BIN:
        print('KHABAR_BIN is not set', file=sys.stderr)
        sys.exit(2)
    unittest.main(verbosity=2)
