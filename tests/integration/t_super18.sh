#!/bin/sh
# Issue 18, SUPER and newer packages: app extract --merge-super joins split
# SUPER pieces (made here by tests/tools/simgsplit.py from an img2simg'd
# super built by the independent tests/tools/lpjudge.py, packed by
# tests/tools/mkapp.py) into one sparse super.img that simg2img and the judge
# accept and image unpack writes out.
. "$(dirname "$0")/lib.sh"
need python3 img2simg simg2img cmp
tools=$(cd "$(dirname "$0")/../tools" && pwd)
J="python3 $tools/lpjudge.py"
cd "$T"

# --- 1. split SUPER ---
random system.img 700000
random vendor.img 200000
random product.img 300000
random boot.img 50000
layout="--device-size 4194304 --metadata-size 65536 --metadata-slots 2 --group main:3145728"
layout="$layout --partition system:readonly:700000:main --partition vendor:readonly:200000:main"
layout="$layout --partition product:readonly:300000:main"
imgs="--image system=system.img --image vendor=vendor.img --image product=product.img"
# shellcheck disable=SC2086
check "fixture: the judge builds super.img, img2simg sparses it, split in 3 pieces" sh -c "
	$J build -o super.img $layout $imgs && img2simg super.img super.simg &&
	python3 $tools/simgsplit.py super.simg piece --pieces 3 &&
	python3 $tools/simgsplit.py super.simg bad --pieces 2 --overlap &&
	python3 $tools/mkapp.py S.APP BOOT=boot.img SUPER=piece.0 SUPER=piece.1 SUPER=piece.2 \
		> /dev/null &&
	python3 $tools/mkapp.py O.APP SUPER=bad.0 SUPER=bad.1 > /dev/null"

run_hw 0 "extract without --merge-super: pieces as today" app extract S.APP -o plain
check "three piece files, as before" sh -c "cmp plain/super.img piece.0 &&
	cmp plain/super_2.img piece.1 && cmp plain/super_3.img piece.2"

run_hw 0 "extract --merge-super" app extract S.APP -o merged --merge-super
expect_in "$T/out" "3 sparse pieces joined" "says the pieces were joined"
check "one super.img, no piece files" sh -c "test -f merged/super.img &&
	test ! -e merged/super_2.img && test ! -e merged/super_3.img"
check "simg2img expands the joined super.img to the judge's super.img" sh -c "
	simg2img merged/super.img joined.raw && cmp joined.raw super.img"
check "the joined file stayed sparse (smaller than the raw super)" \
	test "$(wc -c < merged/super.img)" -lt "$(wc -c < super.img)"
check "the judge accepts the joined sparse image" $J check merged/super.img
run_hw 0 "image unpack of the joined super.img" image unpack merged/super.img -o parts
for p in system vendor product; do
	check "$p.img unpacked equals its input, then zeros" sh -c "
		cmp -n $(wc -c < $p.img) $p.img parts/$p.img &&
		$J extract super.img $p judge_$p && cmp judge_$p parts/$p.img"
done
run_hw 0 "--merge-super with SUPER named: every piece" app extract S.APP -o one --merge-super super
check "only super.img written" sh -c "test \"\$(ls one)\" = super.img && cmp one/super.img merged/super.img"

run_hw 1 "--merge-super of overlapping pieces refused" app extract O.APP -o ov --merge-super
expect_in "$T/err" "SUPER and SUPER#2 both hold data for block" "the overlap is named"
check "no super.img and no partial file left" sh -c "test ! -e ov/super.img &&
	test -z \"\$(ls -A ov | grep -v crc.img)\""

# --- 2. same-name raw blocks (HarmonyOS NEXT 5: a partition over 4,160,749,568 bytes is split
# into entries of one name; the rule is by name and content, so small pieces do) ---
random p1.img 150000
random p2.img 90000
random p3.img 5000
check "fixture: SYSTEM in three raw pieces, and a > 4 GiB one that stays a sparse file" sh -c "
	python3 $tools/mkapp.py R.APP BOOT=boot.img SYSTEM=p1.img SYSTEM=p2.img SYSTEM=p3.img \
		> /dev/null &&
	python3 $tools/mkapp.py --no-crc BIG.APP VENDOR=zeros:4160749568 VENDOR=p3.img > /dev/null"
run_hw 0 "app list shows SYSTEM as one partition with its pieces" app list R.APP
expect_in "$T/out" "SYSTEM: one partition in 3 raw pieces (SYSTEM, SYSTEM#2, SYSTEM#3)" \
	"the pieces named"
run_hw 0 "app list --json: partitions_in_pieces" --json app list R.APP
check "json: SYSTEM raw, 3 entries, the bytes together" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["partitions_in_pieces"]
assert p == [{"name": "SYSTEM", "kind": "raw", "size": 245000,
              "entries": ["SYSTEM", "SYSTEM#2", "SYSTEM#3"]}], p' "$T/out"
run_hw 0 "app list --json of a > 4 GiB split (sizes in 64 bits)" --json app list BIG.APP
check "json: VENDOR is 4,160,754,568 bytes in 2 raw pieces" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["partitions_in_pieces"]
assert p[0]["size"] == 4160749568 + 5000 and p[0]["kind"] == "raw", p' "$T/out"
run_hw 0 "app list of split SUPER names its sparse pieces" app list S.APP
expect_in "$T/out" "SUPER: one partition in 3 sparse pieces" "sparse pieces told apart by content"
run_hw 0 "app extract joins the raw pieces" app extract R.APP -o rj
check "system.img is the pieces in order, no piece files" sh -c "
	cat p1.img p2.img p3.img | cmp - rj/system.img && test ! -e rj/system_2.img"
run_hw 0 "app extract --json: every piece's row names the joined file" --json app extract R.APP \
	-o rjj
check "json: SYSTEM, SYSTEM#2, SYSTEM#3 all in system.img" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["entries"]
assert [x["file_name"] for x in e if x["name"].startswith("SYSTEM")] == ["system.img"] * 3, e
assert all(x["written"] for x in e), e' "$T/out"
run_hw 0 "app extract SYSTEM#2 selects the whole partition" app extract R.APP -o rj2 'system#2'
check "only system.img, joined" sh -c "test \"\$(ls rj2)\" = system.img &&
	cat p1.img p2.img p3.img | cmp - rj2/system.img"
run_hw 0 "app extract --pieces writes them apart" app extract R.APP -o rp --pieces
check "three piece files" sh -c "cmp rp/system.img p1.img && cmp rp/system_2.img p2.img &&
	cmp rp/system_3.img p3.img"
cp R.APP Rbad.APP
off=$("$HWFLASH" app list --json R.APP | python3 -c 'import json,sys
print([e for e in json.load(sys.stdin)["entries"] if e["name"] == "SYSTEM#3"][0]["offset"])')
flip Rbad.APP $((off + 100))
run_hw 1 "a bad piece: the partition is not written" app extract Rbad.APP -o rb
expect_in "$T/err" "SYSTEM#3" "the bad piece named"
check "no system.img" test ! -e rb/system.img
start_sim dev --product hwsim --max-download 64K --partition boot:1M --partition system:1M
run_hw 0 "app flash sends the raw pieces as one image" -s "tcp:127.0.0.1:$PORT" \
	app flash R.APP SYSTEM
check "the device's system holds the pieces in order" sh -c "cat p1.img p2.img p3.img > rj.img &&
	cmp -n 245000 rj.img dev/system.img"
run_hw 1 "one raw piece alone is refused before anything is sent" -s "tcp:127.0.0.1:$PORT" \
	app flash R.APP 'SYSTEM#2'
expect_in "$T/err" "one of 3 raw pieces of SYSTEM" "says why"

# --- 3. HarmonyOS update.bin (fixtures by tests/tools/mkupdatebin.py, from the reference) ---
need zip sha256sum
random sys.img 300000
random ven.img 7000
printf 'version list' > vl.txt
U="python3 $tools/mkupdatebin.py"
check "fixture: update.bin variants" sh -c "
	$U update.bin /system=sys.img /vendor=ven.img /version_list=vl.txt:zip &&
	$U sd.bin --sd --non-l2 /system=sys.img /vendor=ven.img &&
	$U bad.bin --bad-digest 1 /system=sys.img /vendor=ven.img &&
	$U short.bin --truncate 1 /system=sys.img /vendor=ven.img &&
	$U esc.bin /system=sys.img ../../escape=ven.img &&
	mkdir -p dl && cp update.bin dl/ && (cd dl && zip -q -r ../fw.zip update.bin)"
run_hw 0 "app list update.bin" app list update.bin
expect_in "$T/out" "HarmonyOS update.bin, 3 components" "list names the format"
expect_in "$T/out" "VERSION.mbn" "version_list is VERSION.mbn (the official unpacker's name)"
run_hw 0 "app list --json update.bin" --json app list update.bin
check "json: names without '/', sizes, offsets and SHA-256 match the bytes" python3 -c '
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "update.bin" and d["record_size"] == 87 and d["size_field"] == "u32", d
blob = open("update.bin", "rb").read()
c = d["components"]
assert [x["name"] for x in c] == ["system", "vendor", "version_list"], c
assert [x["file_name"] for x in c] == ["system.img", "vendor.img", "VERSION.mbn"], c
for x, f in zip(c, ["sys.img", "ven.img", "vl.txt"]):
    data = open(f, "rb").read()
    assert blob[x["offset"]:x["offset"] + x["size"]] == data, x
    assert x["sha256"] == hashlib.sha256(data).hexdigest(), x
assert c[-1]["offset"] + c[-1]["size"] == len(blob)' "$T/out"
run_hw 0 "app check update.bin" app check update.bin
expect_in "$T/out" "all 3 components OK" "check passes"
expect_in "$T/out" "not verified" "the signature is reported, not failed"
run_hw 0 "app check of an SD-card (hash TLVs) 71-byte-record package" app check sd.bin
run_hw 1 "app check finds a bad SHA-256" app check bad.bin
one_line "$T/err" "one line names the bad component count"
expect_in "$T/out" "BAD  vendor" "the bad component named"
run_hw 1 "a truncated update.bin is refused" app list short.bin
expect_in "$T/err" "add up to" "the error says the sizes do not add up"
one_line "$T/err" "in one line"
run_hw 0 "app extract update.bin" app extract update.bin -o ub
check "extracted files equal the inputs (sha256sum judges)" sh -c "
	cmp ub/system.img sys.img && cmp ub/vendor.img ven.img && cmp ub/VERSION.mbn vl.txt &&
	test \"\$(sha256sum < ub/system.img)\" = \"\$(sha256sum < sys.img)\""
run_hw 1 "extract again without --force" app extract update.bin -o ub
expect_in "$T/err" "not replaced" "existing files kept"
run_hw 0 "extract one component by name" app extract update.bin -o ub1 /vendor
check "only vendor.img" test "$(ls ub1)" = vendor.img
run_hw 1 "extract of a bad component keeps the good ones only" app extract bad.bin -o ubb
check "system.img written, vendor.img not, no partial file" sh -c "
	test -f ubb/system.img && test ! -e ubb/vendor.img && test -z \"\$(ls -A ubb | grep partial)\""
run_hw 1 "a name escaping the output folder is refused" app extract esc.bin -o ue
expect_in "$T/err" "'../../escape'" "the name is shown"
check "nothing written anywhere" sh -c "test ! -e ue && test ! -e escape.img && test ! -e ../escape.img"
run_hw 0 "update.bin inside a firmware zip" app list fw.zip
expect_in "$T/out" "fw.zip:update.bin: HarmonyOS update.bin" "read through the zip"
run_hw 0 "extract from the zip" app extract fw.zip -o uz
check "the zip's system.img equals the input" cmp uz/system.img sys.img
run_hw 1 "app flash refuses an update.bin in one sentence" app flash update.bin --dry-run
one_line "$T/err" "one line"
expect_in "$T/err" "cannot be flashed over fastboot" "says why"
