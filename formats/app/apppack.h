/* SPDX-License-Identifier: MIT */
/*
 * The engine of "app pack": an UPDATE.APP made from files, verified before
 * it gets its name.
 *
 * Each NAME=FILE input is opened as a source; a pipe, FIFO or socket (bash's
 * <(...), /dev/stdin) is read once into an unnamed temporary file beside
 * the output (O_TMPFILE, or a file removed at once), so that its size is
 * known and it can be read twice; an empty input is refused unless
 * allow_empty.  The package goes to "OUT.partial.XXXXXX", is synced, read
 * back and verified as app check does, and only then renamed to OUT.
 * hwf_app_pack() (updateapp.h) writes the bytes.
 *
 * The engine prints nothing: events carry the warnings and the steps,
 * @progress the bytes.  Memory: everything it opens is closed before it
 * returns; the caller's strings are borrowed.
 */
#ifndef HWF_APPPACK_H
#define HWF_APPPACK_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/outfile.h"
#include "formats/core/source.h"

/* One NAME=FILE of the command line. */
struct hwf_pack_input {
	const char *name; /* the entry name */
	const char *path; /* the file as the user typed it ("/dev/fd/63") */
};

enum hwf_pack_event_kind {
	HWF_PEV_STEP, /* a long step begins ("packing", "verifying"): @msg */
	HWF_PEV_STEP_END,
	HWF_PEV_WARN, /* @msg: something the user should know (an empty entry packed) */
};

struct hwf_pack_event {
	enum hwf_pack_event_kind kind;
	const char *msg;
};

struct hwf_pack_opts {
	const char *out;		    /* the package to write */
	const char *hwid;		    /* up to 8 characters */
	const char *date, *time;	    /* "yyyy.MM.dd", "HH.mm.ss": the caller's clock */
	int crc_entry;			    /* a CRC entry first, as official packages have */
	int allow_empty;		    /* pack an empty input (with a warning) */
	int force;			    /* replace an existing OUT */
	const struct hwf_file_hooks *files; /* the temporary OUT.partial; NULL = plain */
	void (*event)(void *ctx, const struct hwf_pack_event *ev); /* may be NULL */
	hwf_progress_fn progress;				   /* may be NULL */
	void *ctx;
};

struct hwf_pack_result {
	uint64_t size;	   /* of the package written */
	size_t entries;	   /* entries in it, the CRC entry included */
	int has_signature; /* a SHA256RSA/MD5RSA entry was given */
};

/*
 * Is @in[@i].name a name pack may write, next to the names before it?
 * Letters, digits, '_', '-', '.', up to 32; not "CRC" (pack writes that
 * one); not a name that differs only in case from an earlier one (readers
 * and case-insensitive file systems take them for one name).  The same
 * name twice is fine: pieces of one entry (split SUPER).  0 or HWF_EINVAL
 * with the sentence.  hwf_pack_check_names() checks every input.
 */
int hwf_pack_check_name(const struct hwf_pack_input *in, size_t i, struct hwf_err *e);
int hwf_pack_check_names(const struct hwf_pack_input *in, size_t n, struct hwf_err *e);

/*
 * Write the package.  0 and @res filled, or a negative code with one
 * sentence in @e, OUT untouched and nothing left behind: HWF_EEXIST (OUT
 * exists and not force), HWF_EINVAL (a bad name; or a pipe gave more than
 * an entry can hold), HWF_EFORMAT (an empty input without allow_empty),
 * HWF_EIO/HWF_EACCES/HWF_EUNSUPPORTED (an input cannot be read: "NAME=FILE:
 * why"), HWF_ENOSPC, HWF_ECRC (the written package does not verify).
 */
int hwf_pack_run(const struct hwf_pack_input *in, size_t n, const struct hwf_pack_opts *o,
		 struct hwf_pack_result *res, struct hwf_err *e);

/*
 * Where a package is written, and how (used by app pack and app replace /
 * remove, formats/app/appedit.h): @write fills the temporary file
 * "OUT.partial.XXXXXX" (fd at 0, seekable), which is synced, read back and
 * verified as app check does it, and only then renamed to @out (replacing
 * an existing one only when @force).  @step(ctx, label) marks the long
 * steps (@label, then "verifying"; NULL when one ends); @progress the
 * verification's bytes; both may be NULL.
 */
struct hwf_pack_sink {
	const char *out;
	int force;
	const struct hwf_file_hooks *files; /* the temporary file; NULL = plain calls */
	const char *label;		    /* the writing step: "packing" */
	int (*write)(void *wctx, int fd, struct hwf_err *e);
	void *wctx;
	void (*step)(void *ctx, const char *label);
	void *ctx;		  /* for @step */
	hwf_progress_fn progress; /* the verification's bytes */
	void *pctx;		  /* for @progress */
};

/*
 * Write, verify, rename.  0, or the error of the step that failed with
 * "; OUT not written" added, and nothing left behind (HWF_ECRC when the
 * written package does not verify).
 */
int hwf_pack_write_verified(const struct hwf_pack_sink *s, struct hwf_err *e);

/*
 * Read the package at @path back and verify it as app check does: 0, or
 * HWF_ECRC "PATH: the written package does not verify: entry NAME WHY", or
 * the error that stopped reading it.
 */
int hwf_pack_verify_file(const char *path, hwf_progress_fn progress, void *pctx,
			 struct hwf_err *e);

/*
 * Open @path for packing: a regular file or block device in place; a pipe,
 * FIFO or socket spooled into an unnamed temporary file in @spool_dir
 * (*is_pipe set).  Anything else (a character device, a folder) is refused
 * as hwf_source_open_fd() refuses it.  The source is the caller's.
 */
int hwf_pack_open_input(const char *path, const char *spool_dir, struct hwf_source **src,
			int *is_pipe, struct hwf_err *e);

#endif
