#!/bin/sh
# The benchmark (issue 9):  scripts/bench.sh [EVAL_DIR]
# With EVAL_DIR (the layout of ../shared/eval) the dev articles are the corpus and its
# seed article the HTTP payload; without it, the project's own tests/data/*.txt.
# Prints, in one run on this machine:
#   in-process: words/s and MB/s per core, stage shares, the ICU floor and the ratio,
#               long inputs 1x/10x/100x, articles/s with as many threads as workers;
#   HTTP:       khabar under wrk (requests/s, p50, p99), p99 at 80% of the in-process
#               rate (open loop), nginx serving a static file of the response's size,
#               and the ratios against the targets.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build-bench}
seconds=${SECONDS_PER_RUN:-10}
[ -d "$build" ] || meson setup "$build" -Dbuildtype=release >/dev/null
ninja -C "$build" >/dev/null
tmp=$(mktemp -d)
mkdir "$tmp/texts"
cleanup() {
	[ -n "${khabar_pid:-}" ] && kill "$khabar_pid" 2>/dev/null
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ $# -gt 0 ]; then
	for g in "$1"/dev/*.gold.json; do
		python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["text"])' "$g" \
			> "$tmp/texts/$(basename "$g" .gold.json).txt"
	done
	seed="$tmp/texts/seed.txt"
else
	cp tests/data/*.txt "$tmp/texts/"
	seed="$tmp/texts/article_ar.txt"
fi
workers=$(nproc)
printf 'قال الوزير إن المحادثات ستستأنف في جنيف الأسبوع المقبل.\n' > "$tmp/one.txt"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "== in-process pipeline (corpus: $(ls "$tmp/texts" | wc -l) articles)"
"$build/bench/bench_pipeline" --threads "$workers" --seconds 3 "$tmp"/texts/*.txt
line=$("$build/bench/bench_pipeline" --threads "$workers" --seconds 3 "$seed" | grep '^pipeline [0-9]* threads:')
inproc=$(echo "$line" | sed -n 's/^pipeline [0-9]* threads: \([0-9.]*\) articles\/s.*/\1/p')
inproc_cpu=$(echo "$line" | sed -n 's/.*; \([0-9.]*\) articles per CPU second.*/\1/p')
echo "in-process rate (b) on the seed article, $workers threads: $inproc articles/s ($inproc_cpu per CPU second)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$build/src/khabar" serve --bind 127.0.0.1 --port "$port" --workers "$workers" --queue-length 4096 \
	2>/dev/null &
khabar_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done

wrk_post() { # BODY CONNECTIONS
	BODY=$1 wrk -t2 -c"$2" -d"${seconds}s" --latency -s bench/wrk_post.lua "http://127.0.0.1:$port/v1/analyze" |
		grep '^RESULT'
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# CPU seconds the server has used (user + system), from /proc
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$khabar_pid/stat"; }

echo "== HTTP: khabar serve, $workers workers, wrk -t2 -c16 ${seconds}s, seed article"
cpu0=$(server_cpu)
# wrk's own CPU seconds (user + system), from its rusage, into $tmp/wrk.cpu
r_seed=$(BODY=$seed python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f\n" % (r.ru_utime + r.ru_stime))' "$tmp/wrk.cpu" \
	wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_post.lua "http://127.0.0.1:$port/v1/analyze" |
	grep '^RESULT')
cpu1=$(server_cpu)
echo "$r_seed"
rps_seed=$(field "$r_seed" rps)
# wrk shares the cores: even a server that added nothing to the in-process CPU per article
# could not pass cores / (CPU per article + wrk's CPU per request).
python3 -c "import sys; w=float(sys.argv[1])/float(sys.argv[2]); a=1/float(sys.argv[3]); b=float(sys.argv[5]); cap=int(sys.argv[4])/(a+w); print('wrk CPU per request: %.3f ms; ceiling for a server adding nothing to the analysis on these %s cores: %.0f req/s = %.2f of (b)' % (1e3*w, sys.argv[4], cap, cap/b))" \
	"$(cat "$tmp/wrk.cpu")" "$(field "$r_seed" requests)" "$inproc_cpu" "$workers" "$inproc"
# On a shared machine the wall-clock rates move with other load; CPU per request does not.
python3 -c "import sys; c=float(sys.argv[2])-float(sys.argv[1]); n=float(sys.argv[3]); i=float(sys.argv[4]); print('server CPU per request: %.3f ms; in-process CPU per article: %.3f ms; ratio %.2f' % (1e3*c/n, 1e3/i, (1/i)/(c/n)))" \
	"$cpu0" "$cpu1" "$(field "$r_seed" requests)" "$inproc_cpu"
# where the analyses ran: on the polling thread that read the request, or handed to a worker
curl -s "http://127.0.0.1:$port/metrics" |
	sed -n 's/^kh_jobs_run_total{thread="\([a-z]*\)"} \([0-9]*\)/\1 \2/p' | tr '\n' ' ' |
	awk '{ for (i = 1; i < NF; i += 2) n[$i] = $(i + 1) }
	     END { printf "jobs run so far: %d on polling threads, %d on workers\n", n["polling"], n["worker"] }'
rate80=$(python3 -c "print(round(0.8 * $inproc, 1))")
echo "== HTTP: open loop at 80% of (b) = $rate80 req/s, 32 connections, ${seconds}s"
r80=$("$build/bench/loadgen" "$port" /v1/analyze "$seed" "$rate80" "$seconds" 32)
echo "$r80"
# the same at 80% of what the server itself sustained under wrk: its latency below saturation
own80=$(python3 -c "print(round(0.8 * $rps_seed, 1))")
echo "== HTTP: open loop at 80% of the server's own wrk rate = $own80 req/s, 32 connections, ${seconds}s"
"$build/bench/loadgen" "$port" /v1/analyze "$seed" "$own80" "$seconds" 32
echo "== HTTP: one-sentence article, wrk -t2 -c16 ${seconds}s"
r_one=$(wrk_post "$tmp/one.txt" 16)
echo "$r_one"

curl -s -H 'Content-Type: text/plain; charset=utf-8' --data-binary @"$tmp/one.txt" \
	"http://127.0.0.1:$port/v1/analyze" > "$tmp/static.json"
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$tmp/nginx.conf" <<NGINX
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$nport;
		location / { root $tmp; }
	}
}
NGINX
chmod a+rx "$tmp" && chmod a+r "$tmp/static.json"
nginx -p "$tmp" -c "$tmp/nginx.conf"
sleep 0.3
echo "== HTTP floor: nginx (1 worker) serving a static file of the response's size ($(wc -c < "$tmp/static.json") bytes)"
r_nginx=$(wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_get.lua "http://127.0.0.1:$nport/static.json" | grep '^RESULT')
echo "$r_nginx"

python3 - "$inproc" "$rps_seed" "$(field "$r80" p99_ms)" "$(field "$r_one" rps)" "$(field "$r_nginx" rps)" <<'PY'
import sys
inproc, rps_seed, p99_80, rps_one, rps_nginx = map(float, sys.argv[1:])
print('== ratios')
print('server seed rate / in-process (b): %.2f (target >= 0.80)' % (rps_seed / inproc))
print('p99 at 80%% of (b): %.2f ms (target < 20 ms)' % p99_80)
print('one-sentence rate / nginx static: %.2f (target >= 0.30)' % (rps_one / rps_nginx))
PY

# ---- batch mode (issue 11): khabar analyze over the corpus repeated, all cores, --out ----
batch_repeat=${BATCH_REPEAT:-50}
for r in $(seq "$batch_repeat"); do mkdir -p "$tmp/batch/r$r" && cp "$tmp"/texts/*.txt "$tmp/batch/r$r/"; done
echo "== batch: khabar analyze --jobs $workers --out DIR over $(find "$tmp/batch" -name '*.txt' | wc -l) files (corpus x $batch_repeat)"
"$build/src/khabar" analyze --no-progress --jobs "$workers" --out "$tmp/batch-out" "$tmp/batch" 2>&1 >/dev/null |
	sed -n 's/^khabar analyze: \(.*\)/batch: \1/p'
