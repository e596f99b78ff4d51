/* SPDX-License-Identifier: MIT */
/*
 * A source is "bytes with a size": a file, a window of another source (an
 * UPDATE.APP entry) or a member of a .zip.  Everything that reads images
 * reads through it, so a firmware zip never has to be extracted first and
 * nothing is ever loaded whole into memory.
 *
 * Memory: a source is allocated by its open call and freed by
 * hwf_source_close(); it borrows what the comments below say (a window its
 * parent, a memory source its buffer) and owns its file descriptor.
 * Errors: HWF_EIO and HWF_EACCES (opening, reading: the path and the
 * system's reason), HWF_ETRUNC (reading past the end), HWF_EUNSUPPORTED (a
 * pipe or device that has no size), HWF_EINVAL (a folder), HWF_ENOMEM.
 */
#ifndef HWF_SOURCE_H
#define HWF_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"

struct hwf_source;

/* Progress of a long operation: @done of @total bytes.  May be NULL. */
typedef void (*hwf_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Open a regular file (or block device) read-only.  A pipe, FIFO, socket
 * or character device (bash's <(...) is /dev/fd/63, a pipe) has no size
 * and cannot be read twice: refused with HWF_EUNSUPPORTED and a sentence
 * naming @path and what it is; a folder with HWF_EINVAL.
 */
int hwf_source_open_file(struct hwf_source **out, const char *path, struct hwf_err *e);

/*
 * The same over an open descriptor @fd, which the source owns from now on
 * (closed on failure too); @name is what messages call it.
 */
int hwf_source_open_fd(struct hwf_source **out, int fd, const char *name, struct hwf_err *e);

/*
 * @len bytes at @buf (borrowed: keep it alive while the source is open).
 * For tests and fuzzing; random access.
 */
int hwf_source_open_mem(struct hwf_source **out, const void *buf, size_t len, const char *name,
			struct hwf_err *e);

/*
 * Bytes made on demand: @read fills @len bytes at @off (never past @size)
 * and returns 0 or a negative code.  Used for generated streams such as
 * sparse pieces; random access.  @ctx is borrowed.
 */
typedef int (*hwf_source_read_fn)(void *ctx, void *buf, size_t len, uint64_t off,
				  struct hwf_err *e);
int hwf_source_open_callback(struct hwf_source **out, uint64_t size, const char *name,
			     hwf_source_read_fn read, void *ctx, struct hwf_err *e);

/*
 * A window [@off, @off + @size) of @parent.  The window borrows @parent,
 * which must stay open until the window is closed.  Fails with HWF_ETRUNC
 * when the window reaches past the end of the parent.
 */
int hwf_source_open_window(struct hwf_source **out, struct hwf_source *parent, uint64_t off,
			   uint64_t size, const char *name, struct hwf_err *e);

/*
 * Bytes read forwards by @read (a decompressor): short reads only at the
 * end; reading backwards is @read's business (it may restart).  Not random
 * access.  The source owns @ctx: @release(ctx) runs on close (and on
 * failure here).
 */
int hwf_source_open_stream(struct hwf_source **out, uint64_t size, const char *name,
			   int64_t (*read)(void *ctx, void *buf, size_t len, uint64_t off,
					   struct hwf_err *e),
			   void (*release)(void *ctx), void *ctx, struct hwf_err *e);

/*
 * @n sources (borrowed: keep them open while this one is) read one after
 * the other as one: the raw pieces of a partition split over several
 * UPDATE.APP entries.  Random access when every part is.
 */
int hwf_source_open_concat(struct hwf_source **out, struct hwf_source *const *parts, size_t n,
			   const char *name, struct hwf_err *e);
/* @s closes @other when it is closed (a window on a file it opened itself). */
void hwf_source_own(struct hwf_source *s, struct hwf_source *other);

/*
 * Read up to @len bytes at @off.  Returns the number of bytes read (short
 * only at the end of the source) or a negative HWF_E* code.
 */
int64_t hwf_source_pread(struct hwf_source *s, void *buf, size_t len, uint64_t off,
			 struct hwf_err *e);

/* Read exactly @len bytes at @off or fail (HWF_ETRUNC at the end). */
int hwf_source_read_exact(struct hwf_source *s, void *buf, size_t len, uint64_t off,
			  struct hwf_err *e);

uint64_t hwf_source_size(const struct hwf_source *s);

/* The name used in messages: the path, "zip:member" or the window's name. */
const char *hwf_source_name(const struct hwf_source *s);

/*
 * True when pread() is cheap at any offset and safe from several threads at
 * once (files and windows over files; not deflated zip members).
 */
int hwf_source_random_access(const struct hwf_source *s);

/*
 * The file descriptor and offset behind a random-access source, for
 * posix_fadvise() and the like; -1 otherwise.
 */
int hwf_source_fd(const struct hwf_source *s, uint64_t *base);

void hwf_source_close(struct hwf_source *s);

#endif
