#!/bin/sh
# fastboot over TCP against the simulated device (tests/sim/fbsim), with
# AOSP's own fastboot as a second client, and fault injection.
. "$(dirname "$0")/lib.sh"
tools=$(cd "$(dirname "$0")/../tools" && pwd)
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"

random kernel 2000000
mkdir -p rd/sbin && echo r > rd/sbin/recovery && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o recovery.img
random system.img 3000000
random s1.img 1048576
printf '<!DOCTYPE html>\n<html><body>Download</body></html>\n' > page.img

start_sim dev --product hwsim --partition boot_a:64M --partition boot_b:64M \
	--partition recovery:64M --partition system:1G --partition vendor:256M \
	--partition userdata:256M --partition cache:64M
S="tcp:127.0.0.1:$PORT"
run_hw 0 "getvar product" -s "$S" getvar product
expect_in "$T/out" "product: hwsim" "product read"
run_hw 0 "getvar --json" -s "$S" getvar --json max-download-size
check "max-download-size parsed by a script" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); assert d["value"]=="0x4000000", d' "$T/out"
run_hw 0 "flash --json: one result document" -s "$S" --json flash cache s1.img
check "flash result as JSON: steps with bytes" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "flash" and d["ok"] is True and d["error"] is None, d
assert d["steps"][0]["bytes"] == 1048576 and d["steps"][1]["step"] == "Writing \x27cache\x27", d' "$T/out"
run_hw 1 "erase --json of a missing partition" -s "$S" --json erase nope
check "failure as JSON: ok false, the device's words" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and "partition does not exist" in d["error"], d' "$T/out"
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
run_hw 0 "boot FILE downloads and boots" -s "$S" boot recovery.img
check "boot sent after its download" sh -c "tail -n 2 dev/commands.log | tr '\n' ' ' | \
	grep -q '^download:[0-9a-f]* boot \$'"
run_hw 1 "boot of a web page refused" -s "$S" boot page.img
run_hw 0 "continue" -s "$S" continue
check "continue reached the device" sh -c "tail -n 1 dev/commands.log | grep -qx continue"
run_hw 0 "flash -w: flash, then erase userdata and cache" -s "$S" -w flash cache s1.img
check "wipe after flash, userdata then cache" sh -c "tail -n 4 dev/commands.log | tr '\n' ' ' | \
	grep -q 'flash:cache erase:userdata getvar:partition-size:cache erase:cache'"
run_hw 0 "-w alone" -s "$S" -w
check "-w alone erased userdata" sh -c "grep -c '^erase:userdata' dev/commands.log | grep -qx 2"
run_hw 0 "-w reboot wipes before rebooting" -s "$S" -w reboot
check "erase before reboot" sh -c "tail -n 1 dev/commands.log | grep -qx reboot"
run_hw 2 "reboot somewhere odd is usage" -s "$S" reboot nowhere
run_hw 1 "a partition the device lacks" -s "$S" flash vendor_boot_x recovery.img
expect_in "$T/err" "device refused: partition does not exist" "device FAIL shown as device refused"

# Verify before write: nothing is sent for a bad image.
n0=$(grep -c '^download:' dev/commands.log)
run_hw 1 "HTML page as recovery.img refused" -s "$S" flash recovery page.img
expect_in "$T/err" "HTML page" "HTML named"
one_line "$T/err" "refusal: one line"
head -c 1500000 recovery.img > cut.img
run_hw 1 "truncated recovery refused" -s "$S" flash recovery cut.img
expect_in "$T/err" "truncated: header says" "truncation named"
run_hw 1 "HTML page refused for system too" -s "$S" flash system page.img
n1=$(grep -c '^download:' dev/commands.log)
check "nothing was downloaded for refused images" test "$n0" = "$n1"
run_hw 0 "--force overrides, and says so" -s "$S" --force flash system page.img
expect_in "$T/err" "--force" "force announced"
run_hw 0 "-S 1M splits a raw image into sparse pieces" -s "$S" -S 1M flash vendor system.img
expect_in "$T/err" "sparse 'vendor' 3/3" "three pieces sent"
check "the pieces reassemble to the image on the device" \
	sh -c "cmp -n $(stat -c %s system.img) dev/vendor.img system.img"

# Sizes around max-download-size (64 MiB): 1 MiB as is, 100 and 300 MiB in pieces.
# The big ones mix random data, zeros (FILL) and a repeated pattern.
random s100.img 104857600
{ head -c 100000000 /dev/urandom; head -c 100000000 /dev/zero;
  yes HWFLASH | head -c 60000000; head -c 54572800 /dev/urandom; } > s300.img
for sz in 1 100 300; do
	run_hw 0 "flash a $sz MiB image (max-download-size 64 MiB)" -s "$S" flash system s$sz.img
	check "$sz MiB stored byte for byte" cmp -n "$(stat -c %s s$sz.img)" dev/system.img s$sz.img
done
# 155 MB of random data need 3 pieces of 64 MiB; zeros and the pattern go as FILL.
expect_in "$T/err" "sparse 'system' 4/4" "300 MiB went as 4 sparse pieces"
check "partition ends where the image ends" test "$(stat -c %s dev/system.img)" = 314572800
if command -v img2simg > /dev/null; then
	img2simg s300.img s300.simg
	simg2img s300.simg s300.back
	run_hw 0 "flash a sparse image made by img2simg (split again)" -s "$S" flash system s300.simg
	check "stored partition equals simg2img of the input" cmp dev/system.img s300.back
	check "and the raw original" cmp dev/system.img s300.img
fi

# An AVB-footed image smaller than its partition (avbtool --dynamic_partition_size
# style: the footer right after the vbmeta): the footer goes to the partition's end,
# which gives the same bytes as the image made for the full partition size.
python3 "$tools/avbfoot.py" recovery.img avb8m.img recovery 8388608
python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
off, size = struct.unpack(">QQ", b[-64 + 20:-64 + 36])
end = (off + size + 4095) // 4096 * 4096
open(sys.argv[2], "wb").write(b[:end] + b[-64:])' avb8m.img avb.img
start_sim avb --partition recovery:8M --partition system:64M
run_hw 0 "flash an AVB image smaller than the partition" -s "tcp:127.0.0.1:$PORT" \
	flash recovery avb.img
expect_in "$T/err" "AVB footer of avb.img moved to the end of 'recovery'" "move announced"
check "the partition holds image, vbmeta and the footer at its end" cmp avb/recovery.img avb8m.img
n0=$(grep -c '^download:' avb/commands.log)
run_hw 1 "an image larger than the partition is refused before sending" \
	-s "tcp:127.0.0.1:$PORT" flash system s100.img
expect_in "$T/err" "do not fit partition system" "size named"
check "nothing downloaded for it" test "$(grep -c '^download:' avb/commands.log)" = "$n0"

# AOSP fastboot talks to the same simulated device.
if command -v fastboot > /dev/null; then
	check "AOSP fastboot getvar" sh -c "fastboot -s $S getvar product 2>&1 | grep -q 'product: hwsim'"
	check "AOSP fastboot flash" fastboot -s "$S" flash userdata system.img
	check "AOSP-flashed data stored" cmp dev/userdata.img system.img
	check "AOSP fastboot sparse-split flash (-S 1M)" fastboot -s "$S" -S 1M flash vendor system.img
	check "split pieces reassemble to the image" sh -c \
		"cmp -n $(stat -c %s system.img) dev/vendor.img system.img"
	check "AOSP fastboot erase" fastboot -s "$S" erase userdata
	check "AOSP-erased partition gone" test ! -e dev/userdata.img
	check "AOSP fastboot reboot" fastboot -s "$S" reboot
	check "fbsim logged AOSP's reboot" grep -qx reboot dev/commands.log
fi

# Faults: each ends in one clear line, exit 1, bounded time.
start_sim ff --fault fail-flash
run_hw 1 "FAIL on flash" -s "tcp:127.0.0.1:$PORT" flash system system.img
expect_in "$T/err" "device refused: flash write failure" "flash FAIL text verbatim"
start_sim fd --fault fail-download
run_hw 1 "FAIL on download" -s "tcp:127.0.0.1:$PORT" flash system system.img
check "no flash: after a refused download" sh -c "! grep -q '^flash:' fd/commands.log"
start_sim dc --fault disconnect-mid-download
run_hw 1 "disconnect mid-download" -s "tcp:127.0.0.1:$PORT" flash system system.img
expect_in "$T/err" "nothing was written: the flash command was not sent" "disconnect explained"
check "no flash: after a partial download" sh -c "! grep -q '^flash:' dc/commands.log"
start_sim st --fault stall
run_hw 1 "a device that never answers: timeout" -s "tcp:127.0.0.1:$PORT" --timeout 1 \
	getvar product
expect_in "$T/err" "getvar:product: tcp:127.0.0.1:$PORT: no answer for 1 s" "timeout names the step"
one_line "$T/err" "timeout: one line"
start_sim sf --fault stall-flash
run_hw 1 "a device that hangs while writing: timeout" -s "tcp:127.0.0.1:$PORT" --timeout 1 \
	flash system system.img
expect_in "$T/err" "flash:system" "stalled step named"
start_sim gb --fault garbage
run_hw 1 "a reply that is not fastboot" -s "tcp:127.0.0.1:$PORT" getvar product
expect_in "$T/err" "not fastboot ('\\x89PNG" "garbage shown escaped"
one_line "$T/err" "garbage: one line"
start_sim si --fault slow-info
run_hw 0 "INFO lines over 3 s keep a 1 s timeout alive" -s "tcp:127.0.0.1:$PORT" --timeout 1 \
	getvar product
expect_in "$T/err" "(bootloader) working (12/12)" "INFO shown as it came"
start_sim sd --fault small-download
run_hw 0 "max-download-size 1 MiB forces pieces" -s "tcp:127.0.0.1:$PORT" flash system system.img
expect_in "$T/err" "sparse 'system' 3/3" "split by the device's limit"
check "split flash stored the image" cmp -n "$(stat -c %s system.img)" sd/system.img system.img
start_sim fl --fault info-flood
run_hw 0 "10000 INFO lines before the answer" -s "tcp:127.0.0.1:$PORT" getvar product
run_hw 1 "no device listening" -s tcp:127.0.0.1:1 getvar product
one_line "$T/err" "connection refused: one line"
run_hw 1 "no device given" getvar product
