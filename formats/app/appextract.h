/* SPDX-License-Identifier: MIT */
/*
 * The engine of "app extract": entries of an UPDATE.APP into files.
 *
 * One verdict: the selection is verified first exactly as app check does
 * it (header CRC, every block CRC, the package's CRC entry); a bad entry is
 * not written unless keep_bad, and a CRC entry of the wrong length vouches
 * for no entry at all.  Then, before anything is written, no file to write
 * may exist (unless force; then nothing is written).  Each entry goes to
 * DIR/<file name> (hwf_app_entry()->file_name, unique in the package) under
 * a temporary name, verified block by block while it is copied, and is
 * renamed into place once complete.  force replaces files that were there
 * before the run, never one this run wrote (a file system that folds names
 * could otherwise let one entry overwrite another).
 *
 * The engine prints nothing: what happens is told through @event, the
 * copying through @progress; the outcome is in struct hwf_extract_result.
 *
 * Memory: the result's rows are allocated here (hwf_extract_free()); the
 * texts events and rows point to live as long as the result (events: for
 * the call).  Errors: see hwf_extract_run().
 */
#ifndef HWF_APPEXTRACT_H
#define HWF_APPEXTRACT_H

#include <stddef.h>

#include "formats/core/outfile.h"
#include "formats/app/updateapp.h"

enum hwf_extract_event_kind {
	/* A long step begins, @msg its label ("verifying", the entry's name): progress follows. */
	HWF_XEV_STEP,
	HWF_XEV_STEP_END,
	/* @msg: why an entry (@entry; -1: the CRC entry) fails, and whether it is written. */
	HWF_XEV_BAD,
	HWF_XEV_WRITING,  /* the check is over, files are about to be written in @path */
	HWF_XEV_WRITTEN,  /* @entry is complete at @path and verified; @msg for a group:
			     "3 sparse pieces joined" (else NULL) */
	HWF_XEV_KEPT_BAD, /* @entry is at @path although bad (keep_bad): @msg says so */
	HWF_XEV_FAILED,	  /* @entry could not be written: @msg */
};

struct hwf_extract_event {
	enum hwf_extract_event_kind kind;
	long entry;	  /* index in the package, -1 when none */
	const char *path; /* where the entry goes, or NULL */
	const char *msg;  /* a sentence or label, or NULL */
};

struct hwf_extract_opts {
	const char *dir;	     /* created with its parents when something is written */
	const unsigned char *select; /* hwf_app_count() flags; NULL = every entry */
	const char *label;	     /* the package in messages ("fw.zip:UPDATE.APP") */
	int keep_bad;		     /* write bad entries too (the result is still a failure) */
	int force;		     /* replace files that existed before the run */
	/*
	 * Join split SUPER (sparse pieces of one partition, formats/app/appgroup.h)
	 * into one sparse file, the first piece's name (super.img), with
	 * hwf_sparse_merge().  Selecting one piece of a joined group selects all
	 * of them.
	 */
	int merge_super;
	/*
	 * Join raw pieces of one partition (same-name entries that are not all
	 * sparse: a HarmonyOS partition over 4,160,749,568 bytes) in order into
	 * the first piece's file, each piece verified as it is copied.
	 */
	int join_raw;
	const struct hwf_file_hooks *files; /* temporary files; NULL = plain calls */
	void (*event)(void *ctx, const struct hwf_extract_event *ev); /* may be NULL */
	hwf_progress_fn progress;				      /* may be NULL */
	void *ctx;						      /* for @event and @progress */
};

/* One entry's part of the outcome. */
struct hwf_extract_row {
	int selected;
	int good;	 /* verified, and no bad block seen while copying */
	int written;	 /* a file holds it now */
	size_t in_file;	 /* the entry whose file_name holds it: itself, or the first piece
			    of the joined group it belongs to */
	const char *why; /* why it is bad, or NULL */
};

struct hwf_extract_result {
	struct hwf_extract_row *row; /* hwf_app_count() rows */
	size_t selected, bad, failed, written;
	int ok; /* every selected entry good and written */
	/* When !ok: the one sentence that sums it up ("pkg: 1 of 3 entries bad, ...") */
	char summary[HWF_ERR_MSG_MAX + 1200];
	struct hwf_app_check check; /* the verification (rows' @why point into it) */
};

/*
 * Run the extraction.  Returns 0 when it ran to the end, whatever the
 * entries were (look at res->ok and res->summary; rows tell which file was
 * written), or a negative code when it stopped before writing anything:
 * the check could not run (@e from hwf_app_verify), a file to write exists
 * (HWF_EEXIST: "PATH: exists; not replaced (use --force): nothing
 * extracted"), DIR cannot be made (HWF_EIO), HWF_ENOMEM.  Free @res with
 * hwf_extract_free() in every case.
 */
int hwf_extract_run(struct hwf_app *app, const struct hwf_extract_opts *o,
		    struct hwf_extract_result *res, struct hwf_err *e);
void hwf_extract_free(struct hwf_extract_result *res);

#endif
