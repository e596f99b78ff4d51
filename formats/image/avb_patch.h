/* SPDX-License-Identifier: MIT */
/*
 * fastboot --disable-verity / --disable-verification: the flags of a vbmeta
 * header (AvbVBMetaImageHeader, big-endian u32 at 120: bit 0
 * HASHTREE_DISABLED, bit 1 VERIFICATION_DISABLED) set in the bytes read,
 * never in the file.  The vbmeta is the image's start (a vbmeta image,
 * "AVB0") or, for an image with an AVB footer, the one the footer points
 * at.  AOSP's fastboot ORs the bits into byte 123 the same way
 * (fastboot.cpp rewrite_vbmeta_buffer; fastboot-protocol.md §6.3).
 *
 * Memory: the patched view is a source the caller closes before the
 * struct hwf_avb_patch and @img, which it borrows.  Errors: HWF_ENOTFOUND
 * (no vbmeta in the image: the sentence names it), HWF_ETRUNC, HWF_EIO,
 * HWF_ENOMEM.
 */
#ifndef HWF_AVB_PATCH_H
#define HWF_AVB_PATCH_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

#define HWF_AVB_FLAG_HASHTREE_DISABLED	   1u
#define HWF_AVB_FLAG_VERIFICATION_DISABLED 2u

struct hwf_avb_patch {
	struct hwf_source *img;
	uint64_t vbmeta_offset; /* where the header is: 0 for a vbmeta image */
	int in_footer;		/* found through the AVB footer */
	uint32_t old_flags, new_flags;
};

/*
 * Open @out: @img with @set (HWF_AVB_FLAG_*) ORed into its vbmeta header's
 * flags.  @p says where, and the flags before and after.
 */
int hwf_avb_patch_flags(struct hwf_avb_patch *p, struct hwf_source *img, uint32_t set,
			struct hwf_source **out, struct hwf_err *e);

/*
 * The same patch written to @out_fd (a regular file opened for writing, at
 * offset 0): `image vbmeta --disable-verity/--disable-verification`.  The
 * whole of @img is copied (an image with an AVB footer stays whole), with
 * the flags replaced; @p says where and the flags before and after.
 * Streams; HWF_EIO/HWF_ENOSPC naming "the output" when writing fails.
 */
int hwf_avb_write_flags(struct hwf_avb_patch *p, struct hwf_source *img, uint32_t set, int out_fd,
			hwf_progress_fn progress, void *pctx, struct hwf_err *e);

/* "hashtree (verity) and verification disabled" for @flags' two bits; "" for none. */
const char *hwf_avb_flags_text(uint32_t flags);

#endif
