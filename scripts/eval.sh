#!/bin/sh
# Measure khabar against an annotated folder (the layout of ../shared/eval):
#   scripts/eval.sh EVAL_DIR [BUILD_DIR] [--verbose]
# Runs `khabar analyze` over every dev/NAME.gold.json text (with its published date)
# and scores the output with EVAL_DIR/score.py.  GOLD=DIR scores another folder of
# gold files with the same scorer, e.g. our own held-out articles:
#   GOLD=tests/eval/heldout scripts/eval.sh ../shared/eval
set -eu
eval_dir=${1:?usage: scripts/eval.sh EVAL_DIR [BUILD_DIR] [--verbose]}
build=${2:-build}
shift; [ $# -gt 0 ] && shift
bin=$build/src/khabar
[ -x "$bin" ] || { echo "eval: $bin not built (meson setup $build && ninja -C $build)" >&2; exit 1; }
gold=${GOLD:-$eval_dir/dev}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for g in "$gold"/*.gold.json; do
	n=$(basename "$g" .gold.json)
	python3 - "$g" "$out/$n.txt" "$out/$n.pub" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
open(sys.argv[2], 'w', encoding='utf-8').write(d['text'])
open(sys.argv[3], 'w').write(d.get('published') or '')
PY
	pub=$(cat "$out/$n.pub")
	if [ -n "$pub" ]; then
		"$bin" analyze --published "$pub" "$out/$n.txt" > "$out/$n.json"
	else
		"$bin" analyze "$out/$n.txt" > "$out/$n.json"
	fi
done
python3 "$eval_dir/score.py" "$gold" "$out" "$@"
