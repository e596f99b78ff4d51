/* SPDX-License-Identifier: MIT */
/*
 * What "image unpack" writes beside the sections of a boot or vendor_boot
 * image so that "image repack" can rebuild it byte for byte: the manifest
 * (formats/image/manifest.h) decoded from the whole header, the id's
 * recipe, the AVB footer and what its vbmeta says, and the byte ranges to
 * save as files of their own: the bytes after the image's declared end
 * (trailer.bin), the vbmeta blob (vbmeta.bin) and each vendor_boot v4
 * ramdisk (vendor_ramdiskNN).
 *
 * When the AVB part cannot be put back as found (a footer that contradicts
 * the header, data in its padding), everything after the image is kept as
 * the trailer instead, so that the repack is still byte-identical.
 *
 * Memory: the caller's structs, filled here.  Errors: HWF_EFORMAT,
 * HWF_EIO, HWF_ETRUNC (reading @src), HWF_ENOMEM.
 */
#ifndef HWF_UNPACK_MANIFEST_H
#define HWF_UNPACK_MANIFEST_H

#include <stdint.h>

#include "formats/core/source.h"
#include "formats/image/bootimg.h"
#include "formats/image/manifest.h"

#define HWF_MF_MAX_RANGES (HWF_MF_MAX_VRD + 2)

struct hwf_mf_range {
	char file[32]; /* "trailer.bin", "vbmeta.bin", "vendor_ramdisk00" */
	uint64_t off, size;
};

struct hwf_mf_ranges {
	size_t n;
	struct hwf_mf_range r[HWF_MF_MAX_RANGES];
};

/*
 * Fill @m for the boot image @b (parsed from @src, its layout checked
 * against the file size) and list in @x the extra files to write.  Section
 * files are named as unpack names them (hwf_mf_sec_name), empty sections
 * are left out.
 */
int hwf_manifest_from_image(struct hwf_source *src, const struct hwf_bootimg *b,
			    struct hwf_manifest *m, struct hwf_mf_ranges *x, struct hwf_err *e);

#endif
