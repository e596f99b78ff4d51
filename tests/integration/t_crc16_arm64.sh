#!/bin/sh
# The arm64 PMULL CRC path, cross-compiled and run under qemu-user
# (packages gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v aarch64-linux-gnu-gcc > /dev/null || ! command -v qemu-aarch64 > /dev/null; then
	fail "arm64 cross compiler and qemu-aarch64 are needed (make deps installs them)"
	exit 0
fi
check "cross-compile the CRC self test for arm64" aarch64-linux-gnu-gcc -O2 -std=c11 \
	-D_GNU_SOURCE -Wall -Wextra -Werror -I"$top" \
	"$top/tests/tools/crc16_selftest.c" "$top/formats/core/crc16.c" -o "$T/crc16-arm64"
QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64 "$T/crc16-arm64" pmull
