#!/bin/sh
# make check-windows: the Windows build under wine64, on this Debian machine.
#
#  1. build-win/test_unit.exe, one CUnit suite at a time (a suite that hangs
#     is stopped after SUITE_TIMEOUT seconds and counts as failed).  Failures
#     listed in win/known-failures.txt (with the reason: what Windows lacks)
#     are reported but do not fail the run; any other failure does.  The
#     tests' judges (mtools, fsck.fat, openssl, python3) run as Unix programs
#     through system() (HWF_WINE_SH, see win/src/compat.c).
#  2. Integration scripts of tests/integration with HWFLASH = hwflash.exe
#     under wine (win/wine-run.sh: same arguments and exit codes, "\r\n" back
#     to "\n") against the Linux fbsim over TCP on 127.0.0.1: the same checks
#     of the same outputs as the Linux build's.  WIN_SCRIPTS picks them
#     (empty: none; "quick": those `make check-windows-quick` runs).
#  3. win/t_compare.sh: the Linux and the Windows binary on the same fixtures,
#     stdout, stderr and exit code compared byte for byte (line endings aside).
#  4. win/t_readme.sh: README's Windows walk-through, every line run.
#
# The wine prefix is made once, in the cache beside the libraries
# (${XDG_CACHE_HOME:-~/.cache}/hwflash/wine); the first `wineboot` is timed.
# Ends with one "N passed, N failed" line; exit 1 on any failure.
set -u
top=$(pwd)
W=$top/build-win
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/hwflash
export WINEPREFIX="$CACHE/wine" WINEDEBUG=-all HWF_WINE_SH=/bin/sh
SUITE_TIMEOUT=${SUITE_TIMEOUT:-300}
# Every script that uses no USB and no Unix-only mechanism (about 4 minutes);
# make check (check-windows-quick) runs the ones of the issue's list: flash,
# getvar, slots, fastbootd, app list/check/extract/pack/flash, update, image
# check/sign (about 80 s; image unpack/repack is in t_compare).  Not under wine: t_usb (USB), t_inflate (an
# LD_PRELOAD read counter, /proc), t_signals (Unix signals; Ctrl-C is in
# t_compare), t_valgrind, t_crc16_arm64, t_install, t_docs, t_readme (Linux's;
# win/t_readme.sh runs the Windows walk-through).
WIN_QUICK="t_fastboot t_app t_appflash t_update_dyn t_slots t_modes t_sign"
WIN_ALL="$WIN_QUICK t_repack t_parity t_super18 t_avbflash t_verify t_appedit t_dload t_image
t_info t_liblp t_nested t_zip64 t_gate t_super t_faults"
WIN_SCRIPTS=${WIN_SCRIPTS-$WIN_ALL}
[ "$WIN_SCRIPTS" = quick ] && WIN_SCRIPTS=$WIN_QUICK
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
if [ ! -x "$wine" ]; then
	echo "check-windows: wine64 is missing (make deps-windows)" >&2
	exit 1
fi
t_all=$(date +%s)
if [ ! -e "$WINEPREFIX/system.reg" ]; then
	t0=$(date +%s)
	mkdir -p "$WINEPREFIX"
	"$wine" wineboot -i > /dev/null 2>&1
	"$(dirname "$wine")/wineserver" -w 2> /dev/null || true
	echo "== wine prefix made in $(($(date +%s) - t0)) s: $WINEPREFIX"
fi

# One wine server for the whole run (it stays 10 s after its last program):
# without it each hwflash.exe starts its own, about 3 s apiece.
"$(dirname "$wine")/wineserver" -p 10 2> /dev/null || true
# The first program of a fresh server starts wine's services (winedevice.exe),
# which inherit its standard handles and keep them open: a pipe given to that
# program (win/wine-run.sh's) would never see its end.  Start them here, on
# /dev/null.
"$wine" cmd.exe /c exit 0 < /dev/null > /dev/null 2>&1

pass=0
failn=0
log=$W/check-windows
rm -rf "$log" && mkdir -p "$log"

# --- 1. unit tests ----------------------------------------------------------
echo "== unit tests (test_unit.exe under wine, one suite at a time)"
t0=$(date +%s)
grep -ho 'CU_add_suite("[^"]*"' tests/unit/*.c | sed 's/^CU_add_suite("//; s/"$//' |
	sort -u > "$log/suites"
: > "$log/unit-failures"
while IFS= read -r s; do
	f="$log/unit-$(echo "$s" | tr -c 'a-zA-Z0-9_\n' '_').log"
	timeout "$SUITE_TIMEOUT" "$wine" "$W/test_unit.exe" "$s" > "$f" 2>&1 < /dev/null
	rc=$?
	row=$(grep -E '^ +tests ' "$f" | tr -s ' ')
	ran=$(echo "$row" | cut -d' ' -f4)
	ok=$(echo "$row" | cut -d' ' -f5)
	if [ $rc = 124 ] || [ -z "$row" ]; then
		echo "$s: HUNG or did not finish (exit $rc)" >> "$log/unit-failures"
		echo "   $s: did not finish (exit $rc), see $f"
		continue
	fi
	# verbose CUnit: "  Test: NAME ..." then "passed" or "FAILED" (maybe after the test's own output)
	awk -v suite="$s" '
		/^  Test: / { t = $0; sub(/^  Test: /, "", t); sub(/ \.\.\..*$/, "", t) }
		/FAILED/ && t != "" { print suite ": " t; t = "" }
		/passed$/ { t = "" }' "$f" >> "$log/unit-failures"
	grep -q 'Suite initialization failed' "$f" && echo "$s: suite set-up failed" >> "$log/unit-failures"
	echo "   $s: $ok of $ran passed ($(($(date +%s) - t0)) s so far)"
done < "$log/suites"
known=$top/win/known-failures.txt
unit_pass=$(grep -h -E '^ +tests ' "$log"/unit-*.log | tr -s ' ' | cut -d' ' -f5 |
	awk '{ s += $1 } END { print s + 0 }')
unit_bad=0
unit_known=0
while IFS= read -r line; do
	if grep -qxF "$line" "$known" 2> /dev/null; then
		unit_known=$((unit_known + 1))
	else
		echo "   FAILED: $line"
		unit_bad=$((unit_bad + 1))
	fi
done < "$log/unit-failures"
echo "== unit tests: $unit_pass passed, $unit_bad failed, $unit_known known to fail on" \
	"Windows (win/known-failures.txt), $(($(date +%s) - t0)) s"
pass=$((pass + unit_pass))
failn=$((failn + unit_bad))

# --- 2. integration scripts, hwflash.exe against the Linux fbsim ---------------
cat > "$W/hwflash-wine" << EOS
#!/bin/sh
exec "$top/win/wine-run.sh" "$W/hwflash.exe" "\$@"
EOS
chmod +x "$W/hwflash-wine"
for t in $WIN_SCRIPTS; do
	t0=$(date +%s)
	out="$log/$t.log"
	HWFLASH="$W/hwflash-wine" FBSIM="$top/build/fbsim" sh "tests/integration/$t.sh" > "$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep '^not ok ' "$out" | grep -vxFf "$known" -c)
	k=$(grep '^not ok ' "$out" | grep -xFf "$known" -c)
	[ $rc -ne 0 ] && [ "$(grep -c '^not ok ' "$out")" -eq 0 ] && f=1
	echo "== $t under wine: $p passed, $f failed, $k known ($(($(date +%s) - t0)) s)"
	grep '^not ok ' "$out" | grep -vxFf "$known" | sed 's/^/   /'
	pass=$((pass + p))
	failn=$((failn + f))
done

# --- 3. the two builds side by side ------------------------------------------
if [ -f win/t_compare.sh ]; then
	t0=$(date +%s)
	out="$log/t_compare.log"
	HWFLASH_LINUX="$top/build/hwflash" HWFLASH="$W/hwflash-wine" FBSIM="$top/build/fbsim" \
		sh win/t_compare.sh > "$out" 2>&1
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	echo "== Linux and Windows outputs compared: $p passed, $f failed ($(($(date +%s) - t0)) s)"
	grep -A12 '^not ok ' "$out" | sed 's/^/   /'
	pass=$((pass + p))
	failn=$((failn + f))
fi

# --- 4. README's Windows walk-through ------------------------------------------
t0=$(date +%s)
out="$log/t_readme.log"
HWFLASH_LINUX="$top/build/hwflash" HWFLASH="$W/hwflash-wine" FBSIM="$top/build/fbsim" \
	sh win/t_readme.sh > "$out" 2>&1
p=$(grep -c '^ok ' "$out")
f=$(grep -c '^not ok ' "$out")
echo "== README's Windows walk-through under wine: $p passed, $f failed ($(($(date +%s) - t0)) s)"
grep -A20 '^not ok ' "$out" | sed 's/^/   /'
pass=$((pass + p))
failn=$((failn + f))

# --- 5. the zip a user downloads (make windows-dist) -----------------------------
if [ -n "${DIST:-}" ]; then
	t0=$(date +%s)
	dd=$(mktemp -d)
	p=0
	f=0
	zcheck() {
		what=$1
		shift
		if "$@" > /dev/null 2>&1; then p=$((p + 1)); else
			f=$((f + 1)); echo "   FAILED: $(basename "$DIST"): $what"; fi
	}
	zcheck "unzips" sh -c "cd '$dd' && unzip -q '$DIST'"
	d=$(echo "$dd"/hwflash-*-windows-x86_64)
	zcheck "SHA256SUMS matches" sh -c "cd '$d' && sha256sum -c --quiet SHA256SUMS"
	zcheck "its hwflash.exe is the build's" cmp "$d/hwflash.exe" "$W/hwflash.exe"
	zcheck "hwflash.exe --version under wine" sh -c \
		"[ \"\$('$top/win/wine-run.sh' '$d/hwflash.exe' --version)\" = 'hwflash $(cat VERSION)' ]"
	zcheck "licenses of libusb and libcrypto" test -s "$d/licenses/libusb-1.0.txt" -a \
		-s "$d/licenses/openssl-libcrypto.txt"
	zcheck "README.txt is README's Windows section" grep -q 'hwflash.exe' "$d/README.txt"
	zcheck "the same bytes when made again" sh -c \
		"sh win/dist.sh '$W/hwflash.exe' '$dd/again.zip' && cmp '$DIST' '$dd/again.zip'"
	rm -rf "$dd"
	echo "== the Windows zip ($(basename "$DIST"), $(wc -c < "$DIST") bytes): $p passed, $f failed ($(($(date +%s) - t0)) s)"
	pass=$((pass + p))
	failn=$((failn + f))
fi

echo "check-windows took $(($(date +%s) - t_all)) s"
echo "windows: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
