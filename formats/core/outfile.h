/* SPDX-License-Identifier: MIT */
/*
 * Files written whole or not at all: the bytes go to a temporary file
 * beside the target ("DIR/.NAME.partial.XXXXXX" or "PATH.partial.XXXXXX"),
 * which gets the target's name only once it is complete; on any failure it
 * is removed.  Used by app extract, app pack and image unpack.
 *
 * The caller may hand in hooks that create, rename and forget the
 * temporary files, so that it can remove them when the process is
 * interrupted (host/cleanup.c does); without hooks the plain system calls
 * are used.
 *
 * Memory: struct hwf_outfile is the caller's (on the stack is fine); it
 * holds the names, nothing is allocated.  Errors: HWF_EIO (naming the file
 * and the system's reason), HWF_ENOSPC (disk full), HWF_EEXIST (the target
 * is there and may not be replaced), HWF_EINVAL (a name too long).
 */
#ifndef HWF_OUTFILE_H
#define HWF_OUTFILE_H

#include <stddef.h>

#include "formats/core/err.h"

#define HWF_PATH_MAX 4096

/* How temporary files are made and forgotten; any member may be NULL (the plain call). */
struct hwf_file_hooks {
	/* mkostemp(@tmpl, O_CLOEXEC) and remember the file; the fd, or -1 with errno set. */
	int (*mkstemp)(void *ctx, char *tmpl);
	/* rename(@from, @to) and forget @from; 0, or -1 with errno set. */
	int (*rename)(void *ctx, const char *from, const char *to);
	/* @path is gone or has been renamed: forget it. */
	void (*forget)(void *ctx, const char *path);
	/* mkdtemp(@tmpl) and remember the folder (an interruption removes it with all it
	 * holds); 0, or -1 with errno set. */
	int (*mkdtemp)(void *ctx, char *tmpl);
	/* Run @fn(@arg) with no interruption's removal in between (renames that go together,
	 * such as a folder swapped into place); returns what @fn returns. */
	int (*atomic)(void *ctx, int (*fn)(void *arg), void *arg);
	void *ctx;
};

struct hwf_outfile {
	const struct hwf_file_hooks *hooks; /* borrowed; NULL = plain calls */
	char path[HWF_PATH_MAX];	    /* the target */
	char tmp[HWF_PATH_MAX + 32];	    /* the temporary name, "" when there is none */
	int fd;				    /* open while writing, else -1 */
};

enum {
	HWF_OUTFILE_HIDDEN = 1,	   /* temporary name DIR/.NAME.partial.XXXXXX */
	HWF_OUTFILE_SYNC = 2,	   /* fsync before closing */
	HWF_OUTFILE_NOREPLACE = 4, /* never replace an existing target (RENAME_NOREPLACE) */
};

/*
 * Create the temporary file for @path (mode 0644) and open it for writing
 * in f->fd.  @flags: HWF_OUTFILE_HIDDEN or 0.  On failure nothing is left
 * and @e names the folder: "DIR: cannot create a file there: REASON".
 */
int hwf_outfile_create(struct hwf_outfile *f, const char *path, unsigned flags,
		       const struct hwf_file_hooks *hooks, struct hwf_err *e);

/*
 * Close the file (after fsync with HWF_OUTFILE_SYNC); it keeps its
 * temporary name (f->tmp), so that it can be read back before it is
 * placed.  On failure the temporary file is removed.
 */
int hwf_outfile_close(struct hwf_outfile *f, unsigned flags, struct hwf_err *e);

/*
 * Give the closed file its name.  With HWF_OUTFILE_NOREPLACE an existing
 * target is never replaced (HWF_EEXIST, "PATH: exists; not replaced (use
 * --force)"), atomically where the file system can.  On failure the
 * temporary file is removed.
 */
int hwf_outfile_place(struct hwf_outfile *f, unsigned flags, struct hwf_err *e);

/* close + place. */
int hwf_outfile_commit(struct hwf_outfile *f, unsigned flags, struct hwf_err *e);

/* Close (if open) and remove the temporary file.  Safe to call twice. */
void hwf_outfile_discard(struct hwf_outfile *f);

/*
 * mkdir -p @dir (mode 0755).  HWF_EIO "PATH: cannot create: REASON", or
 * "DIR: not a folder" when something else has the name.
 */
int hwf_mkdirs(const char *dir, struct hwf_err *e);

#endif
