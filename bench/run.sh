#!/bin/sh
# make bench: the figures README's performance table quotes.
#   1. CRC-16/X-25 throughput per implementation (in cache).
#   2. app check of a generated 1 GiB UPDATE.APP, page cache hot, against
#      coreutils `cksum FILE` (hardware CRC-32) over the same bytes.
#   3. Peak RSS of app check (must stay <= 16 MiB: it streams).
#   4. app pack against cp of the same data.
#   4b. app list of a nested download against unzip -l.
#   5. dload prepare of the package onto a fresh image file (format, write,
#      fsync, read back past the page cache, verify) against cp + sync FILE.
#   6. fastboot flash of a 1 GiB raw image to fbsim on loopback
#      (max-download-size 256 MiB, so both split into sparse pieces):
#      hwflash against AOSP fastboot, time and peak RSS.
#   9. update of a deflated factory zip against AOSP fastboot update, and
#      app flash out of a deflated firmware zip (bench/update.sh).
# Ratios, not absolute times, are what to compare across machines.
set -eu
: "${HWFLASH:?}"
here=$(cd "$(dirname "$0")" && pwd)
B=$(dirname "$HWFLASH")
SIZE_MIB=${BENCH_MIB:-1024}
RUNS=${BENCH_RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/hwf-bench-XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
M="python3 $here/measure.py $RUNS"

"$B/bench_crc"
echo

# A package like a real one: a big SYSTEM, a VENDOR, small BOOT/RECOVERY.
sys=$((SIZE_MIB * 70 / 100)); ven=$((SIZE_MIB * 26 / 100)); rest=$((SIZE_MIB - sys - ven))
head -c $((sys << 20)) /dev/urandom > "$W/system.img"
head -c $((ven << 20)) /dev/urandom > "$W/vendor.img"
head -c $(((rest << 20) / 2)) /dev/urandom > "$W/boot.img"
head -c $(((rest << 20) / 2)) /dev/urandom > "$W/recovery.img"
cat "$W"/*.img > "$W/all.raw"	# warms the inputs for the pack/cp comparison

set -- $($M sh -c "rm -f '$W/p.APP'; '$HWFLASH' app pack -o '$W/p.APP' SYSTEM='$W/system.img' \
	VENDOR='$W/vendor.img' BOOT='$W/boot.img' RECOVERY='$W/recovery.img'")
pack_s=$1
set -- $($M sh -c "rm -f '$W/c.raw'; cp '$W/all.raw' '$W/c.raw'")
cp_s=$1
rm -f "$W/c.raw" "$W/all.raw"

F="$W/p.APP"
bytes=$(stat -c %s "$F")
cksum "$F" > /dev/null	# page cache hot for both
set -- $($M "$HWFLASH" app check "$F"); chk_s=$1; chk_rss=$2
set -- $($M cksum "$F"); ck_s=$1
set -- $($M "$HWFLASH" app list "$F"); list_s=$1

python3 - "$bytes" "$chk_s" "$chk_rss" "$ck_s" "$pack_s" "$cp_s" "$list_s" <<'PY'
import sys
b, chk, rss, ck, pack, cp, lst = sys.argv[1:]
b = int(b); chk = float(chk); ck = float(ck); pack = float(pack); cp = float(cp)
rss = int(rss) / 1024.0
print("%-44s %12s %10s" % ("benchmark (%.2f GiB UPDATE.APP, cache hot)" % (b / 2**30), "figure", "ratio"))
print("%-44s %9.2f GB/s %10s" % ("hwflash app check", b / chk / 1e9, ""))
print("%-44s %9.2f GB/s %10s" % ("cksum FILE (baseline)", b / ck / 1e9, ""))
print("%-44s %12s %9.2fx" % ("app check time / cksum time (target <= 1.5)", "", chk / ck))
print("%-44s %9.1f MiB %10s" % ("app check peak RSS (limit 16 MiB)", rss, "OK" if rss <= 16 else "OVER"))
print("%-44s %9.2f GB/s %10s" % ("hwflash app pack (writes + verifies)", b / pack / 1e9, ""))
print("%-44s %9.2f GB/s %10s" % ("cp of the same data (baseline)", b / cp / 1e9, ""))
print("%-44s %12s %9.2fx" % ("app pack time / cp time", "", pack / cp))
print("%-44s %10.1f ms %10s" % ("app list", float(lst) * 1000, ""))
PY

# 4b. app list of a nested download (the package stored in update_sd.zip,
#     stored in the download zip, as firmware sites ship them): only the
#     central directories and the entry headers are read, against `unzip -l`
#     of the outer zip, which reads its central directory.
python3 - "$F" "$W/dl.zip" <<'PY'
import os, sys, zipfile
app, out = sys.argv[1:]
inner = out + ".sd"
with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    z.write(app, "UPDATE.APP")
with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    z.write(inner, "Software/update_sd.zip")
os.unlink(inner)
PY
set -- $($M -- "$HWFLASH" app list "$W/dl.zip" -- unzip -l "$W/dl.zip")
nl_s=$1; nl_rss=$2; ul_s=$3
python3 - "$(stat -c %s "$W/dl.zip")" "$nl_s" "$nl_rss" "$ul_s" <<'PY'
import sys
b, nl, rss, ul = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]) / 1024.0, float(sys.argv[4])
print()
print("%-44s %12s %10s" % ("app list of a %.2f GiB nested download" % (b / 2**30), "figure", "ratio"))
print("%-44s %10.1f ms %10s" % ("hwflash app list (zip in zip, stored)", nl * 1000, ""))
print("%-44s %10.1f ms %10s" % ("unzip -l of the outer zip (baseline)", ul * 1000, ""))
print("%-44s %12s %9.2fx" % ("app list time / unzip -l time", "", nl / ul))
print("%-44s %8.1f MiB %10s" % ("app list peak RSS", rss, ""))
PY
rm -f "$W/dl.zip"

# 5. dload prepare onto an image file, against cp + sync of the same file.
set -- $($M sh -c "rm -f '$W/card.img'; truncate -s $((SIZE_MIB * 2))M '$W/card.img'; \
	'$HWFLASH' dload prepare '$F' '$W/card.img' --format --yes")
dl_s=$1; dl_rss=$2
set -- $($M sh -c "rm -f '$W/c.APP'; cp '$F' '$W/c.APP' && sync '$W/c.APP'")
cps_s=$1
rm -f "$W/card.img" "$W/c.APP"
python3 - "$bytes" "$dl_s" "$dl_rss" "$cps_s" <<'PY'
import sys
b, dl, rss, cps = sys.argv[1:]
b = int(b); dl = float(dl); cps = float(cps); rss = int(rss) / 1024.0
print()
print("%-44s %12s %10s" % ("dload prepare %.2f GiB onto an image file" % (b / 2**30), "figure", "ratio"))
print("%-44s %9.2f GB/s %10s" % ("hwflash dload prepare --format (+ read-back)", b / dl / 1e9, ""))
print("%-44s %9.2f GB/s %10s" % ("cp + sync FILE (baseline)", b / cps / 1e9, ""))
print("%-44s %12s %9.2fx" % ("dload time / cp+sync time (target <= 2.0)", "", dl / cps))
print("%-44s %9.1f MiB %10s" % ("dload prepare peak RSS", rss, ""))
PY

# 6. fastboot flash against AOSP fastboot, same simulated device, same image.
FBSIM=${FBSIM:-$B/fbsim}
if command -v fastboot > /dev/null && [ -x "$FBSIM" ]; then
	rm -f "$W"/*.img
	head -c $((SIZE_MIB << 20)) /dev/urandom > "$W/fb.img"
	"$FBSIM" --tcp 0 --store "$W/dev" --max-download 256M \
		--partition system:$((SIZE_MIB * 2))M --partition vendor:$((SIZE_MIB))M \
		--partition boot:$((SIZE_MIB))M --partition recovery:$((SIZE_MIB))M \
		> "$W/sim.out" 2>&1 &
	sim=$!
	i=0
	while ! grep -q listening "$W/sim.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	S=tcp:127.0.0.1:$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$W/sim.out")
	set -- $($M "$HWFLASH" -s "$S" flash system "$W/fb.img"); hf_s=$1; hf_rss=$2
	cmp -n $((SIZE_MIB << 20)) "$W/fb.img" "$W/dev/system.img" || echo "hwflash: stored bytes differ!"
	set -- $($M fastboot -s "$S" flash system "$W/fb.img"); ab_s=$1; ab_rss=$2
	rm -f "$W/fb.img"
	# 7. app flash of the package against app extract + AOSP fastboot flash of each image.
	# (--force: the bench's BOOT/RECOVERY are random bytes, not boot images.)
	set -- $($M "$HWFLASH" -s "$S" --force app flash "$F"); af_s=$1; af_rss=$2
	set -- $($M sh -c "rm -rf '$W/x'; '$HWFLASH' app extract '$F' -o '$W/x' && \
		for p in system vendor boot recovery; do fastboot -s '$S' flash \$p '$W/x/'\$p.img \
		|| exit 1; done"); ex_s=$1
	xsize=$(du -sb "$W/x" | cut -f1)
	rm -rf "$W/x"
	kill $sim
	python3 - "$((SIZE_MIB << 20))" "$hf_s" "$hf_rss" "$ab_s" "$ab_rss" <<'PY'
import sys
b, hf, hfr, ab, abr = sys.argv[1:]
b = int(b); hf = float(hf); ab = float(ab); hfr = int(hfr) / 1024.0; abr = int(abr) / 1024.0
print()
print("%-44s %12s %10s" % ("fastboot flash %.2f GiB raw, fbsim loopback" % (b / 2**30), "figure", "ratio"))
print("%-44s %9.2f GB/s %10s" % ("hwflash flash (sparse pieces of 256 MiB)", b / hf / 1e9, ""))
print("%-44s %9.2f GB/s %10s" % ("AOSP fastboot flash (baseline)", b / ab / 1e9, ""))
print("%-44s %12s %9.2fx" % ("hwflash time / fastboot time (target <= 1.0)", "", hf / ab))
print("%-44s %9.1f MiB %10s" % ("hwflash peak RSS (limit 32 MiB)", hfr, "OK" if hfr <= 32 else "OVER"))
print("%-44s %9.1f MiB %10s" % ("AOSP fastboot peak RSS", abr, ""))
PY
	python3 - "$bytes" "$af_s" "$af_rss" "$ex_s" "$xsize" <<'PY'
import sys
b, af, rss, ex, xs = sys.argv[1:]
b = int(b); af = float(af); ex = float(ex); rss = int(rss) / 1024.0; xs = int(xs)
print()
print("%-44s %12s %10s" % ("app flash %.2f GiB UPDATE.APP to fbsim" % (b / 2**30), "figure", "ratio"))
print("%-44s %9.2f GB/s %10s" % ("hwflash app flash (verify, then stream)", b / af / 1e9, ""))
print("%-44s %9.2f GB/s %10s" % ("app extract + AOSP fastboot flash (baseline)", b / ex / 1e9, ""))
print("%-44s %12s %9.2fx" % ("app flash time / baseline time (target < 1)", "", af / ex))
print("%-44s %9.1f MiB %10s" % ("app flash peak RSS / temporary disk", rss, "0 B"))
print("%-44s %9.1f MiB %10s" % ("baseline temporary disk (extracted images)", xs / 2**20, ""))
PY
fi

# 8. fastboot flash over USB: the libusb transport (4 bulk transfers of 256 KiB
#    in flight) against the simulated USB device (usbsim: umockdev, the same
#    device model), 256 MiB in one download.  The whole command is timed; the
#    device's own counters give the data phase and the transfers in flight.
USBSIM=${USBSIM:-$B/usbsim}
if [ -x "$USBSIM" ]; then
	head -c $((256 << 20)) /dev/urandom > "$W/usb.img"
	set -- $($M "$USBSIM" --stats "$W/usb.stats" --device BENCH --store "$W/udev" \
		--max-download 512M --partition system:1G -- "$HWFLASH" flash system "$W/usb.img")
	us_s=$1
	cmp "$W/usb.img" "$W/udev/system.img" || echo "hwflash: stored bytes differ over USB!"
	rm -rf "$W/usb.img" "$W/udev"
	python3 - "$((256 << 20))" "$us_s" "$W/usb.stats" <<'PY'
import re, sys
b, t, stats = int(sys.argv[1]), float(sys.argv[2]), open(sys.argv[3]).read()
kv = dict(re.findall(r"(\w+)=([0-9.]+)", stats))
print()
print("%-44s %12s %10s" % ("fastboot flash 256 MiB over USB (usbsim)", "figure", ""))
print("%-44s %9.0f MB/s %10s" % ("whole command (download + device write)", b / t / 1e6, ""))
print("%-44s %9.0f MB/s %10s" % ("data phase, as the device saw it", float(kv["data_MBps"]), ""))
print("%-44s %12s %10s" % ("bulk OUT transfers in flight at most", kv["max_out_in_flight"], ""))
PY
fi

# 9. update of a deflated factory zip (400 MiB system.img) against AOSP
#    fastboot update, and app flash out of a deflated firmware zip
#    (bench/update.sh).
echo
HWFLASH="$HWFLASH" FBSIM="$FBSIM" sh "$here/update.sh"
