#!/bin/sh
# The documentation cannot rot: the man page's COMMANDS section is what
# `hwflash help` says, mandoc finds no warning, bash completion completes.
. "$(dirname "$0")/lib.sh"
need python3
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${FBSIM:=}"

check "man page COMMANDS match hwflash help" python3 "$top/tests/tools/manpage.py" \
	"$HWFLASH" "$top/doc/hwflash.1"
if command -v mandoc > /dev/null; then
	check "mandoc -Tlint: no warnings" mandoc -Tlint -W warning "$top/doc/hwflash.1"
fi
check "man renders it" sh -c "MANWIDTH=80 man -l '$top/doc/hwflash.1' 2>&1 | grep -q 'dload prepare SOURCE TARGET'"
check "every command of --help has a help page" sh -c "
	'$HWFLASH' --help | sed -n 's/^  \([a-z_][a-z_-]*\).*/\1/p' | sort -u | while read c; do
		'$HWFLASH' help \$c > /dev/null || exit 1; done"

# complete WORDS...: what bash completion offers for the last word.
complete_words() {
	HWFLASH=$HWFLASH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_hwflash
		printf "%s\n" "${COMPREPLY[@]}"' "$top/doc/hwflash.bash" "$@"
}
if [ -f /usr/share/bash-completion/bash_completion ]; then
	out=$(complete_words hwflash "" | tr '\n' ' ')
	check "hwflash <TAB> -> groups and fastboot commands" sh -c \
		"echo '$out' | grep -q 'app image dload devices getvar flash'"
	out=$(complete_words hwflash dl)
	check "hwflash dl<TAB> -> dload" test "$out" = dload
	out=$(complete_words hwflash app "" | tr '\n' ' ')
	check "hwflash app <TAB> -> subcommands" test "$out" = "list check extract pack flash replace remove "
	out=$(complete_words hwflash reboot b)
	check "hwflash reboot b<TAB> -> bootloader" test "$out" = bootloader
	if [ -n "$FBSIM" ]; then
		start_sim dev --partition recovery:1M --partition system_a:1M --partition system_b:1M
		port=$PORT
		out=$(complete_words hwflash -s "tcp:127.0.0.1:$port" flash "" | tr '\n' ' ')
		check "flash <TAB> offers the device's partitions" test "$out" = "recovery system "
		kill $SIM_PID
	fi
fi
