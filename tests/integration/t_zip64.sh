#!/bin/sh
# zip64 firmware zips, made by independent writers (Info-ZIP zip, Python's
# zipfile): zip64 records on small members (zip -fz, force_zip64), streamed
# zips with data descriptors (a writer on a pipe), malformed zip64 records
# (refused in one line), and real zips past 4 GiB made from sparse files: a
# 5 GiB UPDATE.APP stored and deflated, members whose local headers lie
# past 4 GiB, read by app list/check/extract, update and dload prepare.
# The 5 GiB part takes about half a minute; make check runs it once, in its
# ASan run (skipped where HWFLASH_ASAN is set: the plain run after it).
# Deflating 5 GiB takes a minute, so the deflated 5 GiB zip reuses zlib's
# output for runs of zeros (pyzip.py --fast-zeros).
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg mcopy cpio gzip zip unzip
: "${FBSIM:?set FBSIM to the fbsim binary}"
tools=$(cd "$(dirname "$0")/../tools" && pwd)
MKAPP="python3 $tools/mkapp.py"
PYZIP="python3 $tools/pyzip.py"
cd "$T"

# app_size FILE: the package size in the JSON of app list ("size" after "file")
app_size() { sed -n 's/^{"file":"[^"]*","size":\([0-9]*\),.*/\1/p' "$1"; }
# secs: seconds since the epoch, for the timings printed as comments
secs() { date +%s; }
tstart=$(secs)

random boot.img 100000
random rec.img 70001
$MKAPP pkg.APP BOOT=boot.img RECOVERY=rec.img SYSTEM=zeros:100000
check "the test package passes the independent judge" python3 "$tools/appjudge.py" pkg.APP
mkdir -p dload && cp pkg.APP dload/UPDATE.APP
size=$(stat -c %s pkg.APP)

# --- small members with zip64 records, every writer and layout ----------------
zip -q -0 -fz fz0.zip dload/UPDATE.APP			# zip64 local + central, stored
zip -q -fz fz8.zip dload/UPDATE.APP			# the same, deflated
cat pkg.APP | zip -q fzin.zip -				# unknown size: zip64 local header
cat pkg.APP | zip -q - - | cat > fzpipe.zip		# on a pipe: 64-bit data descriptor
$PYZIP py0.zip --zip64 dload/UPDATE.APP=pkg.APP
$PYZIP py8.zip --deflate --zip64 dload/UPDATE.APP=pkg.APP
$PYZIP - --zip64 dload/UPDATE.APP=pkg.APP | cat > pys0.zip	# streamed, stored
$PYZIP - --deflate --zip64 dload/UPDATE.APP=pkg.APP | cat > pys8.zip
for z in fz0 fz8 fzin fzpipe py0 py8 pys0 pys8; do
	m=""
	case $z in fzin | fzpipe) m="--member -" ;; esac	# Info-ZIP names stdin "-"
	check "$z.zip: unzip -t accepts it (judge)" unzip -tq $z.zip
	# shellcheck disable=SC2086
	run_hw 0 "$z.zip: app list --json" app list --json $z.zip $m
	check "$z.zip: the package is $size bytes" test "$(app_size "$T/out")" = "$size"
	# shellcheck disable=SC2086
	run_hw 0 "$z.zip: app check" app check $z.zip $m
	rm -rf x
	# shellcheck disable=SC2086
	run_hw 0 "$z.zip: app extract" app extract $z.zip $m -o x BOOT RECOVERY
	check "$z.zip: BOOT extracted whole" cmp x/boot.img boot.img
	check "$z.zip: RECOVERY extracted whole" cmp x/recovery.img rec.img
done

# --- malformed zip64 records: one line each, exit 1 ---------------------------
# Info-ZIP 3.0 writing -fz to a pipe marks the directory offset 0xFFFFFFFF and
# writes no zip64 end record (unzip -t refuses it too).
zip -q -fz - dload/UPDATE.APP | cat > fzbad.zip
check "fzbad.zip: unzip -t refuses it too (judge)" sh -c "! unzip -tq fzbad.zip"
# Break one zip64 field of the first member in place, one copy per kind.
python3 - <<'PY'
import struct


def extra(b, at):
    """Offset of the zip64 extra field (id 1) in the extra field at @at."""
    while struct.unpack_from("<H", b, at)[0] != 1:
        at += 4 + struct.unpack_from("<H", b, at + 2)[0]
    return at


for src, kind in (("fz0", "size+1"), ("fz0", "size5g"), ("fz8", "size5g"), ("fz0", "noextra"),
                  ("fz0", "short"), ("fz0", "local"), ("fz0", "locator")):
    b = bytearray(open(src + ".zip", "rb").read())
    cen = b.find(b"PK\1\2")
    ext = extra(b, cen + 46 + struct.unpack_from("<H", b, cen + 28)[0])
    if kind == "size+1":			# central zip64 size != local
        struct.pack_into("<Q", b, ext + 4, struct.unpack_from("<Q", b, ext + 4)[0] + 1)
    elif kind == "size5g":			# a 5 GiB size in a small zip
        struct.pack_into("<Q", b, ext + 4, 5 << 30)
    elif kind == "noextra":			# zip64 field renamed away
        struct.pack_into("<H", b, ext, 0x6666)
    elif kind == "short":			# zip64 field cut to 4 bytes
        struct.pack_into("<H", b, ext + 2, 4)
    elif kind == "local":			# local zip64 size != central
        lext = extra(b, 30 + struct.unpack_from("<H", b, 26)[0])
        struct.pack_into("<Q", b, lext + 4, struct.unpack_from("<Q", b, lext + 4)[0] - 4096)
    elif kind == "locator":			# zip64 locator points nowhere
        struct.pack_into("<Q", b, b.rfind(b"PK\6\7") + 8, 12345)
        rec = b.rfind(b"PK\6\6")
        b[rec:rec + 2] = b"XX"
    open("bad-%s-%s.zip" % (src, kind), "wb").write(bytes(b))
PY
for z in fzbad bad-fz0-size+1 bad-fz0-size5g bad-fz8-size5g bad-fz0-noextra bad-fz0-short \
	bad-fz0-local bad-fz0-locator; do
	run_hw 1 "$z.zip: refused" app check $z.zip
	one_line "$T/err" "$z.zip: one line"
	expect_in "$T/err" "corrupt" "$z.zip: called corrupt"
	check "$z.zip: never the 4294967295 of a misread zip64 field" \
		sh -c "! grep -q 4294967295 '$T/err'"
done
expect_in "$T/err" "zip64" "a broken zip64 locator is named"
# A CRC-32 that does not match the inflated bytes (both headers patched alike).
python3 - <<'PY'
import struct
b = bytearray(open("fz8.zip", "rb").read())
for sig, off in ((b"PK\3\4", 14), (b"PK\1\2", 16)):
    p = b.find(sig) + off
    struct.pack_into("<I", b, p, struct.unpack_from("<I", b, p)[0] ^ 1)
open("badcrc.zip", "wb").write(bytes(b))
PY
run_hw 1 "a deflated member whose CRC-32 does not match" app check badcrc.zip
expect_in "$T/out" "zip CRC-32 mismatch" "zip CRC-32 mismatch named"
head -c 60000 fz0.zip > cut.zip
run_hw 1 "a zip64 zip cut short" app list cut.zip
expect_in "$T/err" "truncated download?" "cut zip: truncation named"
one_line "$T/err" "cut zip: one line"

# --- small zip64 zips on every path that sends bytes ---------------------------
random kernel 500000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o kboot.img
random system.img 1000000
printf 'require board=hwsim\n' > android-info.txt
PARTS="--partition boot_a:8M --partition boot_b:8M --partition recovery:8M
	--partition system:16M --partition userdata:16M"
# shellcheck disable=SC2086
start_sim dev --product hwsim --max-download 1M $PARTS
S="tcp:127.0.0.1:$PORT"
mkdir -p u && cp kboot.img u/boot.img && cp system.img u/ &&
	cp android-info.txt u/
(cd u && zip -q -fz ../upd-fz.zip android-info.txt boot.img && zip -q -0 -fz ../upd-fz.zip system.img)
run_hw 0 "update from a zip -fz zip" -s "$S" update upd-fz.zip --skip-reboot
check "update (zip -fz): boot stored on the device" cmp dev/boot_a.img kboot.img
check "update (zip -fz): system stored on the device" \
	cmp -n "$(stat -c %s system.img)" dev/system.img system.img
rm -f dev/boot_a.img dev/system.img
$PYZIP - --deflate --zip64 android-info.txt=android-info.txt boot.img=kboot.img \
	system.img=system.img | cat > upd-pys.zip
run_hw 0 "update from a streamed zip64 zip" -s "$S" update upd-pys.zip --skip-reboot
check "update (streamed): boot stored on the device" cmp dev/boot_a.img kboot.img
check "update (streamed): system stored on the device" \
	cmp -n "$(stat -c %s system.img)" dev/system.img system.img
$MKAPP fl.APP RECOVERY=kboot.img SYSTEM=system.img
cp fl.APP dload/UPDATE.APP && zip -q -0 -fz fl.zip dload/UPDATE.APP
run_hw 0 "app flash from a zip -fz zip" -s "$S" app flash fl.zip RECOVERY SYSTEM
check "app flash (zip -fz): recovery on the device" cmp dev/recovery.img kboot.img
check "app flash (zip -fz): system on the device" \
	cmp -n "$(stat -c %s system.img)" dev/system.img system.img
truncate -s 64M card.img
run_hw 0 "dload prepare from a zip -fz firmware zip" dload prepare fz8.zip card.img --format --yes
check "the card's UPDATE.APP is the package" sh -c "mcopy -n -i card.img@@1M \
	::/dload/UPDATE.APP card.APP && cmp card.APP pkg.APP"
rm -f card.img card.APP

echo "# zip64 zips below 4 GiB: $(($(secs) - tstart)) s"

# --- past 4 GiB: real zips of a sparse 5 GiB UPDATE.APP --------------------------
if [ -n "${HWFLASH_ASAN:-}" ]; then
	echo "# zips past 4 GiB: run by the ASan run of make check"
	exit 0
fi
t0=$(secs)
# SYSTEM and SUPER are zeros the file never holds; RECOVERY's data starts past 5 GiB.
$MKAPP big.APP BOOT=boot.img SYSTEM=zeros:3221225472 SUPER=zeros:2147483648 RECOVERY=rec.img
bsize=$(stat -c %s big.APP)
# big.zip: the 5 GiB package stored, then (local headers past 4 GiB) a small
# package, a stored boot.img and a deflated system.img for update.
$PYZIP big.zip --sparse dload/UPDATE.APP=big.APP small/pkg.bin=pkg.APP \
	android-info.txt=android-info.txt boot.img=kboot.img --deflate system.img=system.img
t1=$(secs)
echo "# made big.zip (Python zipfile, stored, $bsize-byte member) in $((t1 - t0)) s"
check "big.zip: unzip sees the 5 GiB member (judge)" \
	sh -c "unzip -Zl big.zip dload/UPDATE.APP | grep -q ' $bsize '"
check "big.zip: its members past 4 GiB (judge)" python3 -c '
import zipfile
z = zipfile.ZipFile("big.zip")
assert all(z.getinfo(n).header_offset > 1 << 32 for n in ("small/pkg.bin", "boot.img"))'
run_hw 0 "big.zip: app list" app list --json big.zip
check "big.zip: the package is $bsize bytes" test "$(app_size "$T/out")" = "$bsize"
check "big.zip: SUPER is 2 GiB, RECOVERY past 5 GiB" python3 -c '
import json, sys
e = {x["name"]: x for x in json.load(open(sys.argv[1]))["entries"]}
assert e["SUPER"]["size"] == 2147483648 and e["RECOVERY"]["offset"] > 5 << 30, e' "$T/out"
run_hw 0 "big.zip: app check of 5 GiB" app check big.zip
t2=$(secs)
echo "# app check big.zip: $((t2 - t1)) s"
rm -rf x
run_hw 0 "big.zip: app extract around the 5 GiB" app extract big.zip \
	-o x BOOT RECOVERY
check "big.zip: BOOT extracted whole" cmp x/boot.img boot.img
check "big.zip: RECOVERY (past 5 GiB) extracted whole" cmp x/recovery.img rec.img
run_hw 0 "big.zip: app check of the package past 4 GiB" app check big.zip \
	--member small/pkg.bin
rm -rf x
run_hw 0 "big.zip: app extract from past 4 GiB" app extract big.zip --member small/pkg.bin \
	-o x RECOVERY
check "big.zip: RECOVERY of the package past 4 GiB" cmp x/recovery.img rec.img
rm -f dev/boot_a.img dev/system.img
run_hw 0 "big.zip: update with images past 4 GiB" -s "$S" update big.zip --skip-reboot
check "big.zip: boot (stored past 4 GiB) on the device" cmp dev/boot_a.img kboot.img
check "big.zip: system (deflated past 4 GiB) on the device" \
	cmp -n "$(stat -c %s system.img)" dev/system.img system.img
truncate -s 64M card.img
t3=$(secs)
run_hw 1 "big.zip: dload prepare of a 5 GiB UPDATE.APP" dload prepare big.zip card.img \
	--format --yes
expect_in "$T/err" "FAT32 cannot hold a file of 4 GiB" "5 GiB for a card: the limit named"
one_line "$T/err" "5 GiB for a card: one line"
check "5 GiB for a card: refused before reading it" test $(($(secs) - t3)) -lt 3
check "5 GiB for a card: the card untouched" cmp -n 2097152 card.img /dev/zero
echo "# update, extract, dload on big.zip: $(($(secs) - t2)) s"
rm -f big.zip

# bigd.zip: the 5 GiB package deflated by zipfile on a pipe (a data
# descriptor with 64-bit sizes); --fast-zeros reuses zlib's output for 1 MiB
# of zeros.  Extracting the last entry inflates all 5 GiB and checks the
# member's CRC-32 at its end.
t4=$(secs)
$PYZIP - --fast-zeros --deflate=1 dload/UPDATE.APP=big.APP | cat > bigd.zip
t5=$(secs)
echo "# made bigd.zip (Python zipfile, deflated, streamed) in $((t5 - t4)) s"
check "bigd.zip: unzip sees the 5 GiB member (judge)" \
	sh -c "unzip -Zl bigd.zip dload/UPDATE.APP | grep -q ' $bsize '"
rm -rf x
run_hw 0 "bigd.zip: app extract of the entry past 5 GiB" app extract bigd.zip -o x RECOVERY
check "bigd.zip: RECOVERY (inflated past 5 GiB) whole" cmp x/recovery.img rec.img
echo "# app extract bigd.zip: $(($(secs) - t5)) s"
t6=$(secs)
run_hw 1 "bigd.zip: dload prepare of a 5 GiB UPDATE.APP" dload prepare bigd.zip card.img \
	--format --yes
expect_in "$T/err" "FAT32 cannot hold a file of 4 GiB" "deflated 5 GiB for a card: refused"
one_line "$T/err" "deflated 5 GiB for a card: one line"
check "deflated 5 GiB for a card: refused without inflating it" test $(($(secs) - t6)) -lt 3
rm -f bigd.zip

# Info-ZIP at 5 GiB: its own CRC-32 and deflate make `zip -0` and `zip -1` of
# the 5 GiB package take 25 to 45 s each here, and `zip -0` writes 5 GiB, too
# slow for every make check (the small zip -fz zips above have the same
# records): HWF_ZIP64_INFOZIP=1 runs them.
if [ -n "${HWF_ZIP64_INFOZIP:-}" ]; then
	mkdir -p iz/dload && ln -f big.APP iz/dload/UPDATE.APP
	for lvl in 0 1; do
		t7=$(secs)
		(cd iz && zip -q -$lvl ../iz$lvl.zip dload/UPDATE.APP)
		fallocate --dig-holes iz$lvl.zip
		echo "# made iz$lvl.zip (zip -$lvl of 5 GiB) in $(($(secs) - t7)) s"
		t7=$(secs)
		run_hw 0 "iz$lvl.zip (zip -$lvl, 5 GiB): app check" app check iz$lvl.zip
		echo "# app check iz$lvl.zip: $(($(secs) - t7)) s"
		rm -rf x
		run_hw 0 "iz$lvl.zip: app extract of the entry past 5 GiB" app extract iz$lvl.zip \
			-o x RECOVERY
		check "iz$lvl.zip: RECOVERY whole" cmp x/recovery.img rec.img
		rm -f iz$lvl.zip
	done
	rm -rf iz
fi
rm -f big.APP card.img
echo "# zips past 4 GiB: $(($(secs) - t0)) s in all"
