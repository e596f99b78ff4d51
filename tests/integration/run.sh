#!/bin/sh
# Run every tests/integration/t_*.sh against the real binary ($HWFLASH) and
# end with a plain "N passed, N failed" line.  Each script is one test file
# that calls ok/fail from lib.sh; a script that exits non-zero counts as
# one more failure.
here=$(cd "$(dirname "$0")" && pwd)
: "${HWFLASH:?set HWFLASH to the hwflash binary}"
export HWFLASH
pass=0
failn=0
skipn=0
for t in "$here"/t_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	out=$(mktemp)
	t0=$(date +%s)
	sh "$t" > "$out" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	k=$(grep -c '^skip ' "$out")
	skipn=$((skipn + k))
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p))
	failn=$((failn + f))
	if [ "$f" -ne 0 ]; then
		echo "== $name: $p passed, $f failed (exit $rc, ${secs} s)"
		cat "$out"
	else
		echo "== $name: $p passed${k:+$([ "$k" -gt 0 ] && echo ", $k skipped")} (${secs} s)"
		grep '^skip ' "$out"
	fi
	rm -f "$out"
done
if [ "$skipn" -gt 0 ]; then
	echo "$pass passed, $failn failed, $skipn skipped"
else
	echo "$pass passed, $failn failed"
fi
[ "$failn" -eq 0 ]
