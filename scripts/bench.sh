#!/bin/sh
# The benchmark (issue 9):  scripts/bench.sh [EVAL_DIR]
# With EVAL_DIR (the layout of ../shared/eval) the dev articles are the corpus;
# without it, the project's own test articles in tests/data/*.txt.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build-bench}
[ -d "$build" ] || meson setup "$build" -Dbuildtype=release >/dev/null
ninja -C "$build" >/dev/null
texts=$(mktemp -d)
trap 'rm -rf "$texts"' EXIT
if [ $# -gt 0 ]; then
	for g in "$1"/dev/*.gold.json; do
		python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["text"])' "$g" \
			> "$texts/$(basename "$g" .gold.json).txt"
	done
else
	cp tests/data/*.txt "$texts/"
fi
echo "== in-process pipeline ($(nproc) cores, $(uname -m))"
"$build/bench/bench_pipeline" --threads "$(nproc)" --seconds 3 "$texts"/*.txt
