#!/bin/sh
# README.md's Windows walk-through, run with hwflash.exe under wine: every
# line "C:\fw> hwflash.exe ..." of the ```console blocks of the "## Windows"
# section runs here (HWFLASH: win/wine-run.sh hwflash.exe) in a folder with
# the files it names, against the Linux fbsim over TCP for the phone, and
# must exit as README says ("# exit N" at the end, else 0) and print what
# README shows under it, every line (times, which differ from run to run,
# set aside; stdout and stderr may interleave otherwise, so lines are
# compared sorted).  A card written as \\.\PhysicalDriveN (wine has no physical
# drives) is an image file here.
. "$(dirname "$0")/../tests/integration/lib.sh"
need python3 mkbootimg cpio gzip
: "${FBSIM:?set FBSIM to the fbsim binary}"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$T"

# The files: as tests/integration/t_readme.sh makes them (a firmware.zip
# holding Software/dload/UPDATE.APP, a good recovery-new.img and a recovery.img
# cut short), with fixed bytes so that sizes and CRC lines do not move.
python3 -c '
import random
r = random.Random(19)
open("kernel", "wb").write(r.randbytes(2000000))
open("system.img", "wb").write(r.randbytes(30000000))'
mkdir -p rd/sbin && echo r > rd/sbin/recovery
(cd rd && find . | cpio -o -H newc --reproducible 2> /dev/null) | gzip -n > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel \
	--cmdline androidboot.mode=recovery -o recovery-new.img
head -c 3000000 recovery-new.img > recovery.img
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o boot.img
printf 'ANE-LX1 9.1.0.252(C432E5R1P7)' > curver.txt
"$HWFLASH_LINUX" app pack -o UPDATE.APP --hwid HWANE BOOT=boot.img RECOVERY=recovery-new.img \
	SYSTEM=system.img CURVER=curver.txt > /dev/null
python3 -c '
import zipfile
with zipfile.ZipFile("firmware.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("UPDATE.APP", "Software/dload/UPDATE.APP")'
rm -rf UPDATE.APP kernel rd.gz rd boot.img system.img curver.txt
truncate -s 4G card.img

start_sim phone --product ANE-LX1 --max-download 16M --partition boot:64M \
	--partition recovery:64M --partition system:256M --partition userdata:256M
ANDROID_SERIAL=tcp:127.0.0.1:$PORT
export ANDROID_SERIAL

# The walk-through: "@cmd LINE" then the lines README shows under it.
awk '/^## / { win = ($0 ~ /^## Windows/) }
	win && /^```console/ { on = 1; next } on && /^```/ { on = 0; print "@end"; next }
	on && /^C:\\fw> / { sub(/^C:\\fw> /, ""); print "@cmd " $0; next }
	on { print "@out " $0 }' "$top/README.md" > walk

norm() {
	sed -E -e 's/[0-9]+\.[0-9]+s([^a-zA-Z0-9]|$)/T\1/g' \
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
	esac
done < walk
check "README's Windows walk-through has command lines ($n)" test "$n" -ge 6
check "the phone got recovery-new.img from the walk-through" \
	cmp phone/recovery.img recovery-new.img
check "the card holds dload/UPDATE.APP, read by mtools" sh -c \
	"mcopy -n -i card.img@@1M ::/dload/UPDATE.APP u.app &&
	 unzip -p firmware.zip Software/dload/UPDATE.APP | cmp - u.app"
