#!/bin/sh
# fastboot over TCP against the simulated device (tests/sim/fbsim), with
# AOSP's own fastboot as a second client, and fault injection.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg cpio gzip zip
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

# last DIR N "CMDS" "what": the last N commands DIR's device logged are CMDS (one line)
last() {
	got=$(tail -n "$2" "$1/commands.log" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$3" ]; then ok "$4"; else fail "$4: logged '$got', wanted '$3'"; fi
}
# lines DIR: how many commands DIR's device has logged
lines() { wc -l < "$1/commands.log" | tr -d ' '; }

start_sim dev --product hwsim --partition boot_a:64M --partition boot_b:64M \
	--partition recovery:64M --partition system:1G --partition vendor:256M \
	--partition userdata:256M --partition cache:64M
S="tcp:127.0.0.1:$PORT"
run_hw 0 "getvar product" -s "$S" getvar product
expect_in "$T/out" "product: hwsim" "product read"
last dev 1 "getvar:product" "getvar: the device was asked"
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
last dev 1 "erase:nope" "erase --json: erase:nope reached the device"
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
last dev 1 "erase:system" "erase: erase:system logged"
run_hw 0 "--slot a flashes boot_a" -s "$S" --slot a flash boot recovery.img
check "boot_a stored" cmp dev/boot_a.img recovery.img
run_hw 0 "set_active" -s "$S" set_active b
last dev 1 "set_active:b" "set_active: set_active:b logged"
check "set_active: the device's current slot is b" grep -qx b dev/.current-slot
run_hw 0 "set_active other" -s "$S" set_active other
last dev 1 "set_active:a" "set_active other: set_active:a logged (b was current)"
run_hw 0 "oem" -s "$S" oem device-info
expect_in "$T/err" "(bootloader) oem device-info" "oem INFO shown"
last dev 1 "oem device-info" "oem: the command as typed reached the device"
run_hw 0 "flashing unlock" -s "$S" flashing unlock
last dev 1 "flashing unlock" "flashing unlock logged"
run_hw 0 "getvar unlocked" -s "$S" getvar unlocked
expect_in "$T/out" "unlocked: yes" "flashing unlock: the device is unlocked"
run_hw 0 "flashing lock" -s "$S" flashing lock
last dev 1 "flashing lock" "flashing lock logged"
run_hw 0 "flashing get_unlock_ability" -s "$S" flashing get_unlock_ability
last dev 1 "flashing get_unlock_ability" "flashing get_unlock_ability logged"
expect_in "$T/err" "(bootloader) unlock_ability = 1" "get_unlock_ability: the INFO shown"
run_hw 0 "reboot bootloader" -s "$S" reboot bootloader
last dev 1 "reboot-bootloader" "reboot bootloader: reboot-bootloader logged"
run_hw 0 "reboot recovery" -s "$S" reboot recovery
last dev 1 "reboot-recovery" "reboot recovery: reboot-recovery logged"
run_hw 0 "reboot fastboot" -s "$S" reboot fastboot
last dev 2 "reboot-fastboot getvar:is-userspace" \
	"reboot fastboot: reboot-fastboot, then is-userspace asked on the new connection"
run_hw 0 "reboot" -s "$S" reboot
last dev 1 "reboot" "reboot: reboot logged"
run_hw 0 "boot FILE downloads and boots" -s "$S" boot recovery.img
check "boot sent after its download" sh -c "tail -n 2 dev/commands.log | tr '\n' ' ' | \
	grep -q '^download:[0-9a-f]* boot \$'"
run_hw 1 "boot of a web page refused" -s "$S" boot page.img
run_hw 0 "continue" -s "$S" continue
check "continue reached the device" sh -c "tail -n 1 dev/commands.log | grep -qx continue"
# -w as AOSP's: userdata, cache and metadata, each erased when partition-type names it
# (this device has no metadata).
W="getvar:partition-type:userdata erase:userdata getvar:partition-type:cache erase:cache getvar:partition-type:metadata"
run_hw 0 "flash -w: flash, then erase userdata and cache" -s "$S" -w flash cache s1.img
last dev 6 "flash:cache $W" "wipe after flash: userdata, cache, no metadata"
run_hw 0 "-w alone" -s "$S" -w
check "-w alone erased userdata" sh -c "grep -c '^erase:userdata' dev/commands.log | grep -qx 2"
last dev 5 "$W" "-w alone: userdata, then cache"
run_hw 0 "-w reboot wipes before rebooting" -s "$S" -w reboot
last dev 6 "$W reboot" "erase before reboot"
run_hw 0 "-w continue wipes before continuing" -s "$S" -w continue
last dev 6 "$W continue" "-w continue: erase, then continue"
n0=$(lines dev)
run_hw 2 "reboot to a target that is no word is usage" -s "$S" reboot "no where"
run_hw 2 "set_active with no slot is usage" -s "$S" set_active
run_hw 2 "flashing nonsense is usage" -s "$S" flashing nonsense
run_hw 2 "oem with no command is usage" -s "$S" oem
run_hw 2 "continue with a word is usage" -s "$S" continue now
check "usage errors: nothing reached the device" test "$(lines dev)" = "$n0"
run_hw 1 "a partition the device lacks" -s "$S" flash vendor_boot_x recovery.img
expect_in "$T/err" "device refused: partition does not exist" "device FAIL shown as device refused"
last dev 1 "flash:vendor_boot_x" "the refused flash: was the last command"
run_hw 1 "erase of a partition the device lacks" -s "$S" erase nope
last dev 1 "erase:nope" "erase:nope logged, refused by the device"

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
last dev 3 "getvar:max-download-size $(printf 'download:%08x' "$(stat -c %s page.img)") flash:system" \
	"--force: the page was downloaded and flashed"
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
expect_in "$T/err" "the device answered something that is not fastboot: '\\x89PNG" "garbage shown escaped"
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
last fl 1 "getvar:product" "info-flood: the getvar was logged once"
run_hw 1 "no device listening" -s tcp:127.0.0.1:1 getvar product
one_line "$T/err" "connection refused: one line"
run_hw 1 "no device given" getvar product

# --- --json: one document on stdout, on success and on failure ---------------
# json_is WHAT PYTHON-EXPR: stdout is exactly one JSON document d, and EXPR holds
json_is() {
	check "$1" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())	# exactly one document, nothing after it
assert eval(sys.argv[2]), d' "$T/out" "$2"
}
run_hw 1 "--json flash of a web page" -s "$S" --json flash system page.img
json_is "refused file: ok false, the refusal as error" 'd["ok"] is False and "HTML page" in d["error"]'
run_hw 1 "--json flash of a missing file" -s "$S" --json flash system nope.img
json_is "missing file: the error names it" 'd["ok"] is False and "nope.img" in d["error"]'
run_hw 1 "--json flash of a cut recovery" -s "$S" --json flash recovery cut.img
json_is "cut image: truncation in the error" 'd["ok"] is False and "truncated" in d["error"]'
run_hw 1 "--json connect refused" -s tcp:127.0.0.1:1 --json getvar product
json_is "connect failure as JSON" 'd["ok"] is False and "Connection refused" in d["error"]'
run_hw 2 "--json bad port" -s tcp:127.0.0.1:99999 --json flash system system.img
json_is "bad port as JSON, exit 2" 'd["ok"] is False and d["exit"] == 2 and "1-65535" in d["error"]'
run_hw 1 "--json getvar FAIL" -s "$S" --json getvar no-such-var
json_is "getvar FAIL as JSON" 'd["ok"] is False and "device refused" in d["error"]'
run_hw 1 "--json erase FAIL" -s "$S" --json erase nope
json_is "erase FAIL as JSON, with its steps" 'd["ok"] is False and d["steps"][-1]["ok"] is False'
python3 -c '
import zipfile
with zipfile.ZipFile("other.zip", "w") as z:
    z.writestr("android-info.txt", "require board=sailfish\n")
    z.write("recovery.img", "recovery.img")'
n0=$(grep -c '^download:' dev/commands.log)
run_hw 1 "--json update refused by android-info.txt" -s "$S" --json update other.zip
json_is "android-info refusal: its text, not null" \
	'd["ok"] is False and "requires board=sailfish" in d["error"]'
check "nothing downloaded for it" test "$(grep -c '^download:' dev/commands.log)" = "$n0"
run_hw 0 "getvar all --json" -s "$S" --json getvar all
json_is "getvar all: every variable in vars" \
	'd["name"] == "all" and d["vars"]["product"] == "hwsim" and d["vars"]["slot-count"] == "2"'
json_is "getvar all: partition sizes keep their partition" \
	'd["vars"]["partition-size:boot_a"] == "0x4000000" and d["vars"]["partition-size:system"] == "0x40000000"'
json_is "getvar all: has-slot kept" 'd["vars"]["has-slot:boot"] == "yes"'
start_sim nsj --slots 0 --partition boot:4M
run_hw 0 "getvar all --json, a device without slots" -s "tcp:127.0.0.1:$PORT" --json getvar all
json_is "no slot variables there" '"slot-count" not in d["vars"] and d["vars"]["partition-size:boot"] == "0x400000"'

# --- messages and exit codes ---------------------------------------------------
run_hw 1 "update of a missing file" update nope.zip
expect_in "$T/err" "nope.zip: No such file or directory" "missing zip: said so, not 'not a zip'"
mkdir adir.zip
run_hw 1 "update of a folder" update adir.zip
expect_in "$T/err" "adir.zip is a folder" "folder: said so"
run_hw 1 "update of a file that is not a zip" update page.img
expect_in "$T/err" "page.img: not a zip file" "not a zip: said so"
for v in 1 4K 65535; do
	run_hw 2 "-S $v is too small: usage" -S "$v" -s "$S" flash system system.img
	expect_in "$T/err" "-S $v: too small" "-S $v named"
done
run_hw 0 "-S 64K is taken" -S 64K -s "$S" getvar product
last dev 1 "getvar:product" "-S 64K: the getvar reached the device"
for o in -S --slot -s --timeout; do
	run_hw 2 "$o with no value" getvar product "$o"
	expect_in "$T/err" "$o needs a value" "$o: 'needs a value'"
	run_hw 2 "$o followed by another option" "$o" --json getvar product
done
run_hw 2 "--wait=abc" --wait=abc getvar product
run_hw 2 "app flash --member with no value" -s "$S" app flash x.APP --member
expect_in "$T/err" "app flash: --member needs a value" "missing value, not 'unknown option'"
run_hw 2 "app flash --map with no value" -s "$S" app flash x.APP --map
run_hw 2 "a stray option before flash's words" -s "$S" flash --bogus system system.img
expect_in "$T/err" "flash: unknown option '--bogus'" "stray option named"
run_hw 2 "a stray option after them" -s "$S" flash system system.img -x
expect_in "$T/err" "flash: unknown option '-x'" "stray -x named"
run_hw 2 "erase -q" -s "$S" erase -q system
run_hw 2 "getvar --all" -s "$S" getvar --all
run_hw 2 "reboot --now" -s "$S" reboot --now
run_hw 2 "update --bogus" -s "$S" update --bogus other.zip
cp s1.img ./-dash.img
run_hw 0 "-- lets a file start with '-'" -s "$S" flash cache -- -dash.img
check "and it arrived" cmp dev/cache.img s1.img
run_hw 2 "help app bogus" help app bogus
expect_in "$T/err" "app has no subcommand 'bogus'" "bad subcommand named"
run_hw 2 "help flash extra" help flash extra
run_hw 2 "help nope" help nope
run_hw 0 "help app flash" help app flash
run_hw 0 "flash boot x.img --help is flash's help" flash boot x.img --help
expect_in "$T/out" "usage: hwflash flash PARTITION" "flash's help shown"
run_hw 0 "-s tcp:X app check --help skips -s's value" -s tcp:1.2.3.4 app check --help
expect_in "$T/out" "usage: hwflash app check" "app check's help shown"
for p in 99999 0 65536 http -1 ""; do
	run_hw 2 "port '$p' is a usage error" -s "tcp:127.0.0.1:$p" getvar product
	expect_in "$T/err" "port must be 1-65535" "port '$p': said so"
	one_line "$T/err" "port '$p': one line"
done
run_hw 2 "tcp: with no host" -s "tcp::5554" getvar product
ANDROID_SERIAL=tcp:127.0.0.1:70000 run_hw 2 "a bad port in ANDROID_SERIAL" getvar product
start_sim st2 --fault stall
run_hw 1 "half a second without an answer" -s "tcp:127.0.0.1:$PORT" --timeout 0.5 getvar product
expect_in "$T/err" "no answer for 0.5 s" "sub-second timeout said as such"
# A device that sends its replies without TCP framing: the bytes are garbage
# to the client, and said so, whether they look like a length or stop short.
start_sim uf --fault unframed
run_hw 1 "unframed reply: a length far too large" -s "tcp:127.0.0.1:$PORT" --timeout 2 getvar product
expect_in "$T/err" "not fastboot: 'OKAYfbsi'" "unframed long reply: its bytes shown"
run_hw 1 "unframed reply: 7 bytes, then nothing" -s "tcp:127.0.0.1:$PORT" --timeout 1 getvar version
expect_in "$T/err" "not fastboot: 'OKAY0.4'" "short unframed reply: garbage, not 'no answer'"
one_line "$T/err" "short unframed reply: one line"
# A TCP server that is not fastboot at all.
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.recv(4); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()' > http.port &
PIDS="$PIDS $!"
i=0; while [ ! -s http.port ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
run_hw 1 "a web server on the port" -s "tcp:127.0.0.1:$(cat http.port)" getvar product
expect_in "$T/err" "not fastboot: 'HTTP'" "web server: its answer shown"

# --- -v: the conversation on stderr ----------------------------------------------
run_hw 0 "-v getvar" -s "$S" -v getvar product
expect_in "$T/err" "> getvar:product" "-v: the command sent"
expect_in "$T/err" "< OKAY hwsim" "-v: the reply"
run_hw 0 "-v oem: INFO traced" -s "$S" -v oem device-info
expect_in "$T/err" "< INFO oem device-info" "-v: INFO reply"
run_hw 1 "-v erase of a missing partition: FAIL traced" -s "$S" -v erase nope
expect_in "$T/err" "< FAIL partition does not exist" "-v: FAIL reply"
run_hw 0 "-v flash in pieces" -s "$S" -v -S 1M flash vendor system.img
expect_in "$T/err" "< DATA 00" "-v: DATA reply"
check "-v: one data line per download, not one per chunk" \
	test "$(grep -c '^> (.* bytes of data)$' "$T/err")" = "$(grep -c '^> download:' "$T/err")"
check "-v: the Writing lines come whole" grep -q "^Writing 'vendor' 3/3 *OKAY" "$T/err"
check "-v: no flood (under 60 lines for 3 pieces)" test "$(wc -l < "$T/err")" -lt 60
run_hw 0 "without -v: no trace" -s "$S" getvar product
check "without -v: no '> ' lines" sh -c "! grep -q '^> ' '$T/err'"
