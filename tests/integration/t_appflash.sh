#!/bin/sh
# app flash (UPDATE.APP over fastboot) and update ZIP (AOSP update package)
# against the simulated device: everything verified before the first
# download, the device's log as the judge of what was sent.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg cpio gzip zip
: "${FBSIM:?set FBSIM to the fbsim binary}"
JUDGE="python3 $(cd "$(dirname "$0")/.." && pwd)/tools/appjudge.py"
MKAPP="python3 $(cd "$(dirname "$0")/.." && pwd)/tools/mkapp.py"
cd "$T"
downloads() { cat "$1/commands.log" 2> /dev/null | grep -c '^download:'; }
PARTS="--partition boot_a:16M --partition boot_b:16M --partition recovery:16M
	--partition system:64M --partition cust:4M --partition ptable:1M --partition userdata:64M"

random kernel 2000000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o boot.img
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel \
	--cmdline androidboot.mode=recovery -o recovery.img
random system.img 10000000
random cust.img 300000
random sig.bin 256
printf 'HWSIM-L09 9.1.0.100' > curver.txt
run_hw 0 "pack the test package" app pack -o U.APP --hwid HWSIM BOOT=boot.img \
	RECOVERY=recovery.img SYSTEM=system.img CUST=cust.img SHA256RSA=sig.bin CURVER=curver.txt

# shellcheck disable=SC2086
start_sim dev --product hwsim --max-download 4M $PARTS
S="tcp:127.0.0.1:$PORT"
run_hw 0 "--dry-run verifies and shows the plan" -s "$S" app flash U.APP --dry-run
expect_in "$T/out" "SYSTEM           system" "plan lists SYSTEM -> system"
expect_in "$T/err" "nothing was sent" "dry run says so"
check "--dry-run sent nothing" test "$(downloads dev)" = 0
run_hw 0 "--dry-run --json" -s "$S" --json app flash U.APP --dry-run
check "plan as JSON: 4 steps in order" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["entry"] for s in d["steps"]] == ["BOOT", "RECOVERY", "SYSTEM", "CUST"], d
assert d["steps"][2]["partition"] == "system" and d["dry_run"]' "$T/out"

run_hw 0 "app flash the whole package" -s "$S" app flash U.APP
check "boot stored (active slot boot_a)" cmp dev/boot_a.img boot.img
check "recovery stored" cmp dev/recovery.img recovery.img
check "system (larger than max-download-size) stored" \
	cmp -n "$(stat -c %s system.img)" dev/system.img system.img
expect_in "$T/err" "sparse 'system' 3/3" "system went in sparse pieces"
check "cust stored" cmp dev/cust.img cust.img
check "signature, CRC and CURVER never flashed" sh -c \
	"! grep -Eiq '^flash:(sha256rsa|crc|curver)' dev/commands.log"
check "flash order is the package order" sh -c "grep '^flash:' dev/commands.log | uniq | \
	tr '\n' ' ' | grep -qx 'flash:boot_a flash:recovery flash:system flash:cust '"
expect_in "$T/out" "OK" "summary table"
run_hw 0 "named entries, any case" -s "$S" app flash U.APP recovery
check "only recovery sent" sh -c "tail -n 2 dev/commands.log | grep -qx flash:recovery"
run_hw 1 "a metadata entry is not flashable" -s "$S" app flash U.APP CURVER
expect_in "$T/err" "never flashed" "metadata refusal explained"
run_hw 0 "--map sends an entry elsewhere" -s "$S" app flash U.APP CUST --map CUST=ptable
check "cust bytes landed in ptable" cmp dev/ptable.img cust.img

# A corrupt block in SYSTEM: nothing at all is sent.
off=$("$HWFLASH" app list --json U.APP | python3 -c \
	'import json,sys; print([e for e in json.load(sys.stdin)["entries"] if e["name"]=="SYSTEM"][0]["offset"])')
cp U.APP bad.APP
printf 'XXXX' | dd of=bad.APP bs=1 seek=$((off + 5000000)) conv=notrunc 2> /dev/null
n0=$(downloads dev)
run_hw 1 "a corrupt block in SYSTEM stops everything" -s "$S" app flash bad.APP
expect_in "$T/err" "SYSTEM" "the entry is named"
expect_in "$T/err" "block" "the block is named"
expect_in "$T/err" "nothing was sent to the device" "nothing sent, and said"
check "the device saw no download" test "$(downloads dev)" = "$n0"
run_hw 1 "SYSTEM alone from the damaged package is refused" \
	-s "$S" app flash bad.APP SYSTEM
run_hw 0 "the good entries of a damaged package can still go" -s "$S" app flash bad.APP BOOT
check "and BOOT arrived" cmp dev/boot_a.img boot.img

# A bad recovery image inside the package is refused by the image check.
head -c 1500000 recovery.img > cutrec.img
run_hw 0 "pack one with a cut recovery" app pack -o cut.APP RECOVERY=cutrec.img
n0=$(downloads dev)
run_hw 1 "the image check refuses a truncated RECOVERY entry" -s "$S" app flash cut.APP
expect_in "$T/err" "truncated" "truncation named"
check "nothing downloaded for it" test "$(downloads dev)" = "$n0"

# Zip-wrapped, stored and deflated.
python3 -c '
import zipfile, sys
with zipfile.ZipFile("fw.zip", "w", zipfile.ZIP_STORED) as z:
    z.write("U.APP", "Firmware/dload/UPDATE.APP")
with zipfile.ZipFile("fwd.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("U.APP", "dload/UPDATE.APP")'
rm -f dev/recovery.img dev/system.img
run_hw 0 "from a firmware .zip (stored)" -s "$S" app flash fw.zip RECOVERY SYSTEM
check "recovery from the zip" cmp dev/recovery.img recovery.img
check "system from the zip" cmp -n "$(stat -c %s system.img)" dev/system.img system.img
rm -f dev/system.img
run_hw 0 "from a firmware .zip (deflated, streamed)" -s "$S" app flash fwd.zip SYSTEM
check "system from the deflated zip" cmp -n "$(stat -c %s system.img)" dev/system.img system.img

# A partition the device does not have: named, nothing sent.
start_sim small --product hwsim --partition recovery:16M --partition system:64M
n0=$(downloads small)
run_hw 1 "a partition missing on the device" -s "tcp:127.0.0.1:$PORT" app flash U.APP
expect_in "$T/err" "the device has no partition 'cust' (for CUST)" "missing partition named"
check "nothing sent to it" test "$(downloads small)" = "$n0"
start_sim tiny --product hwsim --partition recovery:16M --partition system:8M
run_hw 1 "an entry larger than its partition" -s "tcp:127.0.0.1:$PORT" app flash U.APP SYSTEM
expect_in "$T/err" "do not fit partition system" "size refusal"
check "nothing sent to it" test "$(downloads tiny)" = 0
run_hw 1 "no device: clear error" app flash U.APP

# update ZIP: AOSP's update package with android-info.txt.
mkzip() {
	python3 -c '
import zipfile, sys
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("android-info.txt", sys.argv[2])
    for f in sys.argv[3:]:
        z.write(f, f)' "$@"
}
mkzip upd.zip "require board=hwsim|other
require version-bootloader=0.*
reject product=hwsim-old
" boot.img system.img recovery.img
mkzip wrong.zip "require board=sailfish|marlin
" boot.img
mkzip rej.zip "reject board=hwsim
" boot.img
cp page.html 2>/dev/null; printf '<html><body>404</body></html>\n' > vendor.img
mkzip html.zip "require board=hwsim
" boot.img vendor.img
# shellcheck disable=SC2086
start_sim up --product hwsim --max-download 4M $PARTS
U="tcp:127.0.0.1:$PORT"
run_hw 0 "update ZIP with a matching android-info.txt" -s "$U" -w update upd.zip
check "boot from update" cmp up/boot_a.img boot.img
check "system from update" cmp -n "$(stat -c %s system.img)" up/system.img system.img
check "recovery from update" cmp up/recovery.img recovery.img
check "boot first, then recovery, then system" sh -c "grep '^flash:' up/commands.log | uniq | \
	tr '\n' ' ' | grep -qx 'flash:boot_a flash:recovery flash:system '"
check "-w erased userdata, then reboot" sh -c "grep -v '^getvar:' up/commands.log | tail -n 4 | \
	tr '\n' ' ' | grep -q 'erase:userdata.*reboot'"
n0=$(downloads up)
run_hw 1 "update ZIP for another board" -s "$U" update wrong.zip
expect_in "$T/err" "requires board=sailfish|marlin, the device says hwsim" "requirement named"
check "nothing sent" test "$(downloads up)" = "$n0"
run_hw 1 "update ZIP that rejects this board" -s "$U" update rej.zip
expect_in "$T/err" "rejects board=hwsim" "reject named"
run_hw 1 "update ZIP holding a web page as vendor.img" -s "$U" update html.zip
expect_in "$T/err" "html.zip:vendor.img: not flashed to vendor" "bad image named"
check "nothing sent" test "$(downloads up)" = "$n0"
run_hw 0 "--force overrides android-info.txt" -s "$U" --force update wrong.zip --skip-reboot
check "--skip-reboot: no reboot" sh -c "tail -n 1 up/commands.log | grep -vqx reboot"
run_hw 1 "update of an UPDATE.APP points to app flash" -s "$U" update U.APP
expect_in "$T/err" "app flash" "pointer to app flash"

# Split SUPER: two sparse pieces of one partition, flashed in order to the same partition.
python3 - <<'PY'
import os, struct
BS = 4096
raw = os.urandom(BS * 600)
open("super.raw", "wb").write(raw)
def piece(path, first, count, total):
    chunks = []
    if first:
        chunks.append(struct.pack("<HHII", 0xCAC3, 0, first, 12))
    chunks.append(struct.pack("<HHII", 0xCAC1, 0, count, 12 + count * BS) + raw[first * BS:(first + count) * BS])
    if first + count < total:
        chunks.append(struct.pack("<HHII", 0xCAC3, 0, total - first - count, 12))
    hdr = struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, BS, total, len(chunks), 0)
    open(path, "wb").write(hdr + b"".join(chunks))
piece("super1.simg", 0, 300, 600)
piece("super2.simg", 300, 300, 600)
PY
run_hw 0 "pack split SUPER pieces" app pack -o super.APP SUPER=super1.simg SUPER=super2.simg \
	BOOT=boot.img
# shellcheck disable=SC2086
start_sim sup --product hwsim --max-download 4M $PARTS --partition super:16M
run_hw 0 "app flash SUPER: both pieces to one partition" -s "tcp:127.0.0.1:$PORT" \
	app flash super.APP SUPER
check "super equals the whole image" cmp sup/super.img super.raw
check "two flashes of super, in order" sh -c "grep -c '^flash:super' sup/commands.log | grep -qx 2"
# Raw (not sparse) same-name pieces are one image split in order (HarmonyOS NEXT 5 splits a
# partition over 4,160,749,568 bytes so; issue 18): sent as one image, not one over the other.
run_hw 0 "pack SUPER pieces that are not sparse" app pack -o badsuper.APP SUPER=cust.img \
	SUPER=recovery.img
run_hw 0 "raw pieces are flashed as one image" -s "tcp:127.0.0.1:$PORT" app flash badsuper.APP
check "super holds both pieces joined, in order" sh -c "cat cust.img recovery.img > joined.img &&
	cmp -n \$(wc -c < joined.img) joined.img sup/super.img"

# --- One partition, one entry (issue 13 item 6): refused before anything is sent ---
json_fail() { # EXIT WHAT ARGS...: --json run fails with EXIT; stdout is one failure document
	want=$1; what=$2; shift 2
	run_hw "$want" "$what" --json "$@"
	check "$what: one JSON document, ok false, with the error" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["ok"] is False and isinstance(d["error"], str) and d["error"], d
if "exit" in d: assert d["exit"] == int(sys.argv[2]), d' "$T/out" "$want"
}
random gpt.bin 40000
random efi.bin 30000
run_hw 0 "pack HISIUFS_GPT and EFI (both map to ptable)" app pack -o gpt.APP \
	HISIUFS_GPT=gpt.bin EFI=efi.bin CUST=cust.img
# shellcheck disable=SC2086
start_sim gdev --product hwsim $PARTS
G="tcp:127.0.0.1:$PORT"
run_hw 1 "two entries onto ptable: refused" -s "$G" app flash gpt.APP
expect_in "$T/err" "HISIUFS_GPT and EFI would both be written to partition ptable" \
	"both entries and the partition named"
one_line "$T/err" "plan refusal: one line"
run_hw 1 "named both: refused" -s "$G" app flash gpt.APP EFI HISIUFS_GPT
run_hw 1 "--dry-run refuses the same plan" -s "$G" app flash gpt.APP --dry-run
json_fail 1 "--json plan refusal" -s "$G" app flash gpt.APP
check "nothing reached the device" test "$(downloads gdev)" = 0
run_hw 0 "EFI alone is flashed" -s "$G" app flash gpt.APP EFI
check "ptable holds EFI" cmp gdev/ptable.img efi.bin
run_hw 0 "both, with --map sending one elsewhere" -s "$G" app flash gpt.APP HISIUFS_GPT EFI \
	--map EFI=cust
check "ptable holds HISIUFS_GPT, cust holds EFI" sh -c "cmp gdev/ptable.img gpt.bin && cmp -n 30000 gdev/cust.img efi.bin"
n0=$(downloads gdev)
run_hw 1 "--map onto a partition another entry takes" -s "$G" app flash U.APP SYSTEM CUST \
	--map CUST=system
expect_in "$T/err" "SYSTEM and CUST would both be written to partition system" "both named"
run_hw 1 "an entry named twice" -s "$G" app flash U.APP CUST cust
expect_in "$T/err" "CUST is named twice" "the entry named"
run_hw 1 "two --map options for one entry" -s "$G" app flash U.APP CUST --map CUST=cust \
	--map cust=ptable
run_hw 1 "split SUPER pieces mapped apart" -s "$G" app flash super.APP SUPER \
	--map 'SUPER#2=system'
expect_in "$T/err" "pieces of one split entry" "split rule named"
check "none of these sent anything" test "$(downloads gdev)" = "$n0"

# --- One verdict (item 11): check, extract and flash agree on a damaged package ---
n0=$(downloads gdev)
for how in --reblock --skew-crc --bad-header --bad-block; do
	$JUDGE --build vv.APP --crc BOOT=boot.img CUST=cust.img "$how" CUST > /dev/null
	run_hw 1 "$how CUST: app check" app check vv.APP
	expect_in "$T/out" "BAD  CUST" "$how CUST: check marks CUST"
	rm -rf vvx
	run_hw 1 "$how CUST: app extract" app extract vv.APP -o vvx
	check "$how CUST: extract wrote no cust.img" test ! -e vvx/cust.img
	run_hw 1 "$how CUST: app flash" -s "$G" app flash vv.APP
	expect_in "$T/err" "entry CUST" "$how CUST: flash names CUST"
	run_hw 1 "$how CUST: app flash CUST alone" -s "$G" app flash vv.APP CUST
done
$JUDGE --build vs.APP --short-crc BOOT=boot.img CUST=cust.img > /dev/null
run_hw 1 "CRC entry of the wrong length: app check" app check vs.APP
run_hw 1 "CRC entry of the wrong length: app extract" app extract vs.APP -o vsx
check "CRC entry of the wrong length: nothing extracted" test ! -e vsx
run_hw 1 "CRC entry of the wrong length: app flash" -s "$G" app flash vs.APP
run_hw 1 "CRC entry of the wrong length: app flash BOOT" -s "$G" app flash vs.APP BOOT
check "no download for any damaged package" test "$(downloads gdev)" = "$n0"
run_hw 0 "the good BOOT of such a package: extract" app extract vv.APP -o vvb BOOT
run_hw 0 "the good BOOT of such a package: flash" -s "$G" app flash vv.APP BOOT
head -c 3000000 U.APP > cutpkg.APP
run_hw 1 "truncated package: check" app check cutpkg.APP
run_hw 1 "truncated package: extract" app extract cutpkg.APP -o cutx
n0=$(downloads gdev)
run_hw 1 "truncated package: flash" -s "$G" app flash cutpkg.APP
check "truncated: nothing sent" test "$(downloads gdev)" = "$n0"

# --- Pipes (item 3): refused in one line, nothing sent ---
n0=$(downloads gdev)
if command -v bash > /dev/null; then
	bash -c '"$0" -s "$1" app flash <(cat U.APP) > "$2/out" 2> "$2/err"; echo $? > "$2/rc"' \
		"$HWFLASH" "$G" "$T"
	check "app flash <(...) refused" test "$(cat rc)" = 1
	expect_in "$T/err" "/dev/fd/" "the pipe named by its path"
	expect_in "$T/err" "is a pipe" "and called a pipe"
	one_line "$T/err" "app flash of a pipe: one line"
	bash -c '"$0" -s "$1" flash recovery <(cat recovery.img) > "$2/out" 2> "$2/err"
		echo $? > "$2/rc"' "$HWFLASH" "$G" "$T"
	check "flash recovery <(...) refused" test "$(cat rc)" = 1
	expect_in "$T/err" "is a pipe" "flash FILE: called a pipe"
fi
cat U.APP | "$HWFLASH" -s "$G" app flash /dev/stdin > out 2> err
check "app flash /dev/stdin from a pipe refused" test $? = 1
expect_in err "/dev/stdin is a pipe" "/dev/stdin named"
check "no pipe sent anything" test "$(downloads gdev)" = "$n0"

# --- JSON on every failure before sending (item 15) ---
json_fail 1 "--json: missing package" -s "$G" app flash nope.APP
json_fail 1 "--json: a web page" -s "$G" app flash vendor.img
json_fail 1 "--json: a damaged package" -s "$G" app flash bad.APP
json_fail 1 "--json: an unknown entry" -s "$G" app flash U.APP NOPE
json_fail 1 "--json: a metadata entry" -s "$G" app flash U.APP CURVER
json_fail 2 "--json: --map without its value" -s "$G" app flash U.APP --map
cat U.APP | json_fail 1 "--json: a pipe" -s "$G" app flash /dev/stdin
start_sim small2 --product hwsim --partition recovery:16M --partition system:64M
json_fail 1 "--json: a partition missing on the device" -s "tcp:127.0.0.1:$PORT" app flash U.APP
json_fail 1 "--json --dry-run: a partition missing on the device" -s "tcp:127.0.0.1:$PORT" \
	app flash U.APP --dry-run
check "small2: nothing sent" test "$(downloads small2)" = 0
# After sending began, the summary document itself says ok false and why.
# shellcheck disable=SC2086
start_sim ffail --product hwsim --fault fail-flash $PARTS
run_hw 1 "--json: the device refuses the flash" -s "tcp:127.0.0.1:$PORT" --json app flash U.APP CUST
check "--json summary after a failed flash: ok false, error, state FAILED" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["ok"] is False and "device refused" in d["error"], d
assert d["steps"][0]["state"] == "FAILED", d' "$T/out"

# --- Messages (item 16) ---
run_hw 2 "--map at the end: needs a value" app flash U.APP --map
expect_in "$T/err" "--map needs a value" "not 'unknown option'"
run_hw 2 "--member at the end: needs a value" app flash U.APP --member
expect_in "$T/err" "--member needs a value" "--member: needs a value"
L=VERY_LONG_ENTRY_NAME_FOR_COLUMNS
run_hw 0 "pack an entry with a 32-character name" app pack -o long.APP "$L=cust.img" \
	BOOT=boot.img
start_sim ldev --product hwsim --partition very_long_entry_name_for_columns:4M --partition boot:16M
run_hw 0 "flash it" -s "tcp:127.0.0.1:$PORT" app flash long.APP
bytes_aligned() { # FILE: every row's BYTES value ends where the header's BYTES does
	python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
hdr = [l for l in lines if "BYTES" in l][0]
end = hdr.index("BYTES") + 5
rows = [l for l in lines if l.strip()[:1].isdigit()]
assert len(rows) == 2, lines
for r in rows:
    assert r[end - 1].isdigit() and (len(r) == end or r[end] == " "), (r, end)' "$1"
}
check "summary: the BYTES column stays aligned" bytes_aligned "$T/out"
expect_in "$T/out" "$L" "summary: the long name whole"
run_hw 0 "--dry-run plan with the long name" -s "tcp:127.0.0.1:$PORT" app flash long.APP --dry-run
check "plan: the BYTES column stays aligned" bytes_aligned "$T/out"
run_hw 0 "a single entry" -s "tcp:127.0.0.1:$PORT" app flash long.APP BOOT
expect_in "$T/err" "Verified 1 entry of long.APP" "1 entry, not 1 entries"

# --- A legacy package (entries named only by sequence id): never flashed by a guessed name ---
$MKAPP legacy.APP --legacy INPUT@FC000000=boot.img \
	INPUT@F4000000=cust.img > /dev/null
start_sim lgdev --product hwsim --partition boot:16M --partition cust:4M
run_hw 1 "legacy INPUT entries without --map: refused" -s "tcp:127.0.0.1:$PORT" app flash legacy.APP
expect_in "$T/err" "INPUT_FC000000 is named only by its sequence id (BOOT per profile" \
	"the entry, its id and the profile's guess named"
expect_in "$T/err" "give --map INPUT_FC000000=PARTITION" "what to do said"
check "legacy: nothing sent" sh -c "! grep -q '^download:' lgdev/commands.log 2> /dev/null"
run_hw 0 "legacy INPUT entries with --map: flashed" -s "tcp:127.0.0.1:$PORT" app flash legacy.APP \
	--map INPUT_FC000000=boot --map INPUT_F4000000=cust
check "legacy: boot stored" cmp boot.img lgdev/boot.img
check "legacy: cust stored" cmp -n "$(stat -c %s cust.img)" cust.img lgdev/cust.img
