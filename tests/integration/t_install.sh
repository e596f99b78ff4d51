#!/bin/sh
# make install / make uninstall into a DESTDIR: the binary, the udev rules
# (default /lib/udev/rules.d, or UDEVDIR) and the man page.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$root/build/hwflash" ] || { echo "# install test skipped: build/hwflash not built"; exit 0; }
# A make of our own, not a part of the make that runs these tests; it
# installs the binary that is there (-o: never rebuilt here).
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$root" -o build/hwflash "$@"; }

check "make install DESTDIR=... PREFIX=/usr/local" mk install DESTDIR="$T/d" PREFIX=/usr/local
check "binary installed and runs" "$T/d/usr/local/bin/hwflash" --version
check "udev rules in /lib/udev/rules.d" cmp "$T/d/lib/udev/rules.d/51-hwflash.rules" \
	"$root/udev/51-hwflash.rules"
if [ -f "$root/doc/hwflash.1" ]; then
	check "man page installed" test -f "$T/d/usr/local/share/man/man1/hwflash.1"
fi
check "bash completion installed" test -f "$T/d/usr/local/share/bash-completion/completions/hwflash"
check "make uninstall removes them" mk uninstall DESTDIR="$T/d" PREFIX=/usr/local
check "nothing left" sh -c "test -z \"\$(find '$T/d' -type f)\""
check "UDEVDIR chooses where the rules go" mk install DESTDIR="$T/e" PREFIX=/usr \
	UDEVDIR=/usr/lib/udev/rules.d
check "rules in UDEVDIR" test -f "$T/e/usr/lib/udev/rules.d/51-hwflash.rules"
check "binary under PREFIX" test -x "$T/e/usr/bin/hwflash"
