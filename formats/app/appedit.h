/* SPDX-License-Identifier: MIT */
/*
 * The engine of "app replace" and "app remove": an UPDATE.APP rewritten
 * with some entries given new data or left out, everything else kept.
 *
 * Kept byte for byte: the bytes before the first entry (preamble), and of
 * every other entry its header (order, sequence id, hardware id, date,
 * time, name, the unknown fields), block table and data.  A replaced entry
 * keeps its header too but for its data length, header length and header
 * CRC; its block table is recomputed with its own block size.  The
 * package's CRC entry (CRC-16 per 32 KiB of every entry but signatures and
 * itself, reference §6) is recomputed when its layout is recognised (named
 * CRC, or its length fits the package); otherwise it is kept as stored and
 * a warning says so.  Signature entries are kept, and reported as no
 * longer matching: a dload update would refuse the package, fastboot
 * `app flash` does not need the signature.
 *
 * Streamed: every untouched entry is copied in 1 MiB pieces and checked
 * block by block against its table while it is copied (a bad block stops
 * the run, naming the entry and the block); a replacement is read once.
 * The package goes to "OUT.partial.XXXXXX", is synced, read back and
 * verified as app check does (hwf_pack_write_verified(), apppack.h), and
 * only then renamed to OUT.  Every check of the request (names, files,
 * sizes, an existing OUT) comes before anything is written.
 *
 * The engine prints nothing: what happens goes to @event, the bytes to
 * @progress.  Memory: everything it opens is closed before it returns; the
 * caller's strings and the package are borrowed (the package stays open).
 */
#ifndef HWF_APPEDIT_H
#define HWF_APPEDIT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/app/updateapp.h"
#include "formats/core/outfile.h"

/* One change: NAME=FILE (replace), or NAME alone (remove: path NULL). */
struct hwf_edit_op {
	const char *name; /* display name (SUPER#2) or raw name, case-insensitive */
	const char *path; /* the new data as the user typed it; NULL = remove */
};

enum hwf_edit_event_kind {
	HWF_EEV_STEP, /* a long step begins ("rewriting", "verifying"): @msg */
	HWF_EEV_STEP_END,
	HWF_EEV_WARN,	   /* @msg: something the user should know (a CRC entry kept as stored) */
	HWF_EEV_SIGNATURE, /* entry @entry is a signature kept that no longer matches: @msg */
};

struct hwf_edit_event {
	enum hwf_edit_event_kind kind;
	long entry; /* the entry's index in the input package, or -1 */
	const char *msg;
};

struct hwf_edit_opts {
	const char *out;		    /* the package to write (a bare UPDATE.APP) */
	const char *label;		    /* the input in messages ("fw.zip:UPDATE.APP") */
	int force;			    /* replace an existing OUT */
	const struct hwf_file_hooks *files; /* the temporary OUT.partial; NULL = plain */
	void (*event)(void *ctx, const struct hwf_edit_event *ev); /* may be NULL */
	hwf_progress_fn progress;				   /* may be NULL */
	void *ctx;
};

struct hwf_edit_result {
	uint64_t size;	   /* of the package written */
	size_t entries;	   /* in it */
	size_t replaced;   /* entries given new data */
	size_t removed;	   /* entries left out */
	size_t signatures; /* signature entries kept (no longer matching) */
	int crc_entry;	   /* -1 none, 0 kept as stored (layout not recognised), 1 recomputed */
};

/*
 * Rewrite @app (opened on its source, which must stay open) to o->out with
 * the changes @ops[0..n).  0 and @res filled, or a negative code with one
 * sentence in @e and nothing written: HWF_ENOTFOUND (no entry of that
 * name), HWF_EINVAL (an entry named twice, the CRC entry replaced, nothing
 * left, a replacement larger than the u32 size field holds), HWF_EFORMAT
 * (an empty replacement; an untouched entry whose header CRC is wrong),
 * HWF_EEXIST (OUT exists and not force), HWF_EIO / HWF_EACCES (a
 * replacement cannot be read: "NAME=FILE: why"), HWF_ECRC (a bad block in
 * an untouched entry, or the written package does not verify),
 * HWF_ENOSPC, HWF_ENOMEM.
 */
int hwf_edit_run(struct hwf_app *app, const struct hwf_edit_op *ops, size_t n,
		 const struct hwf_edit_opts *o, struct hwf_edit_result *res, struct hwf_err *e);

#endif
