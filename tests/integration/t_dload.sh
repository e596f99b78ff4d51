#!/bin/sh
# dload prepare / check: cards judged by fsck.fat and mtools, folder
# targets with failures in the middle of the copy.
. "$(dirname "$0")/lib.sh"
need python3 img2simg mkbootimg mkfs.vfat fsck.fat mcopy sfdisk zip mkfs.ext4 gzip cc
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$T"

# part IMG OUT: the FAT32 partition at 1 MiB, copying only data regions (sparse images).
part() {
	python3 - "$1" "$2" <<'PY'
import os, sys
src = os.open(sys.argv[1], os.O_RDONLY)
dst = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
size = os.fstat(src).st_size
base = 1 << 20
os.ftruncate(dst, size - base)
off = base
while off < size:
    try:
        off = os.lseek(src, off, os.SEEK_DATA)
    except OSError:
        break
    end = os.lseek(src, off, os.SEEK_HOLE)
    while off < end:
        n = min(end - off, 1 << 20)
        os.pwrite(dst, os.pread(src, n, off), off - base)
        off += n
PY
}
# spc IMG: sectors per cluster of the partition at 1 MiB
spc() { od -An -tu1 -j $((1048576 + 13)) -N1 "$1" | tr -d ' '; }

random sys.img 3000000
run_hw 0 "pack the package" app pack -o pkg.APP SYSTEM=sys.img
random sys2.img 2000000
run_hw 0 "pack a second one" app pack -o pkg2.APP SYSTEM=sys2.img

# Image targets, several sizes, judged by fsck.fat and mtools.
for sz in 64M:1 1G:8 40G:64; do
	size=${sz%%:*}; spcw=${sz##*:}
	rm -f card.img part.img out.APP
	truncate -s "$size" card.img
	run_hw 0 "prepare --format a $size image" dload prepare pkg.APP card.img --format --yes
	part card.img part.img
	check "$size: fsck.fat -n finds no error" fsck.fat -n part.img
	check "$size: mtools reads ::/dload/UPDATE.APP" mcopy -n -i card.img@@1M \
		::/dload/UPDATE.APP out.APP
	check "$size: byte for byte the package" cmp out.APP pkg.APP
	check "$size: $spcw sectors per cluster" test "$(spc card.img)" = "$spcw"
	run_hw 0 "$size: dload check says it is right" dload check card.img
done
check "MBR partition type 0x0c at 1 MiB" sh -c "LC_ALL=C fdisk -l card.img | grep -q '2048 .* c W95 FAT32 (LBA)'"
run_hw 0 "--json" --json dload check card.img
check "check as JSON" python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); assert d["ok"] is True, d
assert any(f["check"] == "package" and f["level"] == "ok" for f in d["findings"]), d' "$T/out"
run_hw 1 "prepare again without --format: the card has it already" dload prepare pkg2.APP card.img
expect_in "$T/err" "already has dload/UPDATE.APP" "existing file named"
mcopy -n -i card.img@@1M ::/dload/UPDATE.APP out.APP
check "and it is untouched" cmp out.APP pkg.APP

random big.img 70000000
run_hw 0 "pack a 70 MB package" app pack -o big.APP SYSTEM=big.img
truncate -s 64M small.img
run_hw 1 "a package that does not fit" dload prepare big.APP small.img --format --yes
expect_in "$T/err" "too small for the package" "size named"
check "nothing written to the image" cmp -n 67108864 small.img /dev/zero
truncate -s 16M tiny.img
run_hw 1 "an image too small for FAT32" dload prepare pkg.APP tiny.img --format --yes
check "nothing written to it" cmp -n 16777216 tiny.img /dev/zero

# Verify before write: a damaged package never reaches the card.
cp pkg.APP bad.APP
printf 'XXXX' | dd of=bad.APP bs=1 seek=1000000 conv=notrunc 2> /dev/null
truncate -s 64M card2.img
run_hw 1 "a damaged package is refused" dload prepare bad.APP card2.img --format --yes
expect_in "$T/err" "nothing was written to the card" "said so"
check "the image was not even formatted" cmp -n 67108864 card2.img /dev/zero
printf '<html><body>404</body></html>\n' > page.APP
run_hw 1 "a web page saved as UPDATE.APP is refused" dload prepare page.APP card2.img --format --yes

# A firmware zip holding dload/UPDATE.APP, and an update_sd zip copied as is.
python3 -c '
import zipfile
with zipfile.ZipFile("fw.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("pkg.APP", "Software/dload/UPDATE.APP")
with zipfile.ZipFile("update_sd_base.zip", "w", zipfile.ZIP_STORED) as z:
    z.write("pkg.APP", "UPDATE.APP")
    z.writestr("SD_update.tag", "SD_PACKAGE_BASEPKG")'
rm -f card2.img; truncate -s 64M card2.img
run_hw 0 "prepare from a firmware zip" dload prepare fw.zip card2.img --format --yes
check "UPDATE.APP from the zip" sh -c "mcopy -n -i card2.img@@1M ::/dload/UPDATE.APP o2.APP &&
	cmp o2.APP pkg.APP"
rm -f card2.img; truncate -s 64M card2.img
run_hw 0 "prepare from an update_sd zip" dload prepare update_sd_base.zip card2.img --format --yes
check "the zip is in dload/ as it is" sh -c "mcopy -n -i card2.img@@1M \
	::/dload/update_sd_base.zip o3.zip && cmp o3.zip update_sd_base.zip"

# dload check on cards made by mkfs.vfat + mtools.
mk() { rm -f "$1"; mkfs.vfat -F 32 -C "$1" 65536 > /dev/null; }
mk good.img; mmd -i good.img ::/dload; mcopy -i good.img pkg.APP ::/dload/UPDATE.APP
run_hw 0 "check: a good card made by mkfs.vfat" dload check good.img
mk nested.img; mmd -i nested.img ::/dload ::/dload/dload
mcopy -i nested.img pkg.APP ::/dload/dload/UPDATE.APP
run_hw 1 "check: dload nested in dload" dload check nested.img
expect_in "$T/out" "a dload folder inside dload/" "nesting named"
mk zip.img; mmd -i zip.img ::/dload; mcopy -i zip.img fw.zip ::/dload/firmware.zip
run_hw 1 "check: only a zip in dload" dload check zip.img
expect_in "$T/out" "unpack it" "unpacking advised"
mk miss.img; mmd -i miss.img ::/Download; mcopy -i miss.img pkg.APP ::/Download/UPDATE.APP
run_hw 1 "check: 'Download' instead of dload" dload check miss.img
expect_in "$T/out" "'Download' is not 'dload'" "misspelling named"
mk badpkg.img; mmd -i badpkg.img ::/dload; mcopy -i badpkg.img bad.APP ::/dload/UPDATE.APP
run_hw 1 "check: a corrupt UPDATE.APP on the card" dload check badpkg.img
expect_in "$T/out" "block" "bad block reported"
truncate -s 64M exfat.img
printf '\353\166\220EXFAT   ' | dd of=exfat.img conv=notrunc 2> /dev/null
printf '\125\252' | dd of=exfat.img bs=1 seek=510 conv=notrunc 2> /dev/null
run_hw 1 "check: an exFAT card" dload check exfat.img
expect_in "$T/out" "exFAT, not FAT32" "exFAT named"
truncate -s 80M gpt.img
printf 'label: gpt\nstart=2048, size=100000, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' |
	sfdisk -q gpt.img > /dev/null 2>&1
mkfs.vfat -F 32 --offset 2048 gpt.img 50000 > /dev/null 2>&1
run_hw 1 "check: a GPT card" dload check gpt.img
expect_in "$T/out" "GPT partition table" "GPT named"

# Folder targets: the test folder is not FAT32.
mkdir card
run_hw 1 "a folder that is not FAT32 is refused" dload prepare pkg.APP card
expect_in "$T/err" "not FAT32" "file system named"
check "nothing written" test ! -e card/dload
run_hw 0 "--force: atomic copy" --force dload prepare pkg.APP card
check "dload/UPDATE.APP is the package" cmp card/dload/UPDATE.APP pkg.APP
check "no .partial left" test ! -e card/dload/.UPDATE.APP.partial
run_hw 1 "check of that folder: not FAT32" dload check card
expect_in "$T/out" "package    dload/UPDATE.APP" "the package was verified anyway"

# The copy fails part-way (a file size limit stands in for a full card):
# the old UPDATE.APP stays, no .partial is left.
for blocks in 1 1000 3800; do
	sh -c "ulimit -f $blocks; exec '$HWFLASH' --force dload prepare pkg2.APP card" \
		> "$T/out" 2> "$T/err"
	check "limit of $blocks blocks: exit 1" test $? -eq 1
	expect_in "$T/err" "left as it was" "limit of $blocks blocks: said so"
	check "limit of $blocks blocks: old UPDATE.APP intact" cmp card/dload/UPDATE.APP pkg.APP
	check "limit of $blocks blocks: no .partial" test ! -e card/dload/.UPDATE.APP.partial
done

# Killed (kill -9) in the middle of the copy.
random huge.img 150000000
"$HWFLASH" app pack -o huge.APP SYSTEM=huge.img > /dev/null
python3 - "$HWFLASH" <<'PY'
import os, signal, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "--force", "dload", "prepare", "huge.APP", "card"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
part = "card/dload/.UPDATE.APP.partial"
t0 = time.time()
while time.time() - t0 < 20 and p.poll() is None:
    if os.path.exists(part) and os.path.getsize(part) > 1 << 20:
        break
    time.sleep(0.002)
p.send_signal(signal.SIGKILL)
p.wait()
PY
check "after kill -9: old UPDATE.APP intact" cmp card/dload/UPDATE.APP pkg.APP
run_hw 1 "dload check after the kill: still the old package (and not FAT32)" dload check card
expect_in "$T/out" "every CRC matches" "old package verifies"
if [ -e card/dload/.UPDATE.APP.partial ]; then
	expect_in "$T/out" "unfinished copy" "the leftover .partial is named, not trusted"
fi
run_hw 0 "the next prepare replaces it cleanly" --force dload prepare pkg2.APP card
check "new package in place" cmp card/dload/UPDATE.APP pkg2.APP
check "no .partial left" test ! -e card/dload/.UPDATE.APP.partial

# A card that returns a bad byte when the copy is read back (an LD_PRELOAD
# shim flips one byte of every read of the .partial file): refused, the old
# UPDATE.APP stays.
if cc -shared -fPIC -O2 -o badread.so "$top/tests/tools/badread.c" -ldl 2> /dev/null; then
	cp pkg2.APP card/dload/UPDATE.APP
	BADREAD_SUFFIX=.UPDATE.APP.partial BADREAD_OFFSET=1500000 LD_PRELOAD=$T/badread.so \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$HWFLASH" --force dload prepare pkg.APP card > "$T/out" 2> "$T/err"
	check "a bad byte in the read-back: exit 1" test $? -eq 1
	expect_in "$T/err" "the copy on the card does not verify" "read-back failure named"
	check "the old UPDATE.APP is intact" cmp card/dload/UPDATE.APP pkg2.APP
	check "no .partial left" test ! -e card/dload/.UPDATE.APP.partial
	BADREAD_SUFFIX=pkg.APP BADREAD_OFFSET=1500000 LD_PRELOAD=$T/badread.so \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$HWFLASH" --force dload prepare pkg.APP card > "$T/out" 2> "$T/err"
	check "a bad byte read from the source: exit 1, nothing written" test $? -eq 1
	check "the card still has the old one" cmp card/dload/UPDATE.APP pkg2.APP
fi

# A target the process may not write to (immutable folder, where chattr works).
mkdir ro && mkdir ro/dload && cp pkg2.APP ro/dload/UPDATE.APP
if chattr +i ro/dload 2> /dev/null; then
	run_hw 1 "a read-only dload/ folder" --force dload prepare pkg.APP ro
	expect_in "$T/err" "left as it was" "said so"
	check "old package intact" cmp ro/dload/UPDATE.APP pkg2.APP
	chattr -i ro/dload
else
	ok "read-only target: skipped (chattr +i does not work on this file system)"
fi

# --- --format: what may be formatted is decided by content, never by name ----
# Every refusal is one line, exit 1, and leaves the target byte for byte as it was
# (compared with a copy).  Targets are 40 MiB (mostly holes) or more, so that no
# size check can be what refuses them: the old code formatted every one of them.
refused() {	# refused "what" TARGET ARGS...: the prepare is refused, TARGET unchanged
	what=$1; tgt=$2; shift 2
	# a copy to compare with, made again only when the target changed (name, size, mtime)
	key="$tgt $(stat -L -c '%s %y' "$tgt")"
	[ "$key" = "${ref_of:-}" ] || { cp --sparse=always "$tgt" "$T/before"; ref_of=$key; }
	run_hw 1 "$what" "$@"
	one_line "$T/err" "$what: one line"
	check "$what: byte for byte unchanged" cmp "$tgt" "$T/before"
}
cp pkg.APP victim.APP && truncate -s 40M victim.APP	# a firmware package
cp --sparse=always victim.APP victim.orig
cp victim.APP looks-like-card.img
cp fw.zip v.zip && truncate -s 40M v.zip
mkbootimg --kernel sys.img --output v-boot.img > /dev/null 2>&1 && truncate -s 40M v-boot.img
truncate -s 40M ext.raw && mkfs.ext4 -q -F ext.raw > /dev/null 2>&1
img2simg ext.raw v-sparse.img 2> /dev/null && truncate -s 40M v-sparse.img
cp "$HWFLASH" v.elf && truncate -s 40M v.elf
gzip -c sys.img > v.gz && truncate -s 40M v.gz
yes '<html><body><p>404: this page is not the firmware</p></body></html>' | head -c 36M > v.html
truncate -s 40M v-dump.img && head -c 1000000 /dev/urandom |
	dd of=v-dump.img bs=1M seek=30 conv=notrunc 2> /dev/null	# zeros, data in the middle
ln -sf victim.APP link.img
for v in victim.APP looks-like-card.img v.zip v-boot.img ext.raw v-sparse.img v.elf v.gz \
	v.html v-dump.img link.img; do
	[ -s "$v" ] || { fail "fixture $v not made"; continue; }
	refused "$v: --format without --yes" "$v" dload prepare pkg.APP "$v" --format
	expect_in "$T/err" "is not an SD card image (content: " "$v: what it holds is named"
	refused "$v: --format --yes" "$v" dload prepare pkg.APP "$v" --format --yes
	expect_in "$T/err" "nothing was changed (--force formats it anyway)" "$v: said so"
	refused "$v: without --format" "$v" dload prepare pkg.APP "$v"
	if grep -q -- "--format" "$T/err"; then fail "$v: without --format, --format is not advised"
	else ok "$v: without --format, --format is not advised"; fi
done
expect_in "$T/err" "is not an SD card image (content: Huawei UPDATE.APP)" "a symlink is followed"
refused "a real 70 MB package: --format --yes" big.APP dload prepare pkg.APP big.APP --format --yes
refused "--json: one document" victim.APP --json dload prepare pkg.APP victim.APP --format --yes
check "--json: the refusal as JSON" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["exit"] == 1 and "not an SD card image" in d["error"], d' "$T/out"
# Each kind is named as what it is.
for kv in "victim.APP:Huawei UPDATE.APP" "v.zip:zip archive" "v-boot.img:Android boot image" \
	"v-sparse.img:Android sparse image" "ext.raw:ext2/3/4" "v.elf:ELF executable" \
	"v.gz:gzip data" "v.html:HTML page" "v-dump.img:data at byte 31457280"; do
	v=${kv%%:*}; want=${kv#*:}
	"$HWFLASH" dload prepare pkg.APP "$v" --format --yes > /dev/null 2> "$T/err"
	expect_in "$T/err" "$want" "$v is named: $want"
done
cp victim.APP forced.APP && truncate -s 64M forced.APP
run_hw 0 "--force formats a package anyway" --force dload prepare pkg.APP forced.APP --format --yes
expect_in "$T/err" "warning: --force: formatting forced.APP although it holds Huawei UPDATE.APP" \
	"--force warns"
part forced.APP forced.part
check "--force: fsck.fat -n finds a sound card" fsck.fat -n forced.part
check "--force: mtools reads the package back" sh -c "mcopy -n -i forced.APP@@1M \
	::/dload/UPDATE.APP f.APP && cmp f.APP pkg.APP"

# What is a card: a new (sparse) file, an existing card, a mkfs.vfat superfloppy,
# an erased (0xFF) image.  Off a terminal each needs --yes.
truncate -s 64M new.img
refused "a new image: --format without --yes" new.img dload prepare pkg.APP new.img --format
expect_in "$T/err" "give --yes when not on a terminal (nothing was changed)" "how to go on"
run_hw 0 "a new image: --format --yes" dload prepare pkg.APP new.img --format --yes
refused "an existing card: --format without --yes" new.img dload prepare pkg2.APP new.img --format
run_hw 0 "an existing card: --format --yes starts over" dload prepare pkg2.APP new.img --format --yes
check "the new package is on it" sh -c "mcopy -n -i new.img@@1M ::/dload/UPDATE.APP n.APP &&
	cmp n.APP pkg2.APP"
rm -f sf.img && mkfs.vfat -F 32 -C sf.img 65536 > /dev/null
refused "a mkfs.vfat card: --format without --yes" sf.img dload prepare pkg.APP sf.img --format
run_hw 0 "a mkfs.vfat card: --format --yes" dload prepare pkg.APP sf.img --format --yes
head -c 64M /dev/zero | tr '\0' '\377' > ff.img
run_hw 0 "an erased (0xFF) image: --format --yes" dload prepare pkg.APP ff.img --format --yes
: > empty.img
run_hw 1 "an empty file: too small, not refused for its content" dload prepare pkg.APP empty.img \
	--format --yes
expect_in "$T/err" "too small for FAT32" "size named"
check "the empty file stays empty" test ! -s empty.img

# On a terminal (a pty): a typed answer; anything but "yes" changes nothing.
tty_prepare() {	# tty_prepare ANSWER TARGET: exit code of a prepare --format on a pty
	python3 - "$HWFLASH" "$1" "$2" <<'PY'
import os, pty, sys, time
hw, answer, target = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(hw, [hw, "dload", "prepare", "pkg.APP", target, "--format"])
out, sent, t0 = b"", False, time.time()
while time.time() - t0 < 60:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
    if not sent and b"Type yes to go on" in out:
        os.write(fd, answer.encode() + b"\n")
        sent = True
_, st = os.waitpid(pid, 0)
open("tty.out", "wb").write(out)
sys.exit(os.waitstatus_to_exitcode(st) if sent else 99)
PY
}
truncate -s 64M tty.img
for a in no "yes please" ""; do
	cp tty.img tty.before
	tty_prepare "$a" tty.img
	check "terminal, answer '$a': exit 1" test $? -eq 1
	expect_in tty.out "not confirmed; nothing was changed" "terminal, answer '$a': said so"
	check "terminal, answer '$a': unchanged" cmp tty.img tty.before
done
expect_in tty.out "This erases everything on tty.img (64.0 MiB, all zero)" "the prompt says what"
tty_prepare yes tty.img
check "terminal, answer 'yes': formatted (exit 0)" test $? -eq 0
check "terminal: the card holds the package" sh -c "mcopy -n -i tty.img@@1M ::/dload/UPDATE.APP \
	t.APP && cmp t.APP pkg.APP"
tty_prepare yes victim.APP
check "terminal: a package is refused before anything is asked" test $? -eq 99
check "terminal: the package unchanged" cmp victim.APP victim.orig

# Targets that are no card at all: a FIFO, a character device; never a hang.
mkfifo pipe
for args in "dload prepare pkg.APP pipe --format --yes" "dload prepare pkg.APP pipe" \
	"dload check pipe" "dload prepare pkg.APP /dev/null" "dload check /dev/null"; do
	# shellcheck disable=SC2086
	timeout 20 "$HWFLASH" $args > "$T/out" 2> "$T/err"
	check "$args: exit 2 (usage), no hang" test $? -eq 2
	expect_in "$T/err" "TARGET is the card's folder, an image file or a device" "$args: said so"
done
run_hw 2 "a folder with --format (folder mode is unaffected)" dload prepare pkg.APP card --format

# --- damaged FAT32: every chain walk bounded, every loop named -----------------
# Cards made by mkfs.vfat + mtools, then damaged by tests/tools/fatpatch.py; fsck.fat -n
# is the judge that each one is broken.  dload check must say so (exit 1), never "a
# phone would find its update", and prepare onto it must refuse without --format.
head -c 20000 /dev/urandom > other.bin
random s.img 300000
"$HWFLASH" app pack -o small.APP SYSTEM=s.img > /dev/null	# 300460 bytes: 587 clusters
dmg() {	# dmg IMG: a good card with dload/UPDATE.APP and dload/OTHER.BIN
	rm -f "$1"; mkfs.vfat -F 32 -C "$1" 65536 > /dev/null
	mmd -i "$1" ::/dload
	mcopy -i "$1" small.APP ::/dload/UPDATE.APP
	mcopy -i "$1" other.bin ::/dload/OTHER.BIN
}
for c in "root-loop::root directory: its cluster chain loops at cluster 2 (it points to itself)" \
	"dir-loop:DLOAD:folder dload: its cluster chain loops at cluster 3 (it points to itself)" \
	"file-loop:DLOAD/UPDATE.APP:dload/UPDATE.APP: its cluster chain loops at cluster 590 (it points back to cluster 4)" \
	"file-loop:DLOAD/OTHER.BIN:dload/OTHER.BIN: its cluster chain loops at cluster" \
	"past-end:DLOAD/UPDATE.APP:dload/UPDATE.APP: broken cluster chain: the FAT entry of cluster 4 points to cluster 129029, outside the volume (2..129023)" \
	"free:DLOAD/UPDATE.APP:dload/UPDATE.APP: broken cluster chain: it runs into cluster 4, which is marked free" \
	"long:DLOAD/UPDATE.APP:dload/UPDATE.APP: its cluster chain has 588 clusters, its size (300460 bytes) needs 587" \
	"cross:DLOAD/UPDATE.APP DLOAD/OTHER.BIN:dload/UPDATE.APP and dload/OTHER.BIN share cluster 551 (cross-linked)"
do
	act=${c%%:*}; rest=${c#*:}; paths=${rest%%:*}; msg=${rest#*:}
	name="$act ${paths:-/}"
	dmg dmg.img
	# shellcheck disable=SC2086
	python3 "$top/tests/tools/fatpatch.py" dmg.img $act $paths
	check "$name: fsck.fat -n calls it broken" sh -c '! fsck.fat -n dmg.img'
	run_hw 1 "$name: dload check says no" dload check dmg.img
	expect_in "$T/out" "PROBLEM filesystem FAT32, damaged: $msg" "$name: named"
	expect_in "$T/out" "run fsck.fat -a" "$name: the repair named"
	expect_in "$T/out" "a phone would NOT update from this card" "$name: the verdict"
	run_hw 1 "$name: --json" --json dload check dmg.img
	check "$name: the JSON verdict is whole, with the error" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and sys.argv[2] in d["error"], d' "$T/out" "$msg"
	refused "$name: prepare without --format" dmg.img dload prepare pkg2.APP dmg.img
	expect_in "$T/err" "the card's file system is damaged: $msg" "$name: prepare says why"
done
# The same on an MBR card made by hwflash itself (partition at 1 MiB).
truncate -s 64M mbrdmg.img
"$HWFLASH" dload prepare pkg.APP mbrdmg.img --format --yes > /dev/null 2>&1
python3 "$top/tests/tools/fatpatch.py" mbrdmg.img@@1M file-loop DLOAD/UPDATE.APP
part mbrdmg.img mbrdmg.part
check "MBR card, looping file: fsck.fat -n calls it broken" sh -c '! fsck.fat -n mbrdmg.part'
run_hw 1 "MBR card, looping file: dload check says no" dload check mbrdmg.img
expect_in "$T/out" "dload/UPDATE.APP: its cluster chain loops at cluster" "MBR card: named"
refused "MBR card, looping file: prepare refuses" mbrdmg.img dload prepare pkg2.APP mbrdmg.img
run_hw 0 "MBR card, looping file: --format --yes starts over" dload prepare pkg2.APP mbrdmg.img \
	--format --yes
run_hw 0 "and the new card checks out" dload check mbrdmg.img
# What hwflash writes into an existing card (no --format) passes fsck.fat and mtools.
dmg good2.img
mdel -i good2.img ::/dload/UPDATE.APP
run_hw 0 "prepare into a mkfs.vfat card (no --format)" dload prepare pkg2.APP good2.img
check "fsck.fat -n finds it sound" fsck.fat -n good2.img
check "mtools reads it back" sh -c "MTOOLS_SKIP_CHECK=1 mcopy -n -i good2.img ::/dload/UPDATE.APP \
	g2.APP && cmp g2.APP pkg2.APP && MTOOLS_SKIP_CHECK=1 mcopy -n -i good2.img \
	::/dload/OTHER.BIN g2.bin && cmp g2.bin other.bin"
run_hw 0 "and dload check agrees" dload check good2.img

# --- no "Writing" before a refusal: every check comes first ---------------------
# A card with too little room (filled by mtools), a second file that is already there,
# a folder on the way that is a file.
rm -f full.img && mkfs.vfat -F 32 -C full.img 65536 > /dev/null
head -c 60000000 /dev/zero > filler.bin && mcopy -i full.img filler.bin ::/FILLER.BIN
rm -f filler.bin
refused "a card without room" full.img dload prepare big.APP full.img
expect_in "$T/err" "free on the card, the package needs" "room named"
mkdir -p two/dload && cp pkg.APP two/dload/UPDATE.APP && cp other.bin two/dload/OTHER.BIN
dmg has2.img
mdel -i has2.img ::/dload/UPDATE.APP
refused "a folder SOURCE whose second file is on the card" has2.img dload prepare two has2.img
expect_in "$T/err" "the card already has dload/" "the file named"
rm -f dfile.img && mkfs.vfat -F 32 -C dfile.img 65536 > /dev/null
mcopy -i dfile.img other.bin ::/DLOAD
refused "a file named dload where the folder goes" dfile.img dload prepare pkg.APP dfile.img
expect_in "$T/err" "the card has a file dload where the folder dload/ goes" "the file named"
for sf in big.APP:full.img two:has2.img pkg.APP:dfile.img; do
	f=${sf#*:}
	"$HWFLASH" dload prepare "${sf%%:*}" "$f" > /dev/null 2> "$T/err"
	if grep -q Writing "$T/err"; then fail "$f: 'Writing' before the refusal"; else
		ok "$f: no 'Writing' before the refusal"; fi
done

# --- --json: one document on every failure ------------------------------------
json_fail() {	# json_fail RC "what" ARGS...: stdout is exactly one JSON document with the error
	want=$1; what=$2; shift 2
	run_hw "$want" "--json: $what" --json "$@"
	check "--json: $what: one document, ok false, the error" python3 -c '
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)			# one document and nothing else
assert d["ok"] is False and d["error"], d
assert d.get("exit", int(sys.argv[2])) == int(sys.argv[2]), d' "$T/out" "$want"
}
json_fail 1 "prepare: no such source" dload prepare nosuch.APP new.img
json_fail 1 "prepare: no such target" dload prepare pkg.APP nosuch.img
json_fail 2 "prepare: unknown option" dload prepare pkg.APP new.img --bogus
json_fail 2 "prepare: --format on a folder" dload prepare pkg.APP card --format
json_fail 2 "prepare: a FIFO" dload prepare pkg.APP pipe
json_fail 1 "prepare: a damaged package" dload prepare bad.APP new.img --format --yes
json_fail 1 "prepare: a package as target" dload prepare pkg.APP victim.APP --format --yes
json_fail 1 "prepare: no --yes" dload prepare pkg.APP new.img --format
json_fail 1 "prepare: too small" dload prepare big.APP small.img --format --yes
json_fail 1 "prepare: the file is there" dload prepare pkg.APP new.img
json_fail 1 "prepare: a damaged card" dload prepare pkg.APP dmg.img
json_fail 1 "prepare: no room" dload prepare big.APP full.img
json_fail 1 "prepare: a folder not FAT32" dload prepare pkg.APP card
json_fail 1 "check: no such target" dload check nosuch.img
json_fail 2 "check: a FIFO" dload check pipe
json_fail 2 "check: no target" dload check
json_fail 1 "check: a damaged card" dload check dmg.img
json_fail 1 "check: a bad package" dload check badpkg.img
json_fail 1 "check: exFAT" dload check exfat.img
run_hw 0 "--json: prepare succeeds" --json dload prepare pkg.APP sf.img --format --yes
check "--json: the success document" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["files"][0]["path"] == "dload/UPDATE.APP", d' "$T/out"

# --- messages: a bad package is named once, and no "no UPDATE.APP" after it ------
printf '<html><body>404</body></html>\n' > page.APP
mk pagecard.img; mmd -i pagecard.img ::/dload; mcopy -i pagecard.img page.APP ::/dload/UPDATE.APP
mkdir -p pagedir/dload && cp page.APP pagedir/dload/UPDATE.APP
for t in badpkg.img pagecard.img pagedir; do
	run_hw 1 "check $t" dload check "$t"
	grep PROBLEM "$T/out" | grep -F "UPDATE.APP" > "$T/lines"
	check "$t: one line about UPDATE.APP" test "$(wc -l < "$T/lines")" -eq 1
	check "$t: the path said once" test "$(grep -o "dload/UPDATE.APP" "$T/lines" | wc -l)" -eq 1
	if grep -q "no UPDATE.APP" "$T/out"; then fail "$t: 'no UPDATE.APP' after naming it"
	else ok "$t: no 'no UPDATE.APP' after naming it"; fi
done
expect_in "$T/out" "dload/UPDATE.APP: not an UPDATE.APP: it is an HTML page" "the folder: why"
mk nopkg.img; mmd -i nopkg.img ::/dload
run_hw 1 "check: an empty dload/" dload check nopkg.img
expect_in "$T/out" "no UPDATE.APP (or update_sd*.zip) in dload/" "an empty dload/ says so"
truncate -s 64M nopkg-target.img
for src in sys.img page.APP; do
	run_hw 1 "prepare from $src, no package" dload prepare "$src" nopkg-target.img --format --yes
	check "$src: its name said once" test "$(grep -o "$src" "$T/err" | wc -l)" -eq 1
	check "$src: the target untouched" cmp -n 67108864 nopkg-target.img /dev/zero
done

# --- the same rules on a block device (a loop device, where we may make one) ---
cp victim.orig loopv.img
if loopdev=$(losetup -f --show loopv.img 2> /dev/null) && [ -b "$loopdev" ]; then
	run_hw 1 "block device holding a package: prepare without --format" \
		dload prepare pkg.APP "$loopdev"
	expect_in "$T/err" "holds no card (content: Huawei UPDATE.APP); nothing was changed" \
		"block device: what it holds is named"
	run_hw 1 "block device: --format --yes (not removable, holds no card)" \
		dload prepare pkg.APP "$loopdev" --format --yes
	run_hw 1 "block device: --force --format without --yes" --force \
		dload prepare pkg.APP "$loopdev" --format
	expect_in "$T/err" "give --yes when not on a terminal" "block device: --yes asked for"
	check "block device: unchanged after the refusals" cmp loopv.img victim.orig
	run_hw 0 "block device: --force --format --yes" --force dload prepare pkg.APP "$loopdev" \
		--format --yes
	run_hw 0 "block device: dload check" dload check "$loopdev"
	losetup -d "$loopdev"
else
	ok "block device: skipped (no loop device here)"
fi
