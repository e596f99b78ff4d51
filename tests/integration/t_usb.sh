#!/bin/sh
# fastboot over USB: the real libusb transport against simulated USB devices
# (tests/sim/usbsim: umockdev testbed + the same device model as fbsim).
# The TCP scenarios again, USB faults (disconnect = ENODEV on reap, stall =
# EPIPE, timeout), permissions, --wait, and several devices in parallel.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg cpio gzip zip
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${USBSIM:-}" ] || [ ! -x "$USBSIM" ]; then
	echo "# USB suite skipped: no usbsim (needs umockdev and libumockdev-dev: make deps)"
	exit 0
fi
cd "$T"

# run_usb WANT "what" "SIM OPTIONS" HWFLASH-ARGS...: hwflash on simulated USB
# devices; stdout in $T/out, stderr in $T/err, the devices' counters in $T/stats.
run_usb() {
	want=$1; what=$2; sim=$3; shift 3
	rm -f "$T/stats"
	# shellcheck disable=SC2086
	"$USBSIM" --stats "$T/stats" $sim -- "$HWFLASH" "$@" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
		fail "$what: exit $got, wanted $want"; sed 's/^/    out: /' "$T/out"
		sed 's/^/    err: /' "$T/err"; fi
}
# counter SERIAL KEY: a counter of the last run's device
counter() { sed -n "/^$1 /s/.* $2=\([0-9.]*\).*/\1/p" "$T/stats"; }
log_has_no() { ! grep -q "$2" "$1/commands.log"; }

random kernel 2000000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o recovery.img
random system.img 3000000
printf '<!DOCTYPE html>\n<html><body>Download</body></html>\n' > page.img
# 40 MiB: random, zeros (FILL) and a pattern; split by a 16 MiB max-download-size.
{ head -c 20971520 /dev/urandom; head -c 10485760 /dev/zero;
  yes HWFLASH | head -c 10485760; } > s40.img

PARTS="--partition boot_a:64M --partition boot_b:64M --partition recovery:64M
	--partition system:256M --partition userdata:64M --partition cache:16M"
DEV="--device FBSIM01 --store $T/dev --product hwsim $PARTS"

# --- one device: what the TCP suite does, over USB -----------------------
run_usb 0 "devices" "$DEV" devices
expect_in "$T/out" "FBSIM01	fastboot" "serial from the string descriptor"
run_usb 0 "devices -l" "$DEV" devices -l
expect_in "$T/out" "fastboot usb:1-1 product:hwsim id:18d1:4ee0" "port path, product and id"
run_usb 0 "devices --json" "$DEV" --json devices
check "devices --json parses" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))["devices"]
assert d == [{"transport":"usb","serial":"FBSIM01","path":"usb:1-1","product":"hwsim",
              "id":"18d1:4ee0","access":True}], d' "$T/out"
run_usb 0 "no -s and one device: that one" "$DEV" getvar product
expect_in "$T/out" "product: hwsim" "product read over USB"
run_usb 0 "-s SERIAL" "$DEV" -s FBSIM01 getvar product
check "the serial came from sysfs: no control request to the device" \
	test "$(counter FBSIM01 control_urbs)" = 0
run_usb 0 "devices -l, no strings in sysfs" "$DEV --no-sysfs-strings" devices -l
expect_in "$T/out" "FBSIM01              fastboot usb:1-1 product:hwsim" \
	"serial and product from the string descriptors"
check "read with control transfers" test "$(counter FBSIM01 control_urbs)" -ge 2
run_usb 0 "getvar serialno" "$DEV" getvar serialno
expect_in "$T/out" "serialno: FBSIM01" "the model's serialno is the USB serial"
run_usb 0 "getvar all streams INFO lines" "$DEV" getvar all
expect_in "$T/err" "(bootloader) partition-size:recovery" "INFO lines shown"
run_usb 0 "flash a checked recovery image" "$DEV" -s FBSIM01 flash recovery recovery.img
expect_in "$T/err" "Sending 'recovery' (" "AOSP-style Sending line"
check "the device stored exactly the image" cmp dev/recovery.img recovery.img
run_usb 0 "flash a raw system image by port path" "$DEV" -s usb:1-1 flash system system.img
check "system stored" cmp dev/system.img system.img
check "download data went as 256 KiB bulk transfers" test "$(counter FBSIM01 out_urbs)" -ge 12
run_usb 0 "erase" "$DEV" erase system
check "erase removed it" test ! -e dev/system.img
run_usb 0 "--slot a flashes boot_a" "$DEV" --slot a flash boot recovery.img
check "boot_a stored" cmp dev/boot_a.img recovery.img
# Slots over USB: the names resolved as over TCP (t_slots.sh has the rest).
n=$(wc -l < dev/commands.log)
run_usb 0 "A/B: flash boot with no --slot" "$DEV" flash boot recovery.img
check "A/B: flash:boot_a sent, no bare boot" sh -c "tail -n +$((n + 1)) dev/commands.log | \
	grep -v '^getvar:' | tr '\n' ' ' | grep -qx 'download:[0-9a-f]* flash:boot_a '"
rm -f dev/boot_b.img
run_usb 0 "A/B: --slot other" "$DEV" --slot other flash boot recovery.img
check "A/B: --slot other stored boot_b" cmp dev/boot_b.img recovery.img
n=$(wc -l < dev/commands.log)
run_usb 1 "A/B: --slot c refused" "$DEV" --slot c flash boot recovery.img
check "A/B: --slot c: nothing but getvars" sh -c "! tail -n +$((n + 1)) dev/commands.log | \
	grep -qv '^getvar:'"
run_usb 1 "no slots: --slot b refused" "--device NS1 --store $T/ns --slots 0 \
	--partition boot:64M" --slot b flash boot recovery.img
expect_in "$T/err" "--slot b: the device has no slots" "no slots: said"
check "no slots: nothing but getvars" sh -c "! grep -qv '^getvar:' ns/commands.log"
run_usb 0 "set_active" "$DEV" set_active b
run_usb 0 "oem" "$DEV" oem device-info
expect_in "$T/err" "(bootloader) oem device-info" "oem INFO shown"
run_usb 0 "flashing unlock" "$DEV" flashing unlock
run_usb 0 "reboot bootloader" "$DEV" reboot bootloader
check "reboot-bootloader reached the device" sh -c "tail -n 1 dev/commands.log | grep -qx reboot-bootloader"
run_usb 0 "boot FILE downloads and boots" "$DEV" boot recovery.img
run_usb 0 "continue" "$DEV" continue
n0=$(grep -c '^download:' dev/commands.log)
run_usb 1 "HTML page as recovery.img refused" "$DEV" flash recovery page.img
expect_in "$T/err" "HTML page" "HTML named"
check "nothing was downloaded for it" test "$n0" = "$(grep -c '^download:' dev/commands.log)"

SMALL="--device FBSIM01 --store $T/sm --max-download 16M $PARTS"
run_usb 0 "40 MiB image, max-download-size 16 MiB: sparse pieces" "$SMALL" -v flash system s40.img
expect_in "$T/err" "sparse 'system' 1/" "sent as sparse pieces"
check "pieces reassemble to the image" cmp -n "$(stat -c %s s40.img)" sm/system.img s40.img
check "four bulk transfers in flight (hwflash -v)" grep -q "at most 4 in flight" "$T/err"
if command -v img2simg > /dev/null; then
	img2simg s40.img s40.simg && simg2img s40.simg s40.back
	run_usb 0 "flash an img2simg sparse image (split again)" "$SMALL" flash system s40.simg
	check "stored partition equals simg2img of the input" cmp sm/system.img s40.back
fi

# --- USB faults ---------------------------------------------------------------
# fdev NAME: the device with a store of its own
fdev() { echo "--device FBSIM01 --store $T/$1 --product hwsim $PARTS"; }
run_usb 1 "unplugged half way through a download (ENODEV on reap)" \
	"$(fdev f1) --fault disconnect-mid-download" flash system system.img
expect_in "$T/err" "usb:1-1: device disconnected; nothing was written: the flash command was not sent" \
	"disconnect explained"
check "no flash: after the partial download" log_has_no f1 "^flash:"
run_usb 1 "unplugged after 1 MB of bulk OUT data" "$(fdev f2) --usb-fault disconnect=1000000" \
	flash system system.img
expect_in "$T/err" "download stopped after" "where it stopped"
expect_in "$T/err" "device disconnected; nothing was written" "and that nothing was written"
run_usb 0 "a stalled command: halt cleared, sent again" "$(fdev f3) --usb-fault stall-out=1" \
	getvar product
check "one halt cleared" test "$(counter FBSIM01 halts_cleared)" = 1
check "the command reached the model once" sh -c "test \"\$(cat f3/commands.log)\" = getvar:product"
run_usb 0 "a stall in the middle of a download: resent from its buffers" \
	"$(fdev f4) --usb-fault stall-out=7" flash system system.img
check "stored byte for byte after the stall" cmp f4/system.img system.img
check "one halt cleared in the download" test "$(counter FBSIM01 halts_cleared)" = 1
run_usb 1 "an endpoint that stays stalled" "$(fdev f5) --usb-fault stall-out-always=7" \
	flash system system.img
expect_in "$T/err" "endpoint 0x01 stalled again after its halt was cleared" "second stall named"
check "no flash: after it" log_has_no f5 "^flash:"
run_usb 0 "a stalled reply read: halt cleared, read again" "$(fdev f6) --usb-fault stall-in=1" \
	getvar product
expect_in "$T/out" "product: hwsim" "the reply after the stall"
run_usb 1 "a device that never answers: timeout" "$(fdev f7) --fault stall" --timeout 1 getvar product
expect_in "$T/err" "getvar:product: usb:1-1: no answer for 1 s" "timeout names the step"
one_line "$T/err" "timeout: one line"
run_usb 1 "a device that hangs while writing" "$(fdev f8) --fault stall-flash" --timeout 1 \
	flash system system.img
expect_in "$T/err" "flash:system: usb:1-1: no answer for 1 s" "stalled step named"
run_usb 0 "INFO lines over 3 s keep a 1 s timeout alive" "$(fdev f9) --fault slow-info" --timeout 1 \
	getvar product
expect_in "$T/err" "(bootloader) working (12/12)" "INFO shown as it came"
run_usb 1 "FAIL on flash" "$(fdev f10) --fault fail-flash" flash system system.img
expect_in "$T/err" "device refused: flash write failure" "FAIL text verbatim"
run_usb 1 "a reply that is not fastboot" "$(fdev f11) --fault garbage" getvar product
expect_in "$T/err" "the device answered something that is not fastboot: '\\x89PNG" "garbage shown escaped"

# --- permissions, finding devices, waiting --------------------------------------
NOPERM="--device HWNOPERM --store $T/np --vid 12d1 --pid 107e --no-access"
run_usb 1 "a device we may not open" "$NOPERM" getvar product
expect_in "$T/err" "hwflash: found 12d1:107e at usb:1-1 but no permission: install udev/51-hwflash.rules (make install) or run as root" \
	"permission problem explained"
one_line "$T/err" "permission: one line"
run_usb 0 "devices lists it as no permissions" "$NOPERM" devices
expect_in "$T/out" "no permissions (12d1:107e at usb:1-1)" "no permissions listed"
run_usb 1 "no device on USB" "--device LATER --store $T/later --add-after 60" getvar product
expect_in "$T/err" "no fastboot device on USB" "nothing there, said so"
run_usb 0 "--wait: a device that appears after 1 s (hotplug)" \
	"--device LATER --store $T/later --add-after 1" --wait=10 getvar product
expect_in "$T/err" "< waiting for any device >" "waiting announced"
run_usb 1 "--wait=1 and nothing comes" "--device LATER --store $T/later --add-after 60" \
	--wait=1 getvar product
expect_in "$T/err" "no fastboot device appeared within 1 s" "wait timeout said"

TWO="--device A1 --store $T/a1 $PARTS --device B2 --store $T/b2 --product bee $PARTS"
run_usb 2 "two devices and no -s: choose" "$TWO" getvar product
expect_in "$T/err" "2 fastboot devices are connected: A1 (usb:1-1), B2 (usb:1-2); pick one with -s SERIAL or -s usb:PATH, or use --all" \
	"both listed"
run_usb 0 "-s SERIAL picks the second" "$TWO" -s B2 getvar product
expect_in "$T/out" "product: bee" "the second device answered"
run_usb 0 "-s usb:1-2 picks it by port" "$TWO" -s usb:1-2 flash system system.img
check "stored on the second device" cmp b2/system.img system.img
check "and not on the first" test ! -e a1/system.img
run_usb 1 "-s with a serial that is not there" "$TWO" -s NOPE getvar product
expect_in "$T/err" "no fastboot device with serial NOPE; connected: A1 (usb:1-1), B2 (usb:1-2)" \
	"what is there, listed"

# --- several devices in parallel ----------------------------------------------
rm -f a1/system.img b2/system.img
run_usb 0 "--all flashes every device" "$TWO" --all flash system s40.img
check "first device stored it" cmp -n "$(stat -c %s s40.img)" a1/system.img s40.img
check "second device stored it" cmp -n "$(stat -c %s s40.img)" b2/system.img s40.img
expect_in "$T/err" "[A1] Sending" "lines prefixed by device"
expect_in "$T/err" "[B2] Writing 'system'" "both devices' lines"
expect_in "$T/err" "2 devices: 2 OKAY, 0 FAILED" "summary"
check "both downloads overlapped in time" python3 - "$T/stats" <<'PY'
import sys
# each device's counters are there; the sim ran both at once
lines = open(sys.argv[1]).read().split("\n")
assert sum(1 for l in lines if "data_bytes=" in l and "data_bytes=0 " not in l) == 2, lines
PY
rm -f a1/system.img
run_usb 1 "one device failing does not stop the other" \
	"--device A1 --store $T/a1 $PARTS --device B2 --store $T/b2 $PARTS --fault fail-flash" \
	-s A1 -s B2 flash system system.img
check "the good device was flashed" cmp a1/system.img system.img
expect_in "$T/err" "device refused: flash write failure" "the failure's reason in the table"
expect_in "$T/err" "2 devices: 1 OKAY, 1 FAILED" "summary counts the failure"
check "summary table has a FAILED row for B2" grep -q '^B2  *FAILED' "$T/err"
run_usb 0 "--json --all" "$TWO" --json --all getvar product
check "one JSON document with each device's answer" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))["devices"]
assert [(x["device"], x["ok"], x["output"]["value"]) for x in d] == \
       [("A1", True, "fbsim"), ("B2", True, "bee")], d' "$T/out"

# --- bootloader and fastbootd over USB -----------------------------------------
# A reboot takes the device off the bus; it comes back at the same port with
# the same serial in its new mode (usbsim), as a phone does.
# run_usb_sh WANT "what" "SIM OPTIONS" SCRIPT: several hwflash runs (sh -c, $H is
# "hwflash -s FBSIM01") on the same simulated devices.
run_usb_sh() {
	want=$1; what=$2; sim=$3; shift 3
	# shellcheck disable=SC2086
	"$USBSIM" $sim -- env H="$HWFLASH -s FBSIM01" sh -c "$1" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
		fail "$what: exit $got, wanted $want"; sed 's/^/    out: /' "$T/out"
		sed 's/^/    err: /' "$T/err"; fi
}
# usbmode STORE: a device in its own store, with a logical partition (fetch in 512K pieces)
usbmode() {
	echo "--device FBSIM01 --store $T/$1 --product hwsim --partition boot:1M --partition misc:1M
		--super 8M --logical system:2M --max-download 512K"
}
since() { tail -n +$(($2 + 1)) "$1/commands.log" | tr '\n' ' ' | sed 's/ $//'; }
run_usb_sh 0 "USB: reboot fastboot and back, the same -s each time" "$(usbmode m1)" '
	$H getvar is-userspace && $H reboot fastboot && $H getvar is-userspace &&
	$H reboot bootloader && $H --wait=10 getvar is-userspace'
check "USB: is-userspace no, yes, no" test "$(grep '^is-userspace:' "$T/out" | tr '\n' ' ')" = \
	"is-userspace: no is-userspace: yes is-userspace: no "
check "USB: the device's log" test "$(since m1 0)" = "getvar:is-userspace reboot-fastboot \
getvar:is-userspace getvar:is-userspace reboot-bootloader getvar:is-userspace"
expect_in "$T/err" "< waiting for FBSIM01 >" "USB: hwflash waited for the device to come back"
run_usb_sh 0 "USB: reboot-fastboot and reboot-bootloader, --json" "$(usbmode m1)" '
	$H -v reboot-fastboot && $H --json getvar is-userspace && $H --json reboot-bootloader &&
	$H --wait=10 --json getvar is-userspace'
expect_in "$T/err" "reboot-fastboot: back as usb:1-1 after" "USB: followed to the same port (-v)"
check "USB: the JSON answers" python3 -c '
import json,sys
docs = [json.loads(l) for l in open(sys.argv[1])]
assert [d.get("value") for d in docs] == ["yes", None, "no"], docs
assert docs[1]["command"] == "reboot-bootloader" and docs[1]["ok"], docs' "$T/out"
random lsys.img 400000
{ cat lsys.img; head -c $((401408 - 400000)) /dev/zero; } > lsys.want
run_usb_sh 0 "USB: a logical partition flashed from the bootloader, then fetched" "$(usbmode m2)" '
	$H flash system lsys.img && $H fetch system lsys.back'
expect_in "$T/err" "system is a logical partition: rebooting into fastbootd" \
	"USB: hwflash says it reboots to fastbootd"
got=$(since m2 0)
case $got in
*"reboot-fastboot getvar:is-userspace resize-logical-partition:system:400000 "*" download:00061a80 flash:system "*)
	ok "USB: reboot-fastboot, then download and flash in fastbootd" ;;
*) fail "USB: reboot-fastboot, then download and flash in fastbootd: $got" ;;
esac
check "USB: the stored bytes are the image (fetched back)" cmp lsys.back lsys.want
t0=$(date +%s)
run_usb 1 "USB: a reboot that never comes back (--timeout 1)" \
	"$(usbmode m3) --fault reboot-never-returns" -s FBSIM01 --timeout 1 --json flash system lsys.img
check "USB: bounded by --timeout" test $(($(date +%s) - t0)) -le 10
expect_in "$T/err" "hwflash: reboot-fastboot: FBSIM01 did not come back within 1 s" \
	"USB: never back, said"
one_error "$T/err" "USB: never back: one error line"
check "USB: never back: --json error" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert not d["ok"] and "did not come back within 1 s" in d["error"], d
assert d["device"] == "usb:1-1", d' "$T/out"
check "USB: never back: nothing downloaded" log_has_no m3 "^download:"
run_usb 1 "USB: no fastbootd" "$(usbmode m4) --fault no-fastbootd" -s FBSIM01 reboot fastboot
expect_in "$T/err" "the device came back in its bootloader, not in fastbootd" \
	"USB: no fastbootd, said"
one_error "$T/err" "USB: no fastbootd: one error line"

# --- udev rules -------------------------------------------------------------
R="$here/../../udev/51-hwflash.rules"
check "udev: fastboot interfaces (ff/42/03) of any vendor" grep -q 'ID_USB_INTERFACES}=="\*:ff4203:\*"' "$R"
check "udev: Huawei and Google vendor ids" sh -c \
	"grep -q 'idVendor}==\".*12d1' '$R' && grep -q 'idVendor}==\".*18d1' '$R'"
check "udev: access by uaccess" grep -q 'TAG+="uaccess"' "$R"
check "udev: never world-writable" sh -c "! grep -v '^#' '$R' | grep -q 0666"

# --- app flash and update ZIP over USB -------------------------------------
"$HWFLASH" app pack -o U.APP --hwid HWSIM RECOVERY=recovery.img SYSTEM=s40.img \
	CURVER=page.img > /dev/null
rm -rf "$T/ua"
run_usb 0 "app flash over USB (SYSTEM in sparse pieces)" \
	"--device FBUSB01 --store $T/ua --product hwsim --max-download 16M $PARTS" app flash U.APP
check "recovery stored from the package" cmp "$T/ua/recovery.img" recovery.img
check "system stored from the package" cmp -n "$(stat -c %s s40.img)" "$T/ua/system.img" s40.img
check "CURVER never flashed" log_has_no "$T/ua" "^flash:curver"
cp U.APP bad.APP
printf 'XXXX' | dd of=bad.APP bs=1 seek=3000000 conv=notrunc 2> /dev/null
rm -rf "$T/ub"
run_usb 1 "a corrupt package over USB: nothing sent" \
	"--device FBUSB02 --store $T/ub --product hwsim $PARTS" app flash bad.APP
check "no download: reached the device" log_has_no "$T/ub" "^download:"
python3 -c '
import zipfile
with zipfile.ZipFile("upd.zip", "w") as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.write("recovery.img", "recovery.img")'
rm -rf "$T/uc"
run_usb 0 "update ZIP over USB" "--device FBUSB03 --store $T/uc --product hwsim $PARTS" \
	update upd.zip
check "recovery from update.zip" cmp "$T/uc/recovery.img" recovery.img
