#!/bin/bash
# win/wine-run.sh EXE ARGS...: run a Windows program of the build under wine64
# as the integration scripts run the Linux one: same arguments, same exit
# code, stdout and stderr with "\r\n" turned back into "\n" (the only
# difference the comparisons set aside).  The wine prefix lives in the cache
# (win/check.sh makes it).
: "${WINEPREFIX:=${XDG_CACHE_HOME:-$HOME/.cache}/hwflash/wine}"
export WINEPREFIX WINEDEBUG=${WINEDEBUG:--all}
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
exe=$1
shift
set -o pipefail
{ "$wine" "$exe" "$@" 2>&1 1>&3 3>&- | tr -d '\r' >&2; } 3>&1 | tr -d '\r'
