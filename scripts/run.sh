#!/bin/sh
# Install what is missing, build, and start `khabar serve` on port 8080 with the
# built-in defaults (Ctrl-C or SIGTERM stops it gracefully).  Extra arguments are
# passed to `khabar serve`, e.g.  sh scripts/run.sh --workers 4
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
exec build/src/khabar serve "$@"
