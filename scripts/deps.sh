#!/bin/sh
# Install what khabar needs on Debian 12 (bookworm); only missing packages are installed.
# Run as root (or with sudo available).
#   scripts/deps.sh          build + run dependencies
#   scripts/deps.sh --test   also what the test suite drives: nginx (proxy test), PyYAML
#                            (k8s manifest check), Chromium + playwright-core (page test),
#                            clang's sanitizer and fuzzer runtimes
set -eu
cd "$(dirname "$0")/.."

PACKAGES="
gcc libc6-dev pkg-config meson ninja-build
libmicrohttpd-dev libjansson-dev libicu-dev libinih-dev
python3 curl ca-certificates
"
if [ "${1:-}" = "--test" ]; then
	PACKAGES="$PACKAGES
nginx-light python3-yaml wrk valgrind clang libclang-rt-14-dev
chromium fonts-noto-core fonts-noto-color-emoji
"
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	SUDO="none"
fi
if [ -n "$missing" ]; then
	if [ "$SUDO" = none ]; then
		echo "deps: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "deps: installing$missing" >&2
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The page test's browser driver, pinned by tests/e2e/package-lock.json.
if [ "${1:-}" = "--test" ] && command -v npm >/dev/null 2>&1 &&
	[ ! -d tests/e2e/node_modules/playwright-core ]; then
	npm ci --prefix tests/e2e --no-audit --no-fund >&2 || echo "deps: npm ci failed; the page test will skip" >&2
fi
exit 0
