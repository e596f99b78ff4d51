#!/bin/sh
# The two fastboots over TCP, through the real binary against fbsim: the
# bootloader and fastbootd (getvar is-userspace), reboot fastboot/bootloader
# (and AOSP's reboot-fastboot/reboot-bootloader) that drop the connection
# and come back, a logical partition flashed from the bootloader (hwflash
# goes to fastbootd first and says so), the reboot faults, snapshot-update,
# fetch, -w as AOSP's, and AOSP's own fastboot on the same model.
. "$(dirname "$0")/lib.sh"
need python3
cd "$T"

# lines STORE: commands the device has seen; since STORE N: those after line N, one line
lines() { if [ -f "$1/commands.log" ]; then wc -l < "$1/commands.log"; else echo 0; fi; }
since() { tail -n +$(($2 + 1)) "$1/commands.log" | tr '\n' ' ' | sed 's/ $//'; }
# sent STORE N "commands" "what": exactly these commands after line N
sent() {
	got=$(since "$1" "$2")
	if [ "$got" = "$3" ]; then ok "$4"; else fail "$4: sent '$got', wanted '$3'"; fi
}
# within T0 LIMIT "what": the time since T0 (date +%s) is at most LIMIT seconds
within() {
	s=$(($(date +%s) - $1))
	if [ "$s" -le "$2" ]; then ok "$3 (${s} s)"; else fail "$3: took $s s, more than $2"; fi
}
# once FILE TEXT: TEXT is on exactly one line of FILE
once() { [ "$(grep -cF -- "$2" "$1")" -eq 1 ]; }
# json FILE 'python expression on d' "what"
json() {
	check "$3" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert ($2), d" "$1"
}

# Small partitions: the logical ones live in super, as on a real device; fetch pieces of 512K.
PARTS="--partition boot:1M --partition misc:1M --partition userdata:1M --partition cache:512K
	--partition metadata:512K:ext4 --super 8M --logical system:2M --logical vendor:1M
	--max-download 512K"
random misc.img 300000
random sys.img 400000
start_sim dev $PARTS
S=tcp:127.0.0.1:$PORT

# --- the two modes, and the reboots between them -------------------------------
run_hw 0 "bootloader: getvar is-userspace" -s "$S" getvar is-userspace
expect_in "$T/out" "is-userspace: no" "the bootloader is not userspace"
n=$(lines dev)
run_hw 0 "reboot fastboot" -s "$S" reboot fastboot
expect_in "$T/err" "Rebooting into fastboot" "the reboot step shown"
sent dev "$n" "reboot-fastboot getvar:is-userspace" \
	"reboot-fastboot, then is-userspace asked on the new connection"
run_hw 0 "the same -s after the reboot" -s "$S" getvar is-userspace
expect_in "$T/out" "is-userspace: yes" "fastbootd answers is-userspace: yes"
run_hw 0 "getvar is-userspace --json" -s "$S" --json getvar is-userspace
json "$T/out" 'd == {"name": "is-userspace", "value": "yes"}' "is-userspace as JSON"
n=$(lines dev)
run_hw 0 "reboot bootloader from fastbootd" -s "$S" reboot bootloader
sent dev "$n" "reboot-bootloader" "reboot-bootloader sent"
# reboot bootloader waits for the device to go, not to come back (as AOSP's).
run_hw 0 "the same -s after it" -s "$S" --wait=10 getvar is-userspace
expect_in "$T/out" "is-userspace: no" "back in the bootloader"
n=$(lines dev)
run_hw 0 "reboot-fastboot (AOSP's other spelling)" -s "$S" reboot-fastboot
sent dev "$n" "reboot-fastboot getvar:is-userspace" "reboot-fastboot: followed as reboot fastboot"
run_hw 0 "after reboot-fastboot" -s "$S" getvar is-userspace
expect_in "$T/out" "is-userspace: yes" "reboot-fastboot: in fastbootd"
run_hw 0 "reboot-bootloader --json" -s "$S" --json reboot-bootloader
json "$T/out" 'd["command"] == "reboot-bootloader" and d["ok"] and
	[s["step"] for s in d["steps"]] == ["Rebooting into bootloader"]' \
	"reboot-bootloader --json: one step"
run_hw 0 "after reboot-bootloader" -s "$S" --wait=10 getvar is-userspace
expect_in "$T/out" "is-userspace: no" "reboot-bootloader: in the bootloader"
run_hw 0 "reboot fastboot --json" -s "$S" --json reboot fastboot
json "$T/out" 'd["command"] == "reboot" and d["ok"] and d["error"] is None and
	[s["step"] for s in d["steps"]] == ["Rebooting into fastboot"]' \
	"reboot fastboot --json: the step, ok"
run_hw 2 "reboot-fastboot takes no word" -s "$S" reboot-fastboot now
run_hw 0 "back to the bootloader" -s "$S" reboot bootloader

# --- a logical partition, flashed from the bootloader ----------------------------
n=$(lines dev)
run_hw 0 "flash a logical partition from the bootloader" -s "$S" --wait=10 flash system sys.img
expect_in "$T/err" "system is a logical partition: rebooting into fastbootd (userspace fastboot)" \
	"hwflash says it reboots to fastbootd"
check "the reboot step shown once" once "$T/err" "Rebooting into fastboot"
sent dev "$n" "getvar:has-slot:system getvar:is-logical:system getvar:is-userspace reboot-fastboot \
getvar:is-userspace resize-logical-partition:system:400000 getvar:partition-size:system \
getvar:max-download-size download:00061a80 flash:system" \
	"is-logical, reboot-fastboot, resized to the image, then download and flash in fastbootd"
check "the device is in fastbootd now" sh -c "'$HWFLASH' -s '$S' getvar is-userspace | \
	grep -qx 'is-userspace: yes'"
n=$(lines dev)
run_hw 0 "flash it again, already in fastbootd" -s "$S" flash system sys.img
check "no reboot when already in fastbootd" sh -c "! tail -n +$((n + 1)) dev/commands.log | \
	grep -q '^reboot'"
run_hw 0 "fetch the logical partition back" -s "$S" fetch system sys.back
# Resized to the image: 400000 bytes rounded up to super's 4096-byte blocks.
{ cat sys.img; head -c $((401408 - 400000)) /dev/zero; } > sys.want
check "the stored bytes are the image (then zeros to the partition's 4096-byte end)" \
	cmp sys.back sys.want
run_hw 0 "back to the bootloader" -s "$S" reboot bootloader
run_hw 0 "logical flash from the bootloader, --json" -s "$S" --wait=10 --json flash vendor sys.img
json "$T/out" 'd["ok"] and [s["step"] for s in d["steps"]] == ["Rebooting into fastboot",
	"Resizing \x27vendor\x27", "Sending \x27vendor\x27 (390 KB)", "Writing \x27vendor\x27"]' \
	"--json: the reboot, the resize, then the download and the write"

# --- fetch -------------------------------------------------------------------------
run_hw 0 "flash misc (fastbootd)" -s "$S" flash misc misc.img
n=$(lines dev)
run_hw 0 "fetch a partition" -s "$S" fetch misc misc.back
{ cat misc.img; head -c $((1048576 - 300000)) /dev/zero; } > misc.want
check "fetched bytes equal what was flashed" cmp misc.back misc.want
sent dev "$n" "getvar:has-slot:misc getvar:max-fetch-size getvar:partition-size:misc \
fetch:misc:0x00000000:0x00080000 fetch:misc:0x00080000:0x00080000" \
	"fetch in pieces of max-fetch-size, as AOSP's"
expect_in "$T/err" "misc.back: 1048576 bytes of 'misc'" "the size said"
run_hw 0 "fetch --json" -s "$S" --json fetch misc misc.json.back
json "$T/out" 'd["ok"] and [(s["step"], s["bytes"]) for s in d["steps"]] == [
	("Fetching \x27misc\x27 1/2 (512 KB)", 524288), ("Fetching \x27misc\x27 2/2 (512 KB)", 524288)]' \
	"fetch --json: the pieces and their bytes"
check "fetch --json: the same bytes" cmp misc.json.back misc.want
run_hw 1 "fetch of a partition the device lacks" -s "$S" fetch nope nope.img
one_error "$T/err" "no such partition: one line"
check "nothing written for it" test ! -e nope.img
run_hw 2 "fetch without a file is usage" -s "$S" fetch misc
run_hw 0 "back to the bootloader" -s "$S" reboot bootloader
run_hw 1 "fetch from the bootloader" -s "$S" --wait=10 fetch misc boot.back
expect_in "$T/err" "bootloaders do not; fastbootd does" "the bootloader does not fetch: said"
one_error "$T/err" "bootloader fetch: one line"
check "no file from a refused fetch" test ! -e boot.back

# --- -w as AOSP's: userdata, cache, metadata ----------------------------------------
W="getvar:partition-type:userdata erase:userdata getvar:partition-type:cache erase:cache \
getvar:partition-type:metadata erase:metadata"
n=$(lines dev)
run_hw 0 "-w" -s "$S" -w
sent dev "$n" "$W" "-w: partition-type then erase, for userdata, cache and metadata"
expect_in "$T/err" "'metadata' (ext4) erased, not formatted" "a file system partition: said"
n=$(lines dev)
run_hw 0 "-w --json" -s "$S" --json -w
json "$T/out" 'd["ok"] and [s["step"] for s in d["steps"]] == ["Erasing \x27userdata\x27",
	"Erasing \x27cache\x27", "Erasing \x27metadata\x27"]' "-w --json: three erase steps"
n=$(lines dev)
run_hw 0 "-w reboot fastboot: wipe, then the reboot" -s "$S" -w reboot fastboot
sent dev "$n" "$W reboot-fastboot getvar:is-userspace" \
	"-w before the reboot into fastbootd"
n=$(lines dev)
run_hw 0 "-w in fastbootd" -s "$S" -w
sent dev "$n" "$W" "-w in fastbootd: the same"
kill "$SIM_PID"

# --- snapshot-update -----------------------------------------------------------------
start_sim snap $PARTS --snapshot snapshotted
P=tcp:127.0.0.1:$PORT
run_hw 0 "getvar snapshot-update-status" -s "$P" getvar snapshot-update-status
expect_in "$T/out" "snapshot-update-status: snapshotted" "an update applied as a snapshot"
run_hw 0 "snapshot-update (the status)" -s "$P" snapshot-update
expect_in "$T/err" "(bootloader) snapshotted" "the device says its status"
run_hw 0 "snapshot-update --json" -s "$P" --json snapshot-update
json "$T/out" 'd["command"] == "snapshot-update" and d["ok"] and
	[s["step"] for s in d["steps"]] == ["Snapshot status"]' "snapshot-update --json"
n=$(lines snap)
run_hw 1 "-w while a snapshot update is in progress" -s "$P" -w
expect_in "$T/err" "device refused: Cannot erase userdata while a snapshot update is in progress" \
	"the device's refusal shown"
one_error "$T/err" "refused -w: one line"
run_hw 1 "snapshot-update merge with nothing merging" -s "$P" snapshot-update merge
expect_in "$T/err" "snapshot-update merge is done in fastbootd: rebooting into fastbootd" \
	"merge goes to fastbootd first, and says so"
expect_in "$T/err" "device refused: No snapshot merge is in progress" "nothing to merge: refused"
run_hw 0 "reboot (the new slot boots: the merge starts)" -s "$P" reboot
run_hw 0 "status after the reboot" -s "$P" --wait=10 getvar snapshot-update-status
expect_in "$T/out" "snapshot-update-status: merging" "merging after the reboot"
n=$(lines snap)
run_hw 0 "snapshot-update merge from the bootloader" -s "$P" snapshot-update merge
sent snap "$n" "getvar:is-userspace reboot-fastboot getvar:is-userspace snapshot-update:merge" \
	"merge: reboot-fastboot, then snapshot-update:merge in fastbootd"
run_hw 0 "status after the merge" -s "$P" --json getvar snapshot-update-status
json "$T/out" 'd["value"] == "none"' "merged: none"
run_hw 2 "snapshot-update with another word is usage" -s "$P" snapshot-update now
kill "$SIM_PID"
start_sim snap2 $PARTS --snapshot merging
P=tcp:127.0.0.1:$PORT
n=$(lines snap2)
run_hw 0 "snapshot-update cancel --json" -s "$P" --json snapshot-update cancel
json "$T/out" 'd["ok"] and [s["step"] for s in d["steps"]] == ["Snapshot cancel"]' \
	"snapshot-update cancel --json"
sent snap2 "$n" "snapshot-update:cancel" "snapshot-update:cancel sent, in the bootloader"
run_hw 0 "status after cancel" -s "$P" getvar snapshot-update-status
expect_in "$T/out" "snapshot-update-status: none" "cancelled: none"
kill "$SIM_PID"
start_sim snap3 $PARTS --snapshot merging
P=tcp:127.0.0.1:$PORT
n=$(lines snap3)
run_hw 0 "--force -w cancels the merge first, as AOSP" -s "$P" --force -w
expect_in "$T/err" "--force: the snapshot update (merging) is cancelled before wiping" "said so"
sent snap3 "$n" "getvar:snapshot-update-status snapshot-update:cancel $W" \
	"snapshot-update:cancel, then the wipe"
kill "$SIM_PID"

# --- reboot faults ------------------------------------------------------------------
start_sim gone $PARTS --fault reboot-never-returns
G=tcp:127.0.0.1:$PORT
t0=$(date +%s)
run_hw 1 "a reboot that never comes back (--timeout 1)" -s "$G" --timeout 1 reboot fastboot
within "$t0" 10 "bounded by --timeout"
check "it waited for the device" test $(($(date +%s) - t0)) -ge 1
expect_in "$T/err" "hwflash: reboot-fastboot: $G did not come back within 1 s" "said in one line"
one_error "$T/err" "never back: one error line"
kill "$SIM_PID"
start_sim gone2 $PARTS --fault reboot-never-returns
G=tcp:127.0.0.1:$PORT
t0=$(date +%s)
run_hw 1 "logical flash, the reboot never comes back, --json" -s "$G" --timeout 1 --json \
	flash system sys.img
within "$t0" 10 "logical flash: bounded by --timeout"
json "$T/out" 'not d["ok"] and "did not come back within 1 s" in d["error"] and
	d["device"] == "'"$G"'"' "--json: the error names it, and the device it was"
check "nothing was downloaded" sh -c "! grep -q '^download:' gone2/commands.log"
kill "$SIM_PID"
start_sim nofd $PARTS --fault no-fastbootd
N=tcp:127.0.0.1:$PORT
run_hw 1 "no fastbootd: reboot fastboot" -s "$N" reboot fastboot
expect_in "$T/err" \
	"reboot-fastboot: the device came back in its bootloader, not in fastbootd (getvar is-us" \
	"came back in the bootloader: said"
one_error "$T/err" "no fastbootd: one error line"
run_hw 1 "no fastbootd: a logical partition is not flashed" -s "$N" --json flash system sys.img
json "$T/out" 'not d["ok"] and "not in fastbootd" in d["error"]' "no fastbootd: --json error"
check "no fastbootd: nothing downloaded" sh -c "! grep -q '^download:' nofd/commands.log"
kill "$SIM_PID"

# --- AOSP's fastboot on the same model --------------------------------------------------
need fastboot timeout
# AOSP's fastboot waits for a device for ever: bounded here.
AOSP=$(command -v fastboot)
fastboot() { timeout 20 "$AOSP" "$@"; }
start_sim judge $PARTS
J=tcp:127.0.0.1:$PORT
# agree "what": AOSP's and hwflash's getvar is-userspace say the same
agree() {
	a=$(fastboot -s "$J" getvar is-userspace 2>&1 | sed -n 's/^is-userspace: //p')
	h=$("$HWFLASH" -s "$J" --wait=10 getvar is-userspace 2> /dev/null | sed -n 's/^is-userspace: //p')
	if [ -n "$a" ] && [ "$a" = "$h" ] && [ "$a" = "$2" ]; then ok "$1 ($a)"; else
		fail "$1: AOSP '$a', hwflash '$h', wanted '$2'"; fi
}
agree "judge: the bootloader" no
n=$(lines judge)
check "judge: AOSP reboot fastboot" fastboot -s "$J" reboot fastboot
aosp=$(since judge "$n")
agree "judge: after AOSP's reboot fastboot" yes
check "judge: AOSP reboot bootloader" fastboot -s "$J" reboot bootloader
agree "judge: after AOSP's reboot bootloader" no
n=$(lines judge)
"$HWFLASH" -s "$J" reboot fastboot 2> /dev/null
hw=$(since judge "$n")
check "judge: hwflash sends what AOSP sends for reboot fastboot ($aosp)" test "$hw" = "$aosp"
agree "judge: after hwflash's reboot fastboot" yes
check "judge: AOSP reboot-bootloader" fastboot -s "$J" reboot-bootloader
agree "judge: after AOSP's reboot-bootloader" no
check "judge: AOSP reboot-fastboot" fastboot -s "$J" reboot-fastboot
agree "judge: after AOSP's reboot-fastboot" yes
n=$(lines judge)
check "judge: AOSP snapshot-update cancel" fastboot -s "$J" snapshot-update cancel
aosp=$(since judge "$n")
n=$(lines judge)
"$HWFLASH" -s "$J" snapshot-update cancel 2> /dev/null
check "judge: hwflash sends what AOSP sends for snapshot-update cancel ($aosp)" \
	test "$(since judge "$n")" = "$aosp"
