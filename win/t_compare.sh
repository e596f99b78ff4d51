#!/bin/sh
# The Linux and the Windows hwflash side by side on the same fixtures: exit
# code, stdout and stderr must be the same (line endings aside; times and
# rates, which differ from run to run, set to X, also --json's "seconds").  Files written by one
# (extracted entries, a packed package) must be the same bytes as the
# other's.  HWFLASH is hwflash.exe under wine (win/wine-run.sh),
# HWFLASH_LINUX the Linux binary, FBSIM the Linux simulated device.
. "$(dirname "$0")/../tests/integration/lib.sh"
need python3 mkbootimg openssl fsck.fat mcopy
: "${HWFLASH_LINUX:?set HWFLASH_LINUX to the Linux hwflash}"
cd "$T"

norm() {
	sed -E 's/[0-9]+(\.[0-9]+)? ?(s|ms|[KMG]i?B\/s)\b/X \2/g; s/"seconds":[0-9.]+/"seconds":X/g' "$1"
}

# feed ARGS...: ARGS run with stdin redirected from the file $STDIN, or piped
# from `cat $PIPE`, when either is set (each run gets its own).
feed() {
	if [ -n "${PIPE:-}" ]; then
		# shellcheck disable=SC2002 # a pipe, not a file, is the point
		cat "$PIPE" | "$@"
	elif [ -n "${STDIN:-}" ]; then
		"$@" < "$STDIN"
	else
		"$@"
	fi
}

# same "what" ARGS...: both binaries, same exit code and output.  With
# IN=1 each runs in its own folder (l/ and w/, made alike by the caller), so
# that what one writes is not in the other's way.  STDIN=FILE, PIPE=FILE:
# see feed (an absolute path).  BETWEEN="shell code": run after the Linux
# binary and before the Windows one (to empty a device, so that what it holds
# afterwards is what the Windows binary sent).
same() {
	what=$1
	shift
	if [ "${IN:-0}" = 1 ]; then
		(cd l && feed "$HWFLASH_LINUX" "$@") > l.out 2> l.err
		lr=$?
		eval "${BETWEEN:-}"
		(cd w && feed "$HWFLASH" "$@") > w.out 2> w.err
		wr=$?
	else
		feed "$HWFLASH_LINUX" "$@" > l.out 2> l.err
		lr=$?
		eval "${BETWEEN:-}"
		feed "$HWFLASH" "$@" > w.out 2> w.err
		wr=$?
	fi
	norm l.out > l.outn
	norm w.out > w.outn
	norm l.err > l.errn
	norm w.err > w.errn
	if [ $lr -eq $wr ] && cmp -s l.outn w.outn && cmp -s l.errn w.errn; then
		ok "$what (exit $lr)"
	else
		fail "$what: exit $lr (Linux) / $wr (Windows)"
		diff -u l.outn w.outn | sed 's/^/    out: /'
		diff -u l.errn w.errn | sed 's/^/    err: /'
	fi
}

random boot.img 300000
mkbootimg --kernel boot.img -o bootv0.img
random system.img 1500000
head -c 70000 /dev/zero > zeros.img
"$HWFLASH_LINUX" app pack -o pkg.APP --hwid HW-TEST BOOT=boot.img SYSTEM=system.img \
	USERDATA=zeros.img > /dev/null 2>&1
mkdir -p l w
IN=1 same "app pack" app pack -o packed.APP --hwid HW-TEST BOOT=../boot.img \
	SYSTEM=../system.img USERDATA=../zeros.img
same "app list of the package Windows packed" app list w/packed.APP
check "app check by Linux of the package Windows packed" "$HWFLASH_LINUX" app check w/packed.APP
rm -rf l w
same "app list" app list pkg.APP
same "app list --json" app list --json pkg.APP
same "app check" app check pkg.APP
same "app check --json" app check --json pkg.APP
cp pkg.APP bad.APP
flip bad.APP 200000
same "app check of a corrupted package" app check bad.APP
same "app check of a missing file" app check nothere.APP
same "app list without a file: usage" app list
mkdir -p l w
IN=1 same "app extract" app extract ../pkg.APP -o out
check "app extract: the same files" diff -r l/out w/out
IN=1 same "app extract onto existing files is refused" app extract ../pkg.APP -o out

# Standard input as /dev/stdin: a file redirected (a disk handle on Windows)
# is read as a file; a pipe is refused by app list and spooled by app pack.
STDIN=$T/pkg.APP same "app list of /dev/stdin redirected from a file" app list /dev/stdin
PIPE=$T/pkg.APP same "app list of a piped /dev/stdin: a pipe, refused" app list /dev/stdin
STDIN=$T/bootv0.img same "image check of /dev/stdin redirected from a file" image check /dev/stdin
PIPE=/dev/null same "app pack of an empty pipe: the pipe gave no data" \
	app pack -o e.APP BOOT=/dev/stdin
PIPE=$T/pkg.APP same "app list - (not a name for stdin on either)" app list -
mkdir -p l w
STDIN=$T/boot.img IN=1 same "app pack BOOT=/dev/stdin from a file" app pack -o s.APP \
	--hwid HW-TEST BOOT=/dev/stdin
PIPE=$T/system.img IN=1 same "app pack SYSTEM=/dev/stdin from a pipe" app pack -o p.APP \
	--hwid HW-TEST SYSTEM=/dev/stdin
"$HWFLASH_LINUX" app extract w/s.APP -o ws > /dev/null 2>&1
"$HWFLASH_LINUX" app extract w/p.APP -o wp > /dev/null 2>&1
check "BOOT from Windows' stdin file is the file" cmp boot.img ws/boot.img
check "SYSTEM from Windows' stdin pipe is the file" cmp system.img wp/system.img
rm -rf l w ws wp

# A folder and a file with spaces and non-ASCII characters (UTF-16 on Windows).
mkdir -p "dossier été"
cp pkg.APP "dossier été/paquet ü.APP"
same "app list of a path with spaces and non-ASCII" app list "dossier été/paquet ü.APP"
"$HWFLASH" app extract "dossier été/paquet ü.APP" -o "dossier été/sortie ß" > w.out 2>&1
check "app extract into such a folder (Windows)" cmp boot.img "dossier été/sortie ß/boot.img"
same "app check of what was extracted there: refused as no package" \
	app check "dossier été/sortie ß/boot.img"

mkbootimg --kernel boot.img --header_version 2 --dtb zeros.img -o bootv2.img
same "image info of a boot image" image info bootv2.img
same "image info --json" image info --json bootv2.img
same "image check" image check bootv2.img

# A boot image with a ramdisk (a folder, files, a symlink, a name with a space,
# names with : * ? < > | " a tab and a trailing dot or space, nul, aux.txt),
# unpacked and repacked by both: each repack is the image again, byte for byte.
python3 -c '
import gzip, sys
def ent(ino, mode, name, data=b""):
    n = name.encode() + b"\0"
    h = b"070701" + b"".join(b"%08X" % v for v in (ino, mode, 0, 0, 2 if mode >> 12 == 4 else 1,
        0, len(data), 0, 0, 0, 0, len(n), 0))
    b = h + n
    b += b"\0" * (-len(b) % 4) + data
    return b + b"\0" * (-len(b) % 4)
a = ent(1, 0o40755, "sbin") + ent(2, 0o100750, "init", b"#!init\n" * 50)
a += ent(3, 0o120777, "sbin/sh", b"/system/bin/sh") + ent(4, 0o100644, "a file.rc", b"on boot\n")
a += ent(5, 0o100600, "sbin/empty")
# names no Windows file name may hold (stored as U+F000 + c there, as Cygwin does)
a += ent(6, 0o100644, "x:y*z?.rc", b"colon\n") + ent(7, 0o40755, "dir. ")
a += ent(8, 0o100644, "dir. /q<u>o|t\"e.", b"quote\n") + ent(9, 0o100644, "tab\there ", b"t")
# DOS device names: files on Windows too (the ramdisk engine names them in a \\?\ path)
a += ent(12, 0o100644, "nul", b"not the NUL device\n") + ent(13, 0o100644, "aux.txt", b"a\n")
# a link to a folder: realpath() follows it in the middle of a path too
a += ent(10, 0o40755, "sbin/sub") + ent(11, 0o120777, "lnk", b"sbin")
a += ent(0, 0, "TRAILER!!!")
a += b"\0" * (-len(a) % 512)
open("ramdisk.gz", "wb").write(gzip.compress(a, mtime=0))'
mkbootimg --kernel boot.img --ramdisk ramdisk.gz --header_version 2 --dtb zeros.img -o rd.img
mkdir -p l w
IN=1 same "image unpack of a boot image with a ramdisk" image unpack ../rd.img -o out
IN=1 same "image repack of the unchanged folder" image repack out -o re.img
check "Windows' repack is the image byte for byte" cmp rd.img w/re.img
check "Linux's repack is the image byte for byte" cmp rd.img l/re.img
IN=1 same "image repack -o into the ramdisk folder through a link (last part)" \
	image repack out -o out/ramdisk.d/lnk/x.img
IN=1 same "image repack -o into the ramdisk folder through a link (middle part)" \
	image repack out -o out/ramdisk.d/lnk/sub/x.img
ln -s out/ramdisk.d l/into && ln -s out/ramdisk.d w/into
IN=1 same "image repack -o into the ramdisk folder through a Unix symlink (wine follows it)" \
	image repack out -o into/x.img
printf 'on boot\n    setprop x 1\n' > w/out/ramdisk.d/a\ file.rc
cp w/out/ramdisk.d/a\ file.rc l/out/ramdisk.d/
IN=1 same "image repack of an edited ramdisk file" image repack out -o ed.img
check "both repacked the edited ramdisk alike" cmp l/ed.img w/ed.img
same "image check of the repacked image" image check l/ed.img

# A ramdisk name holding '\' is one name on Linux; on Windows it would be a
# path ("..\evil" climbing out of the folder): refused there, nothing outside.
python3 -c '
import gzip
n = b"..\\evil\0"
h = b"070701" + b"".join(b"%08X" % v for v in (1, 0o100644, 0, 0, 1, 0, 1, 0, 0, 0, 0, len(n), 0))
e = h + n + b"\0" * (-(len(h) + len(n)) % 4) + b"x\0\0\0"
t = b"070701" + b"".join(b"%08X" % v for v in (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0))
a = e + t + b"TRAILER!!!\0" + b"\0" * 3
open("bs.gz", "wb").write(gzip.compress(a + b"\0" * (-len(a) % 512), mtime=0))'
mkbootimg --kernel boot.img --ramdisk bs.gz -o bs.img
mkdir -p bsx/x
(cd bsx/x && "$HWFLASH" image unpack ../../bs.img -o out) > w.out 2> w.err
check "Windows refuses a ramdisk name holding a backslash" grep -q 'evil: Invalid argument' w.err
check "nothing written outside the folder" sh -c '! ls bsx/x/evil bsx/evil bsx/x/out/evil 2> /dev/null'
"$HWFLASH_LINUX" image unpack bs.img -o lbs > /dev/null 2>&1
check "(Linux unpacks it as one name)" test -f 'lbs/ramdisk.d/..\evil'
rm -rf bsx lbs

# AVB: the same key and salt sign alike (RSA PKCS#1 v1.5 is deterministic).
openssl genrsa -out key.pem 2048 2> /dev/null
IN=1 same "image sign" image sign ../bootv2.img --partition boot --partition-size 1048576 \
	--key ../key.pem --salt 00112233 -o signed.img
check "both signed images are the same bytes" cmp l/signed.img w/signed.img
same "image check of the signed image with its key" image check l/signed.img --key key.pem
same "image info of the signed image" image info w/signed.img
rm -rf l w

# dload prepare onto an image file (MBR + FAT32 made by hwflash.exe), judged by
# fsck.fat and mtools; then dload check by both.
truncate -s 64M card.img
"$HWFLASH" dload prepare pkg.APP card.img --format --yes > w.out 2> w.err
check "dload prepare --format of an image file (Windows)" test -s card.img
dd if=card.img of=part.img bs=1M skip=1 2> /dev/null
check "fsck.fat -n finds no error in what Windows made" fsck.fat -n part.img
check "mtools reads ::/dload/UPDATE.APP" mcopy -n -i card.img@@1M ::/dload/UPDATE.APP out.APP
check "byte for byte the package" cmp out.APP pkg.APP
same "dload check of the card" dload check card.img
rm -f card.img part.img out.APP

start_sim dev --product hwsim --partition boot:8M --partition system:8M
S="tcp:127.0.0.1:$PORT"
same "getvar product over TCP" -s "$S" getvar product
same "getvar of an unknown variable" -s "$S" getvar nosuchvar
"$HWFLASH" -s "$S" flash system system.img > w.out 2> w.err
check "flash over TCP: the device holds the image" cmp -n 1500000 system.img dev/system.img
same "app flash --dry-run" -s "$S" app flash pkg.APP --dry-run
same "a port nobody listens on" -s tcp:127.0.0.1:1 getvar product
# app flash (not a dry run) onto a device of its own.
start_sim dev2 --product hwsim --partition boot:8M --partition system:8M
"$HWFLASH" -s "tcp:127.0.0.1:$PORT" app flash pkg.APP system > w.out 2> w.err
check "app flash over TCP: system holds the package's SYSTEM" sh -c \
	'cmp -n 1500000 system.img dev2/system.img || { cat w.out w.err; false; }'

# dload prepare through the sector-aligned I/O a whole card (\\.\PhysicalDriveN)
# gets: HWF_WIN_SECTOR makes hwflash.exe read and write the image file as a disk
# of such sectors (win/src/dload_os.c).  fsck.fat and mtools judge the card;
# it is the same bytes as Linux makes of the same command, but for the volume
# serial number and the time stamps when the two runs fall in different seconds.
for sector in 512 4096; do
	rm -f wcard.img lcard.img
	truncate -s 64M wcard.img
	truncate -s 64M lcard.img
	HWF_WIN_SECTOR=$sector "$HWFLASH" dload prepare pkg.APP wcard.img --format --yes \
		> w.out 2> w.err
	wr=$?
	"$HWFLASH_LINUX" dload prepare pkg.APP lcard.img --format --yes > l.out 2> l.err
	check "dload prepare on $sector-byte sectors (Windows, exit $wr)" test "$wr" -eq 0
	dd if=wcard.img of=part.img bs=1M skip=1 2> /dev/null
	check "fsck.fat -n: no error on $sector-byte sectors" fsck.fat -n part.img
	check "mtools: ::/dload/UPDATE.APP is the package ($sector-byte sectors)" sh -c \
		'mcopy -n -i wcard.img@@1M ::/dload/UPDATE.APP out.APP && cmp out.APP pkg.APP'
	# The serial (boot sector and its copy) and the times of the entries (dload,
	# its . and .., UPDATE.APP: created, accessed, written) differ when the two
	# runs fall in different seconds: 23 bytes were seen; a misplaced or
	# changed byte of the package's 1.5 MB would make thousands.
	n=$(cmp -l lcard.img wcard.img | wc -l)
	check "the card is Linux's but for serial and time stamps ($n bytes differ)" \
		test "$n" -le 96
	rm -f out.APP part.img
done
rm -f wcard.img lcard.img

# \\.\PhysicalDriveN that is not there, and a volume as a device: one line each
# (the labels spell no backslash: dash's echo would eat them).
truncate -s 64M wcard.img
HWF_WIN_SECTOR=3 "$HWFLASH" dload prepare pkg.APP wcard.img --format --yes > w.out 2> w.err
check "HWF_WIN_SECTOR=3 is refused (the hook is read): exit 1" test $? -eq 1
expect_in w.err 'HWF_WIN_SECTOR=3: not a sector size' "HWF_WIN_SECTOR=3: named"
rm -f wcard.img
for cmd in "dload prepare pkg.APP" "dload check"; do
	"$HWFLASH" $cmd '\\.\PhysicalDrive99' > w.out 2> w.err
	check "$cmd of a PhysicalDrive that is not there: exit 1" test $? -eq 1
	one_line w.err "$cmd of a PhysicalDrive that is not there: one line"
	expect_in w.err '\\.\PhysicalDrive99: No such file or directory' "$cmd: the drive named"
	"$HWFLASH" $cmd '//./physicaldrive99' > w.out 2> w.err
	check "$cmd of //./physicaldrive99 (any slashes, any case): exit 1" test $? -eq 1
	expect_in w.err 'physicaldrive99: No such file or directory' "$cmd of //./physicaldrive99: named"
	"$HWFLASH" $cmd '\\.\E:' > w.out 2> w.err
	check "$cmd of a volume path: exit 2" test $? -eq 2
	expect_in w.err 'the whole card as \\.\PhysicalDriveN' "$cmd of a volume path: what to give"
done
# Several devices at once (win/multi_win.c: a hwflash.exe per device with
# CreateProcessW; fork() on Linux).  The two children's lines come in either
# order, so msame compares both outputs sorted line by line (and --json's
# "seconds" set to X); the summary table and the document keep -s order.
msame() {
	what=$1
	shift
	"$HWFLASH_LINUX" "$@" > l.out 2> l.err
	lr=$?
	"$HWFLASH" "$@" > w.out 2> w.err
	wr=$?
	for f in l.out w.out l.err w.err; do
		norm $f | sed -E 's/"seconds":[0-9.e+-]+/"seconds":X/g' | sort > ${f}n
	done
	if [ $lr -eq $wr ] && cmp -s l.outn w.outn && cmp -s l.errn w.errn; then
		ok "$what (exit $lr)"
	else
		fail "$what: exit $lr (Linux) / $wr (Windows)"
		diff -u l.outn w.outn | sed 's/^/    out: /'
		diff -u l.errn w.errn | sed 's/^/    err: /'
	fi
}
start_sim m1 --product hwsim --partition system:8M
M1="tcp:127.0.0.1:$PORT"
start_sim m2 --product hwsim --partition system:8M
M2="tcp:127.0.0.1:$PORT"
msame "two devices: getvar product" -s "$M1" -s "$M2" getvar product
msame "two devices: --json" --json -s "$M1" --serial="$M2" getvar product
msame "one device of two unreachable" -s"$M1" -s tcp:127.0.0.1:1 getvar product
expect_in w.err "2 devices: 1 OKAY, 1 FAILED" "the summary counts the failure (Windows)"
# Quoting (CommandLineToArgvW's rules): a quote, backslashes, a trailing one, an empty word.
msame "two devices: a name with quotes and backslashes" -s "$M1" -s "$M2" getvar 'a \"b\\ c\'
msame "two devices: an empty word" -s "$M1" -s "$M2" getvar ""
# A path with spaces, an apostrophe and non-ASCII (Windows file names hold no '"').
mkdir -p "multi été"
random "multi été/it's ü.img" 200000
"$HWFLASH" -s "$M1" flash system "multi été/it's ü.img" -s "$M2" > w.out 2> w.err
rc=$?
check "flash to two devices (Windows): exit $rc" sh -c "test $rc = 0 || { cat w.out w.err; false; }"
check "the first holds the image" cmp -n 200000 \
	"multi été/it's ü.img" m1/system.img
check "and the second" cmp -n 200000 "multi été/it's ü.img" m2/system.img
msame "flash to two devices, a -- before the file" -s "$M1" -s "$M2" flash system -- zeros.img
# Ctrl-C reaches every process of a console (here: SIGINT to each wine process,
# which wine turns into CTRL_C_EVENT): the children stop, the parent waits for
# them and prints the summary (Windows only: a Linux parent ends with its children).
mark=7.$$
"$HWFLASH" --wait=20 --timeout $mark -s tcp:127.0.0.1:1 -s tcp:127.0.0.1:2 getvar product \
	> w.out 2> w.err &
mp=$!
# (w.err fills only at the end, through wine-run.sh's tr: wait for the three processes.)
i=0
while [ "$(pgrep -fc "^[^ ]*hwflash.exe .*--timeout $mark")" -lt 3 ] && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
kill -INT $(pgrep -f "^[^ ]*hwflash.exe .*--timeout $mark") 2> /dev/null
wait $mp
rc=$?
check "Ctrl-C: the parent waited for both and failed (exit $rc)" test $rc = 1
expect_in w.err "2 devices: 0 OKAY, 2 FAILED" "Ctrl-C: the summary counts both devices"
check "Ctrl-C: both shown as KILLED" test "$(grep -c ' KILLED ' w.err)" = 2

# --- Firmware zips, paths with spaces and non-ASCII characters, --json ----------
# Each device's store is emptied between the two runs (BETWEEN): what it holds
# after is what hwflash.exe sent, judged against the files.
mkdir -p "dossier été"
cp system.img "dossier été/système ü.img"
cp bootv2.img "dossier été/démarrage ü.img"
start_sim d3 --product hwsim --partition boot:8M --partition system:8M
S3="tcp:127.0.0.1:$PORT"
E3="rm -f '$T'/d3/*.img"
BETWEEN=$E3 same "flash of a path with spaces and non-ASCII over TCP" \
	-s "$S3" flash system "dossier été/système ü.img"
check "the device holds what Windows sent from that path" cmp -n 1500000 system.img d3/system.img
BETWEEN=$E3 same "flash --json of that path" -s "$S3" --json flash boot "dossier été/démarrage ü.img"
check "boot holds the image Windows sent" cmp -n "$(stat -c %s bootv2.img)" bootv2.img d3/boot.img
same "image check of a path with spaces and non-ASCII" image check "dossier été/démarrage ü.img"
same "image check --json of that path" --json image check "dossier été/démarrage ü.img"
same "app list --json of a path with spaces and non-ASCII" --json app list "dossier été/paquet ü.APP"
same "app check --json of that path" --json app check "dossier été/paquet ü.APP"
mkdir -p l w
IN=1 same "app extract of that path into a folder with spaces and non-ASCII" \
	app extract "../dossier été/paquet ü.APP" -o "sortie ß"
check "both extracted the same files there" diff -r "l/sortie ß" "w/sortie ß"
IN=1 same "app extract --json of that path" --json app extract "../dossier été/paquet ü.APP" \
	-o "json ß" SYSTEM
check "SYSTEM extracted by Windows is the file" cmp system.img "w/json ß/system.img"
rm -rf l w

# app flash straight from a firmware .zip (UPDATE.APP inside, stored and deflated).
"$HWFLASH_LINUX" app pack -o fw.APP --hwid HW-TEST BOOT=bootv2.img SYSTEM=system.img \
	> /dev/null 2>&1
python3 -c '
import zipfile
with zipfile.ZipFile("fw.zip", "w", zipfile.ZIP_STORED) as z:
    z.write("fw.APP", "Firmware/dload/UPDATE.APP")
with zipfile.ZipFile("fw ü.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("fw.APP", "dload/UPDATE.APP")'
BETWEEN=$E3 same "app flash from a firmware .zip (stored) over TCP" -s "$S3" app flash fw.zip
check "system holds the zip's SYSTEM (Windows)" cmp -n 1500000 system.img d3/system.img
check "boot holds the zip's BOOT (Windows)" cmp -n "$(stat -c %s bootv2.img)" bootv2.img d3/boot.img
BETWEEN=$E3 same "app flash --json from a deflated .zip with a non-ASCII name" \
	-s "$S3" --json app flash "fw ü.zip" SYSTEM
check "system holds the deflated zip's SYSTEM (Windows)" cmp -n 1500000 system.img d3/system.img

# update ZIP (android-info.txt, boot.img, system.img) as AOSP's fastboot update.
python3 -c '
import zipfile
with zipfile.ZipFile("upd.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.write("bootv2.img", "boot.img")
    z.write("system.img", "system.img")'
same "update --dry-run --json" -s "$S3" --json update upd.zip --dry-run
BETWEEN=$E3 same "update ZIP over TCP" -s "$S3" update upd.zip --skip-reboot
check "update: boot holds the zip's boot.img (Windows)" \
	cmp -n "$(stat -c %s bootv2.img)" bootv2.img d3/boot.img
check "update: system holds the zip's system.img (Windows)" cmp -n 1500000 system.img d3/system.img
BETWEEN=$E3 same "update --json ZIP over TCP" -s "$S3" --json update upd.zip --skip-reboot
check "update --json: system holds the zip's system.img (Windows)" \
	cmp -n 1500000 system.img d3/system.img
