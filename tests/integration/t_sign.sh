#!/bin/sh
# image sign, image vbmeta and image check --key, judged from outside:
# tests/tools/avbfoot.py --parse (written from the AVB headers) reads the
# layout, recomputes digest, stored hash, n0inv and rr; `openssl dgst
# -verify` checks the signature over header || auxiliary block with the
# public half of the key made here; `openssl rsa -modulus` the embedded key.
. "$(dirname "$0")/lib.sh"
need python3 openssl mkbootimg
tools=$(cd "$(dirname "$0")/../tools" && pwd)
cd "$T"

# parse FILE EXPR: a Python expression over the parsed JSON (j), printed
parse() { python3 "$tools/avbfoot.py" --parse "$1" --signed "$1.signed" --signature "$1.sig" \
	> "$1.json" && python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1.json" "$2"; }
is() { got=$(parse "$1" "$2"); if [ "$got" = "$3" ]; then ok "$4"; else fail "$4: $2 = '$got', wanted '$3'"; fi; }

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem 2> /dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2> /dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out k4096.pem 2> /dev/null
openssl pkey -in k.pem -pubout -out k.pub 2> /dev/null
openssl pkey -in k4096.pem -pubout -out k4096.pub 2> /dev/null
random kernel 300000
random ramdisk 100000
mkbootimg --kernel kernel --ramdisk ramdisk -o boot.img
size=$(wc -c < boot.img)

# --- signing, judged by the parser and openssl
run_hw 0 "image sign with a 2048-bit key" image sign boot.img --partition boot \
	--partition-size 1M --key k.pem -o signed.img
expect_in "$T/out" "boot signed with SHA256_RSA2048 by k.pem" "algorithm and key said"
check "exactly the partition size" test "$(wc -c < signed.img)" = 1048576
check "the image bytes are kept" cmp -n "$size" boot.img signed.img
is signed.img 'j["layout_ok"] and j["footer"]["original_image_size"]' "$size" \
	"avbtool's layout: vbmeta at the image rounded to 4096, footer at the end"
is signed.img 'j["descriptors"][0]["digest_ok"], j["descriptors"][0]["partition"]' \
	"(True, 'boot')" "the hash descriptor's digest recomputed"
is signed.img 'j["stored_hash_ok"], j["key"]["n0inv_ok"], j["key"]["rr_ok"]' \
	"(True, True, True)" "stored hash, n0inv and rr recomputed"
is signed.img 'j["header"]["release"], j["header"]["libavb"], j["header"]["reserved_zero"]' \
	"('avbtool 1.3.0', [1, 0], True)" "release string, libavb 1.0, reserved zeros"
check "openssl verifies the signature over header || aux" \
	openssl dgst -sha256 -verify k.pub -signature signed.img.sig signed.img.signed
want=$(openssl rsa -in k.pem -noout -modulus 2> /dev/null | cut -d= -f2)
is signed.img 'j["key"]["modulus"]' "$want" "the embedded modulus is the key's"

run_hw 0 "image check --key: signed by that key" image check signed.img --partition boot \
	--key k.pem
expect_in "$T/out" "signed by k.pem" "signed by k.pem said"
run_hw 1 "image check --key with another key" image check signed.img --key other.pem
expect_in "$T/err" "signed, but not by other.pem" "not by other.pem said"

# --- a repack that kept the old vbmeta: the old signature no longer matches
python3 -c '
import sys
b = bytearray(open("signed.img", "rb").read()); b[1700] ^= 1    # padding after the boot header: outside the id
open("repacked.img", "wb").write(b)'
run_hw 1 "a changed image with the old vbmeta fails" image check repacked.img --partition boot
expect_in "$T/err" "the old signature no longer matches" "old signature named"
expect_in "$T/err" "a locked bootloader will refuse this image" "locked bootloader named"
run_hw 0 "signing it again replaces the footer" image sign repacked.img --partition boot \
	--partition-size 1M --key k.pem -o resigned.img
expect_in "$T/out" "had an AVB footer: replaced (signed over its original $size bytes)" \
	"replacement said"
is resigned.img 'j["footer"]["original_image_size"], j["descriptors"][0]["digest_ok"]' \
	"($size, True)" "re-signed over the original size"
run_hw 0 "the re-signed image checks" image check resigned.img --partition boot --key k.pem

# --- fixed salt: byte-identical; SHA512_RSA4096; properties; rollback index; unsigned
for n in 1 2; do
	"$HWFLASH" image sign boot.img --partition boot --partition-size 1M --key k4096.pem \
		--algorithm SHA512_RSA4096 --salt d00df00d --rollback-index 5 \
		--prop com.android.build.boot.fingerprint:hw/t/1:user -o s$n.img > /dev/null
done
check "--salt: two runs are byte-identical" cmp s1.img s2.img
is s1.img 'j["header"]["algorithm"], j["header"]["rollback_index"], j["descriptors"][0]["salt"]' \
	"('SHA512_RSA4096', 5, 'd00df00d')" "algorithm, rollback index and salt"
is s1.img 'j["descriptors"][1]["key"], j["descriptors"][1]["value"]' \
	"('com.android.build.boot.fingerprint', 'hw/t/1:user')" "the property after the hash"
check "openssl verifies SHA512_RSA4096" \
	openssl dgst -sha512 -verify k4096.pub -signature s1.img.sig s1.img.signed
run_hw 0 "without --key: algorithm NONE" --json image sign boot.img --partition boot \
	--partition-size 1M -o unsigned.img
check "--json: algorithm NONE, image size" python3 -c '
import json, sys; j = json.load(open(sys.argv[1]))
assert j["ok"] and j["algorithm"] == "NONE" and j["image_size"] == int(sys.argv[2])' \
	"$T/out" "$size"
is unsigned.img 'j["header"]["auth_size"], j["descriptors"][0]["digest_ok"]' "(0, True)" \
	"unsigned: no authentication block, digest good"
run_hw 1 "image check --key on an unsigned image" image check unsigned.img --key k.pem
expect_in "$T/err" "not signed" "not signed said"

# --- refusals: one line, nothing written
run_hw 1 "a partition too small for the image" image sign boot.img --partition boot \
	--partition-size 256K -o small.img
expect_in "$T/err" "do not fit in partition size 262144" "the fit named"
one_line "$T/err" "one line"
check "nothing written" test ! -e small.img
run_hw 2 "a key too small for the algorithm" image sign boot.img --partition boot \
	--partition-size 1M --key k.pem --algorithm SHA256_RSA4096 -o bad.img
check "nothing written (algorithm)" test ! -e bad.img
run_hw 2 "--salt that is not hex" image sign boot.img --partition boot --partition-size 1M \
	--salt xyz -o bad.img
run_hw 1 "an existing output is kept" image sign boot.img --partition boot \
	--partition-size 1M -o signed.img
check "still the signed image" cmp -n "$size" boot.img signed.img

# --- image vbmeta: the flags, the rest untouched
python3 "$tools/avbfoot.py" --vbmeta vbmeta.img --key k.pem --hash boot=boot.img
run_hw 0 "image vbmeta --disable-verity --disable-verification" image vbmeta vbmeta.img \
	--disable-verity --disable-verification -o vb-off.img
expect_in "$T/out" "vbmeta flags 0 -> 3" "old and new flags said"
is vb-off.img 'j["header"]["flags"]' 3 "the parser reads flags 3"
check "only the flag byte differs" test "$(cmp -l vbmeta.img vb-off.img | wc -l)" = 1
run_hw 1 "image check: flags set after signing" image check vb-off.img --key k.pem
expect_in "$T/err" "after signing" "flags after signing named"
run_hw 0 "image vbmeta on an image with an AVB footer" image vbmeta signed.img \
	--disable-verity -o signed-off.img
expect_in "$T/out" "vbmeta flags 0 -> 1" "footer vbmeta patched"
is signed-off.img 'j["header"]["flags"], j["descriptors"][0]["digest_ok"]' "(1, True)" \
	"the footer's vbmeta has flag 1, the image is kept"
run_hw 2 "image vbmeta without a flag" image vbmeta vbmeta.img -o x.img
run_hw 1 "image vbmeta on a file without vbmeta" image vbmeta kernel --disable-verity -o x.img
check "nothing written (vbmeta)" test ! -e x.img

# --- what a user tries sideways: one line each, nothing written
mkfifo fifo
run_hw 1 "image sign of a FIFO" image sign fifo --partition boot --partition-size 1M -o p.img
expect_in "$T/err" "fifo is a pipe, not a file" "a FIFO named"
one_line "$T/err" "a FIFO: one line"
: > empty.img
run_hw 1 "image sign of a 0-byte file" image sign empty.img --partition boot \
	--partition-size 1M -o p.img
expect_in "$T/err" "empty.img: empty (0 bytes): nothing to sign" "an empty file named"
one_line "$T/err" "an empty file: one line"
run_hw 1 "image sign with a public key" image sign boot.img --partition boot \
	--partition-size 1M --key k.pub -o p.img
expect_in "$T/err" "k.pub: a public key; signing needs the private key it belongs to" \
	"a public key named"
openssl pkey -in k.pem -outform DER -out k.der 2> /dev/null
run_hw 1 "image sign with a DER key" image sign boot.img --partition boot \
	--partition-size 1M --key k.der -o p.img
expect_in "$T/err" "k.der: not a private key in PEM" "a key not in PEM named"
one_line "$T/err" "a key not in PEM: one line"
check "nothing written (sideways)" test ! -e p.img
run_hw 1 "--json of a failed sign" --json image sign boot.img --partition boot \
	--partition-size 256K -o p.img
check "--json: one document, ok false, the error" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and "do not fit in partition size 262144" in d["error"], d' "$T/out"
