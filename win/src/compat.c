// SPDX-License-Identifier: MIT
/*
 * win/src/compat.c: win/compat.h on top of the Win32 API (UTF-16 paths,
 * 64-bit offsets, atomic rename, Winsock, console control events).  Only the
 * Windows build compiles this file.
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winioctl.h>

#include "win/src/compat_int.h"
#include "win/src/disk.h"

/*
 * A bad descriptor given to the C library (_dup, _get_osfhandle of /dev/fd/N)
 * fails with EBADF, as on POSIX, instead of ending the program.
 */
static void no_abort(const wchar_t *expr, const wchar_t *func, const wchar_t *file, unsigned line,
		     uintptr_t reserved)
{
	(void)expr;
	(void)func;
	(void)file;
	(void)line;
	(void)reserved;
}

__attribute__((constructor)) static void compat_init(void)
{
	_set_invalid_parameter_handler(no_abort);
}

/* --- errors ------------------------------------------------------------- */

int hwf_win_errno(unsigned long werr)
{
	switch (werr) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
	case ERROR_INVALID_NAME:
	case ERROR_DIRECTORY: return ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
	case ERROR_WRITE_PROTECT: return EACCES;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS: return EEXIST;
	case ERROR_DIR_NOT_EMPTY: return ENOTEMPTY;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL: return ENOSPC;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY: return ENOMEM;
	case ERROR_FILENAME_EXCED_RANGE: return ENAMETOOLONG;
	case ERROR_NOT_SAME_DEVICE: return EXDEV;
	case ERROR_INVALID_HANDLE: return EBADF;
	case ERROR_NEGATIVE_SEEK:
	case ERROR_INVALID_PARAMETER: return EINVAL;
	case ERROR_NOT_SUPPORTED: return ENOSYS;
	case WSAECONNREFUSED: return ECONNREFUSED;
	case WSAECONNRESET: return ECONNRESET;
	case WSAECONNABORTED: return ECONNABORTED;
	case WSAETIMEDOUT: return ETIMEDOUT;
	case WSAEHOSTUNREACH: return EHOSTUNREACH;
	case WSAENETUNREACH: return ENETUNREACH;
	case WSAEWOULDBLOCK: return EAGAIN;
	case WSAEINTR: return EINTR;
	case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
	case WSAENOTCONN: return ENOTCONN;
	case WSAEAFNOSUPPORT: return EAFNOSUPPORT;
	default: return EIO;
	}
}

int hwf_win_fail(unsigned long werr)
{
	errno = hwf_win_errno(werr);
	return -1;
}

/* The texts of glibc for the codes that the Microsoft C library leaves unnamed. */
char *hwfw_strerror(int err)
{
	static const struct {
		int err;
		const char *text;
	} extra[] = {
	    {ECONNREFUSED, "Connection refused"},
	    {ECONNRESET, "Connection reset by peer"},
	    {ECONNABORTED, "Software caused connection abort"},
	    {ETIMEDOUT, "Connection timed out"},
	    {EHOSTUNREACH, "No route to host"},
	    {ENETUNREACH, "Network is unreachable"},
	    {EADDRNOTAVAIL, "Cannot assign requested address"},
	    {ENOTCONN, "Transport endpoint is not connected"},
	    {EAFNOSUPPORT, "Address family not supported by protocol"},
	    {ELOOP, "Too many levels of symbolic links"},
	    {EOVERFLOW, "Value too large for defined data type"},
	    {ENOTSUP, "Operation not supported"},
	    /* The Microsoft texts that differ from glibc's, which the tests compare. */
	    {ENOENT, "No such file or directory"},
	    {EACCES, "Permission denied"},
	    {EEXIST, "File exists"},
	    {ENOSPC, "No space left on device"},
	    {EISDIR, "Is a directory"},
	    {ENOTDIR, "Not a directory"},
	    {EINVAL, "Invalid argument"},
	    {EIO, "Input/output error"},
	    {ENOMEM, "Cannot allocate memory"},
	    {EBADF, "Bad file descriptor"},
	    {ENOTEMPTY, "Directory not empty"},
	    {ENAMETOOLONG, "File name too long"},
	    {EXDEV, "Invalid cross-device link"},
	    {ENOSYS, "Function not implemented"},
	    {EFBIG, "File too large"},
	    {EPIPE, "Broken pipe"},
	    {EAGAIN, "Resource temporarily unavailable"},
	    {EINTR, "Interrupted system call"},
	    {ERANGE, "Numerical result out of range"},
	};
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (extra[i].err == err)
			return (char *)extra[i].text;
#undef strerror
	return strerror(err);
}

/* --- files --------------------------------------------------------------- */

static int tmpfile_in(const char *dir, DWORD access);

int hwfw_open(const char *path, int flags, ...)
{
	DWORD access, disp, attr = FILE_ATTRIBUTE_NORMAL;
	wchar_t *w;
	HANDLE h;
	int fd, cflags = _O_BINARY;

	switch (flags & (O_RDONLY | O_WRONLY | O_RDWR)) {
	case O_WRONLY: access = GENERIC_WRITE; break;
	case O_RDWR: access = GENERIC_READ | GENERIC_WRITE; break;
	default:
		access = GENERIC_READ;
		cflags |= _O_RDONLY;
		break;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		disp = CREATE_NEW;
	else if ((flags & (O_CREAT | O_TRUNC)) == (O_CREAT | O_TRUNC))
		disp = CREATE_ALWAYS;
	else if (flags & O_CREAT)
		disp = OPEN_ALWAYS;
	else if (flags & O_TRUNC)
		disp = TRUNCATE_EXISTING;
	else
		disp = OPEN_EXISTING;
	if (flags & O_APPEND) {
		access |= FILE_APPEND_DATA;
		cflags |= _O_APPEND;
	}
	if (flags & O_TMPFILE)
		return tmpfile_in(path, access);
	if (hwf_disk_number(path) >= 0)
		return hwf_disk_open(hwf_disk_number(path), flags);
	/* /dev/fd/N and /dev/stdin as on Linux: the open descriptor N again. */
	if (!strncmp(path, "/dev/fd/", 8) || !strcmp(path, "/dev/stdin")) {
		char *end;
		long n = path[5] == 's' ? 0 : strtol(path + 8, &end, 10);

		if (path[5] != 's' && (end == path + 8 || *end || n < 0 || n > 0x7fff)) {
			errno = ENOENT;
			return -1;
		}
		if (n <= 2) {
			/* The standard handles themselves (the C library may not have set up its
			 * fds). */
			static const DWORD std[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
						     STD_ERROR_HANDLE};
			HANDLE sh = GetStdHandle(std[n]), d;
			int sfd;

			if (!sh || sh == INVALID_HANDLE_VALUE ||
			    !DuplicateHandle(GetCurrentProcess(), sh, GetCurrentProcess(), &d, 0,
					     FALSE, DUPLICATE_SAME_ACCESS)) {
				errno = EBADF;
				return -1;
			}
			sfd = _open_osfhandle((intptr_t)d, _O_BINARY | (n ? 0 : _O_RDONLY));
			if (sfd < 0)
				CloseHandle(d);
			return sfd;
		}
		if ((HANDLE)_get_osfhandle((int)n) == INVALID_HANDLE_VALUE) {
			errno = EBADF;
			return -1;
		}
		return _dup((int)n);
	}
	w = hwf_wide(path);
	if (!w)
		return -1;
	/* O_NOFOLLOW: a link is refused before O_TRUNC could touch it. */
	if ((flags & O_NOFOLLOW) && disp != CREATE_NEW && hwf_is_symlink(w)) {
		free(w);
		errno = ELOOP;
		return -1;
	}
	/* Directories open too (as on POSIX, for fstat); reading one fails later. */
	h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			disp, attr | FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return hwf_win_fail(GetLastError());
	if (flags & O_DIRECTORY) {
		BY_HANDLE_FILE_INFORMATION fi;

		if (!GetFileInformationByHandle(h, &fi) ||
		    !(fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
			CloseHandle(h);
			errno = ENOTDIR;
			return -1;
		}
	}
	fd = _open_osfhandle((intptr_t)h, cflags);
	if (fd < 0) {
		CloseHandle(h);
		errno = EMFILE;
	}
	return fd;
}

static void fill_stat(struct hwfw_stat *st, const BY_HANDLE_FILE_INFORMATION *fi, DWORD type)
{
	ULARGE_INTEGER t;

	memset(st, 0, sizeof(*st));
	st->st_dev = fi->dwVolumeSerialNumber;
	st->st_ino = ((uint64_t)fi->nFileIndexHigh << 32) | fi->nFileIndexLow;
	st->st_nlink = fi->nNumberOfLinks;
	st->st_size = (int64_t)(((uint64_t)fi->nFileSizeHigh << 32) | fi->nFileSizeLow);
	if (type == FILE_TYPE_CHAR)
		st->st_mode = _S_IFCHR | 0666;
	else if (type == FILE_TYPE_PIPE)
		st->st_mode = _S_IFIFO | 0666;
	else if (fi->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
		st->st_mode = _S_IFDIR | 0755;
	else
		st->st_mode =
		    _S_IFREG | ((fi->dwFileAttributes & FILE_ATTRIBUTE_READONLY) ? 0444 : 0644);
	t.LowPart = fi->ftLastWriteTime.dwLowDateTime;
	t.HighPart = fi->ftLastWriteTime.dwHighDateTime;
	/* 100 ns ticks since 1601 -> seconds since 1970 */
	st->st_mtime = (time_t)(t.QuadPart / 10000000ULL - 11644473600ULL);
	st->st_atime = st->st_ctime = st->st_mtime;
}

/*
 * The information of @h asked for part by part: wine cannot give all of it
 * (GetFileInformationByHandle asks for the name too) for a stdin redirected
 * from a Unix file ("hwflash.exe app list /dev/stdin < pkg.APP").
 */
static int info_by_parts(HANDLE h, BY_HANDLE_FILE_INFORMATION *fi)
{
	FILE_STANDARD_INFO si;
	FILE_BASIC_INFO bi;
	FILE_ID_INFO ii;

	if (!GetFileInformationByHandleEx(h, FileStandardInfo, &si, sizeof(si)) ||
	    !GetFileInformationByHandleEx(h, FileBasicInfo, &bi, sizeof(bi)))
		return 0;
	memset(fi, 0, sizeof(*fi));
	if (GetFileInformationByHandleEx(h, FileIdInfo, &ii, sizeof(ii))) {
		fi->dwVolumeSerialNumber = (DWORD)ii.VolumeSerialNumber;
		memcpy(&fi->nFileIndexLow, ii.FileId.Identifier, 4);
		memcpy(&fi->nFileIndexHigh, ii.FileId.Identifier + 4, 4);
	}
	fi->dwFileAttributes = bi.FileAttributes;
	fi->ftLastWriteTime.dwLowDateTime = (DWORD)bi.LastWriteTime.LowPart;
	fi->ftLastWriteTime.dwHighDateTime = (DWORD)bi.LastWriteTime.HighPart;
	fi->nNumberOfLinks = si.NumberOfLinks;
	fi->nFileSizeLow = (DWORD)si.EndOfFile.QuadPart;
	fi->nFileSizeHigh = (DWORD)((uint64_t)si.EndOfFile.QuadPart >> 32);
	return 1;
}

int hwfw_fstat(int fd, struct hwfw_stat *st)
{
	BY_HANDLE_FILE_INFORMATION fi;
	HANDLE h = handle_of(fd);
	DWORD type;

	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return -1;
	}
	if (!hwf_disk_fstat(fd, st))
		return 0;
	type = GetFileType(h);
	if (type != FILE_TYPE_DISK) {
		memset(st, 0, sizeof(*st));
		st->st_mode = (type == FILE_TYPE_PIPE ? _S_IFIFO : _S_IFCHR) | 0666;
		return 0;
	}
	if (!GetFileInformationByHandle(h, &fi) && !info_by_parts(h, &fi))
		return hwf_win_fail(GetLastError());
	fill_stat(st, &fi, type);
	return 0;
}

int hwfw_stat(const char *path, struct hwfw_stat *st)
{
	BY_HANDLE_FILE_INFORMATION fi;
	wchar_t *w;
	HANDLE h;
	int ok;

	if (hwf_disk_number(path) >= 0)
		return hwf_disk_stat(hwf_disk_number(path), st);
	/* /dev/stdin and /dev/fd/N as on Linux: what the descriptor is open on. */
	if (!strncmp(path, "/dev/fd/", 8) || !strcmp(path, "/dev/stdin")) {
		int fd = hwfw_open(path, O_RDONLY);

		if (fd < 0)
			return -1;
		ok = hwfw_fstat(fd, st);
		_close(fd);
		return ok;
	}
	w = hwf_wide(path);
	if (!w)
		return -1;
	h = CreateFileW(w, FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return hwf_win_fail(GetLastError());
	ok = GetFileInformationByHandle(h, &fi);
	if (ok)
		fill_stat(st, &fi, FILE_TYPE_DISK);
	else
		errno = hwf_win_errno(GetLastError());
	CloseHandle(h);
	return ok ? 0 : -1;
}

int hwfw_rename(const char *from, const char *to)
{
	wchar_t *wf = hwf_wide(from), *wt = hwf_wide(to);
	int ok;

	if (!wf || !wt) {
		free(wf);
		free(wt);
		return -1;
	}
	/* On NTFS a rename within a volume replaces the target in one step. */
	ok = MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
	if (!ok) {
		/* A folder over an empty folder, as POSIX rename() does (in two steps here). */
		DWORD err = GetLastError(), af = GetFileAttributesW(wf),
		      at = GetFileAttributesW(wt);

		if (af != INVALID_FILE_ATTRIBUTES && at != INVALID_FILE_ATTRIBUTES &&
		    (af & at & FILE_ATTRIBUTE_DIRECTORY)) {
			ok = RemoveDirectoryW(wt) && MoveFileExW(wf, wt, MOVEFILE_WRITE_THROUGH);
			err = GetLastError();
		}
		SetLastError(err);
	}
	free(wf);
	free(wt);
	return ok ? 0 : hwf_win_fail(GetLastError());
}

int hwfw_unlink(const char *path)
{
	wchar_t *w = hwf_wide(path);
	DWORD attr;
	int ok;

	if (!w)
		return -1;
	attr = GetFileAttributesW(w);
	if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY))
		ok = RemoveDirectoryW(w);
	else
		ok = DeleteFileW(w);
	free(w);
	return ok ? 0 : hwf_win_fail(GetLastError());
}

int hwfw_rmdir(const char *path)
{
	wchar_t *w = hwf_wide(path);
	int ok;

	if (!w)
		return -1;
	ok = RemoveDirectoryW(w);
	free(w);
	return ok ? 0 : hwf_win_fail(GetLastError());
}

int hwfw_mkdir(const char *path, int mode)
{
	wchar_t *w = hwf_wide(path);
	int ok;

	(void)mode;
	if (!w)
		return -1;
	ok = CreateDirectoryW(w, NULL);
	free(w);
	return ok ? 0 : hwf_win_fail(GetLastError());
}

int hwfw_access(const char *path, int mode)
{
	wchar_t *w = hwf_wide(path);
	DWORD attr;

	if (!w)
		return -1;
	attr = GetFileAttributesW(w);
	free(w);
	if (attr == INVALID_FILE_ATTRIBUTES)
		return hwf_win_fail(GetLastError());
	if ((mode & W_OK) && (attr & FILE_ATTRIBUTE_READONLY) &&
	    !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

FILE *hwfw_fopen(const char *path, const char *mode)
{
	int flags, fd;
	char m[8];
	FILE *f;

	switch (mode[0]) {
	case 'r': flags = strchr(mode, '+') ? O_RDWR : O_RDONLY; break;
	case 'w': flags = (strchr(mode, '+') ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC; break;
	case 'a': flags = (strchr(mode, '+') ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND; break;
	default: errno = EINVAL; return NULL;
	}
	if (strchr(mode, 'x'))
		flags |= O_EXCL;
	fd = hwfw_open(path, flags, 0666);
	if (fd < 0)
		return NULL;
	snprintf(m, sizeof(m), "%c%sb", mode[0], strchr(mode, '+') ? "+" : "");
	f = _fdopen(fd, m);
	if (!f)
		_close(fd);
	return f;
}

/* Positioned I/O: OVERLAPPED offsets on a synchronous handle, one call each. */
ssize_t hwfw_pread(int fd, void *buf, size_t n, int64_t off)
{
	unsigned sector = hwf_disk_sector(fd);

	if (sector)
		return hwf_sector_pread(handle_of(fd), sector, buf, n, off);
	return hwf_raw_pread(handle_of(fd), buf, n, off);
}

ssize_t hwfw_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
	unsigned sector = hwf_disk_sector(fd);

	if (sector)
		return hwf_sector_pwrite(handle_of(fd), sector, buf, n, off);
	return hwf_raw_pwrite(handle_of(fd), buf, n, off);
}

ssize_t hwf_raw_pread(void *h, void *buf, size_t n, int64_t off)
{
	OVERLAPPED o = {0};
	DWORD got = 0;

	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	if (n > 0x40000000)
		n = 0x40000000;
	o.Offset = (DWORD)off;
	o.OffsetHigh = (DWORD)((uint64_t)off >> 32);
	if (!ReadFile(h, buf, (DWORD)n, &got, &o)) {
		DWORD err = GetLastError();

		if (err == ERROR_HANDLE_EOF)
			return 0;
		return hwf_win_fail(err);
	}
	return (ssize_t)got;
}

ssize_t hwf_raw_pwrite(void *h, const void *buf, size_t n, int64_t off)
{
	OVERLAPPED o = {0};
	DWORD put = 0;

	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	if (n > 0x40000000)
		n = 0x40000000;
	o.Offset = (DWORD)off;
	o.OffsetHigh = (DWORD)((uint64_t)off >> 32);
	if (!WriteFile(h, buf, (DWORD)n, &put, &o))
		return hwf_win_fail(GetLastError());
	return (ssize_t)put;
}

/* The first data byte at or after @off (@data), or the first hole byte; -1 past the data. */
static int64_t data_or_hole(int fd, int64_t off, int64_t size, int data)
{
	FILE_ALLOCATED_RANGE_BUFFER q, r[64];
	DWORD got;
	BOOL more;

	q.FileOffset.QuadPart = off;
	q.Length.QuadPart = size - off;
	for (;;) {
		size_t n;

		more = !DeviceIoControl(handle_of(fd), FSCTL_QUERY_ALLOCATED_RANGES, &q, sizeof(q),
					r, sizeof(r), &got, NULL);
		if (more && GetLastError() != ERROR_MORE_DATA)
			return data ? off : size; /* no answer: all data */
		n = got / sizeof(r[0]);
		for (size_t i = 0; i < n; i++) {
			int64_t a = r[i].FileOffset.QuadPart, b = a + r[i].Length.QuadPart;

			if (b <= off)
				continue;
			if (data)
				return a > off ? a : off;
			if (a > off)
				return off; /* @off is in a hole */
			off = b;	    /* the hole starts at this range's end, or later */
		}
		if (!more || !n)
			break;
		q.FileOffset.QuadPart = r[n - 1].FileOffset.QuadPart + r[n - 1].Length.QuadPart;
		q.Length.QuadPart = size - q.FileOffset.QuadPart;
	}
	if (data) {
		errno = ENXIO;
		return -1;
	}
	return off < size ? off : size;
}

int64_t hwfw_lseek(int fd, int64_t off, int whence)
{
	/* Holes where FSCTL_QUERY_ALLOCATED_RANGES tells them, else as POSIX allows a
	 * file system without holes: all data, one hole at the end. */
	if (whence == SEEK_DATA || whence == SEEK_HOLE) {
		int64_t size = _filelengthi64(fd);

		if (size < 0)
			return -1;
		if (off < 0 || off >= size) {
			errno = ENXIO;
			return -1;
		}
		off = data_or_hole(fd, off, size, whence == SEEK_DATA);
		return off < 0 ? -1 : _lseeki64(fd, off, SEEK_SET);
	}
	return _lseeki64(fd, off, whence);
}

int hwfw_fsync(int fd)
{
	HANDLE h = handle_of(fd);

	if (!FlushFileBuffers(h)) {
		DWORD err = GetLastError();

		/* A console or a pipe has nothing to flush. */
		if (err == ERROR_INVALID_HANDLE && GetFileType(h) != FILE_TYPE_DISK)
			return 0;
		return hwf_win_fail(err);
	}
	return 0;
}

int hwfw_ftruncate(int fd, int64_t size)
{
	FILE_END_OF_FILE_INFO eof;

	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	eof.EndOfFile.QuadPart = size;
	if (!SetFileInformationByHandle(handle_of(fd), FileEndOfFileInfo, &eof, sizeof(eof)))
		return hwf_win_fail(GetLastError());
	return 0;
}

void hwf_random_letters(char *x, int tries)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	LARGE_INTEGER c;
	uint64_t r;

	QueryPerformanceCounter(&c);
	r = (uint64_t)c.QuadPart * 6364136223846793005ULL + GetCurrentThreadId() +
	    (uint64_t)tries * 1442695040888963407ULL + (uint64_t)(uintptr_t)x;
	for (int i = 0; i < 6; i++) {
		x[i] = abc[r % 62];
		r /= 62;
	}
}

/* O_TMPFILE: a new file in @dir that Windows removes when its last handle closes. */
static int tmpfile_in(const char *dir, DWORD access)
{
	size_t n = strlen(dir);
	char *p = malloc(n + 32);

	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	for (int tries = 0; tries < 100; tries++) {
		wchar_t *w;
		HANDLE h;
		int fd;

		snprintf(p, n + 32, "%s/.hwflash-tmp-XXXXXX", dir);
		hwf_random_letters(p + strlen(p) - 6, tries);
		w = hwf_wide(p);
		if (!w)
			break;
		h = CreateFileW(
		    w, access | DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		    NULL, CREATE_NEW,
		    FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_HIDDEN | FILE_FLAG_DELETE_ON_CLOSE,
		    NULL);
		free(w);
		if (h == INVALID_HANDLE_VALUE) {
			if (GetLastError() == ERROR_FILE_EXISTS)
				continue;
			free(p);
			return hwf_win_fail(GetLastError());
		}
		free(p);
		fd = _open_osfhandle((intptr_t)h, _O_BINARY);
		if (fd < 0) {
			CloseHandle(h);
			errno = EMFILE;
		}
		return fd;
	}
	free(p);
	errno = EEXIST;
	return -1;
}

int hwfw_mkstemp(char *tmpl)
{
	return hwfw_mkostemp(tmpl, 0);
}

/* XXXXXX at the end of @tmpl become random letters; the file is created new. */
int hwfw_mkostemp(char *tmpl, int flags)
{
	size_t len = strlen(tmpl);
	char *x;

	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX")) {
		errno = EINVAL;
		return -1;
	}
	x = tmpl + len - 6;
	for (int tries = 0; tries < 100; tries++) {
		int fd;

		hwf_random_letters(x, tries);
		fd = hwfw_open(tmpl, O_RDWR | O_CREAT | O_EXCL | (flags & O_APPEND), 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}
