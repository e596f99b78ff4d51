// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for the tests: how many bytes a process reads from one
 * file.  Every read(), pread() and readv-free call on a descriptor whose
 * path ends in $READCOUNT_SUFFIX is counted; at exit the total is appended
 * as one line to $READCOUNT_OUT.  A zip whose one big member is inflated N
 * times is read about N times its size: this is how the tests see that
 * update inflates each member once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static unsigned long long counted;

static int matches(int fd)
{
	const char *suffix = getenv("READCOUNT_SUFFIX");
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

static ssize_t count(int fd, ssize_t got)
{
	if (got > 0 && matches(fd))
		__atomic_add_fetch(&counted, (unsigned long long)got, __ATOMIC_RELAXED);
	return got;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);

	if (!real)
		real = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
	return count(fd, real(fd, buf, len, off));
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off);
}

ssize_t read(int fd, void *buf, size_t len)
{
	static ssize_t (*real)(int, void *, size_t);

	if (!real)
		real = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	return count(fd, real(fd, buf, len));
}

__attribute__((destructor)) static void report(void)
{
	const char *out = getenv("READCOUNT_OUT");
	FILE *f;

	if (!out || !(f = fopen(out, "a")))
		return;
	fprintf(f, "%llu\n", counted);
	fclose(f);
}
