#!/bin/sh
# The Linux and the Windows hwflash side by side on the same fixtures: exit
# code, stdout and stderr must be the same (line endings aside; times and
# rates, which differ from run to run, set to X).  Files written by one
# (extracted entries, a packed package) must be the same bytes as the
# other's.  HWFLASH is hwflash.exe under wine (win/wine-run.sh),
# HWFLASH_LINUX the Linux binary, FBSIM the Linux simulated device.
. "$(dirname "$0")/../tests/integration/lib.sh"
need python3 mkbootimg
: "${HWFLASH_LINUX:?set HWFLASH_LINUX to the Linux hwflash}"
cd "$T"

norm() { sed -E 's/[0-9]+(\.[0-9]+)? ?(s|ms|[KMG]i?B\/s)\b/X \2/g' "$1"; }

# same "what" ARGS...: both binaries, same exit code and output.  With
# IN=1 each runs in its own folder (l/ and w/, made alike by the caller), so
# that what one writes is not in the other's way.
same() {
	what=$1
	shift
	if [ "${IN:-0}" = 1 ]; then
		(cd l && "$HWFLASH_LINUX" "$@") > l.out 2> l.err
		lr=$?
		(cd w && "$HWFLASH" "$@") > w.out 2> w.err
		wr=$?
	else
		"$HWFLASH_LINUX" "$@" > l.out 2> l.err
		lr=$?
		"$HWFLASH" "$@" > w.out 2> w.err
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

start_sim dev --product hwsim --partition boot:8M --partition system:8M
S="tcp:127.0.0.1:$PORT"
same "getvar product over TCP" -s "$S" getvar product
same "getvar of an unknown variable" -s "$S" getvar nosuchvar
"$HWFLASH" -s "$S" flash system system.img > w.out 2> w.err
check "flash over TCP: the device holds the image" cmp -n 1500000 system.img dev/system.img
same "app flash --dry-run" -s "$S" app flash pkg.APP --dry-run
same "a port nobody listens on" -s tcp:127.0.0.1:1 getvar product
