#!/bin/sh
# hwflash app list | check | extract | pack, against the real binary,
# with an independent Python parser as judge of what pack writes.
. "$(dirname "$0")/lib.sh"
JUDGE="python3 $(cd "$(dirname "$0")/.." && pwd)/tools/appjudge.py"
cd "$T"

random boot.img 300000
random rec.img 40
: > empty.img
random sys.img 1500000

run_hw 0 "pack" app pack -o pkg.APP --hwid HW8x25 BOOT=boot.img RECOVERY=rec.img \
	EMPTY=empty.img SUPER=sys.img SUPER=boot.img ERECOVERY_RAMDISK=rec.img
expect_in "$T/out" "no signature" "pack says a device will reject an unsigned package"
check "independent judge accepts the packed file" $JUDGE pkg.APP
run_hw 1 "pack refuses to replace an existing file" app pack -o pkg.APP BOOT=boot.img
one_line "$T/err" "one-line error for existing output"
run_hw 2 "pack without NAME=FILE is a usage error" app pack -o x.APP boot.img
run_hw 1 "pack of a missing input" app pack -o y.APP BOOT=nope.img
check "no output left behind by a failed pack" test ! -e y.APP

run_hw 0 "list" app list pkg.APP
expect_in "$T/out" "SUPER#2" "duplicate names kept apart"
expect_in "$T/out" "ERECOVERY_RAMDISK" "17-character name whole"
expect_in "$T/out" "HW8x25" "hardware id shown"
run_hw 0 "list --json" app list --json pkg.APP
check "list --json is valid JSON with the documented fields" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
e=d["entries"]
assert d["file"]=="pkg.APP"
assert [x["name"] for x in e]==["CRC","BOOT","RECOVERY","EMPTY","SUPER","SUPER#2","ERECOVERY_RAMDISK"],e
for x in e:
    for k in ("index","name","size","offset","date","time","hwid","seq","kind"): assert k in x
assert e[0]["kind"]=="crc" and e[1]["kind"]=="image"
assert e[1]["size"]==300000
blob=open("pkg.APP","rb").read()
assert blob[e[1]["offset"]:e[1]["offset"]+300000]==open("boot.img","rb").read()
' "$T/out"

run_hw 0 "check a good package" app check pkg.APP
expect_in "$T/out" "all 7 entries OK" "check says all OK"
run_hw 0 "check --json" app check --json pkg.APP
check "check --json shape" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["ok"] is True and d["file"]=="pkg.APP"
for x in d["entries"]:
    assert x["ok"] is True and x["bad_blocks"]==[] and x["error"] is None
' "$T/out"

# Corrupt BOOT's block 5: check names the entry, the block and the byte offset.
off=$(python3 -c 'import json;d=json.load(open("'"$T/out"'".replace("out","out")))' 2>/dev/null; \
	"$HWFLASH" app list --json pkg.APP | python3 -c 'import json,sys;print([e for e in json.load(sys.stdin)["entries"] if e["name"]=="BOOT"][0]["offset"])')
cp pkg.APP bad.APP
printf 'X' | dd of=bad.APP bs=1 seek=$((off + 5 * 4096 + 100)) conv=notrunc 2>/dev/null
run_hw 1 "check finds a bad block" app check bad.APP
expect_in "$T/out" "BAD  BOOT" "bad entry named"
expect_in "$T/out" "block 5 at byte $((off + 5 * 4096))" "block and byte offset given"
run_hw 1 "check --json on a bad package" app check --json bad.APP
check "check --json lists bad block 5" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["ok"] is False
b=[e for e in d["entries"] if e["name"]=="BOOT"][0]
assert b["ok"] is False and b["bad_blocks"]==[5] and "block 5" in b["error"]
' "$T/out"
check "the judge agrees the corrupted file is bad" sh -c "! $JUDGE bad.APP"

run_hw 0 "extract all" app extract pkg.APP -o ex
check "extracted boot equals input" cmp ex/boot.img boot.img
check "extracted SUPER#2 equals its input" cmp ex/super_2.img boot.img
check "extracted SUPER equals its input" cmp ex/super.img sys.img
check "zero-length entry extracted" test -f ex/empty.img -a ! -s ex/empty.img
run_hw 1 "extract refuses to replace files" app extract pkg.APP -o ex BOOT
run_hw 0 "extract one entry by name, case-insensitive" app extract pkg.APP -o one recovery
check "only that entry" test "$(ls one)" = "recovery.img"
run_hw 1 "extract of a bad entry" app extract bad.APP -o bad BOOT
check "bad entry's output removed" test ! -e bad/boot.img
check "no partial file left" sh -c '! ls -A bad | grep -q .'
run_hw 1 "extract --keep-bad keeps it and still fails" app extract bad.APP -o keep --keep-bad BOOT
check "kept with --keep-bad" test -s keep/boot.img
run_hw 1 "extract of an unknown entry" app extract pkg.APP -o x SYSTEM
one_line "$T/err" "unknown entry: one line"

# Firmware zips: stored and deflated, nested folder, several packages, none.
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("fw.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("pkg.APP", "dload/UPDATE.APP")
    z.writestr("readme.txt", "hello")
with zipfile.ZipFile("stored.zip", "w", zipfile.ZIP_STORED) as z:
    z.write("pkg.APP", "UPDATE.APP")
with zipfile.ZipFile("two.zip", "w") as z:
    z.write("pkg.APP", "a/UPDATE.APP")
    z.write("pkg.APP", "b/UPDATE.APP")
with zipfile.ZipFile("sdset.zip", "w") as z:
    z.write("pkg.APP", "dload/UPDATE.APP")
    z.write("pkg.APP", "dload/cust/update_sd_cust.app")
with zipfile.ZipFile("none.zip", "w") as z:
    z.writestr("readme.txt", "hello")
PY
run_hw 0 "list inside a deflated zip" app list fw.zip
expect_in "$T/out" "fw.zip:dload/UPDATE.APP" "zip member named"
run_hw 0 "check inside a deflated zip" app check fw.zip
run_hw 0 "check inside a stored zip" app check stored.zip
run_hw 0 "extract from a zip" app extract fw.zip -o zout BOOT
check "zip-extracted boot equals input" cmp zout/boot.img boot.img
run_hw 1 "zip with two packages asks which" app list two.zip
expect_in "$T/err" "a/UPDATE.APP" "the packages are listed"
run_hw 0 "--member picks one" app list two.zip --member b/UPDATE.APP
run_hw 0 "UPDATE.APP preferred over other .app members" app list sdset.zip
expect_in "$T/out" "sdset.zip:dload/UPDATE.APP" "the UPDATE.APP is listed"
expect_in "$T/err" "update_sd_cust.app" "the other package is mentioned"
run_hw 1 "zip without UPDATE.APP" app list none.zip
expect_in "$T/err" "no UPDATE.APP inside" "zip without package explained"
one_line "$T/err" "zip without package: one line"

# Bad input: one line, exit 1.
printf '<!DOCTYPE html>\n<html><body>Download</body></html>\n' > page.APP
run_hw 1 "HTML page saved as UPDATE.APP" app check page.APP
expect_in "$T/err" "HTML page" "HTML page named"
one_line "$T/err" "HTML page: one line"
: > empty.APP
run_hw 1 "empty file" app list empty.APP
expect_in "$T/err" "empty" "empty file named"
head -c 200000 pkg.APP > short.APP
run_hw 1 "truncated package" app check short.APP
expect_in "$T/err" "truncated" "truncation named"
one_line "$T/err" "truncated: one line"
run_hw 1 "missing file" app list missing.APP
one_line "$T/err" "missing: one line"
if [ "$(id -u)" != 0 ]; then
	cp pkg.APP noread.APP && chmod 000 noread.APP
	run_hw 1 "unreadable file" app list noread.APP
fi
run_hw 2 "unknown subcommand is usage" app frobnicate
run_hw 2 "unknown option is usage" app list --bogus pkg.APP
run_hw 0 "--version" --version
run_hw 0 "help app check" help app check
expect_in "$T/out" "usage: hwflash app check" "help text for a subcommand"

# zip64 records (as written for members over 4 GiB) on a small member.
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("z64.zip", "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
    with open("pkg.APP", "rb") as f, z.open("dload/UPDATE.APP", "w", force_zip64=True) as m:
        m.write(f.read())
PY
run_hw 0 "check inside a zip with zip64 records" app check z64.zip

# Progress: a bar on a terminal, nothing when stderr is not one.
run_hw 0 "check with stderr not a terminal" app check pkg.APP
check "no progress bar when not a terminal" sh -c "! grep -q 'checking' '$T/err'"
if command -v script > /dev/null; then
	script -qec "'$HWFLASH' app check pkg.APP" /dev/null > tty.txt 2>&1
	expect_in tty.txt "checking" "progress bar drawn on a terminal"
	expect_in tty.txt "100.0%" "progress bar reaches 100%"
fi
