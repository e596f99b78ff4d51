// SPDX-License-Identifier: MIT
/*
 * win/src/wmain.c: hwflash.exe's entry.  wmain() takes the command line as
 * UTF-16 (any file name survives), makes it UTF-8 and calls host/main.c's
 * main, which the Windows build compiles as hwf_main_utf8.  A child of a
 * parallel run (HWFLASH_MULTI_CHILD, host/multi.h) writes its stdout and
 * stderr in binary mode: the parent takes "\r" for a progress bar's redraw.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"
#include "host/multi.h"

int hwf_main_utf8(int argc, char **argv);

int wmain(int argc, wchar_t **wargv)
{
	char **argv = calloc((size_t)argc + 1, sizeof(*argv));

	if (!argv) {
		fputs("hwflash: out of memory\n", stderr);
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		argv[i] = hwf_utf8(wargv[i]);
		if (!argv[i]) {
			fputs("hwflash: an argument is not valid UTF-16\n", stderr);
			return 2;
		}
	}
	/* A child of a parallel run (win/multi_win.c): lines end in "\n" as on Linux. */
	if (getenv(MULTI_CHILD_ENV)) {
		_setmode(1, _O_BINARY);
		_setmode(2, _O_BINARY);
	}
	hwf_console_init();
	return hwf_main_utf8(argc, argv);
}
