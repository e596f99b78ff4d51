/* SPDX-License-Identifier: MIT */
/*
 * A boot image (header v0-v2) built on the fly from a kernel, and
 * optionally a ramdisk, a second stage and a dtb: what AOSP's `fastboot
 * boot KERNEL [RAMDISK [SECOND]]` and `flash:raw` build on the host, laid
 * out as mkbootimg lays it out (fastboot-protocol.md §6.1): one header
 * page, then each section padded to the page size.  The image is a source
 * that reads the header from memory and the sections from their sources as
 * it is read: nothing is loaded whole.  The id field is left zero, as
 * AOSP's fastboot leaves it.
 *
 * Defaults (hwf_bootimg_args_init) are mkbootimg's: base 0x10000000,
 * kernel 0x00008000, ramdisk 0x01000000, second 0x00f00000, tags
 * 0x00000100, dtb 0x01f00000, page size 2048, header version 0.
 *
 * Memory: struct hwf_bootimg_build is malloc'd here and freed by
 * hwf_bootimg_build_free after the image source is closed; it borrows the
 * component sources.  Errors: HWF_EINVAL (an argument that cannot be said
 * in the header: a version above 2, a page size mkbootimg does not take, an
 * address past 32 bits, a command line too long, a dtb below v2),
 * HWF_EFORMAT (a component too large for a 32-bit size), HWF_ENOMEM, and
 * the sources' read errors.
 */
#ifndef HWF_BOOTIMG_BUILD_H
#define HWF_BOOTIMG_BUILD_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

/* mkbootimg's defaults (the layout a boot image gets when nothing is said). */
#define HWF_MKBOOTIMG_PAGE 2048
#define HWF_MKBOOTIMG_BASE 0x10000000u
#define HWF_MKBOOTIMG_KERNEL_OFF 0x00008000u
#define HWF_MKBOOTIMG_RAMDISK_OFF 0x01000000u
#define HWF_MKBOOTIMG_SECOND_OFF 0x00f00000u
#define HWF_MKBOOTIMG_TAGS_OFF 0x00000100u
#define HWF_MKBOOTIMG_DTB_OFF 0x01f00000u

struct hwf_bootimg_args {
	uint64_t base, kernel_offset, ramdisk_offset, second_offset, tags_offset, dtb_offset;
	uint32_t page_size;
	uint32_t header_version;
	uint32_t os_version; /* packed: hwf_bootimg_parse_os_version, _patch_level */
	const char *cmdline; /* NULL: none */
};

void hwf_bootimg_args_init(struct hwf_bootimg_args *a);

/*
 * "A[.B[.C]]" (each below 128) into bits 31..11 of @os_version, and
 * "YYYY-MM[-DD]" (2000-2127) into bits 10..0; the other bits are kept.
 * HWF_EINVAL with a sentence naming the value.
 */
int hwf_bootimg_parse_os_version(const char *s, uint32_t *os_version, struct hwf_err *e);
int hwf_bootimg_parse_patch_level(const char *s, uint32_t *os_version, struct hwf_err *e);

struct hwf_bootimg_build;

/*
 * Build the image of @kernel and the optional (NULL) @ramdisk, @second and
 * @dtb (header version 2 only) with @a; *@img is the image's source
 * (named @name), closed by the caller before hwf_bootimg_build_free(*@out).
 */
int hwf_bootimg_build(struct hwf_bootimg_build **out, const struct hwf_bootimg_args *a,
		      struct hwf_source *kernel, struct hwf_source *ramdisk,
		      struct hwf_source *second, struct hwf_source *dtb, const char *name,
		      struct hwf_source **img, struct hwf_err *e);
void hwf_bootimg_build_free(struct hwf_bootimg_build *b);

#endif
