// SPDX-License-Identifier: MIT
/*
 * win/src/posix.c: the rest of win/compat.h: directories with UTF-8 names, the
 * small POSIX functions the Microsoft C library lacks, and what only the
 * tests and the simulator use (hard links, mkdtemp, fallocate, statfs, and
 * system() through the Unix shell under wine).
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winioctl.h>

#include "win/src/compat_int.h"
#include "win/include/sys/statfs.h"

/* --- directories --------------------------------------------------------- */

struct hwfw_dir {
	HANDLE h;
	WIN32_FIND_DATAW fd;
	int first;
	int dfd; /* fdopendir()'s, or -1 */
	char *path;
	struct hwfw_dirent ent;
};

HWFW_DIR *hwfw_opendir(const char *path)
{
	size_t n = strlen(path);
	/* PATH\*: the '*' added after hwf_wide(), which stores a name's '*' as U+F02A. */
	wchar_t *w = hwf_wide(path), *pat = w ? realloc(w, (wcslen(w) + 3) * sizeof(*w)) : NULL;
	HWFW_DIR *d;

	if (w && !pat) {
		free(w);
		w = NULL;
	} else if (pat) {
		w = pat;
		wcscat(w, n && (path[n - 1] == '/' || path[n - 1] == '\\') ? L"*" : L"\\*");
	}
	d = calloc(1, sizeof(*d));
	if (!w || !d) {
		free(w);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->h = FindFirstFileW(w, &d->fd);
	free(w);
	if (d->h == INVALID_HANDLE_VALUE) {
		DWORD err = GetLastError();

		free(d);
		hwf_win_fail(err == ERROR_DIRECTORY ? ERROR_PATH_NOT_FOUND : err);
		if (err == ERROR_DIRECTORY)
			errno = ENOTDIR;
		return NULL;
	}
	d->first = 1;
	d->dfd = -1;
	d->path = strdup(path);
	return d;
}

HWFW_DIR *hwfw_fdopendir(int fd)
{
	char *p = hwf_at_path(fd, ".");
	HWFW_DIR *d;

	if (!p)
		return NULL;
	d = hwfw_opendir(p);
	free(p);
	if (d)
		d->dfd = fd;
	return d;
}

int hwfw_dirfd(HWFW_DIR *d)
{
	if (d->dfd < 0 && d->path)
		d->dfd = hwfw_open(d->path, O_RDONLY | O_DIRECTORY);
	return d->dfd;
}

struct hwfw_dirent *hwfw_readdir(HWFW_DIR *d)
{
	char *u;

	if (!d->first && !FindNextFileW(d->h, &d->fd))
		return NULL;
	d->first = 0;
	u = hwf_utf8(d->fd.cFileName);
	if (!u)
		return NULL;
	snprintf(d->ent.d_name, sizeof(d->ent.d_name), "%s", u);
	free(u);
	d->ent.d_type = (d->fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? DT_DIR : DT_REG;
	d->ent.d_ino = 1;
	return &d->ent;
}

int hwfw_closedir(HWFW_DIR *d)
{
	FindClose(d->h);
	if (d->dfd >= 0)
		hwfw_close(d->dfd);
	free(d->path);
	free(d);
	return 0;
}

/* --- the rest of POSIX ---------------------------------------------------- */

int gnu_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

/* Windows has one permission bit, read-only: a file the owner can write keeps it off. */
int hwfw_fchmod(int fd, int mode)
{
	FILE_BASIC_INFO bi;
	HANDLE h = handle_of(fd);

	if (!GetFileInformationByHandleEx(h, FileBasicInfo, &bi, sizeof(bi)))
		return hwf_win_fail(GetLastError());
	if (mode & 0200)
		bi.FileAttributes &= ~(DWORD)FILE_ATTRIBUTE_READONLY;
	else
		bi.FileAttributes |= FILE_ATTRIBUTE_READONLY;
	if (!bi.FileAttributes)
		bi.FileAttributes = FILE_ATTRIBUTE_NORMAL;
	if (!SetFileInformationByHandle(h, FileBasicInfo, &bi, sizeof(bi)))
		return hwf_win_fail(GetLastError());
	return 0;
}

long hwfw_sysconf(int name)
{
	SYSTEM_INFO si;

	if (name != _SC_NPROCESSORS_ONLN) {
		errno = EINVAL;
		return -1;
	}
	GetSystemInfo(&si);
	return (long)si.dwNumberOfProcessors;
}

/* Advice only: Windows' cache manager has no "drop these pages". */
int hwfw_posix_fadvise(int fd, int64_t off, int64_t len, int advice)
{
	(void)fd;
	(void)off;
	(void)len;
	(void)advice;
	return 0;
}

char *hwfw_strcasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!_strnicmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

void *hwfw_memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	while (n--)
		if (p[n] == (unsigned char)c)
			return (void *)(p + n);
	return NULL;
}

char *hwfw_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = malloc(len + 1);

	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

struct tm *hwfw_localtime_r(const time_t *t, struct tm *out)
{
	return localtime_s(out, t) ? NULL : out;
}

struct tm *hwfw_gmtime_r(const time_t *t, struct tm *out)
{
	return gmtime_s(out, t) ? NULL : out;
}

/* --- for the tests and the simulator ------------------------------------- */

int hwfw_link(const char *from, const char *to)
{
	wchar_t *wf = hwf_wide(from), *wt = hwf_wide(to);
	int ok;

	if (!wf || !wt) {
		free(wf);
		free(wt);
		return -1;
	}
	ok = CreateHardLinkW(wt, wf, NULL);
	free(wf);
	free(wt);
	return ok ? 0 : hwf_win_fail(GetLastError());
}

/* Windows' quoting of one command-line argument (CommandLineToArgvW's rules). */
static void quote_arg(wchar_t *out, size_t cap, const wchar_t *in)
{
	size_t o = 0;

	out[o++] = L'"';
	for (const wchar_t *p = in;; p++) {
		size_t bs = 0;

		while (*p == L'\\') {
			bs++;
			p++;
		}
		if (!*p || *p == L'"')
			bs *= 2; /* before the closing quote or a quote: doubled */
		while (bs-- && o + 4 < cap)
			out[o++] = L'\\';
		if (!*p)
			break;
		if (*p == L'"' && o + 4 < cap)
			out[o++] = L'\\';
		if (o + 4 < cap)
			out[o++] = *p;
	}
	out[o++] = L'"';
	out[o] = 0;
}

/* "Z:\\work\\x" (a path made by realpath()) becomes "/work/x" for the Unix shell, in place. */
static void unix_paths(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if ((r[0] == 'Z' || r[0] == 'z') && r[1] == ':' && (r[2] == '\\' || r[2] == '/')) {
			r += 2;
			while (*r && *r != '\'' && *r != '"' && *r != ' ') {
				*w++ = *r == '\\' ? '/' : *r;
				r++;
			}
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/*
 * system() for the unit tests under wine: their judges are Debian's tools
 * (mtools, fsck.fat, openssl, cp, rm) and their commands are sh.  With
 * HWF_WINE_SH set (win/check.sh sets it to /bin/sh), the command runs in that
 * Unix shell, which wine starts as a Unix process; wine hands back no exit
 * code of a Unix process, so the shell writes it to a file that is waited
 * for.  Without HWF_WINE_SH: the C library's system() (cmd.exe).
 */
int hwfw_system(const char *cmd)
{
	static volatile LONG seq;
	const char *sh = getenv("HWF_WINE_SH");
	char rc_path[256], *full;
	wchar_t *wcmd, *line, app[300];
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	size_t cap;
	int rc = -1;

	if (!sh || !cmd) {
#undef system
		return system(cmd);
	}
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	snprintf(rc_path, sizeof(rc_path), "/tmp/hwfw-sh-%lu-%ld.rc", GetCurrentProcessId(),
		 (long)InterlockedIncrement(&seq));
	hwfw_unlink(rc_path);
	cap = strlen(cmd) + 2 * sizeof(rc_path) + 64;
	full = malloc(cap);
	if (!full)
		return -1;
	snprintf(full, cap, "(%s\n); echo $? > %s.tmp && mv %s.tmp %s", cmd, rc_path, rc_path,
		 rc_path);
	unix_paths(full);
	wcmd = hwf_wide_text(full);
	free(full);
	if (!wcmd)
		return -1;
	cap = wcslen(wcmd) * 2 + 64;
	line = malloc(cap * sizeof(*line));
	if (!line) {
		free(wcmd);
		return -1;
	}
	wcscpy(line, L"sh -c ");
	quote_arg(line + 6, cap - 6, wcmd);
	free(wcmd);
	swprintf(app, 300, L"Z:%hs", sh);
	for (wchar_t *p = app; *p; p++)
		if (*p == L'/')
			*p = L'\\';
	fflush(NULL);
	if (CreateProcessW(app, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
		CloseHandle(pi.hThread);
		CloseHandle(pi.hProcess);
		for (;;) {
			FILE *f = hwfw_fopen(rc_path, "r");

			if (f) {
				int code;

				if (fscanf(f, "%d", &code) == 1)
					rc = code << 8; /* as a wait status: WEXITSTATUS */
				fclose(f);
				hwfw_unlink(rc_path);
				break;
			}
			Sleep(5);
		}
	}
	free(line);
	return rc;
}

/* CRC of A||B = crc(A) shifted by |B| bytes, xor crc(B); a shift goes in steps. */
unsigned long hwfw_crc32_combine64(unsigned long crc1, unsigned long crc2, int64_t len2)
{
	while (len2 > 0x40000000) {
		crc1 = crc32_combine(crc1, 0, 0x40000000);
		len2 -= 0x40000000;
	}
	return crc32_combine(crc1, crc2, (long)len2);
}

/* No named pipes in the file system on Windows. */
int hwfw_mkfifo(const char *path, int mode)
{
	(void)path;
	(void)mode;
	errno = ENOSYS;
	return -1;
}

char *hwfw_mkdtemp(char *tmpl)
{
	size_t len = strlen(tmpl);

	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX")) {
		errno = EINVAL;
		return NULL;
	}
	for (int tries = 0; tries < 100; tries++) {
		hwf_random_letters(tmpl + len - 6, tries);
		if (!hwfw_mkdir(tmpl, 0700))
			return tmpl;
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

/* PUNCH_HOLE|KEEP_SIZE: the range reads as zeros (FSCTL_SET_ZERO_DATA frees it where sparse). */
int hwfw_fallocate(int fd, int mode, int64_t off, int64_t len)
{
	FILE_ZERO_DATA_INFORMATION z;
	DWORD got;

	if (mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) || off < 0 || len <= 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	z.FileOffset.QuadPart = off;
	z.BeyondFinalZero.QuadPart = off + len;
	if (DeviceIoControl(handle_of(fd), FSCTL_SET_ZERO_DATA, &z, sizeof(z), NULL, 0, &got, NULL))
		return 0;
	/* A file system without it (FAT, wine): zeros written. */
	{
		static const char zeros[65536];

		while (len > 0) {
			size_t n = len < (int64_t)sizeof(zeros) ? (size_t)len : sizeof(zeros);
			ssize_t w = hwfw_pwrite(fd, zeros, n, off);

			if (w <= 0)
				return -1;
			off += w;
			len -= w;
		}
	}
	return 0;
}

int hwfw_statfs(const char *path, struct statfs *out)
{
	wchar_t *w = hwf_wide(path), root[MAX_PATH + 1], fs[64];
	DWORD spc, bps, freec, totalc;

	memset(out, 0, sizeof(*out));
	if (!w)
		return -1;
	if (!GetVolumePathNameW(w, root, MAX_PATH + 1) ||
	    !GetDiskFreeSpaceW(root, &spc, &bps, &freec, &totalc)) {
		free(w);
		return hwf_win_fail(GetLastError());
	}
	free(w);
	out->f_bsize = (long)(spc * bps);
	out->f_blocks = totalc;
	out->f_bfree = out->f_bavail = freec;
	if (GetVolumeInformationW(root, NULL, 0, NULL, NULL, NULL, fs, 64)) {
		if (!wcsncmp(fs, L"FAT", 3))
			out->f_type = 0x4d44;
		else if (!wcscmp(fs, L"NTFS"))
			out->f_type = 0x5346544e;
	}
	return 0;
}
