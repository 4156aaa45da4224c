#!/bin/sh
# Fuzz one target with libFuzzer + ASan + UBSan for a given time:
#   scripts/fuzz.sh TARGET SECONDS      (TARGET: see tests/meson.build fuzz_targets)
# New inputs that raise coverage are kept in build-fuzz/corpus-TARGET; a crash is
# written to tests/fuzz/artifacts/ — copy it into tests/fuzz/corpus/TARGET/ as a
# regression input once fixed.
set -eu
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}
cd "$(dirname "$0")/.."
if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dsanitize=true -Dbuildtype=debugoptimized
fi
ninja -C build-fuzz "tests/fuzz_$target"
mkdir -p "build-fuzz/corpus-$target" tests/fuzz/artifacts
export KHABAR_DATA_DIR="$PWD/data"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
exec "build-fuzz/tests/fuzz_$target" -max_total_time="$seconds" -dict=tests/fuzz/arabic.dict \
	-artifact_prefix=tests/fuzz/artifacts/ -max_len=65536 -timeout=10 \
	"build-fuzz/corpus-$target" "tests/fuzz/corpus/$target"
