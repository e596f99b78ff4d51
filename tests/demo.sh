#!/bin/sh
# make demo: what a user sees.  Starts the simulated fastboot device
# (tests/sim/fbsim) on a free loopback port and flashes a checked
# recovery.img to it, shows a web page refused before anything is sent;
# then builds a sample UPDATE.APP with `app pack`, lists, checks and
# extracts it, and shows what happens to a damaged copy.
set -eu
: "${HWFLASH:?}"
: "${FBSIM:?}"
D=$(mktemp -d "${TMPDIR:-/tmp}/hwflash-demo-XXXXXX")
SIM=""
trap '[ -n "$SIM" ] && kill "$SIM" 2> /dev/null; rm -rf "$D"' EXIT INT TERM
cd "$D"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
hw() { say "hwflash $*"; "$HWFLASH" "$@"; }

# Sample images: a real Android boot image when mkbootimg is there.
head -c 3000000 /dev/urandom > kernel
mkdir -p rd/sbin rd/etc
echo recovery > rd/sbin/recovery
head -c 700000 /dev/urandom > rd/etc/blob
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > ramdisk
if command -v mkbootimg > /dev/null 2>&1; then
	mkbootimg --kernel kernel --ramdisk ramdisk --header_version 2 --pagesize 4096 \
		--dtb kernel --output boot.img > /dev/null
	mkbootimg --kernel kernel --ramdisk ramdisk --header_version 2 --pagesize 4096 \
		--dtb kernel --output recovery.img > /dev/null
else
	cp kernel boot.img
	cp ramdisk recovery.img
fi
# A system image as phones carry it: an ext4 file system (random data inside, so the
# sparse pieces carry data).
mkdir -p sysroot/app && head -c 20000000 /dev/urandom > sysroot/app/data.bin
mkfs.ext4 -q -F -b 4096 -d sysroot system.img 32M > /dev/null 2>&1 ||
	head -c 24000000 /dev/urandom > system.img
printf 'DEMO-LX1 9.1.0.100(C00E100R1P1)' > curver.txt

# 1. fastboot: the simulated device on 127.0.0.1, as a phone in fastboot mode would be.
"$FBSIM" --tcp 0 --store "$D/device" --product DEMO-LX1 --max-download 16M > sim.out 2>&1 &
SIM=$!
i=0
while ! grep -q listening sim.out 2> /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' sim.out)
export ANDROID_SERIAL="tcp:127.0.0.1:$PORT"
say "export ANDROID_SERIAL=$ANDROID_SERIAL   # the simulated device (tests/sim/fbsim)"
hw getvar all
hw flash recovery recovery.img
say "cmp device/recovery.img recovery.img   # what the device stored"
cmp "$D/device/recovery.img" recovery.img && echo "identical"
hw flash system system.img
printf '<!DOCTYPE html>\n<html><head><title>Download</title></head></html>\n' > page.img
say "hwflash flash recovery page.img   # a web page saved as an image"
"$HWFLASH" flash recovery page.img || echo "(exit status $?: nothing was sent to the device)"
say "grep -c download: device/commands.log   # downloads the device saw"
grep -c '^download:' "$D/device/commands.log"
kill "$SIM" 2> /dev/null
SIM=""
unset ANDROID_SERIAL

# 2. UPDATE.APP packages.
hw app pack -o UPDATE.APP --hwid HW7x27 BOOT=boot.img RECOVERY=recovery.img \
	SYSTEM=system.img CURVER=curver.txt
hw app list UPDATE.APP
hw app check UPDATE.APP
hw app extract UPDATE.APP -o extracted RECOVERY BOOT
say "cmp extracted/recovery.img recovery.img"
cmp extracted/recovery.img recovery.img && echo "identical"

# A copy damaged in the middle of SYSTEM, as a bad download would be.
cp UPDATE.APP damaged.APP
off=$("$HWFLASH" app list --json UPDATE.APP | python3 -c \
	'import json,sys; print([e for e in json.load(sys.stdin)["entries"] if e["name"]=="SYSTEM"][0]["offset"])')
printf 'XXXX' | dd of=damaged.APP bs=1 seek=$((off + 1000000)) conv=notrunc 2> /dev/null
say "hwflash app check damaged.APP   # one byte changed in SYSTEM"
"$HWFLASH" app check damaged.APP || echo "(exit status $?: nothing would be flashed from this file)"
printf '<!DOCTYPE html>\n<html><head><title>Download</title></head></html>\n' > page.APP
say "hwflash app check page.APP   # a web page saved under the package's name"
"$HWFLASH" app check page.APP || echo "(exit status $?)"

# The images themselves: is recovery.img whole and sound for the recovery partition?
hw image check --partition recovery recovery.img
head -c 2000000 recovery.img > cut-recovery.img
say "hwflash image check --partition recovery cut-recovery.img   # a download cut short"
"$HWFLASH" image check --partition recovery cut-recovery.img || echo "(exit status $?)"
cp page.APP page-recovery.img
say "hwflash image check --partition recovery page-recovery.img"
"$HWFLASH" image check --partition recovery page-recovery.img || echo "(exit status $?)"


# 3. A dload SD card (an image file stands in for the card).
truncate -s 256M card.img
hw dload prepare UPDATE.APP card.img --format --yes
hw dload check card.img
