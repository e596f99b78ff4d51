#!/bin/sh
# Ctrl-C, SIGTERM and SIGHUP in the middle of a long write leave nothing
# behind: no OUT.partial.XXXX of app pack, no .NAME.partial.XXXX of app
# extract, no .raw.partial of image unpack, and a file that was there before
# (replaced with --force) is still the old one.  The process still dies of
# the signal (exit 128 + N, as the shell expects).
. "$(dirname "$0")/lib.sh"
need python3
cd "$T"

# Background jobs of a non-interactive shell ignore SIGINT; a user's Ctrl-C
# reaches a foreground process whose SIGINT is not ignored, so reset it.
dfl() {
	exec python3 -c 'import os,signal,sys
for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# interrupt SIG GLOB "what" ARGS...: start hwflash, send SIG as soon as a
# file matching GLOB exists (the write is under way), expect 128+SIG and no
# file matching GLOB afterwards.
interrupt() {
	sig=$1 glob=$2 what=$3; shift 3
	dfl "$HWFLASH" "$@" > "$T/out" 2> "$T/err" &
	pid=$!
	i=0
	# shellcheck disable=SC2086
	while ! ls $glob > /dev/null 2>&1 && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done
	kill -"$sig" $pid 2>/dev/null
	wait $pid
	rc=$?
	num=$(kill -l "$sig" 2>/dev/null || echo 0)
	# shellcheck disable=SC2086
	left=$(ls -a $glob 2>/dev/null)
	if [ $i -ge 1000 ]; then
		fail "$what: the temporary file never appeared"
	elif [ -n "$left" ]; then
		fail "$what: left $left"
	else
		ok "$what: nothing left"
	fi
	case "$sig" in
	INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; *) want=$num ;;
	esac
	if [ "$rc" -eq "$want" ]; then ok "$what: died of SIG$sig ($rc)"; else
		fail "$what: exit $rc, wanted $want"; sed 's/^/    /' "$T/err"; fi
}

# A 1 GiB entry: long enough to be caught half-way, cheap on disk (holes).
truncate -s 1G big.bin
for sig in INT TERM HUP; do
	interrupt $sig 'p.APP.partial.*' "app pack, SIG$sig" app pack -o p.APP SYSTEM=big.bin
	check "app pack, SIG$sig: no package either" test ! -e p.APP
done

# The same package whole, for extract (made sparse again after packing).
run_hw 0 "pack the 1 GiB package" app pack -o big.APP SYSTEM=big.bin
fallocate --dig-holes big.APP 2>/dev/null || true
rm -f big.bin
mkdir ext
for sig in INT TERM; do
	rm -f ext/*
	interrupt $sig 'ext/.system.img.partial.*' "app extract, SIG$sig" app extract big.APP -o ext
	check "app extract, SIG$sig: no output file" test ! -e ext/system.img
done
rm -f ext/*
echo old > ext/system.img
interrupt TERM 'ext/.system.img.partial.*' "app extract --force over an old file" \
	app extract big.APP -o ext --force
check "the old file is untouched after the interruption" grep -qx old ext/system.img
# dload prepare to a card folder (--force: this folder is not FAT32): the
# card keeps its old dload/UPDATE.APP and gets no .UPDATE.APP.partial.
mkdir -p card/dload
echo old > card/dload/UPDATE.APP
for sig in INT TERM; do
	interrupt $sig 'card/dload/.UPDATE.APP.partial' "dload prepare to a folder, SIG$sig" \
		--force --yes dload prepare big.APP card
	check "dload prepare, SIG$sig: the card's old UPDATE.APP is untouched" \
		grep -qx old card/dload/UPDATE.APP
done
rm -f big.APP

# A sparse image with one 1 GiB FILL chunk: image unpack writes 1 GiB.
python3 -c 'import struct,sys
blocks = 1 << 18
h = struct.pack("<IHHHHIIII", 0xed26ff3a, 1, 0, 28, 12, 4096, blocks, 1, 0)
c = struct.pack("<HHII", 0xcac2, 0, blocks, 12 + 4) + b"\x11\x11\x11\x11"
open(sys.argv[1], "wb").write(h + c)' fill.img
mkdir un
interrupt TERM 'un/fill.raw.partial.*' "image unpack of a sparse image, SIGTERM" \
	image unpack fill.img -o un
check "image unpack, SIGTERM: no .raw" test ! -e un/fill.raw
interrupt INT 'un/fill.raw.partial.*' "image unpack of a sparse image, SIGINT" \
	image unpack fill.img -o un

# image unpack of a recovery whose bare cpio ramdisk holds one 256 MiB file:
# the ramdisk folder is made in un2/.ramdisk.partial.XXXX (ramdisk.d and
# ramdisk.list inside), removed whole when interrupted; with --force over an
# earlier unpack, the earlier folder is still there, unchanged.
python3 -c 'import struct,sys
size = 256 << 20
def newc(ino, mode, name, n):
    name = name.encode() + b"\0"
    h = b"070701" + b"".join(b"%08X" % v for v in
        (ino, mode, 0, 0, 1, 0, n, 0, 0, 0, 0, len(name), 0)) + name
    return h + b"\0" * (-len(h) % 4)
rd = newc(1, 0o100644, "big", size)
tail = b"\0" * (-size % 4) + newc(0, 0, "TRAILER!!!", 0)
rdlen = len(rd) + size + len(tail)
hdr = b"ANDROID!" + struct.pack("<10I", 4096, 0x10008000, rdlen, 0x11000000, 0, 0, 0x10000100,
    4096, 0, 0)
with open(sys.argv[1], "wb") as f:
    f.write(hdr.ljust(4096, b"\0") + b"k" * 4096 + rd)
    f.seek(8192 + len(rd) + size)
    f.write(tail)
    f.truncate(8192 + (rdlen + 4095) // 4096 * 4096)' bigrd.img
for sig in INT TERM; do
	rm -rf un2
	interrupt $sig 'un2/.ramdisk.partial.*' "image unpack, SIG$sig in the ramdisk folder" \
		image unpack bigrd.img -o un2
	check "image unpack, SIG$sig: no ramdisk.d, no list" sh -c '! ls -a un2 | grep -q "^ramdisk\."'
done
mkdir -p un2/ramdisk.d && echo mine > un2/ramdisk.d/mine && echo old > un2/ramdisk.list
interrupt INT 'un2/.ramdisk.partial.*' "image unpack --force, SIGINT in the ramdisk folder" \
	image unpack bigrd.img -o un2 --force
check "the earlier ramdisk folder and list are untouched" sh -c \
	'grep -qx mine un2/ramdisk.d/mine && grep -qx old un2/ramdisk.list'
rm -rf un2 bigrd.img
