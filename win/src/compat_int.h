/* SPDX-License-Identifier: MIT */
/*
 * win/src/compat_int.h: what the files of win/src/ share: UTF-8/UTF-16
 * conversion (the result is malloc'd; NULL with errno EINVAL or ENOMEM) and
 * the mapping of Win32 and Winsock error codes to errno values.  The files of win/src/
 * include <windows.h> first and are compiled without the forced win/compat.h.
 */
#ifndef HWF_WIN_COMPAT_INT_H
#define HWF_WIN_COMPAT_INT_H

#include "win/compat.h"

wchar_t *hwf_wide(const char *s);
char *hwf_utf8(const wchar_t *w);
int hwf_win_errno(unsigned long werr);
/* The console: UTF-8 output, VT processing where it can be had (wmain calls it). */
void hwf_console_init(void);

#endif
