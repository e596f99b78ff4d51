#!/bin/sh
# hwflash app replace | remove, judged by tests/tools/appjudge.py --same (an
# independent parser: every header field kept, CRCs right) and by app check.
# Packages are written by tests/tools/mkapp.py, not by hwflash.  Small: < 1 MB.
. "$(dirname "$0")/lib.sh"
need python3 zip
tools="$(cd "$(dirname "$0")/.." && pwd)/tools"
JUDGE="python3 $tools/appjudge.py"
MKAPP="python3 $tools/mkapp.py"
cd "$T"

random sig.bin 256
random boot.img 40000
random sys.img 70000
random s1.img 9000
random s2.img 5000
random rec.img 17
random new.img 33001
: > empty.img
$MKAPP pkg.APP --hwid HW8x25 SHA256RSA@FE000000=sig.bin BOOT@FC000000=boot.img \
	SYSTEM@0=sys.img SUPER@13=s1.img SUPER@14=s2.img ERECOVERY_RAMDISK@44000000=rec.img
check "the fixture passes the judge" $JUDGE pkg.APP

run_hw 0 "replace one entry" app replace pkg.APP BOOT=new.img -o out.APP
expect_in "$T/err" "signature kept, but it no longer matches" "the signature is said not to match"
expect_in "$T/err" "fastboot \`app flash\` does not need the signature" "and what that means"
check "judge: every field kept, BOOT replaced, CRCs right" \
	$JUDGE --same pkg.APP out.APP --replaced BOOT=new.img
run_hw 0 "app check passes on the result" app check out.APP

run_hw 0 "replace the second SUPER piece and the 17-character name" app replace pkg.APP \
	SUPER#2=new.img ERECOVERY_RAMDISK=boot.img -o two.APP
check "judge: SUPER#2 and ERECOVERY_RAMDISK replaced" $JUDGE --same pkg.APP two.APP \
	--replaced @14=new.img --replaced ERECOVERY_RAMDISK=boot.img

run_hw 0 "remove two entries (--json)" --json app remove pkg.APP SYSTEM super -o rm.APP
check "judge: SYSTEM and SUPER gone, the rest kept" $JUDGE --same pkg.APP rm.APP \
	--removed SYSTEM --removed @13
check "remove --json says what was done" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["file"]=="rm.APP" and d["removed"]==2 and d["replaced"]==0, d
assert d["entries"]==5 and d["crc_entry"]=="recomputed" and d["signature_matches"] is False, d
' "$T/out"

# A download: the package deflated inside a zip; the output is a bare UPDATE.APP.
mkdir -p dl/dload && cp pkg.APP dl/dload/UPDATE.APP && (cd dl && zip -qr ../fw.zip dload)
run_hw 0 "replace in a package inside a zip" app replace fw.zip SYSTEM=new.img -o z.APP
check "judge: the bare package out of the zip" $JUDGE --same pkg.APP z.APP \
	--replaced SYSTEM=new.img

# Legacy: every entry named INPUT, told apart by sequence id; the CRC entry is INPUT FF000000.
$MKAPP old.APP --legacy --hwid HW8x25 INPUT@FE000000=sig.bin INPUT@FC000000=boot.img \
	INPUT@0=sys.img INPUT@40000000=rec.img
run_hw 0 "replace in a legacy INPUT package" app replace old.APP INPUT_FC000000=new.img \
	-o old2.APP
check "judge: legacy package, CRC entry (INPUT FF000000) recomputed" $JUDGE --same old.APP \
	old2.APP --replaced @FC000000=new.img

# Legacy names: a profile's names beside the ids, and for extract's files.
run_hw 0 "list a legacy package" app list old.APP
expect_in "$T/out" "profile hue-g610 (best fit" "the best-fitting profile is named"
expect_in "$T/out" "0xFC000000 (BOOT per profile hue-g610)" "the name beside the id"
run_hw 0 "list with --profile msm8x25" app list --profile msm8x25 old.APP
expect_in "$T/out" "0xFE000000 (SIGNATURE? per profile msm8x25)" "an unconfirmed row has a '?'"
run_hw 2 "an unknown --profile is a usage error" app list --profile nope old.APP
run_hw 0 "extract a legacy package" app extract old.APP -o oldx
check "extract's files are named by the profile" cmp oldx/boot.img boot.img
check "and the signature too" cmp oldx/signature.img sig.bin

# --raw: every header field as stored, judged against the file's bytes with the judge's CRC.
cp pkg.APP hdr.APP
flip hdr.APP $((92 + 0x5c))
run_hw 0 "list --raw --json" --json app list --raw hdr.APP
check "--raw --json: every header byte, the stored CRC and whether it matches" python3 -c '
import json, struct, sys
sys.path.insert(0, sys.argv[3])
from appjudge import x25
d = json.load(open(sys.argv[1])); blob = open(sys.argv[2], "rb").read()
assert len(d["entries"]) == 7
for e in d["entries"]:
    h = blob[e["header_offset"]:e["header_offset"] + 98]
    assert bytes.fromhex(e["header_hex"]) == h
    assert sum(f["length"] for f in e["fields"]) == 98
    for f in e["fields"]:
        assert bytes.fromhex(f["hex"]) == h[f["offset"]:f["offset"] + f["length"]]
    z = bytearray(h); z[0x5c:0x5e] = b"\0\0"
    stored = struct.unpack_from("<H", h, 0x5c)[0]
    assert e["header_crc_stored"] == stored and e["header_crc_computed"] == x25(bytes(z))
    assert e["header_crc_ok"] == (stored == x25(bytes(z))), e["name"]
assert [e["header_crc_ok"] for e in d["entries"]].count(False) == 1
' "$T/out" hdr.APP "$tools"
run_hw 0 "list --raw" app list --raw hdr.APP
expect_in "$T/out" "0x08 unknown1" "the unknown field at 0x08 is shown"
expect_in "$T/out" "computed: WRONG" "a wrong header CRC is said"

# Failures: one line, exit 1, nothing written, nothing left behind.
run_hw 1 "a NAME not in the package" app replace pkg.APP NOPE=new.img -o f1.APP
one_error "$T/err" "one error line for an unknown name"
expect_in "$T/err" "no entry named NOPE" "the unknown name is named"
run_hw 1 "a missing FILE" app replace pkg.APP BOOT=missing.img -o f2.APP
expect_in "$T/err" "BOOT=missing.img" "the missing file is named"
run_hw 1 "an empty FILE" app replace pkg.APP BOOT=empty.img -o f3.APP
expect_in "$T/err" "the file is empty" "the empty file is called empty"
truncate -s 4294967296 big.img
run_hw 1 "a FILE past the u32 size field" app replace pkg.APP BOOT=big.img -o f4.APP
expect_in "$T/err" "4 GiB - 1" "the size limit is named"
run_hw 1 "the CRC entry cannot be replaced" app replace pkg.APP CRC=new.img -o f5.APP
run_hw 1 "an existing OUT without --force" app replace pkg.APP BOOT=new.img -o out.APP
run_hw 0 "--force replaces it" --force app replace pkg.APP BOOT=boot.img -o out.APP
check "judge: forced output" $JUDGE --same pkg.APP out.APP --replaced BOOT=boot.img
cp pkg.APP bad.APP
off=$("$HWFLASH" app list --json pkg.APP | python3 -c 'import json,sys
print([e for e in json.load(sys.stdin)["entries"] if e["name"]=="SYSTEM"][0]["offset"])')
flip bad.APP $((off + 4096 * 3 + 7))
run_hw 1 "a bad block in an entry that is copied" app replace bad.APP BOOT=new.img -o f6.APP
expect_in "$T/err" "SYSTEM: block 3" "the bad entry and block are named"
run_hw 2 "no -o is a usage error" app replace pkg.APP BOOT=new.img
run_hw 2 "not NAME=FILE is a usage error" app replace pkg.APP BOOT -o f7.APP
run_hw 1 "removing every entry" app remove pkg.APP SHA256RSA CRC BOOT SYSTEM SUPER SUPER#2 \
	ERECOVERY_RAMDISK -o f8.APP
check "no output and no temporary file left by the failures" sh -c \
	'! ls f[0-9].APP* .*partial* *partial* 2>/dev/null | grep .'
