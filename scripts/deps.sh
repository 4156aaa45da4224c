#!/bin/sh
# Install what khabar needs to build, run and test, on Debian 12 (bookworm).
# Only packages that are missing are installed; run as root (or with sudo available).
#   scripts/deps.sh            build + run + test dependencies
set -eu

PACKAGES="
gcc libc6-dev pkg-config meson ninja-build
libmicrohttpd-dev libjansson-dev libicu-dev libinih-dev
python3 curl ca-certificates
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
