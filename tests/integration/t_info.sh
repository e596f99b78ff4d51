#!/bin/sh
# hwflash info (the device check before flashing) and the lock gate: on a
# locked bootloader a repacked, unsigned or modified image is refused before
# any byte is sent (no download: in the device's log); --force sends it; a
# properly signed image is not blocked.  Models: plain, A/B, Huawei locked
# and unlocked (fbsim --huawei, --locked).
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg openssl
tools=$(cd "$(dirname "$0")/../tools" && pwd)
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"

downloads() { grep -c '^download:' "$T/$1/commands.log"; }
json_get() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[k]
print("null" if d is None else d)' "$@"; }

random kernel 100000
random rd 20000
mkbootimg --kernel kernel --ramdisk rd -o repacked.img
openssl genrsa -out key.pem 2048 2> /dev/null
python3 "$tools/avbfoot.py" repacked.img signed.img recovery 1048576 --key key.pem
python3 "$tools/avbfoot.py" repacked.img unsigned.img recovery 1048576
python3 "$tools/avbfoot.py" repacked.img tampered.img recovery 1048576 --key key.pem --tamper

# --- plain: unlocked by default, every standard line ------------------------------
start_sim plain --product fbsim --partition recovery:1M
S="tcp:127.0.0.1:$PORT"
run_hw 0 "plain: info" -s "$S" info
for l in "product            fbsim" "serial             FBSIM0001" \
	"bootloader         0.4.1-fbsim" "slots              none" \
	"bootloader lock    unlocked (getvar unlocked)" "secure             yes" \
	"is-userspace       no" "max-download-size  64.0 MiB (0x4000000)" \
	"battery            4123 mV, soc ok: yes"; do
	expect_in "$T/out" "$l" "plain: '$l'"
done
check "plain: no Huawei part" sh -c "! grep -q Huawei '$T/out'"
check "plain: no oem command sent" sh -c "! grep -q '^oem' '$T/plain/commands.log'"
run_hw 0 "plain: info --json" -s "$S" info --json
check "plain: --json lock" test "$(json_get "$T/out" lock)" = unlocked
check "plain: --json huawei null" test "$(json_get "$T/out" huawei)" = null
check "plain: --json slot-count null" test "$(json_get "$T/out" vars.slot-count)" = null
run_hw 0 "plain unlocked: a repacked recovery is flashed" -s "$S" flash recovery repacked.img
check "plain: it was downloaded" test "$(downloads plain)" = 1

# --- A/B ----------------------------------------------------------------------------
start_sim ab --product absim --partition boot_a:1M --partition boot_b:1M --current-slot b
S="tcp:127.0.0.1:$PORT"
run_hw 0 "A/B: info" -s "$S" info
expect_in "$T/out" "slots              2, active b" "A/B: slots and the active one"
run_hw 0 "A/B: info --json" -s "$S" info --json
check "A/B: --json current-slot" test "$(json_get "$T/out" vars.current-slot)" = b

# --- a locked plain device: getvar unlocked no -----------------------------------
start_sim locked --product fbsim --partition recovery:1M --locked
S="tcp:127.0.0.1:$PORT"
run_hw 0 "locked: info" -s "$S" info
expect_in "$T/out" "bootloader lock    locked (getvar unlocked)" "locked: said"
for img in repacked unsigned tampered; do
	run_hw 1 "locked: $img recovery refused" -s "$S" flash recovery $img.img
	check "locked: $img: no download: sent" test "$(downloads locked)" = 0
done
run_hw 1 "locked: repacked refused again" -s "$S" flash recovery repacked.img
expect_in "$T/err" "bootloader is locked: it will reject a repacked recovery; unlock first, or flash the signed original" \
	"locked: the reason"
one_error "$T/err" "locked: one error line"
run_hw 1 "locked: unsigned refused" -s "$S" flash recovery unsigned.img
expect_in "$T/err" "it will reject an unsigned recovery" "locked: unsigned named"
run_hw 0 "locked: a signed recovery is not blocked" -s "$S" flash recovery signed.img
check "locked: the signed image was sent" test "$(downloads locked)" = 1
check "locked: and stored" cmp locked/recovery.img signed.img
run_hw 0 "locked: --force sends the repacked one" -s "$S" --force flash recovery repacked.img
expect_in "$T/err" "--force: flashing repacked.img to recovery although the bootloader is locked" \
	"locked: --force warns"
check "locked: --force downloaded" test "$(downloads locked)" = 2
run_hw 0 "locked: flashing unlock" -s "$S" flashing unlock
run_hw 0 "unlocked now: the repacked recovery goes" -s "$S" flash recovery repacked.img
check "unlocked now: downloaded" test "$(downloads locked)" = 3

# --disable-verity on a locked bootloader: the flags are in vbmeta's signed
# header, so the patched bytes no longer match the signature: refused.
start_sim lvb --product fbsim --partition vbmeta:64K --locked
S="tcp:127.0.0.1:$PORT"
python3 "$tools/avbfoot.py" --vbmeta vbmeta.img --key key.pem --hash recovery=repacked.img
run_hw 0 "locked: a signed vbmeta is not blocked" -s "$S" flash vbmeta vbmeta.img
run_hw 1 "locked: --disable-verity of a signed vbmeta refused" -s "$S" --disable-verity \
	flash vbmeta vbmeta.img
expect_in "$T/err" "bootloader is locked: it will reject a modified vbmeta" \
	"locked: --disable-verity: the reason"
check "locked: --disable-verity sent nothing" test "$(downloads lvb)" = 1

# update: every image gated before the first byte.
start_sim lupd --product fbsim --partition boot:1M --locked
S="tcp:127.0.0.1:$PORT"
cp repacked.img boot.img
python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w"); z.write("boot.img"); z.close()' upd.zip
run_hw 1 "locked: update with a repacked boot.img refused" -s "$S" update --skip-reboot upd.zip
expect_in "$T/err" "upd.zip:boot.img: not flashed to boot: bootloader is locked: it will reject a repacked boot" \
	"locked: update says why"
check "locked: update sent no download:" test "$(downloads lupd)" = 0

# --- Huawei locked: the lock from oem lock-state info -------------------------------
start_sim hwl --product ANE-LX1 --partition recovery:1M --huawei --locked
S="tcp:127.0.0.1:$PORT"
run_hw 0 "Huawei locked: info" -s "$S" info
for l in "bootloader lock    locked (oem lock-state info (FB lock))" \
	"unlocked           (not reported)" "Huawei/Honor bootloader:" \
	"  model            ANE-LX1" "  build            ANE-LX1 9.1.0.132(C432E4R1P1)" \
	"  FB lock          locked" "  USER lock        locked" "  FRP              (not reported)" \
	"  vendor/country   hw / eu" "  bootinfo         locked"; do
	expect_in "$T/out" "$l" "Huawei locked: '$l'"
done
run_hw 0 "Huawei locked: info --json" -s "$S" info --json
check "Huawei locked: --json fb_lock" test "$(json_get "$T/out" huawei.fb_lock)" = locked
check "Huawei locked: --json raw lock-state" \
	test "$(json_get "$T/out" "huawei.raw.oem lock-state info" | sed -n 1p)" = " FB LockState: LOCKED"
check "Huawei locked: --json build" \
	test "$(json_get "$T/out" huawei.build)" = "ANE-LX1 9.1.0.132(C432E4R1P1)"
run_hw 1 "Huawei locked: repacked recovery refused" -s "$S" flash recovery repacked.img
expect_in "$T/err" "bootloader is locked: it will reject a repacked recovery" "Huawei locked: reason"
expect_in "$T/err" "oem lock-state info (FB lock) says locked" "Huawei locked: the source named"
check "Huawei locked: no download: sent" test "$(downloads hwl)" = 0
run_hw 0 "Huawei locked: a signed recovery is not blocked" -s "$S" flash recovery signed.img
check "Huawei locked: signed sent" test "$(downloads hwl)" = 1

# --- Huawei unlocked ------------------------------------------------------------------
start_sim hwu --product ANE-LX1 --partition recovery:1M --huawei
S="tcp:127.0.0.1:$PORT"
run_hw 0 "Huawei unlocked: info" -s "$S" info
expect_in "$T/out" "bootloader lock    unlocked (oem lock-state info (FB lock))" "Huawei unlocked: said"
expect_in "$T/out" "  bootinfo         unlocked" "Huawei unlocked: bootinfo"
run_hw 0 "Huawei unlocked: repacked recovery flashed" -s "$S" flash recovery repacked.img
check "Huawei unlocked: downloaded" test "$(downloads hwu)" = 1
