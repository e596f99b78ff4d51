#!/bin/sh
# Firmware downloads as people get them: zips inside zips (update_sd.zip,
# base + cust + preload, full_base + data_public + all_hw, an update.zip in a
# zip, zip64), every layer stored or deflated; read by app list / check /
# extract / flash and dload prepare.  A corrupt block of an inner package is
# named through every layer; a zip bomb, zips nested too deep and names with
# "..", absolute paths or backslashes are handled; packages hwflash cannot
# read are named in words; a deflated member is inflated once per command
# (-v statistics).  Packages are written by tests/tools/mkapp.py, zips by
# Python's zipfile: neither is hwflash's code.
. "$(dirname "$0")/lib.sh"
need python3
MKAPP="python3 $(cd "$(dirname "$0")/.." && pwd)/tools/mkapp.py"
cd "$T"

random boot.img 150000
random sys.img 60000
$MKAPP pkg.APP BOOT=boot.img SYSTEM=sys.img > /dev/null
$MKAPP evil.APP "../../EVIL=boot.img" > /dev/null 2>&1 || $MKAPP evil.APP EVIL=boot.img > /dev/null
cp pkg.APP bad.APP
flip bad.APP 80000

python3 - <<'EOF'
import io, struct, tarfile, zipfile, zlib

def zbytes(members, method, z64=False):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method, allowZip64=True) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            zi.compress_type = method
            with z.open(zi, "w", force_zip64=z64) as f:
                f.write(data)
    return b.getvalue()

app = open("pkg.APP", "rb").read()
bad = open("bad.APP", "rb").read()
evil = open("evil.APP", "rb").read()
for m, tag in ((zipfile.ZIP_STORED, "0"), (zipfile.ZIP_DEFLATED, "8")):
    sd = zbytes([("UPDATE.APP", app)], m)
    open("sd_%s.zip" % tag, "wb").write(zbytes([("readme.txt", b"hi\n"),
        ("Software/dload/update_sd.zip", sd)], m))
    open("sdset_%s.zip" % tag, "wb").write(zbytes([
        ("Software/dload/update_sd_base.zip", sd),
        ("Software/dload/cust/update_sd_cust_ABC.zip", zbytes([("UPDATE.APP", app)], m)),
        ("Software/dload/preload/update_sd_preload_ABC.zip", zbytes([("UPDATE.APP", app)], m))], m))
    open("badset_%s.zip" % tag, "wb").write(zbytes([
        ("Software/dload/update_sd_base.zip", sd),
        ("Software/dload/preload/update_sd_preload_ABC.zip", zbytes([("UPDATE.APP", bad)], m))], m))
    open("full_%s.zip" % tag, "wb").write(zbytes([
        ("full/update_full_base.zip", zbytes([("UPDATE.APP", app)], m)),
        ("full/update_data_public.zip", zbytes([("UPDATE.APP", app)], m)),
        ("full/update_all_hw.zip", zbytes([("UPDATE.APP", app)], m))], m))
    open("ota_%s.zip" % tag, "wb").write(zbytes([("FW/update.zip",
        zbytes([("UPDATE.APP", app)], m, z64=True))], m, z64=True))
    # Names that try to leave the output folder, in every layer.
    open("evil_%s.zip" % tag, "wb").write(zbytes([("../../up/update_sd.zip",
        zbytes([("/abs/..\\..\\UPDATE.APP", evil)], m))], m))
open("evsd.zip", "wb").write(zbytes([
    ("Software/dload/../../x/update_sd.zip", zbytes([("UPDATE.APP", app)], zipfile.ZIP_STORED)),
    ("/dload/update_sd_cust.zip", zbytes([("UPDATE.APP", app)], zipfile.ZIP_STORED))],
    zipfile.ZIP_STORED))
# Five zips deep (the outer zip is the first): past the limit of 4.
data, name = app, "UPDATE.APP"
for level in range(5, 1, -1):
    data, name = zbytes([(name, data)], zipfile.ZIP_DEFLATED), "level%d.zip" % level
open("deep5.zip", "wb").write(zbytes([(name, data)], zipfile.ZIP_STORED))
# A bomb: 1 MiB of zeros deflated, the zip saying 4096 bytes.
raw = zbytes([("UPDATE.APP", bytes(1 << 20))], zipfile.ZIP_DEFLATED)
b = bytearray(raw)
lh = b.find(b"PK\3\4"); ch = b.find(b"PK\1\2")
struct.pack_into("<I", b, lh + 22, 4096)
struct.pack_into("<I", b, ch + 24, 4096)
open("bomb.zip", "wb").write(zbytes([("update_sd.zip", bytes(b))], zipfile.ZIP_STORED))
# An inner zip that is itself a bomb, beside a good one.
b = bytearray(zbytes([("a/update_sd.zip", bytes(1 << 20)),
                      ("b/update_sd.zip", zbytes([("UPDATE.APP", app)], zipfile.ZIP_STORED))],
                     zipfile.ZIP_DEFLATED))
lh = 0; ch = struct.unpack_from("<I", b, b.rfind(b"PK\5\6") + 16)[0]
struct.pack_into("<I", b, lh + 22, 4096)
struct.pack_into("<I", b, ch + 24, 4096)
open("bomb2.zip", "wb").write(bytes(b))
# Packages hwflash cannot read yet.
open("payload.bin", "wb").write(b"CrAU" + bytes(60))
hdr = bytearray(512)
struct.pack_into("<HH", hdr, 0, 1, 136)
struct.pack_into("<HH", hdr, 140, 2, 32)
open("update.bin", "wb").write(bytes(hdr))
ti = tarfile.TarInfo("boot.img"); ti.size = 3
with tarfile.open("AP_X.tar.md5", "w", format=tarfile.USTAR_FORMAT) as t:
    t.addfile(ti, io.BytesIO(b"abc"))
open("MT6765_Android_scatter.txt", "w").write("- general: MTK_PLATFORM_CFG\n  info:\n")
open("ota_payload.zip", "wb").write(zbytes([("payload.bin", open("payload.bin", "rb").read()),
    ("payload_properties.txt", b"FILE_HASH=x\n")], zipfile.ZIP_STORED))
open("harmony.zip", "wb").write(zbytes([("update_full_base.zip",
    zbytes([("update.bin", bytes(hdr))], zipfile.ZIP_DEFLATED))], zipfile.ZIP_STORED))
EOF

for m in 0 8; do
	run_hw 0 "list sd_$m.zip (update_sd.zip inside)" app list sd_$m.zip
	expect_in "$T/out" "Software/dload/update_sd.zip/UPDATE.APP" "sd_$m: the package's path"
	expect_in "$T/out" "sd_$m.zip:Software/dload/update_sd.zip:UPDATE.APP: 3 entries" \
		"sd_$m: its entries, named through the zips"
	run_hw 0 "check sd_$m.zip" app check sd_$m.zip
	run_hw 0 "extract sd_$m.zip" app extract sd_$m.zip -o x$m
	check "sd_$m: boot extracted whole" cmp boot.img x$m/boot.img
	run_hw 0 "check sdset_$m.zip (base + cust + preload)" app check sdset_$m.zip
	expect_in "$T/out" "Together they make one update (base + cust + preload)" \
		"sdset_$m: the commands say they make one update"
	n=$(grep -c "all 3 entries OK" "$T/out")
	check "sdset_$m: all three packages checked ($n)" test "$n" -eq 3
	run_hw 1 "extract sdset_$m.zip asks which" app extract sdset_$m.zip -o y$m
	expect_in "$T/err" "make one update" "sdset_$m: extract names the update"
	run_hw 0 "extract --member of sdset_$m.zip" app extract sdset_$m.zip -o y$m \
		--member update_sd_cust_ABC.zip/UPDATE.APP
	check "sdset_$m: cust's system extracted whole" cmp sys.img y$m/system.img
	run_hw 0 "check full_$m.zip (full_base + data_public + all_hw)" app check full_$m.zip
	expect_in "$T/out" "full_base + data_public + all_hw" "full_$m: one update named"
	run_hw 0 "list --json sdset_$m.zip" app list --json sdset_$m.zip
	check "sdset_$m: --json names the packages and the update" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["update"] == "base + cust + preload", d
p = [x["path"] for x in d["packages"]]
assert p == ["Software/dload/update_sd_base.zip/UPDATE.APP",
             "Software/dload/cust/update_sd_cust_ABC.zip/UPDATE.APP",
             "Software/dload/preload/update_sd_preload_ABC.zip/UPDATE.APP"], p
assert all(x["part_of_update"] and x["depth"] == 1 for x in d["packages"])' "$T/out"
	run_hw 0 "list full_$m.zip" app list full_$m.zip
	n=$(grep -c "3 entries," "$T/out")
	check "full_$m: every package's entries listed ($n)" test "$n" -eq 3
	run_hw 0 "check ota_$m.zip (zip64 update.zip in a zip)" app check ota_$m.zip
	run_hw 1 "check badset_$m.zip (a corrupt block in preload)" app check badset_$m.zip
	expect_in "$T/err" \
		"badset_$m.zip:Software/dload/preload/update_sd_preload_ABC.zip:UPDATE.APP" \
		"badset_$m: the error names the outer zip and the inner path"
	expect_in "$T/out" "BAD  BOOT" "badset_$m: the entry is named"
	expect_in "$T/out" "first: block" "badset_$m: the block is named"
	truncate -s 64M card$m.img
	run_hw 1 "dload prepare badset_$m.zip refuses" dload prepare badset_$m.zip card$m.img \
		--format --yes
	expect_in "$T/err" "update_sd_preload_ABC.zip:UPDATE.APP: entry BOOT" \
		"badset_$m: dload prepare names the inner package and entry"
	expect_in "$T/err" "block" "badset_$m: dload prepare names the block"
	run_hw 0 "dload prepare sdset_$m.zip" dload prepare sdset_$m.zip card$m.img --format --yes
	mkdir -p ev$m/out
	run_hw 0 "extract evil_$m.zip" app extract evil_$m.zip -o ev$m/out
	left=$(find ev$m -type f | grep -vc "^ev$m/out/[^/]*$")
	check "evil_$m: nothing outside the output folder" test "$left" -eq 0
	check "evil_$m: no folder made above it" test ! -e up -a ! -e ev$m/up -a ! -e /abs
done

truncate -s 64M evcard.img
run_hw 0 "dload prepare of update_sd zips named with .. and /" dload prepare evsd.zip evcard.img \
	--format --yes
MTOOLS_SKIP_CHECK=1 mdir -/ -b -i evcard.img@@1M :: > evcard.list 2>&1
check "dload prepare: nothing outside dload/ on the card" \
	test -z "$(grep -v '^::/dload' evcard.list)" -a -s evcard.list

run_hw 1 "zips nested five deep" app list deep5.zip
expect_in "$T/err" "deeper than 4 zips" "too deep: said"
run_hw 1 "a zip bomb inside" app list bomb.zip
one_error "$T/err" "zip bomb: one error"
expect_in "$T/err" "bomb.zip:update_sd.zip:UPDATE.APP: the deflated data holds more than the 4096" \
	"zip bomb: refused, named through the layers"
run_hw 0 "an inner zip that is a bomb, beside a good one" app check bomb2.zip
expect_in "$T/err" "bomb2.zip:a/update_sd.zip" "inner bomb: named in a warning"
expect_in "$T/out" "bomb2.zip:b/update_sd.zip:UPDATE.APP: all 3 entries OK" \
	"inner bomb: the good package beside it checked"
check "zip bomb: nothing left in TMPDIR" test -z "$(ls "${TMPDIR:-/tmp}" | grep hwflash-inflate)"

for f in payload.bin update.bin AP_X.tar.md5 MT6765_Android_scatter.txt ota_payload.zip \
	harmony.zip; do
	run_hw 1 "$f is no UPDATE.APP" app list $f
	expect_in "$T/err" ", not an UPDATE.APP" "$f: named in words"
done
expect_in "$T/err" "this is a HarmonyOS update.bin" "update.bin inside an inner zip recognised"

# Inflated once per command: app flash of a deflated zip in a deflated zip.
start_sim dev --product hwsim --partition boot:1M --partition system:1M
rm -rf tmp && mkdir tmp
TMPDIR=$T/tmp run_hw 0 "app flash -v of sd_8.zip" -v -s tcp:127.0.0.1:$PORT app flash sd_8.zip --force
expect_in "$T/err" "Software/dload/update_sd.zip: inflated 1 time" \
	"app flash -v: the inner zip inflated once"
expect_in "$T/err" "UPDATE.APP: inflated 1 time" \
	"app flash -v: the package inflated once"
check "app flash: no inflated twice" test -z "$(grep 'inflated [2-9]' "$T/err")"
check "app flash: boot on the device" cmp -n 150000 boot.img dev/boot.img
check "app flash: nothing left in TMPDIR" test -z "$(ls tmp)"
