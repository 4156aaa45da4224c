#!/usr/bin/env python3
"""Turn a marked-up article into a gold file in the format of ../shared/eval.

Markup (nesting allowed, proper nesting required):
  [[TYPE|text]]    entity mention (PERSON ORG GPE LOC FAC NORP DATE)
  {{aN|text}}      content of attribution aN
  ((aN|text))      its speaker as written nearest the statement
  <<aN|text>>      its cue
  ⟨vN|text⟩        trigger of event vN
Lines starting with '@' describe items ('_' stands for a space in names):
  @published 2019-03-14
  @aN kind=direct|indirect|mixed|summary [source=TEXT] [optional]
  @vN type=TYPE [actors=A;B] [location=A;B] [killed=N|TEXT] [injured=N|TEXT] [time=TEXT]
      [modality=planned|negated] [optional]
usage: mkgold.py SRC.txt... OUT_DIR
"""
import json, os, re, sys

OPEN = {'[[': ']]', '{{': '}}', '((': '))', '<<': '>>', '⟨': '⟩'}
KIND = {'[[': 'ent', '{{': 'content', '((': 'speaker', '<<': 'cue', '⟨': 'trigger'}


def parse(src):
    text, stack, spans, i = [], [], [], 0
    while i < len(src):
        two = src[i:i + 2]
        one = src[i]
        opener = two if two in OPEN else one if one in OPEN else None
        if opener:
            bar = src.index('|', i)
            stack.append((opener, src[i + len(opener):bar], len(text)))
            i = bar + 1
            continue
        closer = two if stack and two == OPEN[stack[-1][0]] else one if stack and one == OPEN[stack[-1][0]] else None
        if closer:
            opener, label, start = stack.pop()
            spans.append((KIND[opener], label, start, len(text)))
            i += len(closer)
            continue
        text.append(src[i])
        i += 1
    if stack:
        raise SystemExit(f'unclosed markup: {stack}')
    return ''.join(text), spans


def meta(lines):
    out = {}
    for ln in lines:
        parts = ln[1:].split()
        key, fields = parts[0], {}
        for p in parts[1:]:
            k, _, v = p.partition('=')
            fields[k] = v if v else True
        out[key] = fields
    return out


def build(path):
    raw = open(path, encoding='utf-8').read()
    body = [ln for ln in raw.split('\n') if not ln.startswith('@')]
    info = meta([ln for ln in raw.split('\n') if ln.startswith('@')])
    text, spans = parse('\n'.join(body).strip('\n') + '\n')
    gold = {'id': os.path.basename(path)[:-4], 'lang': 'ar', 'source': 'khabar project (own text)',
            'published': (info.get('published') or {}).get('date'), 'text': text,
            'entities': [], 'attributions': [], 'events': []}
    pub = [ln for ln in raw.split('\n') if ln.startswith('@published')]
    if pub:
        gold['published'] = pub[0].split()[1]
    for kind, label, s, e in sorted(spans, key=lambda x: x[2]):
        if kind == 'ent':
            gold['entities'].append({'start': s, 'end': e, 'type': label, 'text': text[s:e]})
    for key, f in sorted(info.items()):
        sp = {k: (s, e) for kind, label, s, e in spans if label == key for k in [kind]}
        if key.startswith('a'):
            s, e = sp['content']
            a = {'kind': f['kind'], 'content': {'start': s, 'end': e, 'text': text[s:e]}}
            if 'speaker' in sp:
                s2, e2 = sp['speaker']
                a['speaker'] = {'start': s2, 'end': e2, 'text': text[s2:e2]}
            elif 'source' in f:
                a['source_text'] = f['source'].replace('_', ' ')
            if 'cue' in sp:
                a['cue'] = text[sp['cue'][0]:sp['cue'][1]]
            if f.get('optional'):
                a['optional'] = True
            gold['attributions'].append(a)
        elif key.startswith('v'):
            s, e = sp['trigger']
            v = {'type': f['type'], 'trigger': {'start': s, 'end': e, 'text': text[s:e]}}
            for k in ('actors', 'location'):
                if k in f:
                    v[k] = f[k].replace('_', ' ').split(';')
            for k in ('killed', 'injured'):
                if k in f:
                    v[k] = int(f[k]) if f[k].isdigit() else f[k].replace('_', ' ')
            for k in ('time', 'modality'):
                if k in f:
                    v[k] = f[k].replace('_', ' ')
            if f.get('optional'):
                v['optional'] = True
            gold['events'].append(v)
    gold['attributions'].sort(key=lambda a: a['content']['start'])
    gold['events'].sort(key=lambda v: v['trigger']['start'])
    return gold


def main():
    *srcs, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    for p in srcs:
        g = build(p)
        with open(os.path.join(out, g['id'] + '.gold.json'), 'w', encoding='utf-8') as f:
            json.dump(g, f, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main()
