/* SPDX-License-Identifier: MIT */
/* Helpers for the unit tests: scratch folders and files. */
#ifndef HWF_TESTUTIL_H
#define HWF_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh folder under $TMPDIR (or /tmp); removed by tu_rmtree(). */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
/*
 * A suite's scratch folder: defines `static char *VAR` and the suite's
 * setup() and teardown() (for CU_add_suite) that make it and remove it.
 * The including file needs <stdlib.h> (free).
 */
#define TU_SCRATCH_SUITE(VAR)                                                                      \
	static char *VAR;                                                                          \
	static int setup(void)                                                                     \
	{                                                                                          \
		VAR = tu_mkdtemp();                                                                \
		return VAR ? 0 : -1;                                                               \
	}                                                                                          \
	static int teardown(void)                                                                  \
	{                                                                                          \
		tu_rmtree(VAR);                                                                    \
		free(VAR);                                                                         \
		return 0;                                                                          \
	}
/* dir/name; the result is malloc'ed. */
char *tu_path(const char *dir, const char *name);
/* Write @len bytes to @path; returns 0 on success. */
int tu_write(const char *path, const void *buf, size_t len);
/* Fill @buf with reproducible pseudo-random bytes from @seed. */
void tu_random(void *buf, size_t len, uint64_t seed);
/* Size of a file, or -1. */
long long tu_size(const char *path);
/*
 * Run a shell command (printf format) in @dir, its output into dir/cmd.log;
 * its exit status (0: it worked).  On failure the command and its log go to
 * stderr, so that a failing judge says why.
 */
int tu_sh(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Hooks for formats/core/outfile.h that keep a list of the temporary files
 * an engine registered, as host/cleanup.c does: an engine must forget (or
 * rename) every file it made, so tu_files_left() is 0 after each run.
 * @before_create, when set, runs before each temporary file is made.
 */
struct hwf_file_hooks;
struct tu_files {
	char *path[64];
	size_t made;	/* temporary files made so far */
	void (*before_create)(struct tu_files *f, const char *tmpl);
	void *ctx;	/* for @before_create */
};
void tu_file_hooks(struct tu_files *f, struct hwf_file_hooks *h);
size_t tu_files_left(struct tu_files *f);
void tu_files_free(struct tu_files *f);
/* Entries of @dir whose name contains @part ("partial"), "." and ".." left out. */
int tu_count_names(const char *dir, const char *part);

#endif
