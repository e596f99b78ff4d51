#!/bin/sh
# README.md's Windows walk-through, run with hwflash.exe under wine: every
# line "C:\fw> hwflash.exe ..." of the ```console blocks of the "## Windows"
# section runs here (HWFLASH: win/wine-run.sh hwflash.exe) in a folder with
# the files it names, against the Linux fbsim over TCP for the phone, and
# must exit as README says ("# exit N" at the end, else 0) and print what
# README shows under it, every line (times, ports, keys' and salts' hex digits,
# which differ from run to run, set aside, and "< waiting for >", which depends
# on how soon the phone is back; stdout and stderr may interleave otherwise, so lines are
# compared sorted).  A card written as \\.\PhysicalDriveN (wine has no physical
# drives) is an image file here.
. "$(dirname "$0")/../tests/integration/lib.sh"
need python3 mkbootimg unpack_bootimg cpio gzip zip openssl mkfs.ext4 mcopy
: "${FBSIM:?set FBSIM to the fbsim binary}"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$T"

# The files and phones of README's walk-throughs (as for Linux's t_readme.sh).
. "$top/tests/integration/readme_files.sh"

# The walk-through: "@cmd LINE" then the lines README shows under it.
# "<!-- readme-device: NAME -->" switches the phone, "<!-- readme-run: CMD -->"
# runs CMD (a Unix command standing for what the reader does by hand, an edit
# in Notepad) before the next block.
awk '/^## / { win = ($0 ~ /^## Windows/) }
	win && /^<!-- readme-device: / { print "@device " $3; next }
	win && /^<!-- readme-run: / { sub(/^<!-- readme-run: /, ""); sub(/ -->$/, ""); print "@run " $0; next }
	win && /^```console/ { on = 1; next } on && /^```/ { on = 0; print "@end"; next }
	on && /^C:\\fw> / { sub(/^C:\\fw> /, ""); print "@cmd " $0; next }
	on { print "@out " $0 }' "$top/README.md" > walk

norm() {
	sed -E -e 's/[0-9]+\.[0-9]+s([^a-zA-Z0-9]|$)/T\1/g' -e 's/[0-9a-f]{40,}/HEX/g' \
		-e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' -e '/^< waiting for .* >$/d' \
		-e 's|card\.img|\\\\.\\PhysicalDrive2|g' "$1"
}

n=0
cmd=""
: > want
run_one() {
	[ -n "$cmd" ] || return 0
	want_rc=0
	case $cmd in
	*"# exit "*) want_rc=${cmd##*# exit }; want_rc=${want_rc%% *} ;;
	esac
	line=${cmd%%#*}
	line=$(printf '%s\n' "$line" | sed -e 's/[[:space:]]*$//' -e 's|^hwflash\.exe|"$HWFLASH"|' \
		-e 's|\\\\\.\\PhysicalDrive2|card.img|g')
	sh -c "$line" > got 2> goterr
	rc=$?
	n=$((n + 1))
	# stdout and stderr reach wine-run.sh's two pipes apart, so their lines
	# may interleave otherwise than on a console: compared as sets of lines.
	cat goterr >> got
	norm got | sort > gotn
	norm want | sort > wantn
	if [ "$rc" -eq "$want_rc" ] && cmp -s gotn wantn; then
		ok "README Windows: $cmd"
	else
		fail "README Windows: $cmd: exit $rc (README: $want_rc)"
		diff -u wantn gotn | sed 's/^/    /'
	fi
	cmd=""
	: > want
}
while IFS= read -r l; do
	case $l in
	"@cmd "*) run_one; cmd=${l#@cmd } ;;
	"@out "*) printf '%s\n' "${l#@out }" >> want ;;
	"@end") run_one ;;
	"@device pixel") ANDROID_SERIAL=$PIXEL ;;
	"@device phone") ANDROID_SERIAL=$PHONE ;;
	"@device locked") ANDROID_SERIAL=$LOCKED ;;
	"@device unlocked") ANDROID_SERIAL=$UNLOCKED ;;
	"@device "*) fail "README names an unknown device: $l" ;;
	"@run "*) check "README Windows, by hand: ${l#@run }" sh -c "${l#@run }" ;;
	esac
done < walk
check "README's Windows walk-through has command lines ($n)" test "$n" -ge 15
check "the phone got the package's RECOVERY from the walk-through" \
	cmp phone/recovery.img recovery-new.img
check "the pixel's system_a fetched back is the zip's system.img" cmp system-back.img px/system.img
check "the unlocked phone holds recovery-signed.img, whose ramdisk has the edit" sh -c "
	cmp unlocked/recovery.img recovery-signed.img &&
	unpack_bootimg --boot_img unlocked/recovery.img --out ub > /dev/null &&
	mkdir ucp && cd ucp && gzip -dc ../ub/ramdisk | cpio -id 2> /dev/null &&
	grep -qx ro.adb.secure=0 prop.default && grep -qx ro.secure=1 prop.default"
check "the card holds dload/UPDATE.APP, read by mtools" sh -c \
	"mcopy -n -i card.img@@1M ::/dload/UPDATE.APP u.app &&
	 unzip -p firmware.zip Software/dload/UPDATE.APP | cmp - u.app"
