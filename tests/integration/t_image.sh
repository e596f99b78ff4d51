#!/bin/sh
# hwflash image info | check | unpack on images made by mkbootimg (Debian),
# AVB footers laid out from the spec by tests/tools/avbfoot.py.
. "$(dirname "$0")/lib.sh"
tools=$(cd "$(dirname "$0")/../tools" && pwd)
cd "$T"
random kernel 3000000
random ramdisk 500000
random dtb 20000
for v in 0 1 2 3; do
	extra=""
	[ $v = 2 ] && extra="--dtb dtb"
	mkbootimg --kernel kernel --ramdisk ramdisk --header_version $v --os_version 11.0.0 \
		--os_patch_level 2021-05 $extra -o boot$v.img > /dev/null 2>&1
	run_hw 0 "check a mkbootimg v$v image" image check boot$v.img
	expect_in "$T/out" "header v$v" "v$v header recognised"
done
expect_in "$T/out" "OK (Android boot image)" "OK line"
run_hw 0 "v2 id verified" image check boot2.img
expect_in "$T/out" "SHA-1 id matches" "SHA-1 id of a v2 image recomputed"

run_hw 0 "info --json of a v2 image" image info --json boot2.img
check "info fields match mkbootimg's input" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["kind"]=="Android boot image" and d["header_version"]==2
assert d["os_version"]=="11.0.0" and d["patch_level"]=="2021-05", d
s={x["name"]:x for x in d["sections"]}
assert s["kernel"]["size"]==3000000 and s["ramdisk"]["size"]==500000 and s["dtb"]["size"]==20000
' "$T/out"

run_hw 0 "unpack" image unpack boot2.img -o parts
check "unpacked kernel equals the input" cmp parts/kernel kernel
check "unpacked ramdisk equals the input" cmp parts/ramdisk ramdisk
check "unpacked dtb equals the input" cmp parts/dtb dtb
if command -v unpack_bootimg > /dev/null; then
	unpack_bootimg --boot_img boot2.img --out peer > /dev/null 2>&1
	check "unpack agrees with AOSP unpack_bootimg" cmp parts/kernel peer/kernel
fi

# The diagnoses this project exists for.
head -c 2000000 boot2.img > cut.img
run_hw 1 "truncated image refused" image check --partition recovery cut.img
expect_in "$T/err" "truncated: header says 3.4 MiB (3524608 bytes), file has 1.9 MiB (2000000 bytes)" "truncation in MiB of MiB"
one_line "$T/err" "truncated: one line"
printf '<!DOCTYPE html>\n<html><body>Please wait</body></html>\n' > recovery.img
run_hw 1 "HTML page refused" image check --partition recovery recovery.img
expect_in "$T/err" "recovery.img is an HTML page (starts with \`<!DOCTYPE html>\`)" "HTML named"
one_line "$T/err" "HTML: one line"
: > empty.img
run_hw 1 "empty file refused" image check empty.img
expect_in "$T/err" "empty" "empty named"
run_hw 0 "repacked image without AVB footer: warned" image check --partition recovery boot2.img
expect_in "$T/out" "no AVB footer and no signature: a repacked image" "no-footer warning"

sum=$(sha256sum boot2.img | cut -d' ' -f1)
run_hw 0 "matching --sha256" image check --sha256 "$sum" boot2.img
run_hw 1 "wrong --sha256" image check --sha256 "$(echo "$sum" | tr 0-9a-f 1-9a-f0)" boot2.img
expect_in "$T/err" "SHA-256 differs from the one you gave" "SHA-256 mismatch named"

python3 "$tools/avbfoot.py" boot2.img avb.img recovery 8388608
run_hw 0 "AVB-footed recovery image passes" image check --partition recovery avb.img
expect_in "$T/out" "AVB sha256 digest matches" "AVB digest recomputed"
python3 "$tools/avbfoot.py" boot2.img tampered.img recovery 8388608 --tamper
run_hw 1 "image changed after signing refused" image check --partition recovery tampered.img
expect_in "$T/err" "changed after signing" "tampering named"
python3 "$tools/avbfoot.py" boot2.img forboot.img system 8388608
run_hw 1 "image signed for another partition refused" image check --partition recovery forboot.img
expect_in "$T/err" "signed for partition 'system'" "wrong partition named"
head -c 6000000 avb.img > avbcut.img
run_hw 0 "footer lost to truncation is only a warning when the image is whole" \
	image check avbcut.img
run_hw 0 "info shows the AVB footer" image info avb.img
expect_in "$T/out" "AVB footer" "footer shown"

run_hw 2 "image without FILE is usage" image check
run_hw 1 "missing file" image info nope.img
one_line "$T/err" "missing: one line"

# Sparse images made by AOSP img2simg; simg2img is the judge of expansion.
{ head -c 3000000 /dev/urandom; head -c 5000000 /dev/zero; head -c 1000000 /dev/urandom; } > raw.img
img2simg raw.img sparse.img
simg2img sparse.img peer.raw
run_hw 0 "info on a sparse image" image info --json sparse.img
check "sparse info: expanded size equals simg2img's output" python3 -c '
import json,os,sys
d=json.load(open(sys.argv[1]))
assert d["kind"]=="Android sparse image" and d["expanded_size"]==os.path.getsize("peer.raw"), d
' "$T/out"
run_hw 0 "check a sparse image" image check sparse.img
run_hw 0 "unpack expands a sparse image" image unpack sparse.img -o sp
check "expansion equals simg2img's" cmp sp/sparse.raw peer.raw
head -c 1000000 sparse.img > sparsecut.img
run_hw 1 "truncated sparse image refused" image check sparsecut.img
expect_in "$T/err" "truncated at 1.0 MiB of at least" "sparse truncation: where the file ends, what it needs"
expect_in "$T/err" "chunk 1 of" "sparse truncation names the chunk"
run_hw 1 "sparse image refused for recovery" image check --partition recovery sparse.img

# Ramdisks: gzip and lz4 (legacy) cpio made with cpio, gzip and lz4 -l.
mkdir -p rd/sbin rd/etc
echo recovery > rd/sbin/recovery; echo init > rd/init; echo fstab > rd/etc/fstab
(cd rd && find . | cpio -o -H newc 2> /dev/null) > rd.cpio
gzip -9 -c rd.cpio > rd.gz
lz4 -l -q -f rd.cpio rd.lz4
for c in gz lz4; do
	mkbootimg --kernel kernel --ramdisk rd.$c --header_version 2 --dtb dtb -o rec.$c.img
	run_hw 0 "recovery with a $c ramdisk" image check --partition recovery rec.$c.img
	expect_in "$T/out" "looks like a recovery (has sbin/recovery)" "$c ramdisk inspected"
done
rm rd/sbin/recovery
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > boot.gz
mkbootimg --kernel kernel --ramdisk boot.gz --header_version 2 --dtb dtb -o notrec.img
run_hw 0 "a boot image given as recovery is warned about" image check --partition recovery notrec.img
expect_in "$T/out" "this looks like a boot image, not a recovery" "not-a-recovery warning"
head -c $(( $(stat -c %s rd.gz) / 2 )) rd.gz > cutrd.gz
mkbootimg --kernel kernel --ramdisk cutrd.gz --header_version 2 --dtb dtb -o cutrd.img
run_hw 1 "a cut ramdisk is refused" image check --partition recovery cutrd.img
expect_in "$T/err" "ramdisk" "ramdisk problem named"

# Signed vbmeta (SHA256_RSA2048) with keys made by openssl.
openssl genrsa -out key.pem 2048 2> /dev/null
openssl genrsa -out other.pem 2048 2> /dev/null
openssl rsa -in key.pem -pubout -out pub.pem 2> /dev/null
python3 "$tools/avbfoot.py" boot2.img signed.img recovery 8388608 --key key.pem \
	--export-key key.avbpubkey
run_hw 0 "signed image verifies with the embedded key" image check --partition recovery signed.img
expect_in "$T/out" "signature verifies with the embedded key" "embedded-key verification"
run_hw 0 "signed image verifies with the user's PEM public key" \
	image check --partition recovery --key pub.pem signed.img
expect_in "$T/out" "signature verifies with pub.pem" "PEM key verification"
run_hw 0 "signed image verifies with an AVB binary public key" \
	image check --partition recovery --key key.avbpubkey signed.img
run_hw 1 "another key is refused" image check --partition recovery --key other.pem signed.img
expect_in "$T/err" "signed with a different key than other.pem" "other key named"
python3 "$tools/avbfoot.py" boot2.img resigned.img recovery 8388608 --key key.pem --resign-bad
run_hw 1 "vbmeta changed after signing is refused" image check --partition recovery resigned.img
expect_in "$T/err" "signature does not verify" "bad signature named"
run_hw 1 "--key on an unsigned image fails" image check --partition recovery --key pub.pem avb.img

# Is it for this device?  Board name in the header, fingerprint in vbmeta.
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb dtb --board HWELE -o board.img
run_hw 0 "board name matching --product" image check --product ELE-L29 --partition recovery board.img
check "no product warning when the board matches" sh -c "! grep -q 'not product' '$T/out'"
run_hw 0 "board name not matching --product is warned about" \
	image check --product VOG-L29 --partition recovery board.img
expect_in "$T/out" "the header names board 'HWELE', not product VOG-L29" "board mismatch named"
python3 "$tools/avbfoot.py" boot2.img fp.img recovery 8388608 \
	--fingerprint "HUAWEI/ELE-L29EEA/HWELE:10/HUAWEIELE-L29/10.1.0.150C431:user/release-keys"
run_hw 0 "fingerprint shown" image check --partition recovery fp.img
expect_in "$T/out" "build fingerprint HUAWEI/ELE-L29EEA" "fingerprint read from vbmeta"
run_hw 0 "fingerprint of another product is warned about" \
	image check --partition recovery --product VOG-L29 fp.img
expect_in "$T/out" "not for product VOG-L29" "product mismatch named"

# vendor_boot (laid out from the spec: Debian's mkbootimg cannot make one).
python3 "$tools/mkvendorboot.py" vendor_boot.img rd.gz dtb
run_hw 0 "vendor_boot checks" image check --partition vendor_boot vendor_boot.img
expect_in "$T/out" "vendor_boot header v3" "vendor_boot recognised"
run_hw 1 "vendor_boot refused for recovery" image check --partition recovery vendor_boot.img
run_hw 1 "boot image refused for vendor_boot" image check --partition vendor_boot boot2.img
run_hw 0 "vendor_boot unpack" image unpack vendor_boot.img -o vb
check "vendor ramdisk unpacked" cmp vb/vendor_ramdisk rd.gz
check "vendor dtb unpacked" cmp vb/dtb dtb
head -c 5000 vendor_boot.img > vbcut.img
run_hw 1 "truncated vendor_boot refused" image check vbcut.img
expect_in "$T/err" "truncated" "vendor_boot truncation named"
