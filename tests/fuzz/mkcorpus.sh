#!/bin/sh
# Makes the seed corpora of the fuzz targets added with the hardening work
# (avb, splitter, fastboot, tcp, zip, fat32, sniff, manifest, and vendor_boot for
# image) from small fixtures, the way the test fixtures are made.  The
# committed seeds are its output; run it again only to refresh them:
#   sh tests/fuzz/mkcorpus.sh
# Needs python3, openssl, mkfs.vfat, mtools, sfdisk, img2simg (make deps).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tools=$here/../tools
C=$here/corpus
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir -p "$C/avb" "$C/splitter" "$C/fastboot" "$C/tcp" "$C/zip" "$C/fat32" "$C/sniff" "$C/image"

# --- avb: footed images (unsigned, signed, tampered) and their bare vbmeta
head -c 3000 /dev/urandom > body.img
openssl genrsa -out key.pem 2048 2> /dev/null
python3 "$tools/avbfoot.py" body.img "$C/avb/unsigned.img" recovery 16384
python3 "$tools/avbfoot.py" body.img "$C/avb/signed.img" boot 16384 --key key.pem \
	--fingerprint Huawei/ANE-LX1/HWANE:9/HUAWEIANE-L21/9.1.0.132:user/release-keys
python3 "$tools/avbfoot.py" body.img "$C/avb/tampered.img" boot 16384 --key key.pem --tamper
for f in unsigned signed; do
	python3 - "$C/avb/$f.img" "$C/avb/vbmeta-$f.img" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
off, size = struct.unpack(">QQ", b[-64 + 20:-64 + 36])
open(sys.argv[2], "wb").write(b[off:off + size])
PY
done

# vbmeta partition images: RSA4096 and SHA-512, hash, hashtree and chain descriptors
openssl genrsa -out k4096.pem 4096 2> /dev/null
python3 "$tools/avbfoot.py" --vbmeta "$C/avb/vbmeta-4096-chain.img" --key k4096.pem \
	--algorithm SHA256_RSA4096 --hash boot=body.img --hashtree system=1048576 \
	--chain vbmeta_system=key.pem --padding 64
python3 "$tools/avbfoot.py" --vbmeta "$C/avb/vbmeta-sha512-flags.img" --key k4096.pem \
	--algorithm SHA512_RSA4096 --hash boot=body.img --flags 3 --padding 64
cp "$C/avb/vbmeta-4096-chain.img" "$C/image/vbmeta-4096-chain.img"

# hwflash image sign's own output (avbtool's layout, 72 KiB: the smallest
# partition it takes), its bare vbmeta, and image vbmeta's patched flags.
# Needs the binary: HWFLASH, else build/hwflash.
hw=${HWFLASH:-$here/../../build/hwflash}
"$hw" image sign body.img --partition boot --partition-size 72K --key key.pem \
	--prop com.android.build.boot.fingerprint:hw/x/1:user --rollback-index 3 \
	-o "$C/avb/hwsigned.img" --force > /dev/null
"$hw" image sign body.img --partition recovery --partition-size 72K --salt 00 \
	-o "$C/avb/hwunsigned.img" --force > /dev/null
"$hw" image vbmeta "$C/avb/hwsigned.img" --disable-verity -o "$C/avb/hwsigned-noverity.img" \
	--force > /dev/null
python3 - "$C/avb/hwsigned.img" "$C/avb/vbmeta-hwsigned.img" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
off, size = struct.unpack(">QQ", b[-64 + 20:-64 + 36])
open(sys.argv[2], "wb").write(b[off:off + size])
PY

# --- image: a vendor_boot v3 next to the boot images already there
printf 'ramdisk' | gzip > rd.gz
head -c 512 /dev/urandom > dtb
python3 "$tools/mkvendorboot.py" "$C/image/vendor_boot.img" rd.gz dtb

# --- image: heads of ext4/erofs/f2fs images, a liblp super and a DTBO table
python3 - "$C/image" <<'PY'
import hashlib, struct, sys
d = sys.argv[1]
def sb(magic_off, fields):
    b = bytearray(8192)
    for off, fmt, v in fields:
        struct.pack_into(fmt, b, 1024 + off, v)
    return bytes(b)
open(d + "/ext4-head.img", "wb").write(sb(0, [(56, "<H", 0xEF53), (4, "<I", 16), (24, "<I", 2)]))
open(d + "/erofs-head.img", "wb").write(sb(0, [(0, "<I", 0xE0F5E1E2), (12, "<B", 12), (36, "<I", 2)]))
open(d + "/f2fs-head.img", "wb").write(sb(0, [(0, "<I", 0xF2F52010), (16, "<I", 12), (36, "<Q", 2)]))
g = bytearray(4096)
struct.pack_into("<II", g, 0, 0x616C4467, 52)
struct.pack_into("<III", g, 40, 4096, 2, 4096)
g[8:40] = hashlib.sha256(bytes(g[:52])).digest()
meta = struct.pack("<I", 0x414C5030) + bytes(4092)
open(d + "/super.img", "wb").write(bytes(4096) + bytes(g) * 2 + meta * 4)
open(d + "/super_empty.img", "wb").write(bytes(g) + meta)
open(d + "/dtbo.img", "wb").write(struct.pack(">8I", 0xD7B7AB1E, 96, 32, 32, 2, 32, 4096, 0)
                                   + bytes(64))
PY

# --- splitter (see fuzz_splitter.c for the layout)
python3 - "$C/splitter" "$here/corpus/sparse" <<'PY'
import os, struct, sys
out, sparse = sys.argv[1], sys.argv[2]
def w(name, b): open(os.path.join(out, name), "wb").write(b)
lit = lambda n, byte: bytes([n // 16 - 1]) + bytes([byte]) * n     # n <= 2048
fill = lambda blocks, pat: bytes([0x80 | (blocks - 1)]) + pat
zero = lambda blocks: bytes([0xc0 | (blocks - 1)])
rnd = os.urandom
w("raw-mixed", b"\0\0\0\x07" + bytes([0x7f]) + rnd(2048) + fill(3, b"HWFL") + zero(5)
  + bytes([0x7f]) + rnd(2048) + bytes([0x10]) + rnd(272))
w("raw-one-block-pieces", b"\0\0\0\x01" + (bytes([0x7f]) + rnd(2048)) * 8)
w("raw-tail", b"\0\x40\0\x03" + zero(2) + bytes([0x02]) + rnd(48))
w("raw-fills", b"\0\x10\0\x00" + fill(40, b"\xff\xff\xff\xff") + fill(1, b"\0\0\0\1") + zero(63))
w("too-small-max", b"\x02\x40\0\x00" + bytes([0x7f]) + rnd(2048))
for f in sorted(os.listdir(sparse)):
    b = open(os.path.join(sparse, f), "rb").read()
    w("sparse-" + f, b"\x01\x00\x00\x05" + b)
    w("sparse-max-" + f, b"\x01\xff\x00\x05" + b)
PY

# --- fastboot: config byte + [u16 LE len][reply] frames; tcp: FBxx + [u64 BE len][reply]
python3 - "$C/fastboot" "$C/tcp" <<'PY'
import os, struct, sys
fb, tcp = sys.argv[1], sys.argv[2]
convs = {
    "ok-flash": [b"OKAYhwsim", b"OKAY0x4000000", b"INFOoem device-info", b"OKAY",
                 b"DATA00001000", b"OKAY", b"OKAY"],
    "info-text": [b"INFOa", b"TEXTb", b"OKAYx", b"FAILGetVar Variable Not found",
                  b"FAILunknown", b"DATA00000001", b"INFOwriting", b"OKAY", b"OKAY"],
    "fail-download": [b"OKAYp", b"OKAY4096", b"OKAY", b"FAILdownload refused", b"OKAY"],
    "bad-data": [b"OKAY", b"OKAY", b"OKAY", b"DATAzz", b"OKAY"],
    "wrong-size": [b"OKAY", b"OKAY0x", b"OKAY", b"DATA00000010", b"OKAY"],
    "garbage": [b"\x89PNG\r\n\x1a\n<html>", b"OK", b"", b"OKAY" + b"A" * 300],
    "data-for-command": [b"DATA00000000", b"OKAY", b"OKAY", b"DATAffffffff"],
}
cfg = {"ok-flash": 0x80, "info-text": 0x41, "fail-download": 0x82, "bad-data": 0xc0,
       "wrong-size": 0x80, "garbage": 0x03, "data-for-command": 0x04}
for name, frames in convs.items():
    b = bytes([cfg[name]]) + b"".join(struct.pack("<H", len(f)) + f for f in frames)
    open(os.path.join(fb, name), "wb").write(b)
    t = bytes([cfg[name] & 0x07]) + b"FB01" + b"".join(struct.pack(">Q", len(f)) + f
                                                        for f in frames)
    open(os.path.join(tcp, name), "wb").write(t)
open(os.path.join(tcp, "bad-handshake"), "wb").write(b"\0FB00")
open(os.path.join(tcp, "huge-frame"), "wb").write(b"\0FB01" + struct.pack(">Q", 1 << 40) + b"OKAY")
open(os.path.join(tcp, "split-header"), "wb").write(b"\0FB01\0\0\0\0")
PY

# --- updateapp: a legacy package, entries named INPUT and told apart by sequence id
head -c 128 /dev/urandom > sig128
head -c 300 /dev/urandom > d300
python3 "$tools/mkapp.py" "$C/updateapp/legacy.app" --legacy --hwid HW8x25 \
	INPUT@FE000000=sig128 INPUT@FC000000=d300 INPUT@0=d300 INPUT@E8000000=d300 \
	INPUT@12345678=d300

# --- zip: stored and deflated members, a folder, an empty member
python3 - "$C/zip" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
app = open(os.path.join(os.path.dirname(out), "updateapp", "vector.app"), "rb").read()
with zipfile.ZipFile(os.path.join(out, "stored.zip"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("dload/UPDATE.APP", app)
    z.writestr("dload/", b"")
with zipfile.ZipFile(os.path.join(out, "deflated.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("UPDATE.APP", app * 4)
    z.writestr("android-info.txt", b"require board=hwsim\n")
    z.writestr("empty", b"")
with zipfile.ZipFile(os.path.join(out, "zip64.zip"), "w", zipfile.ZIP_DEFLATED,
                     allowZip64=True) as z:
    with z.open("system.img", "w", force_zip64=True) as f:
        f.write(os.urandom(300) + b"\0" * 5000)
PY
# zip64 as Info-ZIP and streaming writers make it (tests/unit/zip64/make.sh):
# zip64 local + central records, a 64-bit data descriptor, Info-ZIP's pipe bug;
# and one with a self-extractor's stub before the archive (offsets relative).
for f in fz-stored fz-stdin-pipe py-stream-deflated fz-pipe-bad; do
	cp "$here/../unit/zip64/$f.zip" "$C/zip/zip64-$f.zip"
done
{ head -c 700 /dev/urandom; cat "$here/../unit/zip64/fz-deflated.zip"; } > "$C/zip/zip64-stub.zip"

# --- fat32: disk images described as segments (see fuzz_fat32.c)
seg() {	# seg IMAGE OUT: size header + every non-zero 512-byte run as a segment
	python3 - "$1" "$2" <<'PY'
import os, struct, sys
b = open(sys.argv[1], "rb").read()
out = bytearray(struct.pack("<H", len(b) // 65536))
i, n = 0, len(b) // 512
while i < n:
    if b[i * 512:(i + 1) * 512].count(0) == 512:
        i += 1
        continue
    j = i
    while j < n and j - i < 127 and b[j * 512:(j + 1) * 512].count(0) != 512:
        j += 1
    out += struct.pack("<IH", i * 512, (j - i) * 512) + b[i * 512:j * 512]
    i = j
open(sys.argv[2], "wb").write(out)
PY
}
printf 'tiny update' > small.app
# superfloppy FAT32 with dload/UPDATE.APP (mtools names it with a long-name entry)
truncate -s 40M sf.img
mkfs.vfat -F 32 -s 1 -n HWFLASH sf.img > /dev/null
mmd -i sf.img ::dload
mcopy -i sf.img small.app ::dload/UPDATE.APP
seg sf.img "$C/fat32/superfloppy"
# MBR, one FAT32 partition at 1 MiB, as dload prepare lays a card out
truncate -s 48M mbr.img
printf 'label: dos\nstart=2048, type=c\n' | sfdisk -q mbr.img
mkfs.vfat -F 32 -s 1 --offset 2048 -n CARD mbr.img 40000 > /dev/null 2>&1
mmd -i mbr.img@@1M ::dload
mcopy -i mbr.img@@1M small.app "::dload/UPDATE.APP"
mcopy -i mbr.img@@1M small.app "::dload/a long name for a file.txt"
seg mbr.img "$C/fat32/mbr"
# the usual mistakes: nested dload, lower-case update.app, FAT16
truncate -s 40M nest.img
mkfs.vfat -F 32 -s 1 nest.img > /dev/null
mmd -i nest.img ::dload
mmd -i nest.img ::dload/dload
mcopy -i nest.img small.app ::dload/dload/update.app
seg nest.img "$C/fat32/nested"
truncate -s 16M f16.img
mkfs.vfat -F 16 f16.img > /dev/null
seg f16.img "$C/fat32/fat16"
# damaged volumes (tests/tools/fatpatch.py): chains that loop, leave the volume, run into
# a free cluster, are longer than the size, or cross; fsck.fat -n calls each one broken
head -c 3000 /dev/urandom > multi.app	# six clusters of 512 bytes
for act in root-loop "dir-loop DLOAD" "file-loop DLOAD/UPDATE.APP" "past-end DLOAD/UPDATE.APP" \
	"free DLOAD/UPDATE.APP" "long DLOAD/UPDATE.APP" "cross DLOAD/UPDATE.APP DLOAD/B.BIN"; do
	rm -f bad.img
	truncate -s 40M bad.img
	mkfs.vfat -F 32 -s 1 bad.img > /dev/null
	mmd -i bad.img ::dload
	mcopy -i bad.img multi.app ::dload/UPDATE.APP
	mcopy -i bad.img small.app ::dload/B.BIN
	# shellcheck disable=SC2086
	python3 "$tools/fatpatch.py" bad.img $act
	seg bad.img "$C/fat32/damaged-${act%% *}"
done
cp mbr.img mbrloop.img
python3 "$tools/fatpatch.py" mbrloop.img@@1M root-loop
seg mbrloop.img "$C/fat32/damaged-mbr-root-loop"

# --- sniff: the heads of what people download instead of an image
printf '<!DOCTYPE html>\n<html><head><title>404</title></head></html>\n' > "$C/sniff/page.html"
printf 'This is a text file\r\nwith lines\n' > "$C/sniff/text.txt"
printf 'hello' | gzip > "$C/sniff/x.gz"
printf '\x7fELF\x02\x01\x01' > "$C/sniff/elf"
printf '\x04\x22\x4d\x18\x64\x40\xa7' > "$C/sniff/x.lz4"
head -c 4096 /dev/zero > "$C/sniff/zeros"
head -c 4096 /dev/zero | tr '\0' '\377' > "$C/sniff/ffs"
head -c 300 "$C/zip/stored.zip" > "$C/sniff/zip-head"
head -c 2048 "$C/image/vendor_boot.img" > "$C/sniff/vendor_boot-head"
head -c 64 "$here/corpus/sparse/b.simg" > "$C/sniff/sparse-head"
cp "$here/corpus/updateapp/vector.app" "$C/sniff/update.app"
tail -c 64 "$C/avb/unsigned.img" > "$C/sniff/avb-footer"
head -c 256 "$C/avb/vbmeta-unsigned.img" > "$C/sniff/vbmeta-head"
python3 -c 'import sys; b = bytearray(2048); b[1080:1082] = b"\x53\xef"; sys.stdout.buffer.write(b)' \
	> "$C/sniff/ext4-head"
du -sh "$C"/*

# --- cpio: ramdisks written by GNU cpio and tests/tools/mkbootfs.py, bare and compressed
# (gzip, lz4 -l, lz4 frame), an escape attempt, and a list ('L' + the list text)
mkdir -p "$C/cpio" rdt/sbin
printf init > rdt/init
printf rec > rdt/sbin/recovery
ln -s /system/bin/sh rdt/sbin/sh
(cd rdt && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$C/cpio/gnu.cpio"
python3 "$tools/mkbootfs.py" rdt > "$C/cpio/aosp.cpio"
gzip -9 -n -c "$C/cpio/aosp.cpio" > "$C/cpio/aosp.gz"
lz4 -l -q -c "$C/cpio/aosp.cpio" > "$C/cpio/aosp.lz4"
lz4 -q -c "$C/cpio/gnu.cpio" > "$C/cpio/gnu.lz4f"
python3 - "$C/cpio/escape.cpio" <<'PY'
import sys
def ent(ino, mode, name, data=b""):
    h = b"070701" + b"".join(b"%08x" % f for f in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                                                    len(name) + 1, 0))
    b = h + name + b"\0"
    b += b"\0" * (-len(b) % 4) + data
    return b + b"\0" * (-len(b) % 4)
out = ent(1, 0o120777, b"l", b"/tmp") + ent(2, 0o100644, b"l/x", b"x") + ent(3, 0, b"TRAILER!!!")
open(sys.argv[1], "wb").write(out)
PY
printf 'Lhwflash-ramdisk-list 1\ncomp gzip\nd 0755 0 0 0 300000 1 0:0 0:0 0 - sbin\nl 0777 0 0 0 300001 1 0:0 0:0 14 /system/bin/sh sbin/sh\nc 0600 0 0 0 300002 1 0:0 5:1 0 - dev\\x20console\nT 0755 0 0 0 300003 1 0:0 0:0 0 - TRAILER!!!\ncpio 070701 lower 256\n' \
	> "$C/cpio/list"

# --- liblp: tiny super images (32 KiB, 4 KiB alignment) made by the judge, raw and sparse
mkdir -p "$C/liblp"
J="python3 $tools/lpjudge.py"
head -c 6000 /dev/urandom > sys.bin
head -c 4096 /dev/urandom > ven.bin
tiny="--device-size 32768 --metadata-size 4096 --metadata-slots 1 --alignment 4096"
$J build -o "$C/liblp/empty.img" $tiny --group g:8192 --partition system:readonly:6000:g \
	--partition vendor:none:4096
$J build -o "$C/liblp/super.img" $tiny --group g:8192 --partition system:readonly:4096:g \
	--partition vendor:updated:4096 --image system=ven.bin --image vendor=ven.bin
$J build -o "$C/liblp/super.simg" $tiny --partition system:none:4096 --image system=ven.bin \
	--sparse
$J build -o "$C/liblp/vab.img" --device-size 40960 --metadata-size 4096 --metadata-slots 2 \
	--alignment 4096 --virtual-ab --partition system_a:slot-suffixed:4096 --full
python3 - "$C/liblp/super.img" "$C/liblp/damaged.img" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[4096 + 44] ^= 1          # primary geometry
b[12288 + 6] ^= 1          # slot 0's primary header
open(sys.argv[2], "wb").write(b)
PY

# --- manifest: the texts image unpack writes (boot v2 with escapes and a
# trailer, boot v3, vendor_boot v4 with its ramdisk table, an AVB footer)
mkdir -p "$C/manifest"
cat > "$C/manifest/boot2.txt" <<'MF'
# hwflash image manifest
hwflash-manifest = 1
kind = boot
header_version = 2
page_size = 2048
header_size = 1660
base = 0x10000000
kernel_offset = 0x00008000
ramdisk_offset = 0x01000000
second_offset = 0x00f00000
tags_offset = 0x00000100
dtb_offset = 0x01f00000
recovery_dtbo_offset = auto
os_version = 11.0.0
os_patch_level = 2021-05
name = brd\x20
cmdline = \x20console=ttyS0\\x\n\t\xff
extra_cmdline = more
id = hex:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
kernel = kernel
ramdisk = ramdisk
dtb = sub/dtb
ramdisk_compression = gzip
ramdisk_sha256 = 0000000000000000000000000000000000000000000000000000000000000000
trailer = trailer.bin
trailer_size = 4096
MF
cat > "$C/manifest/boot3.txt" <<'MF'
hwflash-manifest = 1
kind = boot
header_version = 3
page_size = 4096
header_size = 1596
os_version = 12.0.0
os_patch_level = 2022-02
cmdline = x y
kernel = kernel
ramdisk = ramdisk
ramdisk_compression = lz4-legacy
MF
cat > "$C/manifest/vendor4.txt" <<'MF'
hwflash-manifest = 1
kind = vendor_boot
header_version = 4
page_size = 2048
header_size = 2128
base = 0x00000000
kernel_offset = 0x00008000
ramdisk_offset = 0x01000000
tags_offset = 0x00000100
dtb_offset = 0x01f00000
name = vtest1
cmdline = console=0
dtb = dtb
bootconfig = bootconfig
vendor_ramdisk_table_entry_size = 108
vendor_ramdisk.0.file = vendor_ramdisk00
vendor_ramdisk.0.name = platform
vendor_ramdisk.0.type = 1
vendor_ramdisk.0.board_id = 0100000002000000030000000400000005000000060000000700000008000000090000000a0000000b0000000c0000000d0000000e0000000f00000010000000
vendor_ramdisk.1.file = vendor_ramdisk01
vendor_ramdisk.1.name = dlkm
vendor_ramdisk.1.type = 3
vendor_ramdisk.1.board_id = 00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
ramdisk_compression = none
MF
cat > "$C/manifest/avb.txt" <<'MF'
hwflash-manifest = 1
kind = boot
header_version = 0
page_size = 4096
kernel = kernel
avb.partition_size = 1048576
avb.original_image_size = 155648
avb.vbmeta_offset = 155648
avb.vbmeta_size = 1344
avb.footer_version = 1.0
avb.vbmeta = vbmeta.bin
avb.algorithm = SHA256_RSA2048
avb.rollback_index = 0
avb.rollback_index_location = 0
avb.flags = 0
avb.release = avbtool 1.3.0
avb.partition_name = boot
avb.hash_algorithm = sha256
avb.salt = 0001
avb.digest = 8192fe
avb.prop = com.android.build.boot.fingerprint:a/b:c
MF

# --- updatebin: HarmonyOS update.bin layouts (tests/tools/mkupdatebin.py); sparse_merge:
# a u32 length, then two split pieces (tests/tools/simgsplit.py)
mkdir -p "$C/updatebin" "$C/sparse_merge"
head -c 3000 /dev/urandom > ub1.bin
head -c 700 /dev/urandom > ub2.bin
U="python3 $tools/mkupdatebin.py"
$U "$C/updatebin/l2.bin" /system=ub1.bin /version_list=ub2.bin:zip
$U "$C/updatebin/nonl2.bin" --non-l2 /system=ub1.bin /vendor=ub2.bin
$U "$C/updatebin/sd.bin" --sd /system=ub1.bin /board_list=ub2.bin
$U "$C/updatebin/slot.bin" --legacy-slot /system=ub1.bin
$U "$C/updatebin/stream.bin" --stream --bad-digest 0 /system=ub1.bin ../escape=ub2.bin
head -c 40000 /dev/urandom > sm.raw
head -c 40000 /dev/zero >> sm.raw
img2simg sm.raw sm.simg
python3 "$tools/simgsplit.py" sm.simg smp --pieces 2 --max-blocks 4
python3 "$tools/simgsplit.py" sm.simg smo --pieces 2 --max-blocks 4 --overlap
for p in smp smo; do
	python3 -c 'import struct,sys; a=open(sys.argv[1],"rb").read(); b=open(sys.argv[2],"rb").read()
sys.stdout.buffer.write(struct.pack("<I", len(a)) + a + b)' "$p.0" "$p.1" > "$C/sparse_merge/$p.bin"
done
