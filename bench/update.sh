#!/bin/sh
# Factory zips: `hwflash update` of a deflated AOSP update zip against AOSP
# `fastboot update` of the same zip, and `hwflash app flash` of a deflated
# firmware zip holding UPDATE.APP against `hwflash app extract` + AOSP
# `fastboot flash` of each image and against `unzip` + `hwflash app flash`
# of the UPDATE.APP, all to the same simulated device (fbsim on
# loopback, max-download-size 256 MiB as a phone).  Wall time (median of
# BENCH_RUNS runs, the two commands taking turns) and peak RSS.
#
# The image (bench/mkimage.py): BENCH_UPDATE_MIB (400) MiB shaped like a
# filled file system, a third each of random bytes (compressed files),
# text-like bytes (code: what makes inflating cost) and zeros (free space),
# in runs of 1-16 MiB, behind an ext4 superblock.  It is larger than
# max-download-size, so both tools resparse it; deflated it is about half its
# size.  Run by bench/run.sh (make bench), or alone with HWFLASH and FBSIM set.
set -eu
: "${HWFLASH:?}"
here=$(cd "$(dirname "$0")" && pwd)
B=$(dirname "$HWFLASH")
FBSIM=${FBSIM:-$B/fbsim}
MIB=${BENCH_UPDATE_MIB:-400}
RUNS=${BENCH_RUNS:-5}
if ! command -v fastboot > /dev/null || [ ! -x "$FBSIM" ]; then
	echo "update benchmark skipped: needs AOSP fastboot and $FBSIM"
	exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/hwf-bench-upd-XXXXXX")
sim=
trap '[ -z "$sim" ] || kill $sim 2> /dev/null; rm -rf "$W"' EXIT INT TERM
M="python3 $here/measure.py $RUNS"

python3 "$here/mkimage.py" "$W/system.img" "$MIB"
head -c 3000000 /dev/urandom > "$W/kernel"
head -c 1000000 /dev/urandom > "$W/ramdisk"
python3 "$here/../tests/tools/mkbootv4.py" "$W/boot.img" "$W/ramdisk" "$W/kernel"
python3 - "$W" <<'PY'
import sys, zipfile
w = sys.argv[1]
with zipfile.ZipFile(w + "/upd.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("android-info.txt", "require board=hwsim\n")
    z.write(w + "/boot.img", "boot.img")
    z.write(w + "/system.img", "system.img")
PY
"$HWFLASH" app pack -o "$W/UPDATE.APP" BOOT="$W/boot.img" SYSTEM="$W/system.img" > /dev/null
python3 - "$W" <<'PY'
import sys, zipfile
w = sys.argv[1]
with zipfile.ZipFile(w + "/fw.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(w + "/UPDATE.APP", "UPDATE.APP")
PY
rm -f "$W/UPDATE.APP" "$W/kernel" "$W/ramdisk"

"$FBSIM" --tcp 0 --store "$W/dev" --product hwsim --max-download 256M \
	--partition system:$((MIB * 2))M --partition boot:64M --partition userdata:64M \
	> "$W/sim.out" 2>&1 &
sim=$!
i=0
while ! grep -q listening "$W/sim.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
S=tcp:127.0.0.1:$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")

set -- $($M -- "$HWFLASH" -s "$S" update --skip-reboot "$W/upd.zip" \
	-- fastboot -s "$S" --skip-reboot update "$W/upd.zip")
hu_s=$1 hu_rss=$2 au_s=$3 au_rss=$4
cmp -n $((MIB << 20)) "$W/system.img" "$W/dev/system.img" || echo "hwflash update: stored bytes differ!"
set -- $($M -- "$HWFLASH" -s "$S" app flash "$W/fw.zip" \
	-- sh -c "rm -rf '$W/x'; '$HWFLASH' app extract '$W/fw.zip' -o '$W/x' > /dev/null && \
	for p in boot system; do fastboot -s '$S' flash \$p '$W/x/'\$p.img || exit 1; done")
af_s=$1 af_rss=$2 ax_s=$3
cmp -n $((MIB << 20)) "$W/system.img" "$W/dev/system.img" || echo "hwflash app flash: stored bytes differ!"
# Issue 18's goal: app flash of the zip against unzip, then app flash of the APP.
set -- $($M -- "$HWFLASH" -s "$S" app flash "$W/fw.zip" \
	-- sh -c "rm -rf '$W/u'; unzip -q '$W/fw.zip' -d '$W/u' && \
	'$HWFLASH' -s '$S' app flash '$W/u/UPDATE.APP'")
af2_s=$1 uz_s=$3
rm -rf "$W/u"
zbytes=$(stat -c %s "$W/upd.zip")
python3 - "$((MIB << 20))" "$zbytes" "$hu_s" "$hu_rss" "$au_s" "$au_rss" "$af_s" "$af_rss" \
	"$ax_s" "$af2_s" "$uz_s" <<'PY'
import sys
b, zb = int(sys.argv[1]), int(sys.argv[2])
hu, hur, au, aur, af, afr, ax, af2, uz = (float(x) for x in sys.argv[3:])
mib = lambda k: k / 1024.0
print()
print("%-44s %12s %10s" % ("update of a deflated zip (%d MiB system.img," % (b >> 20), "figure", "ratio"))
print("%-44s %12s %10s" % ("  %d MiB zipped), fbsim loopback, 256 MiB" % (zb >> 20), "", ""))
print("%-44s %10.2f s %10s" % ("hwflash update", hu, ""))
print("%-44s %10.2f s %10s" % ("AOSP fastboot update (baseline)", au, ""))
print("%-44s %12s %9.2fx" % ("update time / fastboot time (target <= 1.0)", "", hu / au))
print("%-44s %8.1f MiB %10s" % ("hwflash update peak RSS (limit 32 MiB)", mib(hur),
                                 "OK" if mib(hur) <= 32 else "OVER"))
print("%-44s %8.1f MiB %10s" % ("AOSP fastboot update peak RSS", mib(aur), ""))
print("%-44s %10.2f s %10s" % ("hwflash app flash of the same in fw.zip", af, ""))
print("%-44s %10.2f s %10s" % ("app extract + AOSP fastboot flash (baseline)", ax, ""))
print("%-44s %12s %9.2fx" % ("app flash time / baseline time", "", af / ax))
print("%-44s %8.1f MiB %10s" % ("hwflash app flash peak RSS", mib(afr), ""))
print("%-44s %10.2f s %10s" % ("hwflash app flash of fw.zip (again)", af2, ""))
print("%-44s %10.2f s %10s" % ("unzip, then hwflash app flash (baseline)", uz, ""))
print("%-44s %12s %9.2fx" % ("app flash zip / unzip+app flash (target <= 1.05)", "", af2 / uz))
PY
