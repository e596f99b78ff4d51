#!/bin/sh
# Every command line in README.md's walk-throughs (```console blocks, lines
# "$ hwflash ...", and the other "$ ..." lines: openssl, sed) runs here against the simulated device, in a folder with
# the files the walk-throughs name, and exits as README says ("# exit N"
# at the end of the line, else 0).  So the README cannot rot.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg unpack_bootimg cpio gzip zip openssl mkfs.ext4
: "${FBSIM:?set FBSIM to the fbsim binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$T"

. "$top/tests/integration/readme_files.sh"
mkdir bin
printf '#!/bin/sh\nexec "%s" "$@"\n' "$HWFLASH" > bin/hwflash
chmod +x bin/hwflash
PATH="$T/bin:$PATH"

n=0
# A "<!-- readme-device: NAME -->" line makes the blocks after it talk to the device
# started as NAME (the first ones talk to "phone").
awk '/^<!-- readme-device: / { print "@device " $3; next }
	/^```console/ { on = 1; next } /^```/ { on = 0 } on && /^\$ / { print }' \
	"$top/README.md" > cmds
while IFS= read -r line; do
	case $line in
	"@device pixel") ANDROID_SERIAL=$PIXEL; continue ;;
	"@device phone") ANDROID_SERIAL=$PHONE; continue ;;
	"@device locked") ANDROID_SERIAL=$LOCKED; continue ;;
	"@device unlocked") ANDROID_SERIAL=$UNLOCKED; continue ;;
	"@device "*) fail "README names an unknown device: $line"; continue ;;
	esac
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
# The modern phone's walk-through did what it says.
check "README pixel: system_a fetched back equals system.img" cmp system-back.img px/system.img
check "README pixel: super judged sound, vendor_a holds vendor.img" sh -c \
	"python3 '$tools/lpjudge.py' check pixel/super.img > /dev/null &&
	 python3 '$tools/lpjudge.py' extract pixel/super.img vendor_a ven.out && cmp ven.out px/vendor.img"
# The repack walk-through did what it says: the locked phone got nothing, the
# unlocked one the signed image, whose ramdisk (unpacked by Debian's
# unpack_bootimg and GNU cpio) holds the change; openssl checks its key.
check "README repack: nothing reached the locked phone" test ! -e locked/recovery.img
check "README repack: the unlocked phone holds recovery-signed.img" \
	cmp unlocked/recovery.img recovery-signed.img
check "README repack: the flashed ramdisk has the change, and only it" sh -c "
	unpack_bootimg --boot_img unlocked/recovery.img --out ub > /dev/null &&
	mkdir ucp && cd ucp && gzip -dc ../ub/ramdisk | cpio -id 2> /dev/null &&
	grep -qx ro.adb.secure=0 prop.default && grep -qx ro.secure=1 prop.default &&
	grep -qx r sbin/recovery"
check "README repack: test-key.pem is an RSA key openssl reads" \
	openssl pkey -in test-key.pem -noout
check "README pixel: boot_a and vbmeta_a stored" sh -c \
	"cmp px/boot.img pixel/boot_a.img && cmp -n 4096 px/vbmeta.img pixel/vbmeta_a.img"

# Every other example line in README's code blocks.  A synopsis (it has
# placeholders: FILE, [--json] ...) must be one `hwflash --help` prints;
# a concrete line runs here, with the names of real things replaced by the
# sandbox's (the phone's address, the card device, the card's folder).
"$HWFLASH" --help | sed -n 's/^  \([a-z].*\)/\1/p' > synopses
awk '/^```/ { on = !on; console = ($0 ~ /console/); next }
	on && !console && /^hwflash / { print }' "$top/README.md" > examples
mkdir sdcard
"$HWFLASH" app pack -o UPDATE.APP BOOT=boot.img > /dev/null
cp firmware.zip update_sd_base.zip
python3 -c '
import zipfile
with zipfile.ZipFile("aosp-update.zip", "w") as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.write("recovery-new.img", "recovery.img")'
truncate -s 64M sdX.img
cp recovery-new.img recovery.img
start_sim abphone --product hwsim --partition boot_a:64M --partition boot_b:64M \
	--partition system_a:256M --partition system_b:256M
AB_SERIAL=tcp:127.0.0.1:$PORT
nsyn=0
nrun=0
while IFS= read -r line; do
	cmd=${line%%#*}
	cmd=$(echo "$cmd" | sed 's/[[:space:]]*$//')
	case $cmd in
	*FILE* | *NAME* | *PARTITION* | *TARGET* | *SOURCE* | *"["*)
		nsyn=$((nsyn + 1))
		check "README synopsis is the help's: ${cmd#hwflash }" grep -qxF -- "${cmd#hwflash }" synopses
		continue ;;
	esac
	nrun=$((nrun + 1))
	run=$(echo "$cmd" | sed -e "s|tcp:192.168.1.20|$ANDROID_SERIAL|" -e 's|/dev/sdX|sdX.img|' \
		-e 's|/media/user/SDCARD|sdcard|')
	case $cmd in
	*--all* | *SER1*)
		# Several devices: on two simulated USB phones.
		if [ -n "${USBSIM:-}" ] && [ -x "$USBSIM" ]; then
			usb="--device SER1 --store $T/u1 --product hwsim --partition recovery:64M"
			usb="$usb --device SER2 --store $T/u2 --product hwsim --partition recovery:64M"
			# shellcheck disable=SC2086
			"$USBSIM" $usb -- sh -c "$run" > out 2> err
			check "README: $cmd (two simulated USB phones)" test $? -eq 0
			check "both phones got recovery.img" sh -c "cmp u1/recovery.img recovery.img &&
				cmp u2/recovery.img recovery.img"
		fi
		continue ;;
	*--slot* | *set_active*)
		# Slots: on a simulated A/B phone (the walk-throughs' phone has none).
		ANDROID_SERIAL=$AB_SERIAL sh -c "$run" > out 2> err
		check "README: $cmd (an A/B phone)" test $? -eq 0
		continue ;;
	*sdcard* | *SDCARD*)
		# The card's folder here is not FAT32: the refusal says so (a mounted
		# FAT32 card needs privileges the tests do not have).
		sh -c "$run" > out 2> err
		check "README: $cmd (exit 1 here: not a FAT32 folder)" test $? -eq 1
		cat out err > both
		expect_in both "not FAT32" "README: $cmd names the file system"
		continue ;;
	esac
	case $cmd in
	*--format*--yes* | *--yes*--format*) ;;
	*--format*)
		# Off a terminal, formatting needs --yes: refused without it, done with it.
		sh -c "$run" > out 2> err
		check "README: $cmd (exit 1 off a terminal: needs --yes)" test $? -eq 1
		expect_in err "give --yes when not on a terminal" "README: $cmd says how to go on"
		run="$run --yes" ;;
	esac
	sh -c "$run" > out 2> err
	got=$?
	if [ "$got" -eq 0 ]; then ok "README: $cmd"; else
		fail "README: $cmd: exit $got"; sed 's/^/    /' out err; fi
done < examples
check "README synopses checked ($nsyn) and examples run ($nrun)" test "$nsyn" -ge 8 -a "$nrun" -ge 10
check "the phone got the recovery from the walk-through" cmp phone/recovery.img recovery-new.img
