#!/bin/sh
# hwflash image info | check | unpack on images made by mkbootimg (Debian),
# AVB footers laid out from the spec by tests/tools/avbfoot.py.
. "$(dirname "$0")/lib.sh"
need python3 img2simg simg2img mkbootimg abootimg cpio gzip lz4 openssl cc
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
expect_in "$T/err" "the old signature no longer matches" "tampering named"
expect_in "$T/err" "a locked bootloader will refuse this image" "tampering: the bootloader named"
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

# Ramdisks: gzip, lz4 (legacy) and lz4 frame cpio made with cpio, gzip, lz4 -l and lz4.
mkdir -p rd/sbin rd/etc
echo recovery > rd/sbin/recovery; echo init > rd/init; echo fstab > rd/etc/fstab
(cd rd && find . | cpio -o -H newc 2> /dev/null) > rd.cpio
gzip -9 -c rd.cpio > rd.gz
lz4 -l -q -f rd.cpio rd.lz4
lz4 -q -f rd.cpio rd.lz4f
for c in gz lz4 lz4f; do
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
expect_in "$T/out" "signed by pub.pem" "PEM key verification"
run_hw 0 "signed image verifies with an AVB binary public key" \
	image check --partition recovery --key key.avbpubkey signed.img
run_hw 1 "another key is refused" image check --partition recovery --key other.pem signed.img
expect_in "$T/err" "signed, but not by other.pem" "other key named"
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

# --- Standalone vbmeta images (AVB0 at byte 0), made by avbfoot.py and signed by openssl.
# flip FILE OFFSET OUT: OUT is FILE with one bit of the byte at OFFSET flipped
flip() { python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 0x10
open(sys.argv[3], "wb").write(b)' "$@"; }
# be64 FILE OFFSET VALUE OUT / be32 ...: OUT is FILE with a big-endian field set
be64() { python3 -c '
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read()); struct.pack_into(">Q", b, int(sys.argv[2]), int(sys.argv[3], 0))
open(sys.argv[4], "wb").write(b)' "$@"; }
be32() { python3 -c '
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read()); struct.pack_into(">I", b, int(sys.argv[2]), int(sys.argv[3], 0))
open(sys.argv[4], "wb").write(b)' "$@"; }
openssl genrsa -out k4096.pem 4096 2> /dev/null
python3 "$tools/avbfoot.py" --vbmeta vb2048.img --key key.pem --hash boot=kernel \
	--hashtree system=1048576 --chain vbmeta_system=other.pem
python3 "$tools/avbfoot.py" --vbmeta vb4096.img --key k4096.pem --algorithm SHA256_RSA4096 \
	--hash boot=kernel --hash dtbo=dtb
python3 "$tools/avbfoot.py" --vbmeta vb512.img --key k4096.pem --algorithm SHA512_RSA4096 \
	--hash boot=kernel --padding 65536
python3 "$tools/avbfoot.py" --vbmeta vbnone.img --hash boot=kernel --flags 2
for v in vb2048 vb4096 vb512; do
	run_hw 0 "$v: signed vbmeta image verifies" image check --partition vbmeta $v.img
	expect_in "$T/out" "$v.img: OK (AVB vbmeta image) for vbmeta" "$v: OK line"
	expect_in "$T/out" "vbmeta signature verifies with the embedded key" "$v: signature checked"
done
expect_in "$T/out" "SHA512_RSA4096" "algorithm named"
run_hw 0 "what a vbmeta image covers is shown" image check vb2048.img
expect_in "$T/out" "partitions: boot, system (hashtree), vbmeta_system (chained)" "descriptors listed"
run_hw 0 "--key: the signer's private PEM" image check --key key.pem vb2048.img
run_hw 0 "--key: the signer's public PEM" image check --key pub.pem vb2048.img
expect_in "$T/out" "signed by pub.pem" "public key named"
run_hw 0 "--key: AVB binary public key" image check --key key.avbpubkey vb2048.img
run_hw 0 "--key: a 4096-bit key" image check --key k4096.pem vb512.img
run_hw 1 "--key: a wrong key fails" image check --key other.pem vb2048.img
expect_in "$T/err" "signed, but not by other.pem" "wrong key named"
one_line "$T/err" "wrong key: one line"
run_hw 1 "--key: a 4096-bit key for a 2048-bit image fails" image check --key k4096.pem vb2048.img

# One flipped bit: in the signature, the stored hash, the header, the auxiliary block.
for v in vb2048 vb4096; do
	auth=$(python3 -c 'import struct,sys; print(struct.unpack(">Q", open(sys.argv[1],"rb").read()[12:20])[0])' $v.img)
	flip $v.img 300 x.img
	run_hw 1 "$v: flipped signature byte refused" image check --partition vbmeta x.img
	expect_in "$T/err" "signature does not verify with its own public key" "$v: bad signature named"
	one_line "$T/err" "$v: bad signature: one line"
	flip $v.img 258 x.img
	run_hw 1 "$v: flipped byte of the stored hash refused" image check x.img
	expect_in "$T/err" "stored hash is damaged" "$v: damaged hash named"
	flip $v.img $((256 + auth + 40)) x.img
	run_hw 1 "$v: flipped byte in the auxiliary block refused" image check x.img
	expect_in "$T/err" "changed after signing" "$v: changed aux block named"
	flip $v.img 130 x.img
	run_hw 1 "$v: flipped byte of the release string refused" image check x.img
	be64 $v.img 12 0x4000000000000000 x.img
	run_hw 1 "$v: auth block size 2^62 refused" image check --partition vbmeta x.img
	expect_in "$T/err" "blocks take 256 + 4611686018427387904" "$v: impossible block size named"
	one_line "$T/err" "$v: 2^62: one line"
	be64 $v.img 20 0xffffffffffffffc0 x.img
	run_hw 1 "$v: aux block size near 2^64 refused (no overflow)" image check x.img
	be64 $v.img 20 8192 x.img
	run_hw 1 "$v: aux block past the end of the file refused" image check x.img
	expect_in "$T/err" "only 4096 are there" "$v: file size named"
	be32 $v.img 28 9 x.img
	run_hw 1 "$v: unknown algorithm refused" image check x.img
	expect_in "$T/err" "algorithm 9 is unknown" "$v: algorithm named"
done
head -c 200 vb2048.img > x.img
run_hw 1 "a vbmeta image cut inside its header" image check x.img
expect_in "$T/err" "shorter than the 256-byte vbmeta header" "cut header named"
head -c 1000 vb2048.img > x.img
run_hw 1 "a vbmeta image cut inside its blocks" image check --partition vbmeta x.img
expect_in "$T/err" "only 1000 are there" "cut blocks named"

run_hw 0 "unsigned vbmeta (flags 2): warned, not refused" image check vbnone.img
expect_in "$T/out" "vbmeta is not signed (algorithm NONE)" "unsigned named"
expect_in "$T/out" "disable verification" "flags named"
run_hw 1 "--key on an unsigned vbmeta fails" image check --key key.pem vbnone.img
expect_in "$T/err" "so it cannot match your key" "unsigned with key named"
be32 vb2048.img 120 3 x.img
run_hw 0 "flags set after signing (fastboot --disable-verity): a warning" image check x.img
expect_in "$T/out" "flags were set to 3 after signing" "patched flags told apart"
run_hw 1 "flags set after signing with --key: fails" image check --key key.pem x.img
be32 vb2048.img 120 8 x.img
run_hw 1 "other flag bits set after signing: refused" image check x.img

# A vbmeta partition takes a vbmeta image and nothing else.
random rnd4k.bin 4096
run_hw 1 "random bytes for vbmeta refused" image check --partition vbmeta rnd4k.bin
expect_in "$T/err" "rnd4k.bin: unrecognised data, but vbmeta takes an AVB vbmeta image" "not a vbmeta named"
one_line "$T/err" "random for vbmeta: one line"
head -c 4096 /dev/zero > zero4k.bin
run_hw 1 "zeros for vbmeta_system refused" image check --partition vbmeta_system zero4k.bin
run_hw 1 "a web page for vbmeta_a refused" image check --partition vbmeta_a recovery.img
run_hw 1 "a boot image for vbmeta refused" image check --partition vbmeta boot2.img
expect_in "$T/err" "Android boot image, but vbmeta takes" "boot image named"
run_hw 1 "a vbmeta image for recovery refused" image check --partition recovery vb2048.img
expect_in "$T/err" "vb2048.img: AVB vbmeta image, but recovery takes an Android boot image" "vbmeta for recovery named"

# --key with nothing signed in the file: the key cannot be checked, so it fails.
run_hw 1 "--key on a boot image without AVB footer" image check --key key.pem boot2.img
expect_in "$T/err" "boot2.img: not signed: no AVB footer and no vbmeta, so there is no signature to check against key.pem" "no signature named"
run_hw 1 "--key on random data" image check --key key.pem rnd4k.bin
run_hw 1 "--key on a sparse image" image check --key key.pem sparse.img
run_hw 0 "--key on a signed footer image still passes" image check --key key.pem signed.img

# --- The v0-v2 id: a kernel or ramdisk changed after mkbootimg made the image.
for v in 0 1 2; do
	flip boot$v.img 5000 x.img
	run_hw 1 "v$v: one flipped kernel byte refused" image check --partition boot x.img
	expect_in "$T/err" "kernel, ramdisk or another section changed after the image was made" "v$v: kernel change named"
	one_line "$T/err" "v$v: changed kernel: one line"
	flip boot$v.img $((2048 + 3000000 + 1000)) x.img
	run_hw 1 "v$v: one flipped ramdisk byte refused" image check x.img
	flip boot$v.img 580 x.img
	run_hw 1 "v$v: a damaged id refused" image check x.img
done
flip boot2.img $((2048 + 2048 * 1465 + 2048 * 245 + 100)) x.img
run_hw 1 "v2: one flipped dtb byte refused" image check x.img
abootimg --create zeroid.img -k kernel -r ramdisk > /dev/null 2>&1
run_hw 0 "an all-zero id (abootimg --create) is not a failure" image check zeroid.img
expect_in "$T/out" "the header's id is all zero" "zero id named"
cp boot0.img stale.img
random kernel2 3000000
abootimg -u stale.img -k kernel2 > /dev/null 2>&1
run_hw 1 "abootimg -u keeps the old id: refused" image check stale.img
expect_in "$T/err" "a repack that kept the old id" "stale id explained"

# --- Sentences: what a file is, a cut ramdisk, small sizes.
gzip -c kernel > kernel.gz
run_hw 1 "a gzip file as recovery" image check --partition recovery kernel.gz
expect_in "$T/err" "kernel.gz: gzip data, but recovery takes" "gzip named"
check "never 'is a gzip data'" sh -c "! grep -q 'a gzip data' '$T/err'"
lz4 -q -f kernel kernel.lz4
run_hw 1 "an lz4 file as boot" image check --partition boot kernel.lz4
expect_in "$T/err" "kernel.lz4: lz4 data, but boot takes" "lz4 named"
for part in 2 4 8; do
	head -c $(( $(stat -c %s rd.gz) * (part - 1) / part )) rd.gz > cutrd.gz
	mkbootimg --kernel kernel --ramdisk cutrd.gz --header_version 2 --dtb dtb -o cutrd.img
	run_hw 1 "gzip ramdisk cut to $((part - 1))/$part refused" image check cutrd.img
	expect_in "$T/err" "ramdisk: the gzip stream is cut short" "cut gzip named ($((part - 1))/$part)"
	check "not blamed on a file in it" sh -c "! grep -q 'init is cut short' '$T/err'"
done
for n in 1 4 8; do
	head -c $(( $(stat -c %s rd.gz) - n )) rd.gz > cutrd.gz
	mkbootimg --kernel kernel --ramdisk cutrd.gz --header_version 2 --dtb dtb -o cutrd.img
	run_hw 1 "gzip ramdisk without its last $n bytes (CRC, length) refused" image check cutrd.img
	expect_in "$T/err" "gzip stream is cut short" "cut trailer named ($n)"
done
python3 -c 'import sys; b=bytearray(open("rd.gz","rb").read()); b[len(b)//2]^=8; open("badrd.gz","wb").write(b)'
mkbootimg --kernel kernel --ramdisk badrd.gz --header_version 2 --dtb dtb -o badrd.img
run_hw 1 "a flipped byte in a gzip ramdisk refused" image check badrd.img
# zlib's CRC or its inflate catch it, or the cpio inside is broken first
expect_in "$T/err" "badrd.img: ramdisk: " "corrupt ramdisk named"
head -c $(( $(stat -c %s rd.lz4) - 10 )) rd.lz4 > cutrd.lz4
mkbootimg --kernel kernel --ramdisk cutrd.lz4 --header_version 2 --dtb dtb -o cutlz4.img
run_hw 1 "a cut lz4 ramdisk refused" image check cutlz4.img
expect_in "$T/err" "the lz4 stream is cut short" "cut lz4 named"
head -c 18000 /dev/urandom > k18k
mkbootimg --kernel k18k -o small.img
head -c 3000 small.img > smallcut.img
run_hw 1 "a small truncated image" image check smallcut.img
expect_in "$T/err" "truncated: header says 20 KiB (20480 bytes), file has 2.9 KiB (3000 bytes)" "exact small sizes"
check "never 0.0 MiB" sh -c "! grep -q '0\.0 MiB' '$T/err'"

# --- --json: one document on stdout, on success and on every failure.
json_ok() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = sys.argv[2] == "true"
assert d["ok"] is want, d
if not want:
    assert d["error"], d
' "$T/out" "$1"; }
mkdir -p adir
cp boot2.img locked.img
chmod 600 locked.img
for c in info check unpack; do
	run_hw 1 "$c --json: a missing file" --json image $c nope.img
	check "$c: missing file as one JSON document" json_ok false
	run_hw 1 "$c --json: a folder" --json image $c adir
	check "$c: folder as one JSON document" json_ok false
	expect_in "$T/out" "is a folder, not a file" "$c: folder named"
	rm -f fifo; mkfifo fifo
	timeout 20 "$HWFLASH" --json image $c fifo > "$T/out" 2> "$T/err"
	check "$c: a FIFO nobody writes to: exit 1, no hang" test $? -eq 1
	check "$c: FIFO as one JSON document" json_ok false
	expect_in "$T/out" "is a pipe, not a file" "$c: pipe named"
	run_hw 2 "$c --json: an unknown option" --json image $c --bogus boot2.img
	check "$c: usage error as one JSON document" json_ok false
	if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$HWFLASH" --json image $c \
			"$T/locked.img" > "$T/out" 2> "$T/err"
	else
		chmod 000 locked.img
		"$HWFLASH" --json image $c locked.img > "$T/out" 2> "$T/err"
	fi
	check "$c: an unreadable file: exit 1" test $? -eq 1
	check "$c: unreadable file as one JSON document" json_ok false
	expect_in "$T/out" "Permission denied" "$c: permission named"
	chmod 600 locked.img
done
top=$(cd "$tools/../.." && pwd)
if cc -shared -fPIC -O2 -o badread.so "$top/tests/tools/badread.c" -ldl 2> /dev/null; then
	for c in check unpack; do
		out=""
		[ $c = unpack ] && out="-o eio"
		# shellcheck disable=SC2086
		BADREAD_SUFFIX=boot2.img BADREAD_OFFSET=100000 BADREAD_EIO=1 LD_PRELOAD=$T/badread.so \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			"$HWFLASH" --json image $c boot2.img $out > "$T/out" 2> "$T/err"
		check "$c: a read error: exit 1" test $? -eq 1
		check "$c: read error as one JSON document" json_ok false
		expect_in "$T/out" "read error at byte" "$c: read error named"
	done
	run_hw 2 "image check takes no -o" image check boot2.img -o eio
	expect_in "$T/err" "image check: unknown option '-o'" "the option named"
	check "unpack: nothing half-written after the read error" sh -c "! ls eio/* 2> /dev/null"
fi
for f in x.img rnd4k.bin stale.img cutrd.img smallcut.img vbnone.img; do
	"$HWFLASH" --json image check --key key.pem --partition vbmeta $f > "$T/out" 2> "$T/err"
	check "check $f with --key: one JSON document, ok false, error in it" json_ok false
done
run_hw 0 "check --json success document unchanged" --json image check boot2.img
check "check success: file, kind, ok, findings and no error" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["file", "kind", "ok", "findings"] and d["ok"] is True, d' "$T/out"
run_hw 0 "unpack --json: one document naming the files" --json image unpack boot2.img -o jparts
check "unpack success document" python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["kind"] == "Android boot image", d
f = {x["section"]: x for x in d["files"]}
assert f["kernel"]["size"] == 3000000 and os.path.getsize(f["kernel"]["path"]) == 3000000, d
assert set(f) == {"kernel", "ramdisk", "dtb", "manifest"}, d' "$T/out"
run_hw 0 "unpack --json of a sparse image" --json image unpack sparse.img -o jsp
check "sparse unpack document" python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["files"][0]["size"] == os.path.getsize("peer.raw"), d' "$T/out"
run_hw 1 "unpack --json over existing files: refused, one document" --json image unpack boot2.img -o jparts
check "refusal as one JSON document" json_ok false

# A vbmeta at the start of a 5 GiB (sparse) file: checked, the rest not read through.
cp vb2048.img huge.img
truncate -s 5G huge.img
start=$(date +%s)
run_hw 0 "a 5 GiB file starting with a vbmeta" image check huge.img
expect_in "$T/out" "is 5.0 GiB" "the size mismatch is told"
check "in seconds, not a read of 5 GiB" test $(( $(date +%s) - start )) -lt 20
rm -f huge.img
