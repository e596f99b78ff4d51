#!/bin/sh
# --verify: read-back after write, through the real binary against fbsim.
# In fastbootd every written partition is fetched back (fetch:, in pieces of
# max-fetch-size) and compared: physical and logical (inside super), raw,
# split into sparse pieces, and a sparse image (DONT_CARE not compared);
# flash, app flash and update, text and --json.  A byte stored wrong
# (--fault flip-byte:OFFSET) fails with the partition and the offset; a
# bootloader that does not fetch gets a warning, exit 0.
. "$(dirname "$0")/lib.sh"
need python3
tools=$(cd "$(dirname "$0")/../tools" && pwd)
cd "$T"

# json FILE 'python expression on d' "what"
json() {
	check "$3" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert ($2), d" "$1"
}
fetches() { grep -c '^fetch:' "$1/commands.log" 2> /dev/null; }
PARTS="--partition boot:1M --partition cust:1M --logical system:1M --super 4M
	--max-download 256K --product hwsim"
random kernel 290000
random ramdisk 4096
python3 "$tools/mkbootv4.py" boot.img ramdisk kernel # 299008 bytes
random sys.img 400000
random cust.img 200000
# A sparse image: 64K RAW, 64K DONT_CARE (older bytes on the device stay there), 64K RAW.
python3 -c 'import os, struct
raw = lambda n: struct.pack("<HHII", 0xCAC1, 0, 16, 12 + n) + os.urandom(n)
hole = struct.pack("<HHII", 0xCAC3, 0, 16, 12)
open("holey.simg", "wb").write(struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, 4096,
	48, 3, 0) + raw(65536) + hole + raw(65536))'

# --- fastbootd: flash --verify -----------------------------------------------------------
# shellcheck disable=SC2086
start_sim fd --mode fastbootd $PARTS
S=tcp:127.0.0.1:$PORT
run_hw 0 "flash --verify (raw, fastbootd)" -s "$S" flash boot boot.img --verify
expect_in "$T/err" "boot: read back: identical (299008 bytes compared, sha256 " \
	"the partition is read back over the image's length"
expect_in "$T/err" "read back: identical (1 partition)" "the summary says identical"
check "fetched in pieces of max-fetch-size" sh -c \
	"grep -x 'fetch:boot:0x00000000:0x00040000' fd/commands.log &&
	 grep -x 'fetch:boot:0x00040000:0x00009000' fd/commands.log"
n=$(fetches fd)
run_hw 0 "flash without --verify" -s "$S" flash boot boot.img
check "without --verify nothing is fetched" test "$(fetches fd)" -eq "$n"
run_hw 0 "--verify --json flash of a logical partition" -s "$S" --json --verify \
	flash system sys.img
json "$T/out" 'd["ok"] and d["read_back"] == "identical" and d["read_back_partitions"] ==
	[{"partition": "system", "result": "identical", "bytes_compared": 400000}]' \
	"--json: read_back identical, through super's extents"
run_hw 0 "-S 64K --verify: sparse pieces, read back whole" -s "$S" -S 64K --verify \
	flash cust cust.img
expect_in "$T/err" "cust: read back: identical (200000 bytes compared" "split pieces read back"
random old.img 200000
run_hw 0 "older bytes under the hole" -s "$S" flash cust old.img
run_hw 0 "a sparse image --verify" -s "$S" --verify flash cust holey.simg
expect_in "$T/err" "cust: read back: identical (131072 bytes compared" \
	"a sparse image: its data chunks compared, not the DONT_CARE"

# --- app flash --verify and update --verify, in fastbootd -----------------------------------
run_hw 0 "pack a package" app pack -o U.APP --hwid HWSIM CUST=cust.img BOOT=boot.img
run_hw 0 "app flash --verify --json" -s "$S" --json app flash U.APP --verify
json "$T/out" 'd["read_back"] == "identical" and
	sorted(p["partition"] for p in d["read_back_partitions"]) == ["boot", "cust"]' \
	"app flash --json: both entries read back"
cp sys.img system.img
printf 'require board=hwsim\n' > android-info.txt
python3 -c 'import zipfile
with zipfile.ZipFile("upd.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for n in ("android-info.txt", "boot.img", "system.img"):
        z.write(n)'
run_hw 0 "update --verify (fastbootd)" -s "$S" update upd.zip --verify --skip-reboot
expect_in "$T/err" "boot: read back: identical" "update: the physical partition read back"
expect_in "$T/err" "system: read back: identical" "update: the logical partition read back"
expect_in "$T/err" "read back: identical (2 partitions)" "update: the summary"

# --- a byte stored wrong ----------------------------------------------------------------------
# shellcheck disable=SC2086
start_sim flip --mode fastbootd --fault flip-byte:70000 $PARTS
run_hw 1 "flash --verify on a device that stores a byte wrong" -s "tcp:127.0.0.1:$PORT" \
	flash boot boot.img --verify
expect_in "$T/err" "boot: read back: differs at offset 0x11170 (1 of 299008 bytes differ" \
	"the partition and the first differing offset named"
expect_in "$T/err" "read back: differs at offset 0x11170 of 'boot'" "the summary names it"
run_hw 1 "the same --json" -s "tcp:127.0.0.1:$PORT" --json --verify flash boot boot.img
json "$T/out" 'not d["ok"] and d["read_back"] == "differs" and
	d["read_back_partitions"][0]["first_difference"] == 70000 and
	"differs at offset 0x11170" in d["error"]' "--json: differs, the offset, the error"
run_hw 1 "update --verify stops at the partition that differs" -s "tcp:127.0.0.1:$PORT" \
	update upd.zip --verify --skip-reboot
expect_in "$T/err" "boot: read back: differs at offset 0x11170" "update: boot named"

# --- the bootloader does not fetch: a warning, exit 0 ----------------------------------------
# shellcheck disable=SC2086
start_sim bl $PARTS
B=tcp:127.0.0.1:$PORT
run_hw 0 "flash --verify in the bootloader" -s "$B" --verify flash boot boot.img
expect_in "$T/err" "boot: read back: not supported by the device (fetch:)" "the warning"
expect_in "$T/err" "read back: not supported by the device (fetch:) for 1 of 1 partition" \
	"the summary says it did not happen"
check "nothing fetched in the bootloader" test "$(fetches bl)" = 0
run_hw 0 "--json in the bootloader" -s "$B" --json --verify flash boot boot.img
json "$T/out" 'd["ok"] and d["read_back"] == "unsupported" and
	d["read_back_partitions"][0]["result"] == "unsupported"' "--json: read_back unsupported"
# update from the bootloader: boot is written there (not read back), system in fastbootd (read back).
run_hw 0 "update --verify from the bootloader" -s "$B" --wait=10 update upd.zip --verify \
	--skip-reboot --json
json "$T/out" 'd["read_back"] == "unsupported" and
	{p["partition"]: p["result"] for p in d["read_back_partitions"]} ==
	{"boot": "unsupported", "system": "identical"}' \
	"update: boot unverified in the bootloader, system read back in fastbootd"
