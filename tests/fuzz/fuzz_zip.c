// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: firmware zips (formats/zipread.c via source.c).  The
 * input is the zip file, kept in a memfd and opened by path
 * (/proc/self/fd/N) as hwflash opens a .zip; hwf_zip_walk lists it, and
 * the first members are opened with hwf_source_open_zip_member and read
 * with a bounded budget: forwards in odd pieces, then backwards (a deflated
 * member restarts its stream), then past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/core/source.h"
#include "formats/core/zip.h"

#define MAX_MEMBERS 8
#define BUDGET (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct names {
	char *name[MAX_MEMBERS];
	size_t n, seen;
};

static int collect(void *ctx, const struct hwf_zip_member *m)
{
	struct names *nm = ctx;

	/* The name must be a string: strlen must not run off the buffer. */
	if (strlen(m->name) > 65535)
		abort();
	nm->seen++;
	if (nm->n < MAX_MEMBERS)
		nm->name[nm->n++] = strdup(m->name);
	return nm->seen > 4096;	/* stop a runaway walk; a return stops it */
}

static void read_member(const char *path, const char *member)
{
	static uint8_t buf[BUDGET];
	struct hwf_source *s;
	struct hwf_err e = { 0 };
	uint64_t size, off = 0, spent = 0;
	size_t step = 1000;

	if (hwf_source_open_zip_member(&s, path, member, &e))
		return;
	size = hwf_source_size(s);
	while (off < size && spent < BUDGET) {
		int64_t n = hwf_source_pread(s, buf, step, off, &e);

		if (n <= 0)
			break;
		if ((uint64_t)n > step)
			abort();
		off += (uint64_t)n;
		spent += (uint64_t)n;
		step = step * 3 % 9973 + 1;
	}
	/* Backwards: a deflated member restarts from the beginning. */
	if (off > 10)
		hwf_source_pread(s, buf, 10, off / 2 < 4096 ? off / 2 : 4096, &e);
	if (hwf_source_pread(s, buf, 16, size, &e) != 0)
		abort();	/* at the end: nothing, not an error */
	hwf_source_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names nm = { { 0 }, 0, 0 };
	struct hwf_err e = { 0 };
	char path[64];
	int fd = memfd_create("fuzz.zip", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	hwf_zip_sniff(path);
	hwf_zip_walk(path, collect, &nm, &e);
	for (size_t i = 0; i < nm.n; i++) {
		if (nm.name[i])
			read_member(path, nm.name[i]);
		free(nm.name[i]);
	}
	/* A member that is not there. */
	read_member(path, "UPDATE.APP");
	close(fd);
	return 0;
}
