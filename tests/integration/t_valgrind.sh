#!/bin/sh
# The main commands under valgrind (memcheck): no invalid access, no
# definite leak, and no file descriptor left open at exit (--track-fds),
# also with two flashes to two devices at the same time.  Runs only with
# the normal build (valgrind cannot run an ASan binary) and only where
# valgrind is installed; otherwise one "ok - skipped" line.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg cpio gzip
tools=$(cd "$(dirname "$0")/../tools" && pwd)
if ! command -v valgrind > /dev/null; then
	ok "valgrind: skipped (valgrind is not installed)"
	exit 0
fi
if ldd "$HWFLASH" 2> /dev/null | grep -q libasan; then
	ok "valgrind: skipped (an ASan build; the plain build runs it)"
	exit 0
fi
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"
# vg NAME "what" hwflash-args...: memcheck errors and definite leaks make
# valgrind exit 99; fds open at exit that were not inherited are a leak.
# Children (one per device with several -s) are followed, one log each.
vg() {
	name=$1 what=$2
	shift 2
	valgrind -q --trace-children=yes --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 --track-fds=yes --log-file="$T/vg-$name.%p.log" "$HWFLASH" "$@" \
		> "$T/vg-$name.out" 2> "$T/vg-$name.err"
	rc=$?
	cat "$T/vg-$name".*.log > "$T/vg-$name.log"
	fds=$(grep -c 'Open .*descriptor\|Open AF_' "$T/vg-$name.log")
	inh=$(grep -c 'inherited from parent' "$T/vg-$name.log")
	# A child's memcheck error does not change the parent's exit code.
	grep -q 'ERROR SUMMARY: [1-9]\|definitely lost: [1-9]\|Invalid \(read\|write\)' \
		"$T/vg-$name.log" && rc=99
	if [ "$rc" -eq 0 ] && [ $((fds - inh)) -le 0 ]; then
		ok "valgrind: $what"
	else
		fail "valgrind: $what (exit $rc, $((fds - inh)) fds left open)"
		sed 's/^/    vg: /' "$T/vg-$name.log" | grep -v 'inherited from parent' | head -40
		sed 's/^/    err: /' "$T/vg-$name.err" | head -5
	fi
}

random boot.img 300000
random sys.img 1200000
random rec.img 40
mkdir -p rd/sbin && echo r > rd/sbin/recovery
(cd rd && find . | cpio -o -H newc 2> /dev/null) | gzip > rd.gz
mkbootimg --kernel boot.img --ramdisk rd.gz --header_version 2 --dtb rec.img -o recovery.img
python3 "$tools/avbfoot.py" recovery.img avb.img recovery 1048576

vg pack "app pack" app pack -o pkg.APP BOOT=boot.img SYSTEM=sys.img RECOVERY=rec.img
vg list "app list" app list pkg.APP
vg check "app check" app check pkg.APP
mkdir -p out
vg extract "app extract" app extract -o out pkg.APP
vg image "image check of a boot image with an AVB footer" image check --partition recovery avb.img
vg info "image info" image info recovery.img
start_sim a --partition system:64M --partition recovery:16M
A="tcp:127.0.0.1:$PORT"
vg getvar "getvar product" -s "$A" getvar product
vg flash "flash recovery" -s "$A" flash recovery recovery.img
vg split "flash in sparse pieces (-S 512K)" -s "$A" -S 512K flash system sys.img
check "the pieces reached the device whole" cmp -n "$(stat -c %s sys.img)" a/system.img sys.img
start_sim b --partition system:64M --partition recovery:16M
B="tcp:127.0.0.1:$PORT"
vg par1 "two devices at once: the first" -s "$A" flash system sys.img &
p1=$!
vg par2 "two devices at once: the second" -s "$B" flash system sys.img
wait $p1
check "both devices got the image" sh -c "cmp a/system.img sys.img && cmp b/system.img sys.img"
rm -f a/system.img b/system.img
vg multi "one hwflash, two devices (-s A -s B): parent and both children" \
	-s "$A" -s "$B" flash system sys.img
check "both devices got the image from the multi-device run" \
	sh -c "cmp a/system.img sys.img && cmp b/system.img sys.img"
