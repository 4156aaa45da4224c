#!/bin/sh
# Install what is missing, build, and run the whole test suite (unit + integration tests
# against the real server).  Works as root on a fresh Debian 12 machine.
#   sh scripts/test.sh              build/ (debugoptimized)
#   sh scripts/test.sh --sanitize   build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer)
set -eu
cd "$(dirname "$0")/.."

dir=build
opts=""
mult=1
if [ "${1:-}" = "--sanitize" ]; then
	dir=build-asan
	opts="-Dsanitize=true"
	mult=4
fi

sh scripts/deps.sh --test
if [ -f "$dir/build.ninja" ]; then
	# shellcheck disable=SC2086
	[ -n "$opts" ] && meson configure "$dir" $opts
else
	# shellcheck disable=SC2086
	meson setup "$dir" $opts
fi
ninja -C "$dir"
# Leaks fail the run: every integration test stops the server and checks exit code 0.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}"
meson test -C "$dir" --print-errorlogs --timeout-multiplier "$mult"
