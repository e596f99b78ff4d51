#!/bin/sh
# The image check's verdicts at flash time, against the simulated device:
# a boot image whose id no longer matches its kernel, vbmeta images that do
# not verify.  Nothing is downloaded for a refused image; --force sends it.
#
# The vbmeta cases need the flash gate to run the image check for vbmeta
# partitions (branch h/gate); before that, `flash vbmeta` only sniffs.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg cpio gzip lz4 openssl
tools=$(cd "$(dirname "$0")/../tools" && pwd)
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"

flip() { python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 0x10
open(sys.argv[3], "wb").write(b)' "$@"; }
downloads() { grep -c '^download:' "$T/$1/commands.log"; }

random kernel 2000000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
random dtb 20000
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb dtb -o boot.img
flip boot.img 100000 boot-kernel.img		# a kernel byte
# A ramdisk the check cannot read (not gzip/lz4/cpio): only the id sees the change.
random rdraw 300000
mkbootimg --kernel kernel --ramdisk rdraw -o boot0.img
flip boot0.img $((2048 + 977 * 2048 + 100)) boot0-ramdisk.img	# a ramdisk byte
openssl genrsa -out key.pem 2048 2> /dev/null
python3 "$tools/avbfoot.py" --vbmeta vbmeta.img --key key.pem --hash boot=boot.img
flip vbmeta.img 300 vbmeta-sig.img		# the signature
random rnd.bin 4096

start_sim dev --product hwsim --partition boot_a:16M --partition boot_b:16M \
	--partition recovery:16M --partition vbmeta_a:1M --partition vbmeta_b:1M
S="tcp:127.0.0.1:$PORT"

# The boot image id: the check refuses, --force overrides, over an A/B device.
run_hw 0 "a pristine boot image is flashed" -s "$S" flash boot boot.img
check "boot_a holds it" cmp -n "$(stat -c %s boot.img)" dev/boot_a.img boot.img
for img in boot-kernel.img boot0-ramdisk.img; do
	n0=$(downloads dev)
	run_hw 1 "$img: refused" -s "$S" flash boot $img
	expect_in "$T/err" "changed after the image was made" "$img: the reason"
	expect_in "$T/err" "nothing was sent" "$img: nothing sent, said"
	one_line "$T/err" "$img: one line"
	check "$img: nothing downloaded" test "$(downloads dev)" = "$n0"
	run_hw 1 "$img: refused for recovery too" -s "$S" flash recovery $img
	check "$img: still nothing downloaded" test "$(downloads dev)" = "$n0"
done
run_hw 0 "--force flashes a changed kernel anyway" -s "$S" --force flash boot boot-kernel.img
expect_in "$T/err" "--force: flashing boot-kernel.img to boot despite" "--force says what it skips"
check "the forced image is stored" cmp -n "$(stat -c %s boot-kernel.img)" dev/boot_a.img \
	boot-kernel.img
run_hw 0 "--slot b --force" -s "$S" --slot b --force flash boot boot0-ramdisk.img
check "boot_b holds it" cmp -n "$(stat -c %s boot0-ramdisk.img)" dev/boot_b.img boot0-ramdisk.img

# vbmeta (needs h/gate's check for vbmeta partitions).
run_hw 0 "a signed vbmeta image is flashed" -s "$S" flash vbmeta vbmeta.img
check "vbmeta_a holds it" cmp -n 4096 dev/vbmeta_a.img vbmeta.img
for img in vbmeta-sig.img rnd.bin; do
	n0=$(downloads dev)
	run_hw 1 "vbmeta: $img refused" -s "$S" flash vbmeta $img
	check "vbmeta: $img: nothing downloaded" test "$(downloads dev)" = "$n0"
done
run_hw 0 "--force flashes a vbmeta that does not verify" -s "$S" --force flash vbmeta \
	vbmeta-sig.img
check "the forced vbmeta is stored" cmp -n 4096 dev/vbmeta_a.img vbmeta-sig.img
