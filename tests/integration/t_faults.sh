#!/bin/sh
# The fault matrix: the simulated device (tests/sim/fbsim) misbehaves at each
# step of getvar / download / flash / erase / reboot, and hwflash must end
# every case with exit 1 (0 where the device recovers legitimately), exactly
# one error line that names the step, within a bounded time (--timeout 1 for
# stalls), and never send flash: after a failed or partial download.  Leaks
# are caught by the ASan/LSan run of this same script in `make check` (a leak
# turns the exit code into 23).
#
# Transports: FAULT_TRANSPORTS (default "tcp") lists them; each needs a
# start_dev_<transport> DIR FAULT that starts a simulated device with that
# fault, storing in DIR, and sets S to its serial.  USB runs when USBSIM is
# given (the same model faults, behind libusb and umockdev).
. "$(dirname "$0")/lib.sh"
: "${FBSIM:?set FBSIM to the fbsim binary}"
cd "$T"
LIMIT_MS=${FAULT_LIMIT_MS:-15000}
# The INFO flood is a legitimate exchange of 10000 packets, not a stall: over
# USB with the ASan binary on a loaded 2-core machine it takes ~15 s, so its
# bound (a hang still ends it) is wider.
FLOOD_LIMIT_MS=${FAULT_FLOOD_LIMIT_MS:-60000}

start_dev_tcp() {
	start_sim "$1" --once --fault "$2" --partition system:64M --partition boot_a:32M
	DEV=$SIM_PID
	S="tcp:127.0.0.1:$PORT"
}

# USB: the simulated device (usbsim) runs hwflash as its child, so HWFLASH
# becomes a wrapper that starts usbsim with the fault and runs the real one.
REAL_HWFLASH=$HWFLASH
start_dev_usb() {
	cat > "$T/usbwrap" <<EOW
#!/bin/sh
exec "$USBSIM" --device FAULT01 --store "$T/$1" --fault "$2" --partition system:64M \\
	--partition boot_a:32M -- "$REAL_HWFLASH" "\$@"
EOW
	chmod +x "$T/usbwrap"
	HWFLASH=$T/usbwrap
	DEV=""
	S=FAULT01
}

stop_dev() {
	HWFLASH=$REAL_HWFLASH
	[ -n "$DEV" ] || return 0
	kill "$DEV" 2>/dev/null
	wait "$DEV" 2>/dev/null
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# fault TRANSPORT "what" FAULT WANT_RC "step" NOFLASH hwflash-args...
# NOFLASH=1: the device's log must show no flash: command at all.
# FAULT_SHOW=1 in the environment prints hwflash's stderr of every case.
n=0
fault() {
	tr=$1 what="$1: $2" flt=$3 want=$4 step=$5 noflash=$6
	shift 6
	n=$((n + 1))
	dir=d$n
	"start_dev_$tr" "$dir" "$flt"
	t0=$(now_ms)
	run_hw "$want" "$what" -s "$S" --timeout 1 "$@"
	ms=$(($(now_ms) - t0))
	lim=$LIMIT_MS
	[ "$flt" = info-flood ] && lim=$FLOOD_LIMIT_MS
	if [ "$ms" -le "$lim" ]; then ok "$what: ended in $ms ms"; else
		fail "$what: took $ms ms (limit $lim)"; fi
	[ -n "${FAULT_SHOW:-}" ] && sed "s/^/    # /" "$T/err"
	if [ "$want" -ne 0 ]; then
		lines=$(grep -c '^hwflash: ' "$T/err")
		if [ "$lines" -eq 1 ]; then ok "$what: one error line"; else
			fail "$what: $lines error lines"; sed 's/^/    err: /' "$T/err"; fi
		if grep '^hwflash: ' "$T/err" | grep -qF -- "$step"; then
			ok "$what: the error names '$step'"; else
			fail "$what: '$step' not in the error"; sed 's/^/    err: /' "$T/err"; fi
	fi
	if [ "$noflash" = 1 ]; then
		if grep -q '^flash:' "$dir/commands.log" 2>/dev/null; then
			fail "$what: flash: sent after a failed download"
			sed 's/^/    log: /' "$dir/commands.log"
		else
			ok "$what: no flash: sent"
		fi
	fi
	stop_dev
}

random system.img 3000000
random small.img 5000

transports=${FAULT_TRANSPORTS:-tcp}
if [ -z "${FAULT_TRANSPORTS:-}" ] && [ -n "${USBSIM:-}" ] && [ -x "$USBSIM" ]; then
	transports="tcp usb"
fi
for tr in $transports; do
	# Disconnects along a download and around flash.
	fault "$tr" "disconnect before any data" disconnect-at:0 1 "download" 1 flash system system.img
	fault "$tr" "disconnect at 50 %" disconnect-at:50 1 "download" 1 flash system system.img
	fault "$tr" "disconnect with all data in, before OKAY" disconnect-at:100 1 "download:" 1 \
		flash system system.img
	fault "$tr" "disconnect at 50 % of the first sparse piece" disconnect-at:50 1 "download" 1 \
		-S 1M flash system system.img
	# Over USB the device is gone before its download OKAY is reaped, so
	# the download is the step that fails; over TCP the OKAY arrives first.
	step=flash:system
	[ "$tr" = usb ] && step="device disconnected; nothing was written"
	fault "$tr" "disconnect between download and flash" disconnect-before-flash 1 "$step" 0 \
		flash system system.img
	fault "$tr" "disconnect during flash" disconnect-during-flash 1 "flash:system" 0 \
		flash system system.img
	# FAIL replies.
	fault "$tr" "FAIL on download" fail-download 1 "download:" 1 flash system system.img
	fault "$tr" "FAIL on flash" fail-flash 1 "flash:system: device refused" 0 flash system system.img
	fault "$tr" "FAIL on erase" fail-erase 1 "erase:system: device refused" 1 erase system
	# No reply at each step.
	fault "$tr" "stall on getvar" stall-on:getvar 1 "getvar:product" 1 getvar product
	fault "$tr" "stall on getvar before a flash" stall-on:getvar 1 "getvar:" 1 flash system system.img
	fault "$tr" "stall on download" stall-on:download 1 "download:" 1 flash system system.img
	fault "$tr" "stall after the data" stall-on:data 1 "download:" 1 flash system system.img
	fault "$tr" "stall on flash" stall-on:flash 1 "flash:system" 0 flash system system.img
	fault "$tr" "stall on erase" stall-on:erase 1 "erase:system" 1 erase system
	fault "$tr" "stall on boot" stall-on:boot 1 "boot" 0 --force boot small.img
	fault "$tr" "stall on reboot" stall-on:reboot 1 "reboot" 1 reboot
	fault "$tr" "stall on everything" stall 1 "getvar:" 1 flash system system.img
	# Replies that are not fastboot.
	fault "$tr" "garbage reply" garbage 1 "getvar:product" 1 getvar product
	fault "$tr" "garbage before a flash" garbage 1 "getvar:" 1 flash system system.img
	fault "$tr" "over-long reply (2000 bytes)" overlong 1 "getvar:product" 1 getvar product
	fault "$tr" "over-long reply (300 bytes)" overlong:300 1 "getvar:product: the device sent an over-long reply" \
		1 getvar product
	fault "$tr" "over-long reply before a flash" overlong 1 "getvar:" 1 flash system system.img
	# Legitimate but unusual: the device recovers, hwflash must too.
	fault "$tr" "10000 INFO lines" info-flood 0 "" 0 getvar product
	expect_in "$T/out" "product: fbsim" "$tr: the answer after 10000 INFO lines"
	fault "$tr" "replies in 1-byte reads: getvar" byte-by-byte 0 "" 0 getvar product
	expect_in "$T/out" "product: fbsim" "$tr: a reply read one byte at a time"
	fault "$tr" "replies in 1-byte reads: flash" byte-by-byte 0 "" 0 flash system small.img
	check "$tr: flashed byte for byte over 1-byte replies" cmp "d$n/system.img" small.img
done
