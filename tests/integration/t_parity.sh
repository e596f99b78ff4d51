#!/bin/sh
# AOSP command-line parity: the command lines of AOSP fastboot guides, run
# against the simulated device (fbsim), checked in its log and stored bytes.
# Where AOSP's fastboot 29.0.6 (Debian's) has the option, the same command
# line runs with it against a twin device (same options, same state): both
# must send the same commands (getvars aside: hwflash asks more, and in its
# own order, before it writes) and leave the same bytes.
. "$(dirname "$0")/lib.sh"
need python3 unpack_bootimg cpio gzip cmp
: "${FBSIM:?set FBSIM to the fbsim binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$T"

mark() { cat "$1/commands.log" 2> /dev/null | wc -l | tr -d ' '; }
# writes DIR MARK: the commands after MARK that are not getvars, on one line
writes() { tail -n "+$(($2 + 1))" "$1/commands.log" | grep -v '^getvar:' | tr '\n' ' '; }
# sent DIR MARK "CMDS" "what": the writes after MARK are exactly CMDS
sent() {
	got=$(writes "$1" "$2")
	if [ "$got" = "$3" ]; then ok "$4"; else fail "$4: sent '$got', wanted '$3'"; fi
}
same() { if cmp -s "$1" "$2"; then ok "$3"; else fail "$3: $1 and $2 differ"; fi; }

random kernel 5000
mkdir -p rd && echo i > rd/init
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
random second 700
random dtb 1000
python3 -c 'import struct
h = bytearray(4096); h[0:4] = b"AVB0"; struct.pack_into(">II", h, 4, 1, 0)
h[120:124] = struct.pack(">I", 0); h[128:140] = b"avbtool 1.2\0"
open("vbmeta.img", "wb").write(h)'
cp vbmeta.img vbmeta.orig
AB="--partition boot_a:1M --partition boot_b:1M --partition vbmeta_a:64K --partition vbmeta_b:64K
	--partition userdata:1M"
# shellcheck disable=SC2086
start_sim hw --product hwsim $AB
H="tcp:127.0.0.1:$PORT"

# --- boot image built on the fly, checked by Debian's unpack_bootimg ---------
m=$(mark hw)
run_hw 0 "boot KERNEL RAMDISK" -s "$H" boot kernel rd.gz
sent hw "$m" "download:00002800 boot " "boot KERNEL RAMDISK: one download (header, 3 kernel pages, 1 ramdisk page), boot"
unpack_bootimg --boot_img hw/.download --out u0 > u0.txt 2>&1
same u0/kernel kernel "unpack_bootimg: the kernel is the file"
same u0/ramdisk rd.gz "unpack_bootimg: the ramdisk is the file"
expect_in u0.txt "kernel load address: 0x10008000" "mkbootimg's default kernel address"
expect_in u0.txt "ramdisk load address: 0x11000000" "mkbootimg's default ramdisk address"
expect_in u0.txt "kernel tags load address: 0x10000100" "mkbootimg's default tags address"
expect_in u0.txt "page size: 2048" "mkbootimg's default page size"
# Options after the command, as AOSP's getopt takes them.
run_hw 0 "boot KERNEL RAMDISK SECOND --header-version 2 --dtb ... (options after)" -s "$H" \
	boot kernel rd.gz second --header-version 2 --dtb dtb --base 0x80000000 --page-size 4096 \
	--cmdline "console=ttyS0 quiet" --os-version 11.2.3 --os-patch-level 2021-05-01
unpack_bootimg --boot_img hw/.download --out u2 > u2.txt 2>&1
same u2/second second "unpack_bootimg: the second stage is the file"
same u2/dtb dtb "unpack_bootimg: the dtb is the file"
for l in "kernel load address: 0x80008000" "page size: 4096" "boot image header version: 2" \
	"command line args: console=ttyS0 quiet" "os version: 11.2.3" "os patch level: 2021-05" \
	"dtb address: 0x81f00000"; do
	expect_in u2.txt "$l" "unpack_bootimg: $l"
done
m=$(mark hw)
run_hw 0 "flash:raw boot KERNEL RAMDISK --cmdline" -s "$H" flash:raw boot kernel rd.gz --cmdline raw1
sent hw "$m" "download:00002800 flash:boot_a " "flash:raw: the built image written to the current slot"
cp hw/boot_a.img built.img
unpack_bootimg --boot_img hw/boot_a.img --out ur > ur.txt 2>&1
expect_in ur.txt "command line args: raw1" "flash:raw: the stored image has the cmdline"
m=$(mark hw)
run_hw 1 "boot of a web page as KERNEL refused" -s "$H" boot "$0"
sent hw "$m" "" "a refused KERNEL: nothing sent"
run_hw 2 "--header-version 3: usage" -s "$H" --header-version 3 boot kernel
run_hw 2 "--page-size 1000: usage" -s "$H" --page-size 1000 boot kernel
run_hw 2 "--os-patch-level 2021-13: usage" -s "$H" --os-patch-level 2021-13 boot kernel
sent hw "$m" "" "usage errors: nothing sent"

# --- vbmeta flags ------------------------------------------------------------
m=$(mark hw)
run_hw 0 "--disable-verity --disable-verification flash vbmeta" -s "$H" --disable-verity \
	--disable-verification flash vbmeta vbmeta.img
expect_in "$T/err" "set from 0x0 to 0x3" "says what was patched"
sent hw "$m" "download:00001000 flash:vbmeta_a " "vbmeta: one download, one flash"
check "the stored flags are 3" python3 -c 'import sys
d = open("hw/vbmeta_a.img", "rb").read(); sys.exit(d[120:124] != b"\0\0\0\3")'
same vbmeta.img vbmeta.orig "the file is unchanged"
check "only the flags differ from the file" sh -c "cmp -l hw/vbmeta_a.img vbmeta.img | \
	awk '{print \$1}' | tr '\n' ' ' | grep -qx '124 '"
m=$(mark hw)
run_hw 1 "--disable-verity with an image without vbmeta" -s "$H" flash boot kernel --disable-verity --force
one_error "$T/err" "one line"
expect_in "$T/err" "kernel has no vbmeta" "it names the file"
sent hw "$m" "" "no vbmeta: nothing sent"
run_hw 2 "--disable-verity with update: usage" -s "$H" --disable-verity update x.zip

# --- slots, set-active ---------------------------------------------------------
m=$(mark hw)
run_hw 0 "flash boot IMG --slot other -a (options after)" -s "$H" flash boot built.img \
	--slot other -a
sent hw "$m" "download:00002800 flash:boot_b set_active:b " "other = b, then set_active:b"
m=$(mark hw)
run_hw 0 "--set-active=a alone" -s "$H" --set-active=a
sent hw "$m" "set_active:a " "--set-active=a alone: set_active:a"
m=$(mark hw)
run_hw 1 "--slot c: the device has no slot c" -s "$H" --slot c flash boot built.img
sent hw "$m" "" "--slot c: only getvars"

# --- stage, get_staged, reboot TARGET, getvar -----------------------------------
m=$(mark hw)
run_hw 0 "stage FILE" -s "$H" stage second
run_hw 0 "get_staged FILE" -s "$H" get_staged staged.bin
same staged.bin second "get_staged: the bytes staged"
run_hw 0 "getvar of any name" -s "$H" getvar version-bootloader
run_hw 1 "getvar of a name the device lacks" -s "$H" getvar no-such-var
run_hw 0 "reboot edl" -s "$H" reboot edl
sent hw "$m" "download:000002bc upload reboot-edl " "stage, upload, reboot-edl"

# --- accepted without effect, and what hwflash has not ---------------------------
m=$(mark hw)
run_hw 0 "-u erase boot" -s "$H" -u erase boot
expect_in "$T/err" "-u: no effect" "-u says it has no effect"
sent hw "$m" "erase:boot_a " "-u erase: erase:boot_a"
m=$(mark hw)
for a in "format userdata" "format:ext4 userdata" "wipe-super" "connect tcp:x" \
	"--disable-super-optimization flash boot kernel" "--fs-options=casefold erase boot" \
	"--slot _b erase boot"; do
	# shellcheck disable=SC2086
	run_hw 2 "$a: unsupported, exit 2" -s "$H" $a
	one_line "$T/err" "$a: one line"
done
sent hw "$m" "" "unsupported: nothing sent"

# --- gsi (fastbootd) --------------------------------------------------------------
start_sim fd --mode fastbootd --partition system:1M
F="tcp:127.0.0.1:$PORT"
m=$(mark fd)
run_hw 0 "gsi status" -s "$F" gsi status
run_hw 0 "gsi wipe" -s "$F" gsi wipe
run_hw 2 "gsi nonsense: usage" -s "$F" gsi nonsense
sent fd "$m" "gsi:status gsi:wipe " "gsi:status, gsi:wipe"

# --- the same command lines with AOSP's fastboot 29.0.6 on a twin device ----------
if ! command -v fastboot > /dev/null; then
	skip "t_parity: AOSP's fastboot is not installed: no comparison"
	exit 0
fi
# shellcheck disable=SC2086
start_sim ta --product hwsim $AB
A="tcp:127.0.0.1:$PORT"
# shellcheck disable=SC2086
start_sim tb --product hwsim $AB
B="tcp:127.0.0.1:$PORT"
# twin "ARGS" [FILE...]: ARGS to AOSP on ta and to hwflash on tb; the writes must be the
# same, and so must each FILE of the two stores.
twin() {
	args=$1; shift
	ma=$(mark ta); mb=$(mark tb)
	# shellcheck disable=SC2086
	fastboot -s "$A" $args > aosp.out 2>&1
	ra=$?
	# shellcheck disable=SC2086
	"$HWFLASH" -s "$B" $args > ours.out 2>&1
	rb=$?
	wa=$(writes ta "$ma"); wb=$(writes tb "$mb")
	if [ "$wa" = "$wb" ] && [ $ra -eq 0 ] && [ $rb -eq 0 ]; then ok "AOSP: '$args' sends '$wb'"
	else fail "AOSP: '$args': AOSP (exit $ra) sent '$wa', hwflash (exit $rb) '$wb'"
		sed 's/^/    aosp: /' aosp.out; sed 's/^/    ours: /' ours.out; fi
	for f in "$@"; do same "ta/$f" "tb/$f" "AOSP: '$args' leaves the same $f"; done
}
twin "--slot other flash boot built.img" boot_b.img
twin "--slot=a flash boot built.img" boot_a.img
twin "--slot all erase boot"
twin "flash boot built.img --slot b -a" boot_b.img
twin "--set-active=a"
twin "--disable-verity --disable-verification flash vbmeta vbmeta.img" vbmeta_a.img
twin "--disable-verity flash vbmeta_b vbmeta.img" vbmeta_b.img
twin "boot kernel rd.gz"
twin "flash:raw boot kernel rd.gz second"
# AOSP 29.0.6 writes its v2 dtb address into v0 and v1 headers too (bytes 1652..1659, past
# their header): the rest must be the same.
check "AOSP: flash:raw leaves the same boot image (but AOSP's stray dtb address)" python3 -c '
a = open("ta/boot_a.img", "rb").read(); b = open("tb/boot_a.img", "rb").read()
assert len(a) == len(b) and a[:1652] == b[:1652] and a[1660:] == b[1660:]
assert b[1652:1660] == bytes(8)' 
twin "--header-version 1 --base 0x80000000 --page-size 4096 --cmdline x boot kernel"
twin "stage second"
twin "get_staged staged.bin"
twin "getvar product"
twin "reboot bootloader"
# A v2 image with a dtb: byte for byte what AOSP 29.0.6 builds (its dtb offset is 0x01100000;
# mkbootimg's, hwflash's default, is 0x01f00000).
fastboot -s "$A" --header-version 2 --dtb dtb --cmdline "a b" --os-version 11.2.3 \
	--os-patch-level 2021-05-01 boot kernel rd.gz > /dev/null 2>&1
"$HWFLASH" -s "$B" --header-version 2 --dtb dtb --dtb-offset 0x01100000 --cmdline "a b" \
	--os-version 11.2.3 --os-patch-level 2021-05-01 boot kernel rd.gz > /dev/null 2>&1
same ta/.download tb/.download "AOSP: the v2 boot image built is byte for byte AOSP's"

# --- README's table "AOSP fastboot command → hwflash": every hwflash line runs ------
mkdir readme && cd readme || exit 1
cp ../kernel kernel && cp ../dtb dtb && cp ../rd.gz ramdisk.img && cp ../vbmeta.orig vbmeta.img
cp ../built.img boot.img
python3 -c '
import zipfile
with zipfile.ZipFile("update.zip", "w") as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.write("boot.img", "boot.img")'
python3 - "$top/README.md" > rows << 'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
sec = text.split("## AOSP fastboot command → hwflash", 1)[1].split("\n## ", 1)[0]
for line in sec.splitlines():
    cells = re.split(r"(?<!\\) \| ", line.strip().strip("|"))
    if len(cells) >= 2 and cells[1].startswith("`hwflash "):
        print(cells[1].strip("`").replace("\\|", "|"))
PY
# shellcheck disable=SC2086
start_sim rab --product hwsim $AB --partition vendor_boot_a:64K --partition vendor_boot_b:64K
RAB="tcp:127.0.0.1:$PORT"
start_sim rfd --product hwsim --mode fastbootd --partition vendor_boot:64K --partition system:1M
RFD="tcp:127.0.0.1:$PORT"
n=0
while IFS= read -r cmd; do
	case $cmd in
	*" gsi "* | *" fetch "*) ANDROID_SERIAL=$RFD ;;
	*) ANDROID_SERIAL=$RAB ;;
	esac
	export ANDROID_SERIAL
	sh -c "\"\$HWFLASH\" ${cmd#hwflash }" > out 2> err
	got=$?
	n=$((n + 1))
	if [ $got -eq 0 ]; then ok "README table: $cmd"; else
		fail "README table: $cmd: exit $got"; sed 's/^/    /' out err; fi
done < rows
check "README's table has hwflash lines ($n)" test "$n" -ge 20

# --- update's options before the command, AOSP-style -----------------------------
m=$(mark ../rab)
run_hw 0 "--skip-reboot --skip-secondary update ZIP (options before)" -s "$RAB" --skip-reboot \
	--skip-secondary update update.zip
check "--skip-reboot before the command: no reboot sent" sh -c \
	"! tail -n +$((m + 1)) ../rab/commands.log | grep -q '^reboot'"
m=$(mark ../rab)
run_hw 0 "update ZIP" -s "$RAB" update update.zip
check "without --skip-reboot: reboot sent" sh -c \
	"tail -n +$((m + 1)) ../rab/commands.log | grep -qx reboot"
