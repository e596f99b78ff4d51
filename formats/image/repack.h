/* SPDX-License-Identifier: MIT */
/*
 * The engine of "image repack DIR -o OUT": a boot (header v0-v4),
 * vendor_boot (v3/v4) or recovery image rebuilt from a folder written by
 * "image unpack" (its manifest: formats/image/manifest.h).  An unchanged
 * folder gives back the very bytes it came from: the header from the
 * manifest's fields (header_size as found), the v0-v2 id recomputed the way
 * the original was made, the trailer (bytes after the image's declared
 * end) put back, and an AVB footer re-appended at the same partition size
 * with the OLD vbmeta blob: after a change its signed digest no longer
 * matches the image, which "image check" says.
 *
 * Sections are streamed from their files (never loaded whole).  The
 * ramdisk: the file as is; or, when the manifest names a ramdisk folder
 * (ramdisk_tree) and the folder changed, the folder packed again with the
 * manifest's compression (formats/image/rdtree.h); when both the file and
 * the folder changed, the repack refuses, naming both.
 *
 * Before anything is written, every file is checked: the manifest (its
 * reader checks every field), each named file inside DIR (no symlink
 * pointing outside, a regular file), each size fitting its header field,
 * the image fitting the AVB partition.  OUT is written under a temporary
 * name and renamed when complete (formats/core/outfile.h): on failure
 * nothing is left.
 *
 * Memory: everything is the caller's or lives for the call.  Errors:
 * HWF_EFORMAT (a bad manifest, naming the file and line), HWF_ENOTFOUND
 * (a file the manifest names is missing), HWF_EINVAL (a file outside the
 * folder, a section too large, an image too large for the AVB partition,
 * ramdisk file and folder both changed), HWF_EEXIST (OUT exists without
 * force), HWF_EIO, HWF_ENOSPC, HWF_ENOMEM.
 */
#ifndef HWF_REPACK_H
#define HWF_REPACK_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/outfile.h"
#include "formats/core/source.h"

struct hwf_repack_opts {
	const char *dir; /* the unpacked folder, with manifest.txt */
	const char *out; /* the image to write */
	int force;	 /* replace OUT */
	/* Append this file after the image (in place of the manifest's trailer); NULL: the
	 * manifest's trailer, if any. */
	const char *append_signature;
	const struct hwf_file_hooks *files; /* temporary files; NULL = plain calls */
	hwf_progress_fn progress;	    /* may be NULL */
	void *ctx;
};

struct hwf_repack_result {
	int vendor;
	uint32_t header_version;
	uint64_t size;		  /* bytes written */
	uint64_t image_size;	  /* the image proper (header and sections) */
	int ramdisk_packed;	  /* the ramdisk folder changed and was packed */
	char ramdisk_change[200]; /* then: what changed first */
	uint64_t trailer_size;	  /* bytes appended after the image */
	int trailer_given;	  /* from append_signature */
	int avb;		  /* an AVB footer was re-appended with the old vbmeta */
	int avb_digest_ok;	  /* ... and its hash descriptor still matches the image */
	uint64_t partition_size;
};

/* Rebuild the image of @o->dir into @o->out.  0, or a negative code with one sentence in @e. */
int hwf_image_repack(const struct hwf_repack_opts *o, struct hwf_repack_result *res,
		     struct hwf_err *e);

#endif
