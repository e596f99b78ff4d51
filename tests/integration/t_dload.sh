#!/bin/sh
# dload prepare / check: cards judged by fsck.fat and mtools, folder
# targets with failures in the middle of the copy.
. "$(dirname "$0")/lib.sh"
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
