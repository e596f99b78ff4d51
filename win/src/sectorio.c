// SPDX-License-Identifier: MIT
/*
 * win/src/sectorio.c: pread/pwrite at any offset and length on a raw disk,
 * which Windows reads and writes only in whole sectors at sector offsets.
 * Each call goes through a bounce buffer (aligned to 4096, at most 1 MiB
 * at a time): a read takes the sectors around the bytes asked for; a write
 * reads the first and last sector first when the bytes cover them only in
 * part (read-modify-write), then writes whole sectors.  Nothing here knows
 * a disk from a file: the tests run it on an ordinary file (hwfw_disk_attach,
 * HWF_WIN_SECTOR), where the end of the file reads as zeros.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"
#include "win/src/disk.h"

#define BOUNCE_MAX (1u << 20)

/* Up to @n bytes at @off into @b, as many as there are: *@got. */
static int read_full(HANDLE h, char *b, size_t n, int64_t off, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t k = hwf_raw_pread(h, b + *got, n - *got, off + (int64_t)*got);

		if (k < 0)
			return -1;
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

static int write_full(HANDLE h, const char *b, size_t n, int64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = hwf_raw_pwrite(h, b + done, n - done, off + (int64_t)done);

		if (k < 0)
			return -1;
		if (k == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)k;
	}
	return 0;
}

/* A bounce buffer for @n bytes on sectors of @sector: *@cap bytes, a whole number of sectors. */
static char *bounce(unsigned sector, size_t n, size_t *cap)
{
	size_t want = (n / sector + 2) * sector, max = BOUNCE_MAX - BOUNCE_MAX % sector;
	char *b;

	if (max < 2 * (size_t)sector)
		max = 2 * (size_t)sector;
	*cap = want < max ? want : max;
	b = _aligned_malloc(*cap, 4096);
	if (!b)
		errno = ENOMEM;
	return b;
}

/* The piece of a transfer at @pos: aligned start *@a, the bytes before it *@head, and its span. */
static size_t piece(unsigned sector, size_t cap, int64_t pos, size_t left, int64_t *a, size_t *head,
		    size_t *want)
{
	size_t span;

	*head = (size_t)(pos % sector);
	*a = pos - (int64_t)*head;
	*want = cap - *head;
	if (*want > left)
		*want = left;
	span = *head + *want;
	return (span + sector - 1) / sector * sector;
}

ssize_t hwf_sector_pread(void *h, unsigned sector, void *buf, size_t n, int64_t off)
{
	size_t cap, done = 0;
	char *b;

	if (off < 0 || !sector) {
		errno = EINVAL;
		return -1;
	}
	if (!n)
		return 0;
	b = bounce(sector, n, &cap);
	if (!b)
		return -1;
	while (done < n) {
		size_t head, want, got, k, span;
		int64_t a;

		span = piece(sector, cap, off + (int64_t)done, n - done, &a, &head, &want);
		if (read_full(h, b, span, a, &got)) {
			_aligned_free(b);
			return done ? (ssize_t)done : -1;
		}
		if (got <= head)
			break;
		k = got - head < want ? got - head : want;
		memcpy((char *)buf + done, b + head, k);
		done += k;
		if (k < want)
			break;
	}
	_aligned_free(b);
	return (ssize_t)done;
}

/* The sector at @a into @b; past the end it reads as zeros. */
static int read_sector(HANDLE h, unsigned sector, char *b, int64_t a)
{
	size_t got;

	if (read_full(h, b, sector, a, &got))
		return -1;
	memset(b + got, 0, sector - got);
	return 0;
}

ssize_t hwf_sector_pwrite(void *h, unsigned sector, const void *buf, size_t n, int64_t off)
{
	size_t cap, done = 0;
	char *b;

	if (off < 0 || !sector) {
		errno = EINVAL;
		return -1;
	}
	if (!n)
		return 0;
	b = bounce(sector, n, &cap);
	if (!b)
		return -1;
	while (done < n) {
		size_t head, want, span;
		int64_t a;
		int rc = 0;

		span = piece(sector, cap, off + (int64_t)done, n - done, &a, &head, &want);
		/* Read-modify-write of a first or last sector the bytes cover in part. */
		if (head)
			rc = read_sector(h, sector, b, a);
		if (!rc && (head + want) % sector && !(head && span == sector))
			rc = read_sector(h, sector, b + span - sector, a + (int64_t)span - sector);
		if (!rc) {
			memcpy(b + head, (const char *)buf + done, want);
			rc = write_full(h, b, span, a);
		}
		if (rc) {
			_aligned_free(b);
			return done ? (ssize_t)done : -1;
		}
		done += want;
	}
	_aligned_free(b);
	return (ssize_t)done;
}
