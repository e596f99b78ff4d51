/* SPDX-License-Identifier: MIT */
/* Helpers for the unit tests: scratch folders and files. */
#ifndef HWF_TESTUTIL_H
#define HWF_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh folder under $TMPDIR (or /tmp); removed by tu_rmtree(). */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
/* dir/name; the result is malloc'ed. */
char *tu_path(const char *dir, const char *name);
/* Write @len bytes to @path; returns 0 on success. */
int tu_write(const char *path, const void *buf, size_t len);
/* Fill @buf with reproducible pseudo-random bytes from @seed. */
void tu_random(void *buf, size_t len, uint64_t seed);
/* Size of a file, or -1. */
long long tu_size(const char *path);

#endif
