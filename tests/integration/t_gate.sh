#!/bin/sh
# Verify before write on every path that sends bytes: flash (fits one download, and split
# into sparse pieces), flash --slot, boot, app flash (entries of an UPDATE.APP, also inside a
# zip) and update (stored and deflated members).  Malformed sparse images, empty files and
# content that cannot belong to the partition are refused and the simulated device's log
# shows no download: or flash: at all; good images still go; warnings are on stderr before
# the first Sending line.
. "$(dirname "$0")/lib.sh"
need python3 img2simg simg2img mkbootimg cpio gzip zip mkfs.ext4
tools=$(cd "$(dirname "$0")/../tools" && pwd)
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"

# nothing_sent SIM "what": the device saw neither a download nor a flash
nothing_sent() {
	if grep -Eq '^(download|flash):' "$T/$1/commands.log" 2> /dev/null; then
		fail "$2: the device saw $(grep -Ec '^(download|flash):' "$T/$1/commands.log") \
download/flash commands"; grep -E '^(download|flash):' "$T/$1/commands.log" | head -5
	else ok "$2"; fi
}
# before FILE "first" "second" "what": a line with "first" comes before one with "second"
before() {
	a=$(grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1)
	b=$(grep -nF -- "$3" "$1" | head -n 1 | cut -d: -f1)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then ok "$4"; else
		fail "$4: '$2' at line ${a:-none}, '$3' at line ${b:-none}"; sed 's/^/    /' "$1"; fi
}

# --- fixtures -------------------------------------------------------------------------
random kernel 1500000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkdir -p brd && echo i > brd/init
(cd brd && find . | cpio -o -H newc 2> /dev/null) | gzip > brd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o recovery.img
mkbootimg --kernel kernel --ramdisk brd.gz --header_version 2 --dtb kernel -o boot.img
python3 "$tools/mkbootv4.py" init_boot.img brd.gz
python3 "$tools/mkbootv4.py" boot4.img brd.gz kernel
gzip -c recovery.img > rec.img.gz
random vbmeta.img 4096
random modem.bin 300000
: > empty.img
# A 6 MiB system image with a zero run in it: img2simg makes several chunks of it.
{ head -c 2097152 /dev/urandom; head -c 1048576 /dev/zero; head -c 3145728 /dev/urandom; } \
	> sys.raw
img2simg sys.raw sp.img
simg2img sp.img sp.back
check "fixture: img2simg/simg2img round trip" cmp sp.back sys.raw
mkdir -p fsroot/etc && echo hello > fsroot/etc/hosts
mkfs.ext4 -q -F -b 4096 -d fsroot ext4.img 4M > /dev/null 2>&1
check "fixture: mkfs.ext4 -d made an ext4 image" test -s ext4.img

# Malformed variants of sp.img, each one way a download or a header goes wrong.
python3 - <<'PY'
import struct
b = open("sp.img", "rb").read()
magic, major, minor, fh, ch, bs, blks, nchunks, csum = struct.unpack("<IHHHHIIII", b[:28])
chunks, p = [], fh
for i in range(nchunks):
    t, _, n, tot = struct.unpack("<HHII", b[p:p + 12])
    chunks.append((p, t, n, tot))
    p += tot
assert p == len(b) and len(chunks) >= 3, (p, len(b), chunks)
raw = [c for c in chunks if c[1] == 0xCAC1][0]
def hdr(blks=blks, nchunks=nchunks):
    return struct.pack("<IHHHHIIII", magic, major, minor, fh, ch, bs, blks, nchunks, csum)
def chunk_at(c, n=None, tot=None):
    return b[:c[0]] + struct.pack("<HHII", c[1], 0, c[2] if n is None else n,
                                  c[3] if tot is None else tot) + b[c[0] + 12:]
v = {
    "cut_header": b[:20],
    "cut_after_header": b[:28],
    "cut_chunk_header": b[:34],
    "cut_1m": b[:1000000],
    "cut_4_8m": b[:5000000],
    "cut_boundary": b[:chunks[1][0]],
    "cut_last_byte": b[:-1],
    "blks_larger": hdr(blks=blks + 1) + b[28:],
    "blks_smaller": hdr(blks=blks - 1) + b[28:],
    "chunks_larger": hdr(nchunks=nchunks + 1) + b[28:],
    "chunks_smaller": hdr(nchunks=nchunks - 1) + b[28:],
    "size_lies": chunk_at(raw, tot=raw[3] + 4),
    "blocks_lie": chunk_at(raw, n=raw[2] - 1),
    "both_lie": chunk_at(raw, n=raw[2] - 1, tot=raw[3] - bs),
    "appended": b + b"\0" * 4096,
}
for name, data in v.items():
    open("bad_%s.simg" % name, "wb").write(data)
open("bad.list", "w").write("\n".join(sorted(v)) + "\n")
PY
BAD=$(cat bad.list)

# image check names each one.
for v in $BAD; do
	run_hw 1 "image check refuses bad_$v" image check --partition system bad_$v.simg
done
run_hw 1 "image check: a sparse image cut at 4.8 MiB" image check bad_cut_4_8m.simg
expect_in "$T/err" "truncated at 4.8 MiB of at least" "truncation said in MiB"
run_hw 1 "image check: total_blks larger" image check bad_blks_larger.simg
expect_in "$T/err" "total_blks is wrong" "total_blks named"
run_hw 1 "image check: total_chunks smaller" image check bad_chunks_smaller.simg
expect_in "$T/err" "total_chunks is wrong" "total_chunks named"
run_hw 1 "image check: a chunk size that lies" image check bad_size_lies.simg
expect_in "$T/err" "which does not fit its type" "lying chunk named"

PARTS="--partition boot:16M --partition recovery:16M --partition system:64M
	--partition super:1M --partition init_boot:8M --partition vbmeta:1M --partition modem:8M
	--partition cache:16M --partition userdata:16M"

# --- flash: refused whether it fits one download or goes in sparse pieces ------------------
# shellcheck disable=SC2086
start_sim bad $PARTS
B="tcp:127.0.0.1:$PORT"
# shellcheck disable=SC2086
start_sim badsplit $PARTS --max-download 1M
BS="tcp:127.0.0.1:$PORT"
for v in $BAD; do
	run_hw 1 "flash system bad_$v (fits one download)" -s "$B" flash system bad_$v.simg
	run_hw 1 "flash system bad_$v (max-download 1 MiB: split)" -s "$BS" flash system \
		bad_$v.simg
done
expect_in "$T/err" "not flashed to system" "refusal names the partition"
expect_in "$T/err" "nothing was sent" "refusal says nothing was sent"
run_hw 1 "flash -S 1M of a truncated sparse image" -s "$B" -S 1M flash system bad_cut_1m.simg
run_hw 1 "--slot a flash of a truncated sparse image" -s "$B" --slot a flash system \
	bad_cut_4_8m.simg
nothing_sent bad "flash: no download or flash for any malformed sparse image"
nothing_sent badsplit "split flash: no download or flash for any malformed sparse image"

# --- app flash: the same bytes as an UPDATE.APP entry (plain and inside a zip) ------------
for v in $BAD; do
	"$HWFLASH" app pack -o bad_$v.APP BOOT=boot.img SYSTEM=bad_$v.simg > /dev/null 2>&1
	run_hw 1 "app flash refuses a package with SYSTEM=bad_$v" -s "$B" app flash bad_$v.APP
done
expect_in "$T/err" "bad_size_lies.APP:SYSTEM: not flashed to system" "entry named"
python3 -c '
import zipfile
for m, name in ((zipfile.ZIP_STORED, "bad_app_stored.zip"),
                (zipfile.ZIP_DEFLATED, "bad_app_defl.zip")):
    with zipfile.ZipFile(name, "w", m) as z:
        z.write("bad_cut_4_8m.APP", "dload/UPDATE.APP")'
run_hw 1 "app flash of a zip (stored) holding the package" -s "$B" app flash bad_app_stored.zip
run_hw 1 "app flash of a zip (deflated) holding the package" -s "$B" app flash bad_app_defl.zip
run_hw 1 "app flash SYSTEM alone" -s "$BS" app flash bad_chunks_larger.APP SYSTEM
nothing_sent bad "app flash: nothing sent for any of them"
nothing_sent badsplit "app flash SYSTEM alone: nothing sent"

# Split SUPER (several sparse entries of one partition): every piece is checked as a sparse
# image of its own, so a bad second piece stops the first from being sent too.
python3 - <<'PY'
import os, struct
BS = 4096
raw = os.urandom(BS * 64)
def piece(path, first, count, total, nchunks_delta=0, cut=0):
    chunks = []
    if first:
        chunks.append(struct.pack("<HHII", 0xCAC3, 0, first, 12))
    chunks.append(struct.pack("<HHII", 0xCAC1, 0, count, 12 + count * BS)
                  + raw[first * BS:(first + count) * BS])
    if first + count < total:
        chunks.append(struct.pack("<HHII", 0xCAC3, 0, total - first - count, 12))
    hdr = struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, BS, total,
                      len(chunks) + nchunks_delta, 0)
    data = hdr + b"".join(chunks)
    open(path, "wb").write(data[:len(data) - cut] if cut else data)
piece("super1.simg", 0, 32, 64)
piece("super2.simg", 32, 32, 64)
piece("super2cut.simg", 32, 32, 64, cut=5000)
piece("super2chunks.simg", 32, 32, 64, nchunks_delta=1)
PY
for p2 in super2cut super2chunks; do
	"$HWFLASH" app pack -o sup_$p2.APP SUPER=super1.simg SUPER=$p2.simg > /dev/null 2>&1
	run_hw 1 "app flash SUPER: a bad second piece ($p2)" -s "$B" app flash sup_$p2.APP
	expect_in "$T/err" "sup_$p2.APP:SUPER#2: not flashed to super" "the bad piece is named"
done
nothing_sent bad "split SUPER with a bad piece: not even the good first piece was sent"

# --- update: the same bytes as system.img in an AOSP update zip ---------------------------
mkupd() { # ZIP METHOD FILE=MEMBER...
	python3 -c '
import sys, zipfile
m = zipfile.ZIP_STORED if sys.argv[2] == "stored" else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(sys.argv[1], "w", m) as z:
    z.writestr("android-info.txt", "require board=fbsim\n")
    for a in sys.argv[3:]:
        f, n = a.split("=")
        z.write(f, n)' "$@"
}
for v in $BAD; do
	for m in stored deflated; do
		mkupd upd_$v.zip $m boot.img=boot.img bad_$v.simg=system.img
		run_hw 1 "update refuses system.img=bad_$v ($m)" -s "$B" update upd_$v.zip
	done
done
expect_in "$T/err" "upd_size_lies.zip:system.img: not flashed to system" "member named"
nothing_sent bad "update: nothing sent for any of them"

# --- zero bytes: never flashed, --force or not ----------------------------------------------
run_hw 1 "flash of an empty file" -s "$B" flash cache empty.img
expect_in "$T/err" "empty (0 bytes)" "emptiness said"
expect_in "$T/err" "hwflash erase cache" "erase suggested"
one_line "$T/err" "empty file: one line"
run_hw 1 "--force flash of an empty file" -s "$B" --force flash cache empty.img
expect_in "$T/err" "--force does not send empty images" "--force explained"
run_hw 1 "flash of an empty file to an unknown partition" -s "$B" flash modem empty.img
run_hw 1 "boot of an empty file" -s "$B" boot empty.img
"$HWFLASH" app pack --allow-empty -o empty.APP BOOT=boot.img CUST=empty.img RECOVERY=recovery.img \
	> /dev/null 2>&1
run_hw 1 "app flash: an empty entry among good ones" -s "$B" app flash empty.APP
expect_in "$T/err" "empty.APP:CUST: not flashed to cust" "the empty entry is named"
run_hw 1 "--force app flash: an empty entry" -s "$B" --force app flash empty.APP CUST
mkupd upd_empty.zip deflated boot.img=boot.img empty.img=cache.img
run_hw 1 "update: an empty member" -s "$B" update upd_empty.zip
expect_in "$T/err" "upd_empty.zip:cache.img: not flashed to cache" "the empty member is named"
mkupd upd_empty_s.zip stored empty.img=boot.img
run_hw 1 "update: an empty boot.img (stored)" -s "$B" --force update upd_empty_s.zip
nothing_sent bad "zero bytes: nothing sent, no download:00000000"

# --- content that does not fit the partition ------------------------------------------------
run_hw 1 "gzip data for system" -s "$B" flash system rec.img.gz
expect_in "$T/err" "gzip data, but system takes a file system image" "gzip named"
run_hw 1 "a recovery image for system" -s "$B" flash system recovery.img
expect_in "$T/err" "Android boot image, but system takes" "boot image for system named"
run_hw 1 "an init_boot image for boot" -s "$B" flash boot init_boot.img
expect_in "$T/err" "without a kernel (an init_boot image)" "init_boot for boot named"
run_hw 1 "--slot a: an init_boot image for boot" -s "$B" --slot a flash boot init_boot.img
run_hw 1 "boot FILE: an init_boot image cannot boot" -s "$B" boot init_boot.img
run_hw 1 "a boot v4 image with a kernel for init_boot" -s "$B" flash init_boot boot4.img
expect_in "$T/err" "with a kernel (a boot image), but init_boot takes" "boot v4 for init_boot"
run_hw 1 "random bytes for vbmeta" -s "$B" flash vbmeta vbmeta.img
expect_in "$T/err" "vbmeta takes an AVB vbmeta image" "vbmeta refusal"
run_hw 1 "an ext4 image for boot" -s "$B" flash boot ext4.img
run_hw 1 "a sparse image for recovery" -s "$B" flash recovery sp.img
"$HWFLASH" app pack -o fit.APP BOOT=init_boot.img SYSTEM=rec.img.gz > /dev/null 2>&1
run_hw 1 "app flash: init_boot for BOOT and gzip for SYSTEM" -s "$B" app flash fit.APP
expect_in "$T/err" "fit.APP:BOOT: not flashed to boot" "first misfit named"
expect_in "$T/err" "fit.APP:SYSTEM: not flashed to system" "second misfit named too"
mkupd upd_fit.zip deflated recovery.img=system.img
run_hw 1 "update: a boot image as system.img" -s "$B" update upd_fit.zip
nothing_sent bad "misfits: nothing sent"
for c in "system recovery.img" "boot init_boot.img" "init_boot boot4.img" \
	"system rec.img.gz" "vbmeta vbmeta.img" "system_a recovery.img"; do
	# shellcheck disable=SC2086
	set -- $c
	run_hw 1 "image check --partition $1 $2" image check --partition "$1" "$2"
done
for c in "recovery recovery.img" "boot boot.img" "init_boot init_boot.img" \
	"init_boot_a init_boot.img" "system sp.img" "system ext4.img" "modem modem.bin" \
	"boot_b boot4.img"; do
	# shellcheck disable=SC2086
	set -- $c
	run_hw 0 "image check --partition $1 $2" image check --partition "$1" "$2"
done
# Raw file systems with an AVB footer: the hash kind (avbfoot.py) and the hashtree kind
# (the same vbmeta with its descriptor's tag made HASHTREE) go to system, not to boot.
python3 "$tools/avbfoot.py" ext4.img ext4avb.img system 8388608
python3 - <<'PY'
import struct
b = bytearray(open("ext4avb.img", "rb").read())
off = struct.unpack(">Q", b[-64 + 20:-64 + 28])[0]
auth = struct.unpack(">Q", b[off + 12:off + 20])[0]
desc = struct.unpack(">Q", b[off + 96:off + 104])[0]
at = off + 256 + auth + desc
assert struct.unpack(">Q", b[at:at + 8])[0] == 2, "not a hash descriptor"
b[at:at + 8] = struct.pack(">Q", 1)
open("ext4tree.img", "wb").write(b)
PY
run_hw 0 "image check: ext4 with an AVB hash footer for system" image check --partition system \
	ext4avb.img
expect_in "$T/out" "ext4 file system, 1024 blocks" "the ext4 inside the footer checked"
run_hw 0 "image check: ext4 with an AVB hashtree footer for system" image check --partition \
	system ext4tree.img
expect_in "$T/out" "hashtree image" "hashtree told"
run_hw 1 "image check: the hashtree image for boot" image check --partition boot ext4tree.img
head -c 3000000 ext4avb.img > ext4cut.img
run_hw 1 "image check: the footed ext4 cut short" image check --partition system ext4cut.img
expect_in "$T/err" "truncated: the ext4 superblock says" "cut ext4 named"
run_hw 1 "flash: the footed ext4 cut short" -s "$B" flash system ext4cut.img
nothing_sent bad "footed ext4 cut short: nothing sent"
run_hw 0 "--force sends a misfit, and says so" -s "$B" --force flash cache rec.img.gz
expect_in "$T/err" "--force: flashing rec.img.gz to cache despite" "force announced"

# --- good images still go, byte for byte ----------------------------------------------------
# shellcheck disable=SC2086
start_sim good $PARTS --max-download 2M
G="tcp:127.0.0.1:$PORT"
run_hw 0 "flash boot boot.img" -s "$G" flash boot boot.img
check "boot stored" cmp good/boot.img boot.img
run_hw 0 "flash recovery recovery.img" -s "$G" flash recovery recovery.img
check "recovery stored" cmp good/recovery.img recovery.img
run_hw 0 "flash init_boot init_boot.img" -s "$G" flash init_boot init_boot.img
check "init_boot stored" cmp good/init_boot.img init_boot.img
run_hw 0 "flash system sp.img (img2simg, split)" -s "$G" flash system sp.img
check "system equals simg2img's output" cmp good/system.img sp.back
run_hw 0 "flash cache ext4.img (mkfs.ext4 -d)" -s "$G" flash cache ext4.img
check "cache stored" cmp good/cache.img ext4.img
run_hw 0 "flash system with an ext4 image with an AVB hashtree footer" -s "$G" flash system \
	ext4tree.img
check "system holds it, footer at the partition's end" \
	cmp -n 4194304 good/system.img ext4tree.img
run_hw 0 "flash modem with a random blob" -s "$G" flash modem modem.bin
check "modem stored" cmp good/modem.img modem.bin
"$HWFLASH" app pack -o good.APP BOOT=boot.img SYSTEM=sp.img CUST=ext4.img > /dev/null 2>&1
"$HWFLASH" app pack -o sup_good.APP SUPER=super1.simg SUPER=super2.simg > /dev/null 2>&1
run_hw 0 "app flash SUPER: two good pieces" -s "$G" app flash sup_good.APP
check "super holds both pieces" sh -c "simg2img super1.simg s1.raw && \
	simg2img super2.simg s2.raw && \
	cmp -n 131072 good/super.img s1.raw && cmp -i 131072 -n 131072 good/super.img s2.raw"
run_hw 0 "app flash of a package with a sparse SYSTEM" -s "$G" app flash good.APP BOOT SYSTEM
check "system from the package" cmp good/system.img sp.back
mkupd upd_good.zip deflated boot.img=boot.img sp.img=system.img
rm -f good/system.img
run_hw 0 "update with a sparse system.img (deflated)" -s "$G" update upd_good.zip --skip-reboot
check "system from the update zip" cmp good/system.img sp.back
mkupd upd_good_s.zip stored sp.img=system.img
rm -f good/system.img
run_hw 0 "update with a sparse system.img (stored)" -s "$G" update upd_good_s.zip --skip-reboot
check "system from the stored member" cmp good/system.img sp.back

# --- warnings are on the screen before anything is sent, without -v ------------------------
run_hw 0 "a boot image (no recovery in it) for recovery" -s "$G" flash recovery boot.img
expect_in "$T/err" "warning: boot.img:" "warning shown without -v"
expect_in "$T/err" "looks like a boot image, not a recovery" "the warning says why"
before "$T/err" "looks like a boot image" "Sending" "warning before Sending"
run_hw 0 "random data for system" -s "$G" flash system modem.bin
before "$T/err" "not an image hwflash recognises for system" "Sending" \
	"fit warning before Sending"
python3 "$tools/avbfoot.py" recovery.img avbboot.img boot 4194304
run_hw 0 "an image signed for boot, flashed to recovery" -s "$G" flash recovery avbboot.img
before "$T/err" "is signed for partition 'boot', flashing it to 'recovery'" "Sending" \
	"AVB partition warning before Sending"
"$HWFLASH" app pack -o warn.APP RECOVERY=boot.img > /dev/null 2>&1
run_hw 0 "app flash: a boot image as RECOVERY" -s "$G" app flash warn.APP
before "$T/err" "looks like a boot image, not a recovery" "Sending" \
	"app flash: warning before Sending"
mkupd upd_warn.zip stored boot.img=recovery.img
run_hw 0 "update: a boot image as recovery.img" -s "$G" update upd_warn.zip --skip-reboot
before "$T/err" "looks like a boot image, not a recovery" "Sending" \
	"update: warning before Sending"
run_hw 0 "-v adds the check's facts" -s "$G" -v flash boot boot.img
expect_in "$T/err" "boot image header v2" "info finding shown with -v"

# --- the same gate in front of the USB transport (usbsim: umockdev, real libusb) -----------
if [ -n "${USBSIM:-}" ] && [ -x "$USBSIM" ]; then
	# usb WANT "what" HWFLASH-ARGS...: hwflash against a simulated USB device storing in usb/
	usb() {
		want=$1; what=$2; shift 2
		# shellcheck disable=SC2086
		"$USBSIM" --device GATE01 --store "$T/usb" $PARTS -- "$HWFLASH" "$@" \
			> "$T/out" 2> "$T/err"
		got=$?
		if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
			fail "$what: exit $got, wanted $want"; sed 's/^/    err: /' "$T/err"; fi
	}
	usb 1 "USB: a truncated sparse image" flash system bad_cut_4_8m.simg
	usb 1 "USB: total_chunks too small" flash system bad_chunks_smaller.simg
	usb 1 "USB: an empty file, --force" --force flash cache empty.img
	usb 1 "USB: an init_boot image for boot" flash boot init_boot.img
	nothing_sent usb "USB: nothing sent for any of them"
	usb 0 "USB: a good sparse image" flash system sp.img
	check "USB: system equals simg2img's output" cmp usb/system.img sp.back
fi
