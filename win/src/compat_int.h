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

/* hwf_wide(): a path (names Windows forbids mapped as Cygwin does, see wpath.c);
 * _text: any string.  hwf_utf8() maps them back. */
wchar_t *hwf_wide(const char *s);
wchar_t *hwf_wide_text(const char *s);
char *hwf_utf8(const wchar_t *w);
int hwf_win_errno(unsigned long werr);
/* errno from a Win32 error code; returns -1. */
int hwf_win_fail(unsigned long werr);
/* Six random letters and digits at @x (for XXXXXX); @tries varies them. */
void hwf_random_letters(char *x, int tries);
#define handle_of(fd) ((HANDLE)_get_osfhandle(fd))
/* The console: UTF-8 output, VT processing where it can be had (wmain calls it). */
void hwf_console_init(void);
/* Is the file @w a symbolic link (Cygwin's system file or a reparse point)? */
int hwf_is_symlink(const wchar_t *w);
/* The path of @name in the folder open as @dirfd (malloc'd, UTF-8; NULL with errno). */
char *hwf_at_path(int dirfd, const char *name);

#endif
