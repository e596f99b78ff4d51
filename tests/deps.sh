#!/bin/sh
# Install the Debian packages hwflash needs to build, test and benchmark,
# only those that are missing.  Runs apt-get update only when it must.
set -e
PKGS="build-essential pkg-config libusb-1.0-0-dev zlib1g-dev libssl-dev libminizip-dev
libcunit1-dev fastboot android-sdk-libsparse-utils mkbootimg abootimg dosfstools mtools
fdisk cpio lz4 zip unzip e2fsprogs umockdev libumockdev-dev valgrind python3
gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user mandoc bash-completion"
# `deps.sh fuzz` (make fuzz): clang and its libFuzzer runtime only, so that
# `make check` never needs clang.
[ "${1:-}" = fuzz ] && PKGS="clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "make deps: need root to install:$missing (run as root or install them yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi
