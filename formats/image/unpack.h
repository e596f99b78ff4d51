/* SPDX-License-Identifier: MIT */
/*
 * The engine of "image unpack": the sections of a boot or vendor_boot image
 * (kernel, ramdisk, second, dtb ...) into DIR/<section>, one file each, or
 * a sparse image expanded into DIR/<name>.raw.  Every file is written
 * under a temporary name and renamed once complete (formats/core/outfile.h);
 * without force no file is replaced, and that is settled before the first
 * one is written.
 *
 * The engine prints nothing: @event tells each file written and the long
 * step, @progress the bytes.  Memory: the result is the caller's, filled
 * here; nothing stays allocated.  Errors: HWF_EFORMAT (neither a boot
 * image nor a sound sparse image), HWF_ETRUNC (the header needs more bytes
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
	const char *section; /* "kernel", ...; "expanded" for a sparse image */
	char path[HWF_PATH_MAX + 64];
	uint64_t size;
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
	const struct hwf_file_hooks *files; /* temporary files; NULL = plain calls */
	void (*event)(void *ctx, const struct hwf_unpack_event *ev); /* may be NULL */
	hwf_progress_fn progress;				     /* may be NULL */
	void *ctx;
};

struct hwf_unpack_result {
	int sparse; /* a sparse image, expanded */
	int vendor; /* a vendor_boot image */
	size_t nfiles;
	struct hwf_unpack_file file[HWF_BOOTIMG_MAX_SECTIONS]; /* the files written */
};

/* Unpack @src (borrowed).  0, or a negative code with one sentence in @e. */
int hwf_image_unpack(struct hwf_source *src, const struct hwf_unpack_opts *o,
		     struct hwf_unpack_result *res, struct hwf_err *e);

#endif
