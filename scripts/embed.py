#!/usr/bin/env python3
"""Turn a file into a C source that defines `const char NAME[]` and `const size_t NAME_len`.

    scripts/embed.py INPUT OUTPUT NAME [--json]

With --json the input must parse as JSON (a broken api/openapi.json fails the build).
"""
import json
import sys


def main():
    src, out, name = sys.argv[1:4]
    data = open(src, 'rb').read()
    if '--json' in sys.argv[4:]:
        json.loads(data.decode('utf-8'))
    lines = []
    for i in range(0, len(data), 16):
        lines.append(''.join('%d,' % b for b in data[i:i + 16]))
    with open(out, 'w') as f:
        f.write('/* Generated from %s by scripts/embed.py; do not edit. */\n' % src.split('/')[-1])
        f.write('#include <stddef.h>\n')
        f.write('extern const char %s[];\nextern const size_t %s_len;\n' % (name, name))
        f.write('const char %s[] = {\n%s\n0};\n' % (name, '\n'.join(lines)))
        f.write('const size_t %s_len = %d;\n' % (name, len(data)))


if __name__ == '__main__':
    main()
