/* SPDX-License-Identifier: MIT */
/*
 * The engine of "image unpack": the sections of a boot or vendor_boot image
 * (kernel, ramdisk, second, dtb ...) into DIR/<section>, one file each; the
 * logical partitions of a liblp super image (raw or sparse) into
 * DIR/<partition>.img, as lpunpack does (all-zero blocks left as holes);
 * or another sparse image expanded into DIR/<name>.raw.  Every file is written
 * under a temporary name and renamed once complete (formats/core/outfile.h);
 * without force no file is replaced, and that is settled before the first
 * one is written.  The ramdisk folder (DIR/ramdisk.d and DIR/ramdisk.list,
 * with the manifest) is made in DIR/.ramdisk.partial.XXXXXX, through the
 * hooks' mkdtemp so that an interruption removes it, and swapped into place
 * once whole (the hooks' atomic): with force an earlier folder and list are
 * replaced then, never before.
 *
 * The engine prints nothing: @event tells each file written and the long
 * step, @progress the bytes.  Memory: the result is the caller's, filled
 * here, its file list freed by hwf_unpack_result_free().  Errors:
 * HWF_EFORMAT (neither a boot image, a super image nor a sound sparse
 * image; a partition name that cannot be a file name), HWF_ETRUNC (the header needs more bytes
 * than the file has), HWF_EEXIST (a file to write exists), HWF_EIO and
 * HWF_ENOSPC (reading or writing, naming the file), HWF_ENOMEM.
 */
#ifndef HWF_UNPACK_H
#define HWF_UNPACK_H

#include <stdint.h>

#include "formats/core/outfile.h"
#include "formats/core/source.h"
#include "formats/image/bootimg.h"

enum hwf_unpack_event_kind {
	HWF_UEV_STEP, /* a long step begins: @label ("expanding"); progress follows */
	HWF_UEV_STEP_END,
	HWF_UEV_WRITTEN, /* @file is complete */
};

struct hwf_unpack_file {
	const char *section; /* "kernel", ...; "expanded" for a sparse image; a partition;
			      * "manifest", "trailer", "vbmeta", "vendor_ramdisk" (one of v4's) */
	char path[HWF_PATH_MAX + 64];
	uint64_t size;
	char part[48]; /* a logical partition's name (section points here) */
};

struct hwf_unpack_event {
	enum hwf_unpack_event_kind kind;
	const char *label;
	const struct hwf_unpack_file *file;
};

struct hwf_unpack_opts {
	const char *dir;  /* created with its parents */
	const char *name; /* the image's path: messages, and the .raw name of a sparse image */
	int force;	  /* replace existing files */
	int manifest;	  /* boot images: also DIR/manifest.txt and what image repack needs */
	const struct hwf_file_hooks *files; /* temporary files; NULL = plain calls */
	void (*event)(void *ctx, const struct hwf_unpack_event *ev); /* may be NULL */
	hwf_progress_fn progress;				     /* may be NULL */
	void *ctx;
};

struct hwf_unpack_result {
	int sparse; /* a sparse image, expanded */
	int vendor; /* a vendor_boot image */
	int super;  /* a liblp super image: one file per logical partition */
	size_t nfiles;
	struct hwf_unpack_file *file; /* the files written (malloc'ed) */
};

/* Unpack @src (borrowed).  0, or a negative code with one sentence in @e. */
int hwf_image_unpack(struct hwf_source *src, const struct hwf_unpack_opts *o,
		     struct hwf_unpack_result *res, struct hwf_err *e);
/* Free the file list of @res (safe on a zeroed or freed result). */
void hwf_unpack_result_free(struct hwf_unpack_result *res);

#endif
