#!/bin/sh
# Install the Debian packages hwflash needs, only those that are missing,
# and say which.  Runs apt-get update only when the install fails without it.
#
#   deps.sh          build + test packages (make deps, make check, make demo),
#                    the Windows toolchain and wine64 among them
#   deps.sh build    only what building hwflash needs
#   deps.sh fuzz     clang and libFuzzer's runtime (make fuzz), so that
#                    `make check` never needs clang
#   deps.sh windows  the mingw-w64 toolchain, its zlib, wine64 and dpkg-dev
#                    (apt-get source) for make windows / check-windows, plus
#                    the Linux -dev packages whose versions win/libs.sh builds
#
# Without root nothing can be installed: a missing build package is an
# error (the build would fail anyway), missing test packages are named and
# the tests that need them say "skip" instead of failing.
set -e
# Needed: to build hwflash, and (not for `build`) to build the unit tests.
BUILD="build-essential pkg-config libusb-1.0-0-dev zlib1g-dev libssl-dev liblz4-dev libcunit1-dev
libminizip-dev"
# The judges and tools of the integration tests, the simulated USB device, benchmarks.
TEST="fastboot android-sdk-libsparse-utils mkbootimg abootimg dosfstools mtools fdisk cpio
lz4 zip unzip e2fsprogs umockdev libumockdev-dev valgrind python3 gcc-aarch64-linux-gnu
libc6-dev-arm64-cross qemu-user mandoc bash-completion openssl"
# The Windows build and its tests under wine (make windows, make check-windows; make check
# runs check-windows-quick), plus dpkg-dev for win/libs.sh's apt-get source.
WINDOWS="gcc-mingw-w64-x86-64 libz-mingw-w64-dev wine64 dpkg-dev"
TEST="$TEST $WINDOWS"
case "${1:-}" in
build) BUILD="build-essential pkg-config libusb-1.0-0-dev zlib1g-dev libssl-dev liblz4-dev" TEST="" ;;
fuzz) BUILD="clang libclang-rt-14-dev" TEST="" ;;
windows) BUILD="$WINDOWS libusb-1.0-0-dev libminizip-dev libssl-dev libcunit1-dev liblz4-dev"
	TEST="" ;;
esac

missing_of() {
	for p in $1; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf ' %s' "$p"
	done
}
mb=$(missing_of "$BUILD")
mt=$(missing_of "$TEST")
[ -z "$mb$mt" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	if [ -n "$mb" ]; then
		echo "make deps: missing to build:$mb (as root: apt-get install$mb)" >&2
		exit 1
	fi
	echo "make deps: missing for some tests:$mt (as root: apt-get install$mt);" \
		"the tests that need them are skipped" >&2
	exit 0
fi
echo "make deps: installing$mb$mt"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $mb $mt; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends $mb $mt
fi
