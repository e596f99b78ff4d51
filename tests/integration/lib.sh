# Shared helpers for tests/integration/t_*.sh (POSIX sh).
# Each check prints "ok - what" or "not ok - what" (TAP-like); run.sh counts them.
set -u
: "${HWFLASH:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/hwf-it-XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT INT TERM

ok() { echo "ok - $*"; }
skip() { echo "skip - $*"; }

# need TOOL...: without one of its judges a script says which and stops
# (a user without root may lack test packages; make deps installs them).
need() {
	for tool in "$@"; do
		if ! command -v "$tool" > /dev/null 2>&1; then
			skip "$(basename "$0" .sh): needs $tool (make deps installs it, as root)"
			exit 0
		fi
	done
}
fail() { echo "not ok - $*"; }

# check "what" CMD...: passes when CMD exits 0
check() {
	what=$1; shift
	if "$@" > "$T/.out" 2> "$T/.err"; then ok "$what"; else
		fail "$what"; sed 's/^/    /' "$T/.out" "$T/.err"; fi
}

# run_hw EXPECTED_RC "what" ARGS...: runs hwflash, expects an exit code;
# stdout in $T/out, stderr in $T/err
run_hw() {
	want=$1; what=$2; shift 2
	"$HWFLASH" "$@" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
		fail "$what: exit $got, wanted $want"; sed 's/^/    out: /' "$T/out";
		sed 's/^/    err: /' "$T/err"; fi
}

# expect_in FILE "text" "what": FILE contains text (fixed string)
expect_in() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else
		fail "$3: '$2' not in $(basename "$1")"; sed 's/^/    /' "$1"; fi
}

# one_line FILE "what": stderr is exactly one line
one_line() {
	n=$(wc -l < "$1")
	if [ "$n" -eq 1 ]; then ok "$2"; else fail "$2: $n lines"; sed 's/^/    /' "$1"; fi
}

# random FILE BYTES
random() { head -c "$2" /dev/urandom > "$1"; }

# start_sim NAME [fbsim options]: the simulated device on a free loopback
# port, storing into $T/NAME (commands.log there); sets PORT and SIM_PID;
# killed when the script ends.
start_sim() {
	name=$1; shift
	"${FBSIM:?set FBSIM to the fbsim binary}" --tcp 0 --store "$T/$name" "$@" \
		> "$T/$name.port" 2>&1 &
	SIM_PID=$!
	PIDS="$PIDS $SIM_PID"
	i=0
	while ! grep -q listening "$T/$name.port" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1)); done
	PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$T/$name.port")
}

# one_error FILE "what": exactly one "hwflash: " error line (warnings may precede it)
one_error() {
	n=$(grep -c '^hwflash: ' "$1")
	if [ "$n" -eq 1 ]; then ok "$2"; else fail "$2: $n error lines"; sed 's/^/    /' "$1"; fi
}

# flip FILE OFFSET: invert one byte in place (always a change, unlike writing a fixed byte)
flip() {
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(1)
f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))' "$1" "$2"
}
