#!/bin/sh
# How the zip64 fixtures of tests/unit/test_zip.c were made (committed, so
# that the unit tests need no zip tools; run again only to remake them).
# Each holds fixture.txt: "line NNNN of the hwflash zip64 fixture\n" for
# NNNN = 0000..0099 (3900 bytes), which the tests rebuild and compare.
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 0 99); do printf 'line %04d of the hwflash zip64 fixture\n' "$i"; done \
	> "$tmp/fixture.txt"
pyzip="python3 $(pwd)/../../tools/pyzip.py"
rm -f ./*.zip
(
	cd "$tmp"
	zip -q -0 -fz fz-stored.zip fixture.txt		# zip64 local + central
	zip -q -fz fz-deflated.zip fixture.txt
	zip -q fz-stdin.zip - < fixture.txt		# size unknown: zip64 local header
	zip -q - - < fixture.txt | cat > fz-stdin-pipe.zip	# + 64-bit data descriptor
	zip -q -fz - fixture.txt | cat > fz-pipe-bad.zip	# Info-ZIP 3.0: no zip64 end record
	$pyzip py-stored.zip --zip64 fixture.txt=fixture.txt
	$pyzip - --zip64 fixture.txt=fixture.txt | cat > py-stream-stored.zip
	$pyzip - --deflate --zip64 fixture.txt=fixture.txt | cat > py-stream-deflated.zip
)
cp "$tmp"/*.zip .
