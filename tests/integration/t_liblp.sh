#!/bin/sh
# hwflash image info | check | unpack on super images (liblp) built by the
# independent judge tests/tools/lpjudge.py (written from the format), raw
# and through img2simg; the unpacked partitions are compared with cmp.
. "$(dirname "$0")/lib.sh"
need python3 img2simg simg2img cmp
tools=$(cd "$(dirname "$0")/../tools" && pwd)
J="python3 $tools/lpjudge.py"
cd "$T"
random system.img 700000
random vendor.img 200000
random odm.img 4096
layout="--device-size 16777216 --metadata-size 65536 --metadata-slots 2 --group main:12582912"
layout="$layout --partition system_a:readonly:700000:main --partition vendor_a:readonly:200000:main"
layout="$layout --partition odm_a:none:4096 --partition product_a:none:0"
imgs="--image system_a=system.img --image vendor_a=vendor.img --image odm_a=odm.img"
# shellcheck disable=SC2086
check "the judge builds super.img, super.simg and super_empty.img" sh -c "
	$J build -o super.img $layout $imgs && $J build -o super.simg $layout $imgs --sparse &&
	$J build -o super_empty.img $layout"

for f in super.img super.simg; do
	run_hw 0 "image check $f" image check "$f" --partition super
	expect_in "$T/out" "logical partitions: system_a 684.0 KiB, vendor_a 196.0 KiB" \
		"$f: partitions named in the check"
	run_hw 0 "image info $f" image info "$f"
	expect_in "$T/out" "system_a             main" "$f: system_a listed with its group"
	expect_in "$T/out" "readonly" "$f: attributes listed"
	run_hw 0 "image info --json $f" --json image info "$f"
	check "$f: --json listing equals the judge's" python3 -c '
import json, subprocess, sys
mine = json.load(open(sys.argv[1]))
judge = json.loads(subprocess.run(sys.argv[3:] + ["check", "--json", sys.argv[2]],
                                  check=True, capture_output=True).stdout)
assert mine["kind"] == "super image (liblp)" and mine["metadata_slots"] == 2, mine
assert mine["sparse"] == judge["sparse"]
for a, b in zip(mine["partitions"], judge["partitions"], strict=True):
    assert (a["name"], a["group"], a["size"], a["attributes"]) == \
        (b["name"], b["group"], b["size"], b["attributes"]), (a, b)
    assert [(x["sectors"], x["target"]) for x in a["extents"]] == \
        [(x["sectors"], x["target"]) for x in b["extents"]], (a, b)
' "$T/out" "$f" python3 "$tools/lpjudge.py"
	rm -rf "out_$f"
	run_hw 0 "image unpack $f" image unpack "$f" -o "out_$f"
	for p in system vendor odm; do
		check "$f: ${p}_a.img holds $p.img, then zeros" sh -c "
			cmp -n $(wc -c < $p.img) $p.img out_$f/${p}_a.img &&
			$J extract $f ${p}_a judge_$p && cmp judge_$p out_$f/${p}_a.img"
	done
	check "$f: the empty product_a.img is written too" test -f "out_$f/product_a.img" -a \
		! -s "out_$f/product_a.img"
done
run_hw 1 "image unpack again without --force" image unpack super.img -o out_super.img
one_line "$T/err" "one line for the existing file"

run_hw 0 "image info super_empty.img" image info super_empty.img
expect_in "$T/out" "super_empty image" "super_empty named"
run_hw 1 "super_empty.img refused for super" image check super_empty.img --partition super
expect_in "$T/err" "update-super" "the refusal says update-super"
run_hw 1 "super_empty.img has nothing to unpack" image unpack super_empty.img -o empty_out
one_line "$T/err" "one line for super_empty unpack"

# Damaged: a byte of slot 1's backup tables; then the primary geometry with its backup.
cp super.img bad.img
flip bad.img $((12288 + 3 * 65536 + 128 + 60))
run_hw 1 "a damaged metadata copy fails the check" image check bad.img
one_error "$T/err" "one error line for the damaged copy"
expect_in "$T/err" "slot 1 (backup, at byte 208896): the tables' SHA-256 checksum does not match" \
	"the damaged copy is named"
check "the judge agrees it is damaged" sh -c "! $J check bad.img"
run_hw 0 "unpack still reads slot 0" image unpack bad.img -o out_bad
cp super.img bad2.img
flip bad2.img $((4096 + 40))
flip bad2.img $((8192 + 40))
run_hw 1 "both geometries damaged: refused" image check bad2.img
one_error "$T/err" "one error line for the geometries"
expect_in "$T/err" "geometry is damaged" "the geometry named"
run_hw 1 "both geometries damaged: nothing unpacked" image unpack bad2.img -o out_bad2
check "no folder made for a refused unpack" test ! -e out_bad2
head -c 2621440 super.img > cut.img
run_hw 1 "a truncated super fails the check" image check cut.img
expect_in "$T/err" "truncated: the partitions reach byte" "truncation told with the offset"
run_hw 1 "image check --json of the truncated one" --json image check cut.img
check "--json says not ok, and why" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["error"].startswith("truncated: the partitions reach byte 3149824"), d
' "$T/out"
