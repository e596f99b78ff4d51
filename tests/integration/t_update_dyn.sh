#!/bin/sh
# update of factory images on a dynamic device (the model with a real
# super, fbsim --super): planned before the first byte, flashed as AOSP
# does.  The judges: AOSP's fastboot 29.0.6 flashes the same zip to a
# second fresh device, and tests/tools/lpjudge.py (an independent liblp
# reader) compares the super layouts and extracts the logical partitions.
. "$(dirname "$0")/lib.sh"
need python3 cmp fastboot
tools=$(cd "$(dirname "$0")/../tools" && pwd)
J="python3 $tools/lpjudge.py"
cd "$T"
PARTS="--product hwsim --partition boot_a:1M --partition boot_b:1M --partition vbmeta_a:64K
	--partition vbmeta_b:64K --partition userdata:1M --partition metadata:64K
	--partition bootloader:1M --partition radio:1M
	--logical system:0 --logical vendor:0 --super 4M"
downloads() { grep -c '^download:' "$1/commands.log" 2> /dev/null; }

# --- the factory images ------------------------------------------------------------
random kernel 4096
random ramdisk 4096
python3 "$tools/mkbootv4.py" boot.img ramdisk kernel
python3 -c 'import struct
open("vbmeta.img", "wb").write((b"AVB0" + struct.pack(">II", 1, 0)).ljust(4096, b"\0"))'
random system.img 65536
random vendor.img 32768
random system_other.img 16384
random bootloader.img 8192
random radio.img 12288
random modem.img 4096
# shellcheck disable=SC2086
check "the judge builds super_empty.img for the model's 4 MiB A/B super" $J build \
	-o super_empty.img --device-size 4194304 --metadata-size 65536 --metadata-slots 3 \
	--group main_a:0 --group main_b:0 \
	--partition system_a:readonly:0:main_a --partition system_b:readonly:0:main_b \
	--partition vendor_a:readonly:0:main_a --partition vendor_b:readonly:0:main_b
printf 'require board=hwsim\n' > android-info.txt
mkzip() {
	python3 -c '
import sys, zipfile
m = zipfile.ZIP_STORED if sys.argv[2] == "stored" else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(sys.argv[1], "w", m) as z:
    for a in sys.argv[3:]:
        f, _, n = a.partition("=")
        z.write(f, n or f)' "$@"
}
IMGS="android-info.txt boot.img vbmeta.img super_empty.img system.img vendor.img system_other.img"
# shellcheck disable=SC2086
mkzip upd.zip deflated $IMGS
# shellcheck disable=SC2086
mkzip bad.zip deflated $IMGS modem.img
# Google's factory zip: a folder with bootloader, radio and the inner image zip (stored).
printf '#!/bin/sh\n' > flash-all.sh
mkzip factory.zip deflated bootloader.img=hwsim-1/bootloader-hwsim-1.0.img \
	radio.img=hwsim-1/radio-hwsim-1.0.img flash-all.sh=hwsim-1/flash-all.sh
python3 -c '
import zipfile
with zipfile.ZipFile("factory.zip", "a", zipfile.ZIP_STORED) as z:
    z.write("upd.zip", "hwsim-1/image-hwsim-1.0.zip")'
mkzip factory_d.zip deflated bootloader.img=hwsim-1/bootloader-hwsim-1.0.img \
	radio.img=hwsim-1/radio-hwsim-1.0.img upd.zip=hwsim-1/image-hwsim-1.0.zip

# --- an image with nowhere to go: nothing sent ------------------------------------------
# shellcheck disable=SC2086
start_sim bad $PARTS
run_hw 1 "update with an image the device cannot place" -s "tcp:127.0.0.1:$PORT" update bad.zip
expect_in "$T/err" "bad.zip:modem.img: the device has no partition 'modem'" "the image is named"
expect_in "$T/err" "nothing was sent" "nothing sent, said"
check "no download: in the device log" test "$(downloads bad)" = 0

# --- --dry-run: the plan, text and --json, nothing sent ----------------------------------
# shellcheck disable=SC2086
start_sim dry $PARTS
D="tcp:127.0.0.1:$PORT"
run_hw 0 "update --dry-run" -s "$D" update upd.zip --dry-run
expect_in "$T/out" "system_other.img       -> system_b           secondary" "secondary placed"
expect_in "$T/out" "super_empty.img        -> super              super" "super_empty placed"
expect_in "$T/out" "system.img             -> system_a           logical" "system placed"
expect_in "$T/out" "boot.img               -> boot_a             physical" "boot placed"
expect_in "$T/out" "resize       to 0 before flashing" "resizes planned"
check "the plan: one line per step (a line starts with each image)" sh -c \
	"grep -q '^  system.img  *-> system_a  *logical' '$T/out' && \
	 grep -q '^  boot.img  *-> boot_a  *physical' '$T/out' && \
	 test \$(grep -c '^  *system_a  *resize ' '$T/out') = 1 && \
	 grep -qx -- '--dry-run: nothing was sent.' '$T/out'"
expect_in "$T/out" "--dry-run: nothing was sent." "--dry-run said"
run_hw 0 "update --dry-run --json" -s "$D" --json update upd.zip --dry-run
check "--json: every image in the plan with its kind and target" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and d["dry_run"] and d["steps"] == [], d
p = {s["image"]: s for s in d["plan"] if s["image"]}
assert set(p) == {"boot.img", "vbmeta.img", "super_empty.img", "system.img", "vendor.img",
                  "system_other.img"}, p
assert (p["system_other.img"]["kind"], p["system_other.img"]["target"]) == ("secondary", "system_b")
assert (p["system.img"]["kind"], p["system.img"]["size"]) == ("logical", 65536)
assert p["super_empty.img"]["op"] == "update-super"
assert [s["target"] for s in d["plan"] if s["op"] == "resize"] == ["system_a", "system_b", "vendor_a"]
' "$T/out"
check "--dry-run: no download: in the device log" test "$(downloads dry)" = 0
run_hw 0 "update --dry-run --skip-secondary" -s "$D" update upd.zip --dry-run --skip-secondary
expect_in "$T/out" "not flashed  --skip-secondary" "--skip-secondary said, not silent"

# --- hwflash and AOSP's fastboot flash the same zip to two fresh devices ------------------
# shellcheck disable=SC2086
start_sim hw $PARTS
run_hw 0 "update upd.zip (hwflash)" -s "tcp:127.0.0.1:$PORT" update upd.zip
expect_in "$T/err" "rebooting into fastbootd" "the reboot into fastbootd is said"
# shellcheck disable=SC2086
start_sim ao $PARTS
if fastboot -s "tcp:127.0.0.1:$PORT" update upd.zip > "$T/aosp.out" 2>&1; then
	ok "update upd.zip (AOSP fastboot $(fastboot --version | sed -n '1s/.*version //p'))"
else
	fail "AOSP fastboot update"; sed 's/^/    /' "$T/aosp.out"
fi
check "the same super layout (lpjudge)" python3 -c '
import json, subprocess, sys
def layout(f):
    d = json.loads(subprocess.run(sys.argv[1:] + ["check", "--json", f], check=True,
                                  capture_output=True).stdout)
    return [(p["name"], p["group"], p["size"], p["attributes"],
             [(x["sectors"], x["target"]) for x in p["extents"]]) for p in d["partitions"]]
a, b = layout("hw/super.img"), layout("ao/super.img")
assert a == b, (a, b)
assert [n for n, _, s, _, _ in a if s] == ["system_a", "system_b", "vendor_a"], a
' python3 "$tools/lpjudge.py"
for p in system_a:system.img system_b:system_other.img vendor_a:vendor.img; do
	n=${p%%:*} f=${p#*:}
	check "$n: the same bytes from both, and they are $f" sh -c "
		$J extract hw/super.img $n hw_$n && $J extract ao/super.img $n ao_$n &&
		cmp hw_$n ao_$n && cmp hw_$n $f"
done
for p in boot_a vbmeta_a; do
	check "$p: the same bytes from both" cmp hw/$p.img ao/$p.img
done
check "boot_a holds boot.img" cmp -n "$(wc -c < boot.img)" hw/boot_a.img boot.img

# --- -w and --skip-secondary --------------------------------------------------------------
# shellcheck disable=SC2086
start_sim wp $PARTS
run_hw 0 "-w update" -s "tcp:127.0.0.1:$PORT" -w update upd.zip --skip-reboot
check "-w: update-super wipes super" grep -qx 'update-super:super:wipe' wp/commands.log
check "-w: userdata and metadata erased" sh -c \
	"grep -qx erase:userdata wp/commands.log && grep -qx erase:metadata wp/commands.log"
check "--skip-reboot: no reboot" sh -c "! grep -qx reboot wp/commands.log"
# shellcheck disable=SC2086
start_sim ss $PARTS
run_hw 0 "update --skip-secondary" -s "tcp:127.0.0.1:$PORT" update upd.zip --skip-secondary \
	--skip-reboot
check "--skip-secondary: system_b not flashed" sh -c "! grep -q 'flash:system_b' ss/commands.log"
check "--skip-secondary: system_a flashed" grep -qx 'flash:system_a' ss/commands.log

# --- Google's factory zip: bootloader, radio, then the inner image zip ----------------------
# shellcheck disable=SC2086
start_sim fo $PARTS
run_hw 0 "update of a factory zip" -s "tcp:127.0.0.1:$PORT" update factory.zip --skip-reboot
check "flash-all.sh's order: bootloader, reboot, radio, reboot, then the images" sh -c "
	grep -E '^(flash:|reboot)' fo/commands.log | head -n 6 | tr '\n' ' ' |
	grep -qx 'flash:bootloader reboot-bootloader flash:radio reboot-bootloader flash:boot_a flash:vbmeta_a '"
check "bootloader and radio images stored" sh -c \
	"cmp -n 8192 fo/bootloader.img bootloader.img && cmp -n 12288 fo/radio.img radio.img"
check "the inner zip's system.img in super" sh -c "$J extract fo/super.img system_a fo_sys && cmp fo_sys system.img"
run_hw 0 "a factory zip whose inner zip is deflated: planned" -s "tcp:127.0.0.1:$PORT" \
	update factory_d.zip --dry-run
expect_in "$T/out" "factory_d.zip:hwsim-1/image-hwsim-1.0.zip" "the inner zip named"
expect_in "$T/out" "bootloader-hwsim-1.0.img" "the bootloader image placed"
# Flashed: the deflated inner zip and its deflated images are each inflated once.
run_hw 0 "update of a factory zip whose inner zip is deflated" -s "tcp:127.0.0.1:$PORT" -v \
	update factory_d.zip --skip-reboot
expect_in "$T/err" "hwsim-1/image-hwsim-1.0.zip: inflated 1 time" "the inner zip inflated once"
expect_in "$T/err" "system.img: inflated 1 time" "its system.img inflated once"
expect_in "$T/err" "vendor.img: inflated 1 time" "its vendor.img inflated once"
check "no image inflated twice" sh -c "! grep -q 'inflated [2-9] times' '$T/err'"
check "the deflated inner zip's vendor.img in super" sh -c \
	"$J extract fo/super.img vendor_a fo_ven && cmp fo_ven vendor.img"

# --- flashall ---------------------------------------------------------------------------
ANDROID_PRODUCT_OUT='' run_hw 1 "flashall without \$ANDROID_PRODUCT_OUT" flashall
expect_in "$T/err" "ANDROID_PRODUCT_OUT is not set" "the variable named"
mkdir prod
ANDROID_PRODUCT_OUT=$T/prod run_hw 1 "flashall: a folder without android-info.txt" flashall
expect_in "$T/err" "holds no android-info.txt" "android-info.txt named"
# shellcheck disable=SC2086
cp $IMGS modem.img prod/
ANDROID_PRODUCT_OUT=$T/prod run_hw 0 "flashall --dry-run" -s "tcp:127.0.0.1:$PORT" flashall --dry-run
expect_in "$T/out" "flashall takes only the images AOSP's flashall knows" "modem.img: said why"
