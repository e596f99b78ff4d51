#!/bin/sh
# Dynamic partitions on the simulated device (fbsim/usbsim --super): AOSP's
# fastboot 29.0.6 creates, resizes, deletes and flashes logical partitions
# in fastbootd and runs `fastboot update` of a small factory zip (with a
# super_empty.img); after each step tests/tools/lpjudge.py, the independent
# judge, checks the device's super.img (checksums, extents inside super, no
# overlaps) and each logical partition is extracted and compared with cmp.
# Images are multiples of 4096 bytes (AOSP 29.0.6's libsparse needs it).
. "$(dirname "$0")/lib.sh"
need python3 fastboot
here=$(cd "$(dirname "$0")" && pwd)
J="python3 $here/../tools/lpjudge.py"
cd "$T"

# judge DIR "what": the judge checks DIR/super.img (its listing in $T/lp)
judge() {
	if $J check "$1/super.img" > "$T/lp" 2>&1; then ok "$2: the judge finds super sound"; else
		fail "$2: the judge refuses super"; sed 's/^/    /' "$T/lp"; fi
}
# same DIR PARTITION FILE "what": the partition's bytes, from its start, are FILE's
same() {
	rm -f "$T/x.img"
	if $J extract "$1/super.img" "$2" "$T/x.img" > "$T/.jx" 2>&1 &&
		cmp -n "$(wc -c < "$3")" "$T/x.img" "$3" > "$T/.jx" 2>&1; then
		ok "$4"
	else
		fail "$4"; sed 's/^/    /' "$T/.jx"
	fi
}
# aosp "what" ARGS...: AOSP fastboot against the simulated device, must succeed
aosp() {
	what=$1; shift
	if fastboot -s "$S" "$@" > "$T/fb" 2>&1; then ok "$what"; else
		fail "$what"; sed 's/^/    /' "$T/fb"; fi
}
# aosp_fails "what" "text" ARGS...: AOSP fastboot fails and shows the device's text
aosp_fails() {
	what=$1; text=$2; shift 2
	if fastboot -s "$S" "$@" > "$T/fb" 2>&1; then fail "$what: it worked"; else
		expect_in "$T/fb" "$text" "$what"; fi
}

random sys.img 1900544
random sys2.img 1048576
random ven.img 786432
random ven2.img 589824
random boot.img 8192
random vbmeta.img 4096

# --- fastbootd's commands, one by one ----------------------------------------
start_sim dev --super 8M --partition boot:1M --partition vbmeta:64K \
	--logical system:1M --mode fastbootd
S="tcp:127.0.0.1:$PORT"
judge dev "a new store"
expect_in "$T/lp" "system" "the --logical partition is in the metadata"
aosp "getvar super-partition-name" getvar super-partition-name
expect_in "$T/fb" "super-partition-name: super" "super-partition-name: super"
aosp "getvar is-logical:system" getvar is-logical:system
expect_in "$T/fb" "is-logical:system: yes" "system is logical"
aosp "create-logical-partition vendor" create-logical-partition vendor 0x40000
judge dev "after create"
expect_in "$T/lp" "vendor" "vendor created"
aosp "resize-logical-partition system (decimal)" resize-logical-partition system 2097152
judge dev "after resize"
aosp "getvar partition-size:system" getvar partition-size:system
expect_in "$T/fb" "partition-size:system: 0x200000" "the new size, as fastbootd says it"
aosp "flash system (a logical partition, in fastbootd)" flash system sys.img
judge dev "after flash system"
same dev system sys.img "system holds the image, through its extents"
# vendor grows past system: two extents, and the image goes in sparse pieces.
aosp "flash vendor in sparse pieces (-S 256K)" -S 256K flash vendor ven.img
judge dev "after flash vendor"
same dev vendor ven.img "vendor holds the image (sparse pieces, two extents)"
same dev system sys.img "system untouched by vendor's flash"
aosp "delete-logical-partition vendor" delete-logical-partition vendor
judge dev "after delete"
check "vendor is gone" sh -c "! grep -q vendor '$T/lp'"
aosp_fails "super full: resize refused with AOSP's text" \
	"Not enough space to resize partition" resize-logical-partition system 0x1000000
aosp_fails "super full: create refused with AOSP's text" \
	"Not enough space for partition" create-logical-partition big 0x1000000
judge dev "after the refusals"

# --- fastboot update of a factory zip ------------------------------------------
$J build -o super_empty.img --device-size 8388608 --metadata-size 65536 \
	--metadata-slots 2 --partition system:readonly:0 --partition vendor:readonly:0
printf 'require product=fbsim\n' > android-info.txt
mkdir z && cp android-info.txt boot.img vbmeta.img super_empty.img z/ &&
	cp sys2.img z/system.img && cp ven2.img z/vendor.img
(cd z && python3 -m zipfile -c ../factory.zip android-info.txt boot.img vbmeta.img \
	super_empty.img system.img vendor.img)
aosp "reboot-bootloader" reboot-bootloader
aosp "getvar is-userspace in the bootloader" getvar is-userspace
expect_in "$T/fb" "is-userspace: no" "back in the bootloader"
aosp_fails "the bootloader refuses create-logical-partition" "unknown command" \
	create-logical-partition x 4096
# AOSP 29.0.6 asks is-logical and resizes first: the bootloader does not know the command.
aosp_fails "the bootloader refuses to flash a logical partition" \
	"Resizing 'system'                                  FAILED (remote: 'unknown command')" \
	flash system sys2.img
aosp "fastboot update factory.zip" update factory.zip
check "update: update-super:super sent (no wipe)" grep -qx "update-super:super" dev/commands.log
check "update: boot flashed in the bootloader" cmp -n 8192 dev/boot.img boot.img
judge dev "after update"
same dev system sys2.img "update: system is the zip's"
same dev vendor ven2.img "update: vendor is the zip's"
check "update: sizes as the images" grep -Eq "vendor +default +589824" "$T/lp"
# 29.0.6 has no update-super command of its own; wipe-super flashes a whole
# (sparse) super built from a super_empty.img: flash:super, in fastbootd.
$J build -o se2.img --device-size 8388608 --metadata-size 65536 --metadata-slots 2 \
	--partition product:readonly:0 --partition odm:none:8192
aosp "reboot-fastboot" reboot-fastboot
aosp "wipe-super se2.img" wipe-super se2.img
check "wipe-super: flash:super sent" sh -c "tail -n 1 dev/commands.log | grep -qx flash:super"
judge dev "after wipe-super"
check "wipe-super: the new table is the device's" sh -c \
	"grep -Eq 'odm +default +8192' '$T/lp' && ! grep -q system '$T/lp'"
aosp "wipe-super: the device reads it (is-logical:odm)" getvar is-logical:odm
expect_in "$T/fb" "is-logical:odm: yes" "wipe-super: odm is logical now"
kill "$SIM_PID" 2> /dev/null
wait "$SIM_PID" 2> /dev/null

# --- A/B: system_a/system_b as AOSP's build, and the fault super-full ----------
start_sim ab --super 8M --partition boot_a:1M --partition boot_b:1M \
	--logical system:1M --mode fastbootd --fault super-full
S="tcp:127.0.0.1:$PORT"
judge ab "A/B: a new store"
check "A/B: system_a and system_b in main_a and main_b" sh -c \
	"grep -Eq 'system_a +main_a +1048576' '$T/lp' && grep -Eq 'system_b +main_b +0' '$T/lp'"
aosp_fails "super-full: resize refused" "Not enough space to resize partition" \
	resize-logical-partition system_a 0x180000
aosp "super-full: shrinking still works" resize-logical-partition system_a 0x80000
judge ab "A/B: after the fault"

# --- over USB (usbsim under umockdev; AOSP's fastboot does not see its devices) -
if [ -n "${USBSIM:-}" ] && [ -x "$USBSIM" ]; then
	U="--device FBSUPER --store $T/usb --super 8M --partition boot:1M --logical system:2M
		--mode fastbootd"
	run_usb() {
		# shellcheck disable=SC2086
		"$USBSIM" $U -- "$HWFLASH" "$@" > "$T/out" 2> "$T/err"
	}
	check "USB: getvar super-partition-name" run_usb getvar super-partition-name
	expect_in "$T/out" "super-partition-name: super" "USB: super-partition-name: super"
	check "USB: hwflash flashes system in fastbootd" run_usb flash system sys2.img
	judge usb "USB: after flash"
	same usb system sys2.img "USB: system holds the image, through its extents"
	check "USB: reboot bootloader (off the bus and back)" run_usb reboot bootloader
	check "USB: plugged in again after the reboot, system still logical" \
		run_usb getvar is-logical:system
	expect_in "$T/out" "is-logical:system: yes" "USB: the store's super outlived the reboot"
	same usb system sys2.img "USB: system's bytes outlived the reboot"
else
	skip "t_super: USB part needs usbsim (umockdev)"
fi
