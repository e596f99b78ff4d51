#!/bin/sh
# fastboot over TCP against the simulated device (tests/sim/fbsim), with
# AOSP's own fastboot as a second client, and fault injection.
. "$(dirname "$0")/lib.sh"
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM

# start_sim NAME [fbsim options]: starts fbsim on a free port; sets PORT.
start_sim() {
	name=$1; shift
	"$FBSIM" --tcp 0 --store "$T/$name" "$@" > "$T/$name.port" 2>&1 &
	PIDS="$PIDS $!"
	i=0
	while ! grep -q listening "$T/$name.port" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1)); done
	PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$T/$name.port")
}

random kernel 2000000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o recovery.img
random system.img 3000000

start_sim dev --product hwsim
S="tcp:127.0.0.1:$PORT"
run_hw 0 "getvar product" -s "$S" getvar product
expect_in "$T/out" "product: hwsim" "product read"
run_hw 0 "getvar --json" -s "$S" getvar --json max-download-size
check "max-download-size parsed by a script" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["value"]=="0x4000000", d' "$T/out"
run_hw 0 "getvar all streams INFO lines" -s "$S" getvar all
expect_in "$T/err" "(bootloader) partition-size:recovery" "INFO lines shown"
run_hw 0 "flash a checked recovery image" -s "$S" flash recovery recovery.img
expect_in "$T/err" "Sending 'recovery' (" "AOSP-style Sending line"
expect_in "$T/err" "Writing 'recovery'" "AOSP-style Writing line"
check "the device stored exactly the image" cmp dev/recovery.img recovery.img
run_hw 0 "flash a raw system image" -s "$S" flash system system.img
check "system stored" cmp dev/system.img system.img
ANDROID_SERIAL=$S run_hw 0 "ANDROID_SERIAL selects the device" erase system
check "erase removed it" test ! -e dev/system.img
run_hw 0 "--slot a flashes boot_a" -s "$S" --slot a flash boot recovery.img
check "boot_a stored" cmp dev/boot_a.img recovery.img
run_hw 0 "set_active" -s "$S" set_active b
run_hw 0 "oem" -s "$S" oem device-info
expect_in "$T/err" "(bootloader) oem device-info" "oem INFO shown"
run_hw 0 "flashing unlock" -s "$S" flashing unlock
run_hw 0 "reboot bootloader" -s "$S" reboot bootloader
run_hw 2 "reboot somewhere odd is usage" -s "$S" reboot nowhere
run_hw 1 "a partition the device lacks" -s "$S" flash vendor_boot_x recovery.img
expect_in "$T/err" "device refused: partition does not exist" "device FAIL shown as device refused"

# Verify before write: nothing is sent for a bad image.
printf '<!DOCTYPE html>\n<html><body>Download</body></html>\n' > page.img
n0=$(grep -c '^download:' dev/log.txt)
run_hw 1 "HTML page as recovery.img refused" -s "$S" flash recovery page.img
expect_in "$T/err" "HTML page" "HTML named"
one_line "$T/err" "refusal: one line"
head -c 1500000 recovery.img > cut.img
run_hw 1 "truncated recovery refused" -s "$S" flash recovery cut.img
expect_in "$T/err" "truncated: header says" "truncation named"
run_hw 1 "HTML page refused for system too" -s "$S" flash system page.img
n1=$(grep -c '^download:' dev/log.txt)
check "nothing was downloaded for refused images" test "$n0" = "$n1"
run_hw 0 "--force overrides, and says so" -s "$S" --force flash system page.img
expect_in "$T/err" "--force" "force announced"
run_hw 1 "image over -S without splitting" -s "$S" -S 1M flash system system.img
expect_in "$T/err" "sparse pieces is not written yet" "splitting gap named honestly"

# AOSP fastboot talks to the same simulated device.
if command -v fastboot > /dev/null; then
	check "AOSP fastboot getvar" sh -c "fastboot -s $S getvar product 2>&1 | grep -q 'product: hwsim'"
	check "AOSP fastboot flash" fastboot -s "$S" flash userdata system.img
	check "AOSP-flashed data stored" cmp dev/userdata.img system.img
	check "AOSP fastboot sparse-split flash (-S 1M)" fastboot -s "$S" -S 1M flash vendor system.img
	check "split pieces reassemble to the image" sh -c \
		"cmp -n $(stat -c %s system.img) dev/vendor.img system.img"
fi

# Faults.
start_sim ff --fault fail-flash
run_hw 1 "FAIL on flash" -s "tcp:127.0.0.1:$PORT" flash system system.img
expect_in "$T/err" "device refused: flash write failure" "flash FAIL text verbatim"
start_sim fd --fault fail-download
run_hw 1 "FAIL on download" -s "tcp:127.0.0.1:$PORT" flash system system.img
check "no flash: after a refused download" sh -c "! grep -q '^flash:' fd/log.txt"
start_sim dc --fault disconnect-download
run_hw 1 "disconnect mid-download" -s "tcp:127.0.0.1:$PORT" flash system system.img
expect_in "$T/err" "nothing was written: the flash command was not sent" "disconnect explained"
check "no flash: after a partial download" sh -c "! grep -q '^flash:' dc/log.txt"
start_sim fl --fault info-flood
run_hw 0 "10000 INFO lines before the answer" -s "tcp:127.0.0.1:$PORT" getvar product
run_hw 1 "no device listening" -s tcp:127.0.0.1:1 getvar product
one_line "$T/err" "connection refused: one line"
run_hw 1 "no device given" getvar product
