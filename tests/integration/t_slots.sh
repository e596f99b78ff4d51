#!/bin/sh
# Slots: hwflash must name slotted partitions exactly as AOSP's fastboot
# does (do_for_partitions, verify_slot) for flash, erase, app flash and
# update, and refuse a slot the device does not have before anything but
# getvars is sent.  The simulated device (fbsim) takes exact names only
# (as fastbootd: "flash:boot" fails on an A/B device), logs every command,
# and keeps its current slot across connections.  AOSP's fastboot, talking
# to the same device, is the judge of the names.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg cpio gzip zip
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"

# The commands a run sent, from line $2 of DIR's log on.
since() { tail -n "+$(($2 + 1))" "$1/commands.log"; }
mark() { cat "$1/commands.log" 2> /dev/null | wc -l | tr -d ' '; }
# writes DIR MARK: the commands that write (everything but getvar), in one line
writes() { since "$1" "$2" | grep -v '^getvar:' | tr '\n' ' '; }
# only_getvars DIR MARK "what": nothing but getvar: after MARK
only_getvars() {
	if since "$1" "$2" | grep -qv '^getvar:'; then fail "$3"; since "$1" "$2" | sed 's/^/    /'
	else ok "$3"; fi
}
# sent DIR MARK "CMDS" "what": the writes after MARK are exactly CMDS
sent() {
	got=$(writes "$1" "$2")
	if [ "$got" = "$3" ]; then ok "$4"; else fail "$4: sent '$got', wanted '$3'"; fi
}

random kernel 300000
mkdir -p rd && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o boot.img
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel --cmdline two \
	-o boot2.img
random data.img 65536
DL_BOOT=$(printf 'download:%08x' "$(stat -c %s boot.img)")

AB="--partition boot_a:4M --partition boot_b:4M --partition system_a:8M --partition system_b:8M
	--partition recovery:4M --partition userdata:8M"
# shellcheck disable=SC2086
start_sim ab --product hwsim $AB
S="tcp:127.0.0.1:$PORT"

# --- no --slot: the current slot -----------------------------------------
m=$(mark ab)
run_hw 0 "A/B: flash boot with no --slot" -s "$S" flash boot boot.img
sent ab "$m" "$DL_BOOT flash:boot_a " "A/B: flash boot sends flash:boot_a (current slot a)"
check "A/B: the image is in boot_a" cmp ab/boot_a.img boot.img
check "A/B: boot_b untouched" test ! -e ab/boot_b.img
expect_in "$T/err" "Writing 'boot_a'" "A/B: the step names boot_a"
m=$(mark ab)
run_hw 0 "A/B: erase system with no --slot" -s "$S" erase system
sent ab "$m" "erase:system_a " "A/B: erase system sends erase:system_a"
m=$(mark ab)
run_hw 0 "A/B: set_active b" -s "$S" set_active b
sent ab "$m" "set_active:b " "A/B: set_active:b sent"
m=$(mark ab)
run_hw 0 "A/B: flash boot after set_active b" -s "$S" flash boot boot2.img
sent ab "$m" "$DL_BOOT flash:boot_b " "A/B: now flash:boot_b (current slot b)"
check "A/B: the image is in boot_b" cmp ab/boot_b.img boot2.img
check "A/B: boot_a still holds the first image" cmp ab/boot_a.img boot.img
m=$(mark ab)
run_hw 0 "A/B: erase boot, current b" -s "$S" erase boot
sent ab "$m" "erase:boot_b " "A/B: erase:boot_b"
run_hw 0 "A/B: set_active a again" -s "$S" set_active a

# --- --slot a | b | other | all | _b ---------------------------------------
for v in "a boot_a" "b boot_b" "other boot_b"; do
	set -- $v
	m=$(mark ab)
	run_hw 0 "--slot $1 erase boot" -s "$S" --slot "$1" erase boot
	sent ab "$m" "erase:$2 " "--slot $1: erase:$2"
done
# "_b" is refused as AOSP's verify_slot refuses it, with the spelling to use.
for v in _a _b; do
	m=$(mark ab)
	run_hw 2 "--slot $v erase boot refused" -s "$S" --slot "$v" erase boot
	expect_in "$T/err" "without the underscore (as AOSP fastboot): --slot ${v#_}" \
		"--slot $v: says to write ${v#_}"
	sent ab "$m" "" "--slot $v: nothing sent"
done
m=$(mark ab)
run_hw 0 "--slot b flash boot" -s "$S" --slot b flash boot boot2.img
sent ab "$m" "$DL_BOOT flash:boot_b " "--slot b: flash:boot_b"
check "--slot b: stored in boot_b" cmp ab/boot_b.img boot2.img
m=$(mark ab)
run_hw 0 "--slot all flash boot" -s "$S" --slot all flash boot boot.img
sent ab "$m" "$DL_BOOT flash:boot_a $DL_BOOT flash:boot_b " "--slot all: one download per slot"
check "--slot all: boot_a holds it" cmp ab/boot_a.img boot.img
check "--slot all: boot_b holds it" cmp ab/boot_b.img boot.img
m=$(mark ab)
run_hw 0 "--slot all erase system" -s "$S" --slot all erase system
sent ab "$m" "erase:system_a erase:system_b " "--slot all: erase both slots"
run_hw 0 "set_active b for --slot other" -s "$S" set_active b
m=$(mark ab)
run_hw 0 "--slot other with b current" -s "$S" --slot other erase boot
sent ab "$m" "erase:boot_a " "--slot other: the inactive slot a"
m=$(mark ab)
run_hw 0 "set_active other" -s "$S" set_active other
sent ab "$m" "set_active:a " "set_active other: back to a"

# --- a slot the device does not have: one line, nothing but getvars -------
for v in c z; do
	m=$(mark ab)
	run_hw 1 "--slot $v flash refused" -s "$S" --slot "$v" flash boot boot.img
	only_getvars ab "$m" "--slot $v flash: nothing but getvars sent"
	expect_in "$T/err" "--slot $v: the device has no slot $v (its slots: a, b)" "--slot $v named"
	one_error "$T/err" "--slot $v: one error line"
done
run_hw 1 "--slot c --json" -s "$S" --slot c --json flash boot boot.img
check "--slot c --json: one document with the refusal" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
assert d["ok"] is False and "no slot c" in d["error"], d' "$T/out"
m=$(mark ab)
run_hw 1 "--slot c erase refused" -s "$S" --slot c erase boot
only_getvars ab "$m" "--slot c erase: nothing but getvars sent"
m=$(mark ab)
run_hw 1 "set_active c refused" -s "$S" set_active c
only_getvars ab "$m" "set_active c: not sent"
run_hw 2 "--slot B is not a slot" -s "$S" --slot B erase boot
run_hw 2 "--slot ab is not a slot" -s "$S" --slot ab erase boot
run_hw 2 "--slot with no value" -s "$S" erase boot --slot
run_hw 2 "set_active all is not one slot" -s "$S" set_active all

# --- names that carry their slot -------------------------------------------
m=$(mark ab)
run_hw 0 "flash boot_b by name" -s "$S" flash boot_b boot2.img
sent ab "$m" "$DL_BOOT flash:boot_b " "boot_b by name: sent as is"
m=$(mark ab)
run_hw 2 "--slot a and boot_b contradict" -s "$S" --slot a flash boot_b boot.img
only_getvars ab "$m" "contradiction: nothing but getvars sent"
expect_in "$T/err" "boot_b names slot b, and --slot a asks for another" "contradiction named"
m=$(mark ab)
run_hw 1 "boot_c: a slot the device lacks" -s "$S" flash boot_c boot.img
only_getvars ab "$m" "boot_c: nothing but getvars sent"

# --- partitions without slots on an A/B device ------------------------------
m=$(mark ab)
run_hw 0 "userdata on an A/B device" -s "$S" flash userdata data.img
sent ab "$m" "download:00010000 flash:userdata " "userdata: no suffix"
m=$(mark ab)
run_hw 0 "--slot b erase userdata" -s "$S" --slot b erase userdata
sent ab "$m" "erase:userdata " "--slot b userdata: no suffix"
expect_in "$T/err" "'userdata' has no slots: --slot b does not apply to it" "as AOSP, a warning"
m=$(mark ab)
run_hw 0 "--slot all erase recovery: once" -s "$S" --slot all erase recovery
sent ab "$m" "erase:recovery " "--slot all on a partition without slots: once"

# --- a device that starts on slot b -------------------------------------------
# shellcheck disable=SC2086
start_sim abb --product hwsim --current-slot b $AB
run_hw 0 "current-slot b: flash boot" -s "tcp:127.0.0.1:$PORT" flash boot boot.img
sent abb 0 "$DL_BOOT flash:boot_b " "current-slot b: flash:boot_b"
check "current-slot b: stored in boot_b" cmp abb/boot_b.img boot.img

# A bootloader that says "_b" for its current slot (AOSP strips the '_').
# shellcheck disable=SC2086
start_sim abu --product hwsim --current-slot _b $AB
run_hw 0 "current-slot _b: erase boot" -s "tcp:127.0.0.1:$PORT" erase boot
sent abu 0 "erase:boot_b " "current-slot _b: erase:boot_b"
run_hw 0 "current-slot _b: --slot other" -s "tcp:127.0.0.1:$PORT" --slot other erase boot
expect_in "$T/err" "Erasing 'boot_a'" "current-slot _b: other is a"

# --- a device without slots ---------------------------------------------------
start_sim ns --product hwsim --slots 0 --partition boot:4M --partition userdata:8M
N="tcp:127.0.0.1:$PORT"
run_hw 0 "no slots: flash boot" -s "$N" flash boot boot.img
sent ns 0 "$DL_BOOT flash:boot " "no slots: flash:boot"
for v in a b other; do
	m=$(mark ns)
	run_hw 1 "no slots: --slot $v refused" -s "$N" --slot "$v" flash boot boot.img
	only_getvars ns "$m" "no slots: --slot $v: nothing but getvars sent"
	expect_in "$T/err" "--slot $v: the device has no slots" "no slots: --slot $v said"
	one_error "$T/err" "no slots: --slot $v: one error line"
done
m=$(mark ns)
run_hw 1 "no slots: set_active a refused" -s "$N" set_active a
only_getvars ns "$m" "no slots: set_active not sent"
m=$(mark ns)
run_hw 0 "no slots: --slot all flashes the one boot (as AOSP)" -s "$N" --slot all flash boot boot.img
sent ns "$m" "$DL_BOOT flash:boot " "no slots: --slot all: flash:boot once"

# --- AOSP's fastboot as the judge of the names ---------------------------------
if command -v fastboot > /dev/null; then
	# shellcheck disable=SC2086
	start_sim judge --product hwsim $AB
	J="tcp:127.0.0.1:$PORT"
	run_hw 0 "judge: start on slot a" -s "$J" set_active a
	for args in "flash boot boot.img" "--slot b flash boot boot.img" \
		"--slot other flash boot boot.img" "--slot all flash boot boot.img" \
		"--slot b erase system" "--slot all erase system" "flash userdata data.img" \
		"erase boot" "flash boot_b boot.img"; do
		m=$(mark judge)
		# shellcheck disable=SC2086
		fastboot -s "$J" $args > /dev/null 2>&1
		aosp=$(writes judge "$m")
		m=$(mark judge)
		# shellcheck disable=SC2086
		"$HWFLASH" -s "$J" $args > /dev/null 2>&1
		ours=$(writes judge "$m")
		if [ -n "$aosp" ] && [ "$aosp" = "$ours" ]; then ok "judge: '$args' sends what AOSP sends ($ours)"
		else fail "judge: '$args': AOSP sent '$aosp', hwflash '$ours'"; fi
	done
	m=$(mark judge)
	fastboot -s "$J" --slot c erase boot > /dev/null 2>&1 && fail "judge: AOSP took --slot c" ||
		ok "judge: AOSP refuses --slot c too"
	only_getvars judge "$m" "judge: AOSP sent nothing but getvars for --slot c"
fi

# --- app flash and update on an A/B device --------------------------------------
"$HWFLASH" app pack -o U.APP --hwid HWSIM BOOT=boot.img SYSTEM=data.img USERDATA=data.img \
	> /dev/null
# shellcheck disable=SC2086
start_sim app --product hwsim $AB
A="tcp:127.0.0.1:$PORT"
run_hw 0 "app flash --dry-run names boot_a" -s "$A" app flash U.APP --dry-run
expect_in "$T/out" "BOOT             boot_a" "dry-run plan: BOOT -> boot_a"
expect_in "$T/out" "USERDATA         userdata" "dry-run plan: USERDATA -> userdata"
check "dry-run: nothing but getvars" sh -c "! grep -v '^getvar:' app/commands.log"
run_hw 0 "app flash --dry-run --json" -s "$A" --json app flash U.APP --dry-run
check "dry-run JSON: planned names with slots" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["partition"] for s in d["steps"]] == ["boot_a", "system_a", "userdata"], d' "$T/out"
m=$(mark app)
run_hw 0 "app flash on an A/B device" -s "$A" app flash U.APP
sent app "$m" "$DL_BOOT flash:boot_a download:00010000 flash:system_a download:00010000 flash:userdata " \
	"app flash: boot_a, system_a, userdata"
check "app flash: boot_a stored" cmp app/boot_a.img boot.img
check "app flash: system_a stored" cmp app/system_a.img data.img
expect_in "$T/out" "BOOT             boot_a" "summary names boot_a"
m=$(mark app)
run_hw 0 "app flash --slot b" -s "$A" --slot b app flash U.APP BOOT SYSTEM
sent app "$m" "$DL_BOOT flash:boot_b download:00010000 flash:system_b " "app flash --slot b: _b"
m=$(mark app)
run_hw 0 "app flash --slot all --json" -s "$A" --slot all --json app flash U.APP BOOT
sent app "$m" "$DL_BOOT flash:boot_a $DL_BOOT flash:boot_b " "app flash --slot all: both"
check "app flash JSON: one step per slot" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [(s["partition"], s["state"]) for s in d["steps"]] == [("boot_a", "OK"), ("boot_b", "OK")], d' "$T/out"
m=$(mark app)
run_hw 1 "app flash --slot c refused" -s "$A" --slot c app flash U.APP
only_getvars app "$m" "app flash --slot c: nothing but getvars"
expect_in "$T/err" "--slot c: the device has no slot c" "app flash --slot c: said"

python3 -c '
import zipfile
with zipfile.ZipFile("upd.zip", "w") as z:
    z.writestr("android-info.txt", "require board=hwsim\nrequire partition-exists=boot\n")
    z.write("boot.img", "boot.img")
    z.write("data.img", "system.img")
    z.write("data.img", "userdata.img")'
m=$(mark app)
run_hw 0 "update on an A/B device" -s "$A" update upd.zip
sent app "$m" "$DL_BOOT flash:boot_a download:00010000 flash:system_a set_active:a reboot " \
	"update: boot_a, system_a, then set_active:a as AOSP, reboot"
expect_in "$T/out" "AOSP's update and flashall do not flash it" \
	"update: userdata.img not flashed (AOSP's \"extra\"), and said so"
m=$(mark app)
run_hw 0 "update --slot b" -s "$A" --slot b update upd.zip --skip-reboot
sent app "$m" "$DL_BOOT flash:boot_b download:00010000 flash:system_b set_active:b " \
	"update --slot b: _b, and b made active"
check "update --slot b: boot_b stored" cmp app/boot_b.img boot.img
m=$(mark app)
run_hw 1 "update --slot c refused" -s "$A" --slot c update upd.zip
only_getvars app "$m" "update --slot c: nothing but getvars"
