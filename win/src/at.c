// SPDX-License-Identifier: MIT
/*
 * win/src/at.c: the POSIX *at() functions over a folder's descriptor, and
 * symbolic links, on Windows.
 *
 * A folder opened with open(O_DIRECTORY) is a handle to it; openat(fd, NAME)
 * and the others ask the handle for the folder's path
 * (GetFinalPathNameByHandleW) and work on PATH\NAME.  That is the Linux
 * behaviour except for one race: a folder renamed between the two steps is
 * found at its new place.  No table of descriptors is kept.
 *
 * Symbolic links are Cygwin's "system file" links: a small file with the
 * SYSTEM attribute holding "!<symlink>", a UTF-16LE byte order mark and the
 * target in UTF-16LE, ending in a NUL.  Making one needs no privilege (a
 * Windows symbolic link needs developer mode or an administrator), Cygwin,
 * MSYS2 and Git for Windows show it as a link, and lstat(), fstatat(...,
 * AT_SYMLINK_NOFOLLOW), readlink(), readlinkat() and open(O_NOFOLLOW) here see
 * it as one (S_IFLNK; ELOOP).  Plain open()/stat() see the file: hwflash never
 * follows a link in a folder it unpacked.  A ramdisk unpacked on Windows thus
 * keeps its symlinks, and its repack stores them as symlinks again.
 * Errors set errno; every function returns -1 (NULL) on failure.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"

static const char magic[10] = "!<symlink>";

/* PATH of the folder @dirfd joined with @name (malloc'd); @name itself when absolute. */
char *hwf_at_path(int dirfd, const char *name)
{
	wchar_t buf[32768];
	const wchar_t *w = buf;
	char *dir, *out;
	size_t n;
	DWORD len;
	HANDLE h;

	if (dirfd == AT_FDCWD || name[0] == '/')
		return strdup(name);
	/* A name in a folder (a ramdisk's): never a drive ("c:x" is a name, its ':' stored as
	 * hwf_wide() stores it), never a separator (a Linux name "..\\x" must not climb). */
	if (strchr(name, '\\')) {
		errno = EINVAL;
		return NULL;
	}
	h = handle_of(dirfd);
	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return NULL;
	}
	len = GetFinalPathNameByHandleW(h, buf, sizeof(buf) / sizeof(buf[0]), FILE_NAME_NORMALIZED);
	if (!len || len >= sizeof(buf) / sizeof(buf[0])) {
		hwf_win_fail(len ? ERROR_FILENAME_EXCED_RANGE : GetLastError());
		return NULL;
	}
	/*
	 * One name (what the ramdisk engine gives): the folder's \\?\ path kept, under which
	 * Windows takes a name as it is, so "nul", "con" or "aux.txt" are files there and not
	 * devices.  Else \\?\C:\x -> C:\x and \\?\UNC\srv\x -> \\srv\x: names then may hold
	 * "/" and ".".
	 */
	if (*name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..")) {
		w = buf;
	} else if (!wcsncmp(buf, L"\\\\?\\UNC\\", 8)) {
		buf[6] = L'\\';
		w = buf + 6;
	} else if (!wcsncmp(buf, L"\\\\?\\", 4)) {
		w = buf + 4;
	}
	dir = hwf_utf8(w);
	if (!dir)
		return NULL;
	if (!*name || !strcmp(name, "."))
		return dir;
	n = strlen(dir) + strlen(name) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s\\%s", dir, name);
	else
		errno = ENOMEM;
	free(dir);
	return out;
}

/* The target of the link file @w into @buf (UTF-8, no NUL); its length, or -1 (EINVAL: no link). */
static ssize_t read_symfile(const wchar_t *w, char *buf, size_t cap)
{
	char raw[10 + 2 + 2 * 4096 + 2];
	DWORD attr = GetFileAttributesW(w), got = 0;
	HANDLE h;
	ssize_t n = -1;

	if (attr == INVALID_FILE_ATTRIBUTES)
		return hwf_win_fail(GetLastError());
	if (!(attr & FILE_ATTRIBUTE_SYSTEM) || (attr & FILE_ATTRIBUTE_DIRECTORY)) {
		errno = EINVAL;
		return -1;
	}
	h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return hwf_win_fail(GetLastError());
	if (ReadFile(h, raw, sizeof(raw) - 2, &got, NULL) && got >= sizeof(magic) &&
	    !memcmp(raw, magic, sizeof(magic))) {
		raw[got] = raw[got + 1] = 0;
		if (got >= 12 && (uint8_t)raw[10] == 0xff && (uint8_t)raw[11] == 0xfe) {
			/* UTF-16LE, aligned copy */
			wchar_t t[4096 + 1];
			size_t k = (got - 12) / 2;
			char *u;

			memcpy(t, raw + 12, k * 2);
			t[k] = 0;
			u = hwf_utf8(t);
			if (u) {
				n = (ssize_t)strlen(u);
				memcpy(buf, u, (size_t)n < cap ? (size_t)n : cap);
				free(u);
			}
		} else {
			n = (ssize_t)strnlen(raw + 10, got - 10);
			memcpy(buf, raw + 10, (size_t)n < cap ? (size_t)n : cap);
		}
		if (n > (ssize_t)cap)
			n = (ssize_t)cap;
	} else {
		errno = EINVAL;
	}
	CloseHandle(h);
	return n;
}

int hwf_is_symlink(const wchar_t *w)
{
	char t[8];
	DWORD attr = GetFileAttributesW(w);

	if (attr == INVALID_FILE_ATTRIBUTES || (attr & FILE_ATTRIBUTE_DIRECTORY))
		return 0;
	if (attr & FILE_ATTRIBUTE_REPARSE_POINT)
		return 1;
	return (attr & FILE_ATTRIBUTE_SYSTEM) && read_symfile(w, t, sizeof(t)) >= 0;
}

int hwfw_lstat(const char *path, struct hwfw_stat *st)
{
	wchar_t *w;
	char t[4096];
	ssize_t n;

	if (hwfw_stat(path, st))
		return -1;
	if (S_ISDIR(st->st_mode) || st->st_size > (int64_t)sizeof(t) * 2 + 16)
		return 0;
	w = hwf_wide(path);
	if (!w)
		return -1;
	n = read_symfile(w, t, sizeof(t));
	free(w);
	if (n >= 0) {
		st->st_mode = S_IFLNK | 0777;
		st->st_size = n;
	}
	return 0;
}

ssize_t hwfw_readlink(const char *path, char *buf, size_t n)
{
	wchar_t *w = hwf_wide(path);
	ssize_t r;

	if (!w)
		return -1;
	r = read_symfile(w, buf, n);
	free(w);
	return r;
}

int hwfw_symlink(const char *target, const char *path)
{
	static const unsigned char bom[2] = {0xff, 0xfe};
	wchar_t *w = hwf_wide(path), *t = hwf_wide(target);
	DWORD put;
	HANDLE h = INVALID_HANDLE_VALUE;
	int ok = 0;

	if (w && t)
		h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_SYSTEM, NULL);
	if (h != INVALID_HANDLE_VALUE) {
		DWORD tl = (DWORD)((wcslen(t) + 1) * sizeof(wchar_t));

		ok = WriteFile(h, magic, sizeof(magic), &put, NULL) &&
		     WriteFile(h, bom, 2, &put, NULL) && WriteFile(h, t, tl, &put, NULL) &&
		     put == tl;
		if (!ok) {
			DWORD err = GetLastError();

			CloseHandle(h);
			DeleteFileW(w);
			SetLastError(err);
		} else {
			CloseHandle(h);
		}
	}
	if (!ok && w && t)
		hwf_win_fail(GetLastError());
	free(w);
	free(t);
	return ok ? 0 : -1;
}

/* --- *at ------------------------------------------------------------------------------- */

#define AT_CALL(expr, ...)                                                                         \
	do {                                                                                       \
		int rc_ = -1;                                                                      \
		if (p)                                                                             \
			rc_ = (expr);                                                              \
		free(p);                                                                           \
		__VA_ARGS__;                                                                       \
		return rc_;                                                                        \
	} while (0)

int hwfw_openat(int dirfd, const char *name, int flags, ...)
{
	char *p = hwf_at_path(dirfd, name);
	int mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & O_CREAT)
		mode = va_arg(ap, int);
	va_end(ap);
	AT_CALL(hwfw_open(p, flags, mode));
}

int hwfw_fstatat(int dirfd, const char *name, struct hwfw_stat *st, int flags)
{
	char *p = hwf_at_path(dirfd, name);

	AT_CALL((flags & AT_SYMLINK_NOFOLLOW) ? hwfw_lstat(p, st) : hwfw_stat(p, st));
}

int hwfw_mkdirat(int dirfd, const char *name, int mode)
{
	char *p = hwf_at_path(dirfd, name);

	AT_CALL(hwfw_mkdir(p, mode));
}

static int unlink_file(const char *p)
{
	struct hwfw_stat st;

	if (hwfw_lstat(p, &st))
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return hwfw_unlink(p);
}

int hwfw_unlinkat(int dirfd, const char *name, int flags)
{
	char *p = hwf_at_path(dirfd, name);

	AT_CALL((flags & AT_REMOVEDIR) ? hwfw_rmdir(p) : unlink_file(p));
}

ssize_t hwfw_readlinkat(int dirfd, const char *name, char *buf, size_t n)
{
	char *p = hwf_at_path(dirfd, name);
	ssize_t r = p ? hwfw_readlink(p, buf, n) : -1;

	free(p);
	return r;
}

int hwfw_symlinkat(const char *target, int dirfd, const char *name)
{
	char *p = hwf_at_path(dirfd, name);

	AT_CALL(hwfw_symlink(target, p));
}

int hwfw_linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	char *p = hwf_at_path(fromfd, from), *q = hwf_at_path(tofd, to);

	(void)flags;
	if (!q) {
		free(p);
		return -1;
	}
	AT_CALL(hwfw_link(p, q), free(q));
}
