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
