#!/bin/sh
# hwflash image unpack + image repack.  Judges: Debian's mkbootimg,
# unpack_bootimg and abootimg (v0-v3), tests/tools/mkbootv4.py and
# mkvendorboot.py (boot v4, vendor_boot v3/v4), tests/tools/avbfoot.py (AVB
# footers laid out as avbtool does), cmp.  Their images through our unpack +
# repack come back byte-identical; our repacked, changed images through
# their unpack give the changed sections.
. "$(dirname "$0")/lib.sh"
need python3 mkbootimg unpack_bootimg abootimg openssl gzip
tools=$(cd "$(dirname "$0")/../tools" && pwd)
cd "$T"
random kernel 70000
random second 5000
random dtb 7000
random rdtbo 3000
random blob 4096
mkdir rdsrc && random rdsrc/init 2000 && (cd rdsrc && find . | cpio -o -H newc 2> /dev/null) |
	gzip -9n > ramdisk
long=$(python3 -c 'print("console=ttyMSM0 " + "x" * 600)')

# roundtrip NAME IMAGE: unpack, repack unchanged, byte-identical
roundtrip() {
	"$HWFLASH" image unpack "$2" -o "u_$1" > /dev/null 2>&1 &&
		"$HWFLASH" image repack "u_$1" -o "r_$1.img" > /dev/null 2>&1
	check "$1: unpack + repack of an unchanged folder is byte-identical" cmp "$2" "r_$1.img"
}

mkbootimg --kernel kernel --ramdisk ramdisk --second second --board tboard \
	--cmdline "$long" --os_version 11.0.0 --os_patch_level 2021-05 -o v0.img
mkbootimg --header_version 1 --kernel kernel --ramdisk ramdisk --cmdline "a b" \
	--base 0x80000000 --pagesize 4096 -o v1.img
mkbootimg --header_version 2 --kernel kernel --ramdisk ramdisk --dtb dtb --second second \
	--os_version 12.1.0 --os_patch_level 2022-03 -o v2.img
mkbootimg --header_version 3 --kernel kernel --ramdisk ramdisk --cmdline "c d" -o v3.img
printf 'bootsize = 0x40000\npagesize = 0x800\nkerneladdr = 0x10008000\ncmdline = quiet\n' > ab.cfg
abootimg --create ab.img -f ab.cfg -k kernel -r ramdisk > /dev/null 2>&1
python3 "$tools/mkbootv4.py" v4.img ramdisk kernel
python3 "$tools/mkbootv4.py" init4.img ramdisk
python3 "$tools/mkvendorboot.py" vb3.img ramdisk dtb
printf 'androidboot.hardware=sim\n' > bootconfig
python3 "$tools/mkvendorboot.py" vb4.img ramdisk dtb --v4 bootconfig second 2048
for v in v0 v1 v2 v3 ab v4 init4 vb3 vb4; do roundtrip $v $v.img; done
expect_in u_v3/manifest.txt "header_size = 1596" "v3: Debian's header_size 1596 kept as found"
expect_in u_v0/manifest.txt "id = sha1" "v0: the id's recipe named"
check "v0: the long cmdline split into cmdline and extra_cmdline" \
	grep -q "^extra_cmdline = xxx" u_v0/manifest.txt
expect_in u_vb4/manifest.txt "vendor_ramdisk.1.name = dlkm" "vendor_boot v4: the ramdisk table"
check "vendor_boot v4: one file per ramdisk" cmp u_vb4/vendor_ramdisk01 second

# vendor_boot v4 is built from the per-ramdisk files: the whole vendor_ramdisk
# changed alone is refused, naming both; equal to them, or untouched, it is fine.
expect_in u_vb4/manifest.txt "the whole section (file vendor_ramdisk, ramdisk_sha256) is not" \
	"vendor_boot v4: the manifest says which files count"
cp -r u_vb4 w4 && random w4/vendor_ramdisk 3000
run_hw 1 "vendor_boot v4: a changed whole vendor_ramdisk alone is refused" image repack w4 -o w4.img
expect_in "$T/err" "w4/vendor_ramdisk was changed, but a vendor_boot v4 image is built from its 2 per-ramdisk files (w4/vendor_ramdisk00 to vendor_ramdisk01)" \
	"vendor_boot v4: both named"
check "vendor_boot v4: nothing written" test ! -e w4.img
random w4/vendor_ramdisk01 3000 && cat w4/vendor_ramdisk00 w4/vendor_ramdisk01 > w4/vendor_ramdisk
run_hw 0 "vendor_boot v4: a whole file equal to the changed per-ramdisk files" \
	image repack w4 -o w4.img
cp -r u_vb4 w5 && cp w4/vendor_ramdisk01 w5/
run_hw 0 "vendor_boot v4: a changed per-ramdisk file alone" image repack w5 -o w5.img
check "vendor_boot v4: the same image either way" cmp w4.img w5.img
python3 "$tools/mkvendorboot.py" w4want.img ramdisk dtb --v4 bootconfig w4/vendor_ramdisk01 2048
check "vendor_boot v4: as mkvendorboot.py makes it with the new dlkm ramdisk" cmp w4want.img w5.img

# A changed folder through Debian's unpack_bootimg and abootimg.
cp -r u_v2 c2 && random c2/kernel 80000 &&
	sed -i 's/^os_version = .*/os_version = 13.0.0/' c2/manifest.txt
run_hw 0 "v2: a changed folder repacks" image repack c2 -o c2.img
unpack_bootimg --boot_img c2.img --out j2 > j2.txt 2>&1
check "v2: unpack_bootimg finds the new kernel" cmp j2/kernel c2/kernel
check "v2: unpack_bootimg finds the same dtb" cmp j2/dtb dtb
expect_in j2.txt "os version: 13.0.0" "v2: unpack_bootimg reads the changed os version"
run_hw 0 "v2: the recomputed SHA-1 id matches" image check c2.img
expect_in "$T/out" "SHA-1 id matches" "v2: id recomputed as mkbootimg does"
cp -r u_v0 c0 && sed -i 's/^cmdline = .*/cmdline = console=ttyS1/; s/^extra_cmdline = .*/extra_cmdline = /' c0/manifest.txt
"$HWFLASH" image repack c0 -o c0.img > /dev/null 2>&1
(mkdir a0 && cd a0 && abootimg -x ../c0.img > ../a0.txt 2>&1)
check "v0: abootimg extracts the same kernel" cmp a0/zImage kernel
check "v0: abootimg reads the changed cmdline" grep -q "^cmdline = console=ttyS1$" a0/bootimg.cfg
cp -r u_v3 c3 && random c3/kernel 90000
"$HWFLASH" image repack c3 -o c3.img > /dev/null 2>&1
unpack_bootimg --boot_img c3.img --out j3 > /dev/null 2>&1
check "v3: unpack_bootimg finds the new kernel" cmp j3/kernel c3/kernel

# Trailer: an appended signature is kept, named and replaceable.
cat v2.img blob > sig.img
run_hw 0 "check of an image with bytes after it" image check sig.img
expect_in "$T/out" "4096 bytes after the image: an appended signature?" "trailing bytes named"
roundtrip sig sig.img
check "the trailer saved on its own" cmp u_sig/trailer.bin blob
random blob2 2048
run_hw 0 "--append-signature" image repack u_v2 -o sig2.img --append-signature blob2
check "--append-signature: image then the blob" sh -c 'cat v2.img blob2 | cmp - sig2.img'

# AVB: the footer kept; after a change the old signature no longer matches.
openssl genrsa -out key.pem 2048 2> /dev/null
python3 "$tools/avbfoot.py" v2.img avb.img boot 262144 --key key.pem
roundtrip avb avb.img
cp -r u_avb cavb && random cavb/kernel 71000
run_hw 0 "AVB: a changed folder repacks without a key" image repack cavb -o cavb.img
expect_in "$T/err" "the old signature no longer matches this image" "repack warns"
check "AVB: same partition size" test "$(stat -c %s cavb.img)" -eq 262144
run_hw 1 "AVB: image check refuses the repacked image" image check cavb.img
expect_in "$T/err" "the old signature no longer matches: the image was changed after it was signed" \
	"check says the old signature no longer matches"

# Bad folders: one line naming the file, exit 1, nothing written.
bad() { # NAME "text" SETUP...
	name=$1 text=$2
	shift 2
	rm -rf "b_$name" && cp -r u_v2 "b_$name" && (cd "b_$name" && eval "$@")
	run_hw 1 "bad folder ($name) refused" image repack "b_$name" -o "b_$name.img"
	one_line "$T/err" "$name: one line"
	expect_in "$T/err" "$text" "$name: what is wrong is named"
	check "$name: nothing written" sh -c "! ls b_$name.img* .b_$name* 2> /dev/null"
}
bad nokernel "b_nokernel/kernel: missing" rm kernel
bad unknown "manifest.txt line 5: unknown key 'colour'" "sed -i '5i colour = blue' manifest.txt"
bad overflow "overflows the 32-bit address field" "sed -i 's/^base = .*/base = 0xffffff00/' manifest.txt"
bad page "page_size 3000 is not a power of two" "sed -i 's/^page_size = .*/page_size = 3000/' manifest.txt"
bad dotdot "'../kernel' leaves the folder" "sed -i 's|^kernel = .*|kernel = ../kernel|' manifest.txt"
bad absolute "'/etc/hostname' is an absolute path" "sed -i 's|^kernel = .*|kernel = /etc/hostname|' manifest.txt"
bad symlink "a symlink pointing outside the folder" "rm kernel && ln -s ../kernel kernel"
bad huge "is out of range" "sed -i 's/^header_size = .*/header_size = 99999999999/' manifest.txt"
run_hw 1 "no manifest" image repack rdsrc -o none.img
expect_in "$T/err" "manifest.txt: missing" "a folder without a manifest named"
run_hw 1 "OUT exists" image repack u_v2 -o v2.img
expect_in "$T/err" "exists; not replaced (use --force)" "an existing OUT is kept"
run_hw 2 "no -o" image repack u_v2
run_hw 0 "--json" --json image repack u_v2 -o j.img
check "--json: one document" python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["header_version"] == 2 and d["size"] == os.path.getsize("j.img"), d
assert d["file"] == "j.img" and d["avb_footer"] is False, d' "$T/out"

# The ramdisk as a folder: a changed file in it is packed (gzip, as the original).
run_hw 0 "v2: the ramdisk unpacked as a folder" image unpack v2.img -o rf
check "ramdisk folder holds init" cmp rf/ramdisk.d/init rdsrc/init
random rf/ramdisk.d/init 2500
run_hw 0 "a changed ramdisk folder repacks" image repack rf -o rf.img
expect_in "$T/out" "ramdisk packed from its folder" "the packed folder named"
unpack_bootimg --boot_img rf.img --out jr > /dev/null 2>&1
check "unpack_bootimg + gzip + cpio find the changed init" \
	sh -c 'mkdir x && cd x && gzip -dc ../jr/ramdisk | cpio -id 2> /dev/null && cmp init ../rf/ramdisk.d/init'
cp kernel rf/ramdisk
run_hw 1 "ramdisk file and folder both changed: refused" image repack rf -o rf2.img
expect_in "$T/err" "both changed since unpack" "both named"

# What a user tries sideways: OUT inside DIR, over one of DIR's own files (not
# even with --force), inside the ramdisk folder; DIR given as "DIR/"; names
# with spaces and non-ASCII; --json of a failure.
run_hw 0 "OUT inside DIR" image repack u_v2 -o u_v2/new.img
check "OUT inside DIR: byte-identical" cmp u_v2/new.img v2.img
run_hw 1 "OUT inside DIR again, without --force" image repack u_v2 -o u_v2/new.img
expect_in "$T/err" "u_v2/new.img: exists; not replaced (use --force)" "the existing OUT named"
cp u_v2/kernel kernel.before
run_hw 1 "OUT = DIR's kernel, with --force" image repack u_v2 -o u_v2/kernel --force
expect_in "$T/err" "u_v2/kernel: the repack reads it (kernel of u_v2): not written over, even with --force" \
	"a file of the folder is not written over"
check "the kernel is untouched" cmp u_v2/kernel kernel.before
run_hw 1 "OUT = the manifest, with --force" image repack u_v2 -o u_v2/manifest.txt --force
one_line "$T/err" "the manifest: one line"
run_hw 1 "OUT inside the ramdisk folder" image repack rf -o rf/ramdisk.d/x.img
expect_in "$T/err" "inside the ramdisk folder rf/ramdisk.d, which is packed" "the ramdisk folder named"
check "nothing in the ramdisk folder" sh -c '! ls -a rf/ramdisk.d | grep -q x.img'
run_hw 0 "DIR given as DIR/" image repack u_v2/ -o slash.img
check "DIR/: byte-identical" cmp slash.img v2.img
mkdir "déjà vu" && cp v2.img "déjà vu/boot ü.img"
run_hw 0 "unpack into a folder with a space and non-ASCII" image unpack "déjà vu/boot ü.img" \
	-o "déjà vu/un pack"
run_hw 0 "repack from and to such names" image repack "déjà vu/un pack" -o "déjà vu/out é.img"
check "spaces and non-ASCII: byte-identical" cmp "déjà vu/out é.img" v2.img
run_hw 1 "--json of a failed repack" --json image repack u_v2 -o u_v2/kernel --force
check "--json failure: one document, ok false" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and "not written over" in d["error"], d' "$T/out"
