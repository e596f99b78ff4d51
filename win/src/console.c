// SPDX-License-Identifier: MIT
/*
 * win/src/console.c: the console on Windows (win/src/wmain.c calls
 * hwf_console_init() first).  It gets the UTF-8 code page for output and,
 * where Windows 10+ allows it, VT processing for the progress bars' escape
 * sequences; a console where that cannot be enabled counts as no terminal
 * (isatty() 0), so nothing prints escape sequences onto it.  stdin, stdout
 * and stderr stay in text mode: "\n" becomes "\r\n" as Windows tools expect.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"
#include "win/include/sys/ioctl.h"

#undef isatty
#undef ioctl

static int vt_ok[3]; /* stdin, stdout, stderr: a console with VT processing */

void hwf_console_init(void)
{
	static const DWORD which[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE};

	SetConsoleOutputCP(CP_UTF8);
	for (int i = 0; i < 3; i++) {
		HANDLE h = GetStdHandle(which[i]);
		DWORD mode;

		if (!h || h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
			continue;
		if (i == 0)
			vt_ok[i] = 1; /* input: a console is enough (questions are asked) */
		else if (SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING))
			vt_ok[i] = 1;
	}
}

int hwfw_isatty(int fd)
{
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	DWORD mode;

	if (fd >= 0 && fd < 3)
		return vt_ok[fd];
	return h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode);
}

int hwfw_ioctl(int fd, unsigned long req, ...)
{
	CONSOLE_SCREEN_BUFFER_INFO ci;
	struct winsize *ws;
	va_list ap;

	if (req != TIOCGWINSZ || !GetConsoleScreenBufferInfo((HANDLE)_get_osfhandle(fd), &ci)) {
		errno = ENOTTY;
		return -1;
	}
	va_start(ap, req);
	ws = va_arg(ap, struct winsize *);
	va_end(ap);
	memset(ws, 0, sizeof(*ws));
	ws->ws_col = (unsigned short)(ci.srWindow.Right - ci.srWindow.Left + 1);
	ws->ws_row = (unsigned short)(ci.srWindow.Bottom - ci.srWindow.Top + 1);
	return 0;
}
