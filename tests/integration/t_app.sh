#!/bin/sh
# hwflash app list | check | extract | pack, against the real binary,
# with an independent Python parser as judge of what pack writes.
. "$(dirname "$0")/lib.sh"
need python3 zip
JUDGE="python3 $(cd "$(dirname "$0")/.." && pwd)/tools/appjudge.py"
cd "$T"

random boot.img 300000
random rec.img 40
: > empty.img
random sys.img 1500000

run_hw 0 "pack" app pack -o pkg.APP --hwid HW8x25 --allow-empty BOOT=boot.img RECOVERY=rec.img \
	EMPTY=empty.img SUPER=sys.img SUPER=boot.img ERECOVERY_RAMDISK=rec.img
expect_in "$T/err" "EMPTY=empty.img: empty (0 bytes), packed as an empty entry" \
	"--allow-empty says it packed an empty entry"
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
flip bad.APP $((off + 5 * 4096 + 100))
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
# SUPER and SUPER are raw (not sparse): pieces of one image, joined in order (issue 18).
check "the raw SUPER pieces are joined in order" sh -c "cat sys.img boot.img | cmp - ex/super.img"
check "no super_2.img beside the joined file" test ! -e ex/super_2.img
run_hw 0 "extract --pieces keeps every entry apart" app extract pkg.APP -o exp --pieces
check "extracted SUPER#2 equals its input" cmp exp/super_2.img boot.img
check "extracted SUPER equals its input" cmp exp/super.img sys.img
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
run_hw 0 "zip with two packages lists both" app list two.zip
expect_in "$T/out" "b/UPDATE.APP" "the packages are listed"
run_hw 1 "zip with two packages: check asks which" app check two.zip
expect_in "$T/err" "a/UPDATE.APP" "the packages are named"
run_hw 0 "--member picks one" app list two.zip --member b/UPDATE.APP
run_hw 0 "UPDATE.APP preferred over other .app members" app list sdset.zip
expect_in "$T/out" "sdset.zip:dload/UPDATE.APP" "the UPDATE.APP is listed"
expect_in "$T/out" "update_sd_cust.app" "the other package is mentioned"
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

# --- Pipes, FIFOs, /dev/stdin (issue 13 item 3) ---
# pack reads a pipe once into an unnamed temporary file and stores all of it;
# an empty input is refused, never stored silently; elsewhere a pipe is
# refused in one line that names the path as typed (/dev/fd/63, not "63").
# A file descriptor number left bare in a message ("63 is empty").
no_bare_fd() { ! sed 's#/dev/fd/[0-9]*##g' "$1" | grep -qw '6[0-9]'; }
judge_entry() { # PACKAGE NAME FILE: the judge's entry NAME has FILE's size and is OK
	$JUDGE "$1" | grep -qx "$2 $(stat -c %s "$3") OK"
}
if command -v bash > /dev/null; then
	bash -c '"$0" app pack -o pipe1.APP BOOT=<(cat boot.img) SYS=sys.img \
		> "$1/out" 2> "$1/err"; echo $? > "$1/rc"' "$HWFLASH" "$T"
	check "pack BOOT=<(cat boot.img) succeeds" test "$(cat rc)" = 0
	check "the judge finds all of BOOT in it" judge_entry pipe1.APP BOOT boot.img
	run_hw 0 "extract the piped BOOT" app extract pipe1.APP -o pipe1 BOOT
	check "piped BOOT is byte for byte the file" cmp pipe1/boot.img boot.img
	bash -c '"$0" app pack -o pipe0.APP BOOT=<(true) > "$1/out" 2> "$1/err"; echo $? > "$1/rc"' \
		"$HWFLASH" "$T"
	check "an empty pipe is refused (exit 1)" test "$(cat rc)" = 1
	expect_in "$T/err" "the pipe gave no data" "empty pipe named as such"
	expect_in "$T/err" "BOOT=/dev/fd/" "empty pipe: the argument as typed"
	one_line "$T/err" "empty pipe: one line"
	check "no package from an empty pipe" test ! -e pipe0.APP
	check "no bare '63' in the message" no_bare_fd "$T/err"
	bash -c '"$0" app list <(cat pkg.APP) > "$1/out" 2> "$1/err"; echo $? > "$1/rc"' \
		"$HWFLASH" "$T"
	check "app list of <(...) refused (exit 1)" test "$(cat rc)" = 1
	expect_in "$T/err" "/dev/fd/" "app list names the pipe by its path"
	expect_in "$T/err" "is a pipe" "app list says it is a pipe"
	one_line "$T/err" "app list of a pipe: one line"
	bash -c '"$0" image check <(cat boot.img) > "$1/out" 2> "$1/err"; echo $? > "$1/rc"' \
		"$HWFLASH" "$T"
	check "image check of <(...) refused (exit 1)" test "$(cat rc)" = 1
	expect_in "$T/err" "is a pipe" "image check says it is a pipe"
	check "image check: no bare '63'" no_bare_fd "$T/err"
	one_line "$T/err" "image check of a pipe: one line"
fi
rm -f fifo && mkfifo fifo
(cat sys.img > fifo &)
run_hw 0 "pack from a named FIFO" app pack -o fifo.APP SYSTEM=fifo BOOT=boot.img
check "the judge finds all of SYSTEM from the FIFO" judge_entry fifo.APP SYSTEM sys.img
run_hw 0 "check the FIFO-made package" app check fifo.APP
cat boot.img | "$HWFLASH" app pack -o stdin.APP BOOT=/dev/stdin > out 2> err
check "pack BOOT=/dev/stdin from a pipe" test $? = 0 -a -s stdin.APP
check "the judge finds all of BOOT from stdin" judge_entry stdin.APP BOOT boot.img
"$HWFLASH" app pack -o stdin2.APP BOOT=/dev/stdin < boot.img > out 2> err
check "pack BOOT=/dev/stdin redirected from a file" judge_entry stdin2.APP BOOT boot.img
: | "$HWFLASH" app pack -o stdin0.APP BOOT=/dev/stdin > out 2> err
check "empty stdin pipe refused" test $? = 1 -a ! -e stdin0.APP
expect_in err "BOOT=/dev/stdin: the pipe gave no data" "empty stdin named"
run_hw 1 "an empty file is refused without --allow-empty" app pack -o e.APP BOOT=empty.img
expect_in "$T/err" "BOOT=empty.img: the file is empty (0 bytes)" "empty file named"
check "nothing written for the empty file" test ! -e e.APP
run_hw 1 "a character device is refused" app pack -o e.APP BOOT=/dev/null
expect_in "$T/err" "/dev/null is a character device" "character device named"
cat pkg.APP | "$HWFLASH" app check /dev/stdin > out 2> err
check "app check of a piped /dev/stdin: exit 1" test $? = 1
expect_in err "/dev/stdin is a pipe" "app check names the pipe"
run_hw 0 "app list of /dev/stdin redirected from a file works" app list /dev/stdin < pkg.APP

# --- Colliding names (item 4): one naming scheme, one file per entry (--pieces: raw
# same-name entries would otherwise be joined, issue 18) ---
random c1 5000; random c2 70000; random c3 100; random c4 9000; random c5 1; random c6 33000
$JUDGE --build col.APP --crc SUPER=c1 SUPER=c2 super=c3 SUB/DIR=c4 sub_dir=c5 'SUPER#2=c6' \
	> /dev/null
check "the judge accepts the colliding package" $JUDGE col.APP
run_hw 0 "list --json of colliding names" app list --json col.APP
cp "$T/out" col.json
check "every display name and file name distinct, ignoring case" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["entries"]
names = [x["name"].lower() for x in e]
files = [x["file_name"].lower() for x in e]
assert len(set(names)) == len(e) == 7, names
assert len(set(files)) == len(e), files
assert all("/" not in f and not f.startswith(".") for f in files), files
real = [x["name"] for x in e if x["name"] == "SUPER#2"]
assert len(real) == 1, names' col.json
run_hw 0 "list shows each name once" app list col.APP
check "no two rows named SUPER#2" test "$(grep -c ' SUPER#2 ' "$T/out")" = 1
run_hw 0 "extract every colliding entry" app extract col.APP -o colx --pieces
expect_in "$T/out" "7 entries extracted" "7 reported"
check "7 files written, as reported" test "$(ls colx | wc -l)" = 7
check "file names distinct ignoring case too" sh -c "test -z \"\$(ls colx | tr A-Z a-z | sort | uniq -d)\""
check_contents() { # DIR: every entry's file holds exactly its input
	python3 -c '
import json, sys
inputs = {1: "c1", 2: "c2", 3: "c3", 4: "c4", 5: "c5", 6: "c6"}
e = json.load(open("col.json"))["entries"]
for x in e:
    if x["index"] in inputs:
        got = open(sys.argv[1] + "/" + x["file_name"], "rb").read()
        assert got == open(inputs[x["index"]], "rb").read(), x' "$1"
}
check "each file equals its entry's input" check_contents colx
run_hw 0 "SUPER#2 by name is the real SUPER#2 entry" app extract col.APP -o colone 'super#2'
check "its file holds the real SUPER#2's bytes" sh -c "cmp colone/\$(ls colone) c6"
run_hw 1 "extract again without --force refuses" app extract col.APP -o colx --pieces
expect_in "$T/err" "nothing extracted" "says nothing was extracted"
check "still 7 files, contents unchanged" check_contents colx
for f in colx/*; do echo old > "$f"; done
echo stray > colx/keep.me
run_hw 0 "--force replaces files that existed before the run" --force app extract col.APP -o colx --pieces
check "--force: still exactly 7 entry files (and the stray one)" test "$(ls colx | wc -l)" = 8
check "--force: every file replaced by its own entry" check_contents colx
check "--force leaves other files alone" test "$(cat colx/keep.me)" = stray
run_hw 0 "--json extract" --json app extract col.APP -o colj --pieces
check "extract --json: one document, one row per file written" python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["error"] is None, d
w = sorted(x["file_name"] for x in d["entries"] if x["written"])
assert w == sorted(os.listdir("colj")) and len(w) == 7, (w, os.listdir("colj"))' "$T/out"
# app pack refuses to make such names itself.
run_hw 2 "pack refuses '/' in a name" app pack -o n.APP SUB/DIR=c1
run_hw 2 "pack refuses '#' in a name" app pack -o n.APP 'SUPER#2=c1'
run_hw 2 "pack refuses names differing only in case" app pack -o n.APP SUPER=c1 super=c2
check "nothing written for refused names" test ! -e n.APP

# --- One verdict (item 11): check, extract (and app flash, t_appflash.sh) agree ---
random v1 50000; random v2 80000
verdict() { # WHAT BAD JUDGE-OPTION ARG: a damaged package; check and extract both fail on BAD
	rm -rf vx; $JUDGE --build v.APP --crc BOOT=v1 SYS=v2 "$3" "$4" > /dev/null
	run_hw 1 "$1: check says bad" app check v.APP
	expect_in "$T/out" "BAD  $2" "$1: check marks $2 BAD"
	run_hw 1 "$1: extract fails too" app extract v.APP -o vx
	check "$1: extract does not call $2 verified" sh -c "! grep -q '^  $2 .*verified' '$T/out'"
	check "$1: no partial file left" sh -c "! ls -A vx 2>/dev/null | grep -q partial"
}
verdict "CRC entry disagrees with SYS" SYS --reblock SYS
check "SYS not written, BOOT written" test ! -e vx/sys.img -a -f vx/boot.img
check "and BOOT is right" cmp vx/boot.img v1
expect_in "$T/err" "entry SYS: differs from the package's CRC entry" "the bad entry named"
expect_in "$T/err" "1 of 3 entries bad, not extracted" "summary of what was not written"
verdict "CRC entry's checksum of BOOT changed" BOOT --skew-crc BOOT
check "BOOT not written" test ! -e vx/boot.img
verdict "BOOT header CRC bad" BOOT --bad-header BOOT
check "BOOT with a bad header not written" test ! -e vx/boot.img
verdict "SYS block bad" SYS --bad-block SYS
check "SYS with a bad block not written" test ! -e vx/sys.img
$JUDGE --build v.APP --short-crc BOOT=v1 SYS=v2 > /dev/null
run_hw 1 "CRC entry of the wrong length: check says bad" app check v.APP
expect_in "$T/out" "BAD  CRC entry holds 4 checksums, the package's 5 32 KiB chunks need 5" \
	"check names the CRC entry's length"
rm -rf vx
run_hw 1 "CRC entry of the wrong length: extract refuses every entry" app extract v.APP -o vx
check "CRC entry of the wrong length: nothing extracted" test ! -e vx
run_hw 1 "CRC entry of the wrong length: BOOT alone is refused too" app extract v.APP -o vx BOOT
$JUDGE --build v.APP --crc BOOT=v1 SYS=v2 --reblock SYS > /dev/null
run_hw 1 "--keep-bad writes the bad entry, still exit 1" app extract v.APP -o vk --keep-bad
check "--keep-bad: SYS written" test -f vk/sys.img
run_hw 0 "the good entry alone extracts (exit 0)" app extract v.APP -o vg BOOT
run_hw 1 "the bad entry alone fails" app extract v.APP -o vb SYS
check "nothing written for it, not even the folder's file" test ! -e vb/sys.img
run_hw 1 "--json extract of the bad package" --json app extract v.APP -o vj
check "extract --json failure: ok false, error, SYS not written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and "not extracted" in d["error"], d
s = [x for x in d["entries"] if x["name"] == "SYS"][0]
assert s["ok"] is False and s["written"] is False and s["error"], s' "$T/out"
head -c 60000 v.APP > vt.APP
run_hw 1 "truncated: check" app check vt.APP
run_hw 1 "truncated: extract" app extract vt.APP -o vt
check "truncated: nothing extracted" test ! -e vt

# --- JSON on failure (item 15): stdout is one document with the error ---
json_fail() { # EXIT WHAT ARGS...: --json run fails with EXIT, stdout is one failure document
	want=$1; what=$2; shift 2
	run_hw "$want" "$what" --json "$@"
	check "$what: one JSON document with ok false and the error" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["ok"] is False, d
assert isinstance(d["error"], str) and d["error"], d
if "exit" in d: assert d["exit"] == int(sys.argv[2]), d' "$T/out" "$want"
}
json_fail 1 "list --json of an HTML page" app list page.APP
json_fail 1 "list --json of a missing file" app list missing.APP
json_fail 1 "check --json of a truncated package" app check short.APP
json_fail 1 "check --json of a zip without a package" app check none.zip
json_fail 1 "check --json of a bad package" app check bad.APP
json_fail 1 "check --json of a CRC-entry disagreement" app check v.APP
json_fail 1 "extract --json of an HTML page" app extract page.APP -o jx
json_fail 1 "extract --json onto existing files" app extract pkg.APP -o ex
json_fail 1 "pack --json of a missing input" app pack -o j.APP BOOT=nope.img
json_fail 1 "pack --json of an empty input" app pack -o j.APP BOOT=empty.img
json_fail 2 "pack --json of a bad name" app pack -o j.APP SUB/DIR=boot.img
json_fail 2 "extract --json with -o missing its value" app extract pkg.APP -o
json_fail 1 "list --json of a character device" app list /dev/stdin < /dev/null
cat pkg.APP | json_fail 1 "list --json of a pipe" app list /dev/stdin

# --- Messages (item 16) ---
run_hw 0 "pack a one-entry package" app pack -o one.APP --no-crc BOOT=boot.img
expect_in "$T/out" "Packed 1 entry into" "pack: 1 entry"
run_hw 0 "list a one-entry package" app list one.APP
expect_in "$T/out" "one.APP: 1 entry," "list: 1 entry"
run_hw 0 "check a one-entry package" app check one.APP
expect_in "$T/out" "one.APP: 1 entry OK" "check: 1 entry OK"
run_hw 0 "extract a one-entry package" app extract one.APP -o onex
expect_in "$T/out" "1 entry extracted" "extract: 1 entry"
check "no '1 entries' anywhere" sh -c "! grep -q '\b1 entries' '$T/out' '$T/err'"
run_hw 1 "zip without package: one file" app list none.zip
expect_in "$T/err" "(1 file, none ends in .APP)" "zip: 1 file"
random l1 1000; random l2 2000
$JUDGE --build long.APP --crc ABCDEFGHIJKLMNOPQRSTUVWXYZ012345=l1 'SHORT=l2' 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345=l2' > /dev/null
columns_aligned() { # FILE HEADER-WORD: every row's field after the name ends where the header's does
	python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
hdr = [l for l in lines if sys.argv[2] in l][0]
end = hdr.index(sys.argv[2]) + len(sys.argv[2])
rows = [l for l in lines if l.strip()[:1].isdigit()]
assert rows, lines
for r in rows:
    assert r[end - 1] != " " and (len(r) == end or r[end] == " "), (r, end)' "$1" "$2"
}
run_hw 0 "list with a 32-character name" app list long.APP
check "list: the SIZE column stays aligned with long names" columns_aligned "$T/out" SIZE
check "list: long names whole" grep -q "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345#2 " "$T/out"
run_hw 0 "check with a 32-character name" app check long.APP
check "check: sizes end in one column" python3 -c '
import re, sys
rows = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith("  OK")]
ends = {re.search(r"[0-9.]+ (B|KiB|MiB)", l).end() for l in rows}
assert len(rows) == 4 and len(ends) == 1, rows' "$T/out"
run_hw 0 "extract -o a/b/c creates the parent folders" app extract one.APP -o deep/a/b/c
check "deep/a/b/c/boot.img written" cmp deep/a/b/c/boot.img boot.img
: > notdir
run_hw 1 "extract -o into a file is refused" app extract one.APP -o notdir
expect_in "$T/err" "notdir: not a folder" "not a folder named"
run_hw 2 "extract -o without its value" app extract one.APP -o
expect_in "$T/err" "-o needs a value" "missing value, not unknown option"
run_hw 2 "list --member without its value" app list one.APP --member
expect_in "$T/err" "--member needs a value" "--member missing value"
run_hw 2 "pack --hwid without its value" app pack -o x.APP BOOT=boot.img --hwid
expect_in "$T/err" "--hwid needs a value" "--hwid missing value"
run_hw 2 "an unknown option is still called unknown" app list --bogus one.APP
expect_in "$T/err" "unknown option '--bogus'" "unknown option named"
