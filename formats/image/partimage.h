/* SPDX-License-Identifier: MIT */
/*
 * Raw partition images whose header says how large they are: ext4, erofs
 * and f2fs file systems, liblp super images and DTBO tables.  The check
 * compares that size with the file (a truncated download) and the header's
 * own fields with each other.  Reads a few KiB, never the data.
 *
 * Memory: the info is the caller's, filled here.  Errors: HWF_EFORMAT (a
 * header that contradicts itself), HWF_ETRUNC, HWF_EINVAL (a kind this
 * module does not check), HWF_EIO.
 */
#ifndef HWF_PARTIMAGE_H
#define HWF_PARTIMAGE_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/image/sniff.h"
#include "formats/core/source.h"

struct hwf_partimage_info {
	uint64_t needed;	/* bytes the header says the image spans */
	int super_empty;	/* HWF_KIND_SUPER: geometry at 0, metadata only */
	char what[128];		/* "ext4, 2048 blocks of 4096 bytes (8.0 MiB)" */
};

/*
 * Check the image of @kind (HWF_KIND_EXT4, _EROFS, _F2FS, _SUPER, _DTBO) at
 * the start of @src, whose first @limit bytes are the image (the file size,
 * or the image size an AVB footer gives).  0 with @out filled; HWF_ETRUNC
 * ("truncated: the ext4 superblock says 8.0 MiB (8388608 bytes), the file
 * has 4.8 MiB (5000000 bytes)") or HWF_EFORMAT with a sentence; a read
 * error; HWF_EINVAL for another kind.
 */
int hwf_partimage_check(struct hwf_source *src, enum hwf_kind kind, uint64_t limit,
			struct hwf_partimage_info *out, struct hwf_err *e);

#endif
