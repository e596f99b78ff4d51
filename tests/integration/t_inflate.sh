#!/bin/sh
# Deflated zips are inflated once per command: `update` of a deflated AOSP
# update zip (the gate, the sparse split scan and the sparse pieces all read
# system.img) and `app flash` / `app extract` of a deflated firmware zip
# (the verify, then the send or copy).  Two judges: -v says how often each
# member was inflated, and an LD_PRELOAD shim (tests/tools/readcount.c)
# counts the bytes the process read from the zip: one inflation reads it
# about once.  The inflated bytes live in a temporary file that is never
# linked in $TMPDIR: the folder stays empty while the command runs, after
# it, and after SIGINT, SIGTERM or SIGKILL in the middle of the transfer.
. "$(dirname "$0")/lib.sh"
need python3
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$T"

# Background jobs of a non-interactive shell ignore SIGINT: reset it (t_signals.sh).
dfl() {
	exec python3 -c 'import os,signal,sys
for s in (signal.SIGINT, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# 6 MiB shaped like a file system: random, text-like and zero runs behind an ext4 superblock.
python3 - <<'PY'
import random, struct
rng = random.Random(15)
M = 1 << 20
head = bytearray(M)
struct.pack_into("<I", head, 1024 + 4, 6 * 256)
struct.pack_into("<I", head, 1024 + 24, 2)
struct.pack_into("<H", head, 1024 + 56, 0xEF53)
words = [bytes(rng.choice(b"abcdefgh_ ") for _ in range(rng.randint(2, 9))) for _ in range(500)]
text = b" ".join(rng.choices(words, k=M // 4))[:M].ljust(M, b" ")
with open("system.img", "wb") as f:
    f.write(head)
    f.write(rng.randbytes(M)); f.write(text); f.write(bytes(M)); f.write(text); f.write(rng.randbytes(M))
PY
head -c 300000 /dev/urandom > kernel
head -c 100000 /dev/urandom > ramdisk
python3 "$top/tests/tools/mkbootv4.py" boot.img ramdisk kernel
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("upd.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.write("boot.img", "boot.img")
    z.write("system.img", "system.img")
PY
"$HWFLASH" app pack -o UPDATE.APP BOOT=boot.img SYSTEM=system.img > /dev/null
python3 -c 'import zipfile
with zipfile.ZipFile("fw.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("UPDATE.APP", "dload/UPDATE.APP")'
rm UPDATE.APP
mkdir tmp
export TMPDIR="$T/tmp"

shim=
if cc -shared -fPIC -O2 -o readcount.so "$top/tests/tools/readcount.c" -ldl 2> /dev/null; then
	shim=$T/readcount.so
else
	skip "readcount shim: no C compiler; -v alone judges"
fi

# counted ZIP "what" ARGS...: hwflash -v ARGS, expecting exit 0; then the bytes
# read from ZIP are at most 1.25 times its size (an inflation more reads it twice).
counted() {
	zip=$1 what=$2; shift 2
	rm -f reads
	if [ -n "$shim" ]; then
		READCOUNT_SUFFIX="/$zip" READCOUNT_OUT="$T/reads" LD_PRELOAD="$shim" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			"$HWFLASH" -v "$@" > "$T/out" 2> "$T/err"
	else
		"$HWFLASH" -v "$@" > "$T/out" 2> "$T/err"
	fi
	rc=$?
	if [ $rc -eq 0 ]; then ok "$what (exit 0)"; else
		fail "$what: exit $rc"; sed 's/^/    /' "$T/out" "$T/err"; fi
	if [ -n "$shim" ]; then
		size=$(stat -c %s "$zip")
		got=$(tail -n 1 reads 2> /dev/null || echo 0)
		if [ "$got" -gt 0 ] && [ "$got" -le $((size + size / 4)) ]; then
			ok "$what: read $got bytes of the $size-byte zip: inflated once"
		else
			fail "$what: read $got bytes of the $size-byte zip"
		fi
	fi
	check "$what: nothing left in TMPDIR" test -z "$(ls -A tmp)"
}

# max-download 1M: system.img goes as several sparse pieces (split scan, then each piece).
start_sim dev --product hwsim --max-download 1M --partition boot:4M --partition system:16M
S=tcp:127.0.0.1:$PORT
counted upd.zip "update of a deflated zip" -s "$S" update --skip-reboot upd.zip
check "update: system stored" cmp -n "$(stat -c %s system.img)" system.img dev/system.img
check "update: boot stored" cmp boot.img dev/boot.img
check "update: system.img sent as several sparse pieces" \
	sh -c "test \$(grep -c '^flash:system' dev/commands.log) -ge 3"
expect_in "$T/err" "system.img: inflated 1 time, 6291456 of 6291456 bytes" \
	"update -v: system.img inflated once"
expect_in "$T/err" "boot.img: inflated 1 time" "update -v: boot.img inflated once"
expect_in "$T/err" "bytes kept in an unlinked file in $T/tmp" "update -v: kept under TMPDIR"

rm -f dev/system.img dev/boot.img
counted fw.zip "app flash of a deflated firmware zip" -s "$S" app flash fw.zip
check "app flash: system stored" cmp -n "$(stat -c %s system.img)" system.img dev/system.img
expect_in "$T/err" "dload/UPDATE.APP: inflated 1 time" "app flash -v: UPDATE.APP inflated once"
counted fw.zip "app extract of a deflated firmware zip" app extract fw.zip -o x
check "app extract: system.img whole" cmp system.img x/system.img

# dload prepare: the verify and the copy read each deflated member once.
mkdir card1 card2 card3
counted fw.zip "dload prepare of a deflated firmware zip" dload prepare --force fw.zip card1
check "dload prepare: the package copied whole" sh -c \
	"unzip -p fw.zip dload/UPDATE.APP | cmp - card1/dload/UPDATE.APP"
expect_in "$T/err" "dload/UPDATE.APP: inflated 1 time" "dload prepare -v: UPDATE.APP inflated once"
# A download whose update_sd zips lie deflated in a deflated zip: the inner
# zip is inflated once (listing, CRC-32, the UPDATE.APP's check and the copy).
python3 - <<'PY'
import io, zipfile
sd = io.BytesIO()
with zipfile.ZipFile(sd, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("UPDATE.APP", zipfile.ZipFile("fw.zip").read("dload/UPDATE.APP"))
with zipfile.ZipFile("svc.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("Software/dload/update_sd.zip", sd.getvalue())
PY
counted svc.zip "dload prepare of a deflated update_sd zip in a deflated zip" \
	dload prepare --force svc.zip card2
check "dload prepare: update_sd.zip copied whole" sh -c \
	"unzip -p svc.zip Software/dload/update_sd.zip | cmp - card2/dload/update_sd.zip"
expect_in "$T/err" "Software/dload/update_sd.zip: inflated 1 time" \
	"dload prepare -v: the inner zip inflated once"
expect_in "$T/err" "UPDATE.APP: inflated 1 time" \
	"dload prepare -v: its UPDATE.APP inflated once (for its check)"
# The same download with a corrupt block in the inner package: refused, nothing on the card.
python3 - <<'PY'
import io, zipfile
app = bytearray(zipfile.ZipFile("fw.zip").read("dload/UPDATE.APP"))
app[-5000] ^= 0xFF
sd = io.BytesIO()
with zipfile.ZipFile(sd, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("UPDATE.APP", bytes(app))
with zipfile.ZipFile("badsvc.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("Software/dload/update_sd.zip", sd.getvalue())
PY
run_hw 1 "dload prepare of a download with a corrupt inner package" dload prepare --force badsvc.zip card3
expect_in "$T/err" "update_sd.zip" "the corrupt inner package: its zip named"
check "the corrupt inner package: nothing on the card" test -z "$(ls -A card3 2> /dev/null)"
check "the corrupt inner package: nothing left in TMPDIR" test -z "$(ls -A tmp)"

# A zip bomb: boot.img followed by 1 MiB more than the zip declares.
python3 - <<'PY'
import struct, zlib, zipfile
boot = open("boot.img", "rb").read()
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.writestr("boot.img", boot + bytes(1 << 20))
b = bytearray(open("bomb.zip", "rb").read())
# The local and central headers say len(boot.img) bytes and their CRC-32.
for sig, at, name_at in ((b"PK\x03\x04", 14, 26), (b"PK\x01\x02", 16, 28)):
    i = 0
    while (i := b.find(sig, i)) >= 0:
        n = struct.unpack_from("<H", b, i + name_at)[0]
        start = i + name_at + (4 if sig == b"PK\x03\x04" else 18)
        if bytes(b[start:start + n]) == b"boot.img":
            struct.pack_into("<I", b, i + at, zlib.crc32(boot))
            struct.pack_into("<I", b, i + at + 8, len(boot))
        i += 4
open("bomb.zip", "wb").write(b)
PY
n0=$(grep -c '^download:' dev/commands.log)
run_hw 1 "update of a zip bomb refused" -s "$S" update --skip-reboot bomb.zip
expect_in "$T/err" "the deflated data holds more than the $(stat -c %s boot.img) bytes the zip says" \
	"the bomb named"
expect_in "$T/err" "hwflash: bomb.zip:boot.img: not flashed" "the bomb's zip and member named"
check "bomb: nothing sent" test "$(grep -c '^download:' dev/commands.log)" = "$n0"
check "bomb: nothing left in TMPDIR" test -z "$(ls -A tmp)"

# Killed while system.img's pieces go out (the device never answers its first
# flash): the inflated bytes were open in TMPDIR, and nothing is left there.
for sig in INT TERM KILL; do
	start_sim "st$sig" --product hwsim --max-download 1M --partition boot:4M \
		--partition system:16M --fault stall-on:flash:system
	dfl "$HWFLASH" -s "tcp:127.0.0.1:$PORT" update --skip-reboot upd.zip > out 2> err &
	pid=$!
	i=0
	while ! grep -q '^flash:system' "st$sig/commands.log" 2> /dev/null && [ $i -lt 500 ]; do
		sleep 0.02; i=$((i + 1)); done
	open_in_tmp=$(ls -l "/proc/$pid/fd" 2> /dev/null | grep -c "$T/tmp/")
	kill -"$sig" $pid 2> /dev/null
	wait $pid
	rc=$?
	if [ $i -ge 500 ]; then
		fail "SIG$sig: the transfer never reached flash:system"
	elif [ "$open_in_tmp" -lt 1 ]; then
		fail "SIG$sig: no inflated file was open in TMPDIR mid-transfer"
	else
		ok "SIG$sig mid-transfer: the inflated bytes were open in TMPDIR"
	fi
	case $sig in INT) want=130 ;; TERM) want=143 ;; KILL) want=137 ;; esac
	check "SIG$sig: died of it ($rc)" test "$rc" -eq "$want"
	check "SIG$sig: nothing left in TMPDIR" test -z "$(ls -A tmp)"
	kill "$SIM_PID" 2> /dev/null
done
