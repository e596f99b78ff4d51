// SPDX-License-Identifier: MIT
/*
 * win/src/wmain.c: hwflash.exe's entry.  wmain() takes the command line as
 * UTF-16 (any file name survives), makes it UTF-8 and calls host/main.c's
 * main, which the Windows build compiles as hwf_main_utf8.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"

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
	hwf_console_init();
	return hwf_main_utf8(argc, argv);
}
