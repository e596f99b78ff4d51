#!/bin/sh
# Every command line in README.md's walk-throughs (```console blocks, lines
# "$ hwflash ...") runs here against the simulated device, in a folder with
# the files the walk-throughs name, and exits as README says ("# exit N"
# at the end of the line, else 0).  So the README cannot rot.
. "$(dirname "$0")/lib.sh"
: "${FBSIM:?set FBSIM to the fbsim binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$T"
trap '[ -n "${sim:-}" ] && kill $sim 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# The walk-throughs' files: a recovery.img cut short, a good recovery-new.img,
# a firmware.zip holding dload/UPDATE.APP, an SD card image.
head -c 2000000 /dev/urandom > kernel
mkdir -p rd/sbin && echo r > rd/sbin/recovery
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel \
	--cmdline androidboot.mode=recovery -o recovery-new.img
head -c 3000000 recovery-new.img > recovery.img
mkbootimg --kernel kernel --ramdisk rd.gz --header_version 2 --dtb kernel -o boot.img
head -c 30000000 /dev/urandom > system.img
printf 'ANE-LX1 9.1.0.252(C432E5R1P7)' > curver.txt
"$HWFLASH" app pack -o UPDATE.APP --hwid HWANE BOOT=boot.img RECOVERY=recovery-new.img \
	SYSTEM=system.img CURVER=curver.txt > /dev/null
python3 -c '
import zipfile
with zipfile.ZipFile("firmware.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("UPDATE.APP", "Software/dload/UPDATE.APP")'
rm -f UPDATE.APP system.img boot.img kernel rd.gz
rm -rf rd
truncate -s 8G card.img

"$FBSIM" --tcp 0 --store "$T/phone" --product ANE-LX1 --max-download 16M \
	--partition boot:64M --partition recovery:64M --partition system:256M \
	--partition userdata:256M > sim.out 2>&1 &
sim=$!
i=0
while ! grep -q listening sim.out 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ANDROID_SERIAL=tcp:127.0.0.1:$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' sim.out)
export ANDROID_SERIAL
mkdir bin
printf '#!/bin/sh\nexec "%s" "$@"\n' "$HWFLASH" > bin/hwflash
chmod +x bin/hwflash
PATH="$T/bin:$PATH"

n=0
awk '/^```console/ { on = 1; next } /^```/ { on = 0 } on && /^\$ hwflash / { print }' \
	"$top/README.md" > cmds
while IFS= read -r line; do
	cmd=${line#\$ }
	want=0
	case $cmd in
	*"# exit "*) want=${cmd##*# exit }; want=${want%% *} ;;
	esac
	cmd=${cmd%%#*}
	sh -c "$cmd" > out 2> err
	got=$?
	n=$((n + 1))
	if [ "$got" -eq "$want" ]; then ok "README: $cmd(exit $got)"; else
		fail "README: $cmd: exit $got, README says $want"; sed 's/^/    /' out err; fi
done < cmds
check "README has walk-through command lines ($n)" test "$n" -ge 8
check "the phone got the recovery from the walk-through" cmp phone/recovery.img recovery-new.img
