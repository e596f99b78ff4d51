// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for the tests: a disk that returns a bad byte.  Every
 * pread() of a file whose path ends in $BADREAD_SUFFIX gets the byte at
 * file offset $BADREAD_OFFSET flipped, as a failing card would return it.
 * Only reads change; what was written stays as it was.  With $BADREAD_EIO
 * set, such a read fails with EIO instead, as an unreadable sector does.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static ssize_t (*real_pread)(int, void *, size_t, off_t);

static int matches(int fd)
{
	const char *suffix = getenv("BADREAD_SUFFIX");
	char link[64], path[4096];
	ssize_t n;
	size_t ls;

	if (!suffix)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	ls = strlen(suffix);
	return (size_t)n >= ls && !strcmp(path + n - ls, suffix);
}

static ssize_t corrupt(int fd, void *buf, ssize_t got, off_t off)
{
	const char *o = getenv("BADREAD_OFFSET");
	long long at = o ? atoll(o) : 0;

	if (got > 0 && at >= off && at < off + got && matches(fd))
		((unsigned char *)buf)[at - off] ^= 0x40;
	return got;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	const char *o = getenv("BADREAD_OFFSET");
	long long at = o ? atoll(o) : 0;

	if (!real_pread)
		real_pread = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
	if (getenv("BADREAD_EIO") && at >= off && at < off + (long long)len && matches(fd)) {
		errno = EIO;
		return -1;
	}
	return corrupt(fd, buf, real_pread(fd, buf, len, off), off);
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off);
}
