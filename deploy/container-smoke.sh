#!/bin/bash
# SPDX-License-Identifier: MIT
# Container smoke test: build the khabar image from the Dockerfile, run it the way a platform
# would (non-root, read-only root filesystem, no capabilities), and check it from the outside.
#
#   sudo deploy/container-smoke.sh            (from the repository root or anywhere)
#
# What it does, printing one line per check and exiting non-zero on the first failure:
#   - installs podman, buildah, debootstrap, runc, ... with apt-get when they are missing;
#   - finds a base image: $KHABAR_SMOKE_BASE, else a local debootstrap image it made before,
#     else debian:bookworm-slim from a registry, else it makes the local one
#     (debootstrap --variant=minbase bookworm + podman import) and keeps it for the next run;
#   - podman build --isolation=chroot --format docker (chroot: this host's cgroup v1 hybrid
#     mode defeats crun; docker format: OCI images drop HEALTHCHECK);
#   - podman run --runtime runc with explicit ulimits (the sandbox cannot raise RLIMIT_NPROC),
#     publishing 127.0.0.1:PORT -> 8080;
#   - checks the image metadata, /healthz, /readyz, an analysis of tests/data/deploy-smoke-ar.txt
#     through the published port, the access log, uid 10001, `podman healthcheck run`, and a
#     SIGTERM stop (`podman stop`) with exit code 0 well inside the stop timeout;
#   - removes the container and dangling images; keeps the tagged image and the base.
# Not part of `meson test`: it takes minutes and needs root.  Environment knobs:
#   KHABAR_SMOKE_BASE   base image to build FROM (skips the registry probe and debootstrap)
#   KHABAR_SMOKE_PORT   host port to publish on (default: a free one)
#   KHABAR_SMOKE_IMAGE  tag of the built image (default localhost/khabar:smoke)
#   KHABAR_SMOKE_KEEP=0 also remove the built image at the end
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
image=${KHABAR_SMOKE_IMAGE:-localhost/khabar:smoke}
local_base=localhost/debian-bookworm-local:minbase
container=khabar-smoke-$$
article=$src/tests/data/deploy-smoke-ar.txt
run_flags=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
checks=0
t0=$(date +%s)

# podman 4.3 logs that it cannot set up health-check timers without systemd; drop that noise.
quiet_podman() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
say() { printf '[%4ds] %s\n' "$(($(date +%s) - t0))" "$*"; }
pass() { checks=$((checks + 1)); say "PASS $*"; }
fail() {
	say "FAIL $*"
	if podman container exists "$container" 2>/dev/null; then
		say "---- container log (last 30 lines) ----"
		podman logs --tail 30 "$container" 2>&1 | sed 's/^/    /' || true
	fi
	exit 1
}

cleanup() {
	local rc=$?
	if command -v podman >/dev/null 2>&1; then
		podman rm -f -t 0 "$container" >/dev/null 2>&1 || true
		podman image prune -f >/dev/null 2>&1 || true
		if [ "${KHABAR_SMOKE_KEEP:-1}" = 0 ]; then
			podman rmi -f "$image" >/dev/null 2>&1 || true
		fi
	fi
	if [ -n "${rootfs:-}" ]; then
		rm -rf "$rootfs"
	fi
	if [ $rc -eq 0 ]; then
		say "container smoke: all $checks checks passed"
	else
		say "container smoke: FAILED (exit $rc) after $checks passed checks"
	fi
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (podman build with chroot isolation, debootstrap)"
[ -f "$src/Dockerfile" ] || fail "no Dockerfile in $src"
[ -f "$article" ] || fail "no test article $article"

# ---- tools ----------------------------------------------------------------------------------
need=()
for p in podman buildah debootstrap runc uidmap fuse-overlayfs slirp4netns python3; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		need+=("$p")
	fi
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
pass "tools: $(podman --version), $(buildah --version | cut -d' ' -f1-3), runc $(runc --version | sed -n '1s/runc version //p')"

# A tiny HTTP client (stdlib only): prints "STATUS<TAB>HEADERS-AS-JSON<TAB>BODY".
http() { # METHOD URL [BODY_FILE CONTENT_TYPE]
	python3 - "$@" <<'PY'
import json, sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
data = open(sys.argv[3], 'rb').read() if len(sys.argv) > 3 else None
req = urllib.request.Request(url, data=data, method=method)
if data is not None:
    req.add_header('Content-Type', sys.argv[4])
req.add_header('X-Request-ID', 'smoke-1')
try:
    with urllib.request.urlopen(req, timeout=30) as r:
        status, headers, body = r.status, dict(r.headers), r.read()
except urllib.error.HTTPError as e:
    status, headers, body = e.code, dict(e.headers), e.read()
except Exception as e:
    status, headers, body = 0, {}, str(e).encode()
sys.stdout.write('%d\t%s\t%s' % (status, json.dumps(headers), body.decode('utf-8', 'replace').replace('\n', ' ')))
PY
}

# ---- base image -----------------------------------------------------------------------------
base=${KHABAR_SMOKE_BASE:-}
if [ -z "$base" ] && podman image exists "$local_base"; then
	base=$local_base
	say "reusing the local base image $base"
fi
if [ -z "$base" ]; then
	say "trying a registry: podman pull docker.io/library/debian:bookworm-slim"
	if timeout 60 podman pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
		base=docker.io/library/debian:bookworm-slim
	fi
fi
if [ -z "$base" ]; then
	# The mirror this machine's apt already uses (deb822 or one-line format).
	mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
	if [ -z "$mirror" ]; then
		mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	fi
	mirror=${mirror:-http://deb.debian.org/debian}
	rootfs=$(mktemp -d /var/tmp/khabar-rootfs.XXXXXX)
	say "no registry reachable: debootstrap --variant=minbase bookworm from $mirror"
	debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
		{ tail -n 20 "$rootfs.log"; fail "debootstrap"; }
	rm -f "$rootfs.log"
	rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
	tar -C "$rootfs" -c . | podman import -q - "$local_base" >/dev/null || fail "podman import"
	rm -rf "$rootfs"
	rootfs=
	base=$local_base
fi
pass "base image $base ($(podman image inspect --format '{{.Size}}' "$base" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"

# ---- build ----------------------------------------------------------------------------------
say "podman build --isolation=chroot --format docker --build-arg BASE=$base -t $image"
build_log=$(mktemp)
if ! podman build --isolation=chroot --format docker --build-arg BASE="$base" -t "$image" \
	-f "$src/Dockerfile" "$src" >"$build_log" 2>&1; then
	tail -n 40 "$build_log"
	rm -f "$build_log"
	fail "image build"
fi
grep -qi 'HEALTHCHECK is not supported' "$build_log" && fail "HEALTHCHECK dropped by the image format"
rm -f "$build_log"
podman image prune -f >/dev/null 2>&1 || true
pass "image built: $image ($(podman image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"

# ---- image metadata -------------------------------------------------------------------------
meta() { podman image inspect --format "$1" "$image"; }
[ "$(meta '{{.Config.User}}')" = "10001:10001" ] || fail "USER is '$(meta '{{.Config.User}}')'"
pass "USER 10001:10001"
meta '{{json .Config.ExposedPorts}}' | grep -q '"8080/tcp"' || fail "EXPOSE 8080 missing"
pass "EXPOSE 8080/tcp"
[ "$(meta '{{.Config.StopSignal}}')" = "SIGTERM" ] || fail "STOPSIGNAL is '$(meta '{{.Config.StopSignal}}')'"
pass "STOPSIGNAL SIGTERM"
[ "$(meta '{{json .Config.Entrypoint}}')" = '["/usr/local/bin/khabar","serve"]' ] ||
	fail "ENTRYPOINT is $(meta '{{json .Config.Entrypoint}}')"
pass "exec-form ENTRYPOINT [\"/usr/local/bin/khabar\",\"serve\"]"
hc=$(meta '{{json .Config.Healthcheck}}')
echo "$hc" | grep -q '"/usr/local/bin/khabar","probe"' || fail "HEALTHCHECK is $hc"
pass "HEALTHCHECK CMD [\"/usr/local/bin/khabar\",\"probe\"]"
if quiet_podman run --rm "${run_flags[@]}" --entrypoint /bin/sh "$image" -c \
	'command -v curl || command -v wget || command -v gcc || command -v cc' >/dev/null 2>&1; then
	fail "the runtime image carries curl, wget or a compiler"
fi
pass "no curl, wget or compiler in the runtime image"
quiet_podman run --rm "${run_flags[@]}" --entrypoint /bin/sleep "$image" 0 >/dev/null 2>&1 ||
	fail "/bin/sleep missing: the Kubernetes preStop hook (deploy/k8s/deployment.yaml) needs it"
pass "/bin/sleep present for the Kubernetes preStop hook"

n=$(quiet_podman run --rm -i "${run_flags[@]}" --entrypoint /usr/local/bin/khabar "$image" analyze - <"$article" |
	python3 -c 'import json, sys; print(len(json.load(sys.stdin)["entities"]))' 2>/dev/null || echo 0)
[ "$n" -ge 1 ] || fail "khabar analyze inside the image finds no entities (installed lexicons not found?)"
pass "khabar analyze inside the image uses the installed lexicons ($n entities)"

# ---- run ------------------------------------------------------------------------------------
port=${KHABAR_SMOKE_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
# The same restrictions as deploy/k8s/deployment.yaml: read-only root, no capabilities,
# no privilege escalation.  --health-interval=disable: podman schedules periodic health
# checks with systemd timers, and there is no systemd here; `podman healthcheck run` below
# runs the image's HEALTHCHECK command all the same.
podman run -d --name "$container" "${run_flags[@]}" -p "127.0.0.1:$port:8080" --health-interval=disable \
	--read-only --cap-drop ALL --security-opt no-new-privileges "$image" \
	2> >(grep -v 'unable to get systemd connection' >&2) >/dev/null ||
	fail "podman run"
say "started $container on 127.0.0.1:$port (runc, read-only, cap-drop ALL, no-new-privileges)"

base_url=http://127.0.0.1:$port
for _ in $(seq 1 60); do
	out=$(http GET "$base_url/healthz")
	[ "${out%%$'\t'*}" = 200 ] && break
	[ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || fail "container exited early"
	sleep 0.5
done
[ "${out%%$'\t'*}" = 200 ] || fail "GET /healthz through the published port: ${out:0:200}"
pass "GET /healthz -> 200"
for _ in $(seq 1 60); do
	out=$(http GET "$base_url/readyz")
	[ "${out%%$'\t'*}" = 200 ] && break
	sleep 0.5
done
[ "${out%%$'\t'*}" = 200 ] || fail "GET /readyz: ${out:0:200}"
pass "GET /readyz -> 200"

out=$(http POST "$base_url/v1/analyze" "$article" 'text/plain; charset=utf-8')
status=${out%%$'\t'*}
body=${out##*$'\t'}
[ "$status" = 200 ] || fail "POST /v1/analyze: ${out:0:300}"
printf '%s' "$body" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("entities", "attributions", "events", "sentences"):
    assert isinstance(d.get(k), list), "no list %s" % k
# The article names people, places and organisations of the lexicons: none found would mean
# the image carries no (or the wrong) lexicons.
assert len(d["entities"]) >= 1, "no entities: are the lexicons in the image?"
print("%d sentences, %d entities (%s), %d attributions, %d events" %
      (len(d["sentences"]), len(d["entities"]),
       ", ".join("%s %s" % (e["type"], e["name"]) for e in d["entities"][:4]) + (", ..." if len(d["entities"]) > 4 else ""),
       len(d["attributions"]), len(d["events"])))
' >/tmp/khabar-smoke-summary.$$ 2>&1 || { cat /tmp/khabar-smoke-summary.$$; rm -f /tmp/khabar-smoke-summary.$$; fail "analysis JSON: ${body:0:300}"; }
pass "POST /v1/analyze (tests/data/deploy-smoke-ar.txt, text/plain) -> 200, $(cat /tmp/khabar-smoke-summary.$$)"
rm -f /tmp/khabar-smoke-summary.$$
echo "$out" | cut -f2 | grep -qi '"X-Request-ID": "smoke-1"' || fail "X-Request-ID not echoed: $(echo "$out" | cut -f2)"
pass "X-Request-ID echoed"

out=$(http GET "$base_url/v1/info")
[ "${out%%$'\t'*}" = 200 ] || fail "GET /v1/info: ${out:0:200}"
lex=$(printf '%s' "${out##*$'\t'}" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(" ".join("%s=%s" % kv for kv in sorted(d.get("lexicons", {}).items())))')
[ -n "$lex" ] || fail "GET /v1/info lists no lexicons"
pass "GET /v1/info: lexicons loaded from the image: $lex"

out=$(http GET "$base_url/metrics")
[ "${out%%$'\t'*}" = 200 ] && echo "$out" | grep -q 'kh_' || fail "GET /metrics: ${out:0:200}"
pass "GET /metrics -> 200, Prometheus text"

sleep 0.3
podman logs "$container" 2>&1 | grep '"request_id":"smoke-1"' | grep -q '"client_ip"' ||
	fail "no JSON access log line with request_id smoke-1 and client_ip on stderr"
pass "JSON access log on stderr: $(podman logs "$container" 2>&1 | grep '"request_id":"smoke-1"' | grep '/v1/analyze' | tail -n1 | cut -c1-220)"

uids=$(podman exec "$container" sed -n 's/^Uid:[[:space:]]*//p' /proc/1/status | tr -s '\t ' ' ')
[ "$uids" = "10001 10001 10001 10001" ] || fail "PID 1 runs with uids '$uids'"
comm=$(podman exec "$container" cat /proc/1/comm)
[ "$comm" = khabar ] || fail "PID 1 is '$comm', not khabar"
pass "PID 1 is khabar, uid/euid/suid/fsuid 10001 ($(podman exec "$container" id))"

hc_out=$(podman healthcheck run "$container" 2>&1) || fail "podman healthcheck run: $hc_out"
pass "podman healthcheck run -> ${hc_out:-healthy} ($(podman inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo '?'))"

# ---- SIGTERM --------------------------------------------------------------------------------
stop_start=$(date +%s.%N)
# (podman 4.3 complains that it cannot remove a systemd health timer; there is none.)
podman stop -t 20 "$container" 2> >(grep -v 'unable to get systemd connection' >&2) >/dev/null ||
	fail "podman stop"
stop_took=$(python3 -c "import sys; print('%.1f' % ($(date +%s.%N) - $stop_start))")
code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
[ "$code" = 0 ] || fail "exit code after SIGTERM is $code (137 would mean SIGKILL after the timeout)"
pass "podman stop (SIGTERM) -> exit code 0 in ${stop_took}s"
say "---- last log lines ----"
podman logs --tail 4 "$container" 2>&1 | cut -c1-200 | sed 's/^/    /'
exit 0
