/* SPDX-License-Identifier: MIT */
/*
 * Android boot images (ANDROID!, header v0-v4) and vendor_boot (VNDRBOOT,
 * v3/v4): header fields, the section layout, and the SHA-1 id of v0-v2.
 * Facts: ../shared/reference/fastboot-protocol.md section 6.1.
 *
 * Memory: struct hwf_bootimg is the caller's, filled here (section names
 * are literals).  Errors: HWF_EFORMAT (no magic, an unknown version, a bad
 * page size), HWF_ETRUNC (shorter than a header), HWF_EUNSUPPORTED (an id
 * asked of a v3+ or vendor_boot image), HWF_EIO, HWF_ENOMEM.
 */
#ifndef HWF_BOOTIMG_H
#define HWF_BOOTIMG_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

#define HWF_BOOTIMG_MAX_SECTIONS 8

struct hwf_bootimg_section {
	const char *name;	/* "kernel", "ramdisk", ... */
	uint64_t offset, size;
};

struct hwf_bootimg {
	int vendor;			/* VNDRBOOT */
	uint32_t header_version;
	uint32_t legacy_dt_size;	/* v0 "header_version" that is really a dt size */
	uint32_t page_size;
	uint32_t header_size;		/* 0 where the version has none */
	char name[17];
	char cmdline[64];		/* the start of it, for display */
	uint32_t os_version_raw;
	char os_version[16];		/* "11.0.0", "" when not set */
	char patch_level[16];		/* "2021-05", "" when not set */
	uint8_t id[32];			/* v0-v2 */
	size_t nsec;
	struct hwf_bootimg_section sec[HWF_BOOTIMG_MAX_SECTIONS];
	uint64_t needed;		/* bytes the header's layout needs */
};

/*
 * Parse the header of @src.  Checks magic, version and page size; computes
 * the layout.  Does not compare @needed with the file size: the caller
 * decides how to word truncation.
 */
int hwf_bootimg_parse(struct hwf_source *src, struct hwf_bootimg *b, struct hwf_err *e);

/* How the v0-v2 id field relates to the sections (see bootimg.c for the sources). */
enum hwf_bootimg_id_match {
	HWF_BOOTIMG_ID_ZERO,		/* all zero: the tool that made it left it empty */
	HWF_BOOTIMG_ID_MISMATCH,	/* matches none of the ways below */
	HWF_BOOTIMG_ID_SHA1,		/* SHA-1, dt term only with a dt (AOSP, Debian 12) */
	HWF_BOOTIMG_ID_SHA1_DT,		/* SHA-1, dt term always (LineageOS mkbootimg.py) */
	HWF_BOOTIMG_ID_SHA256,		/* SHA-256 over the same terms (vendor tools) */
	HWF_BOOTIMG_ID_SHA256_DT,
	HWF_BOOTIMG_ID_SHA1_AT4,	/* SHA-1 at byte 4 of the field (Samsung 20-byte name) */
};

struct hwf_bootimg_id {
	enum hwf_bootimg_id_match match;
	uint8_t sha1[20];	/* the AOSP SHA-1 of the contents (unset for ZERO) */
};

/*
 * Compare the v0-v2 id with the contents, recomputed (streamed) in every
 * known way.  HWF_EUNSUPPORTED for v3+ and vendor_boot (no id).
 */
int hwf_bootimg_check_id(struct hwf_source *src, const struct hwf_bootimg *b,
			 struct hwf_bootimg_id *out, struct hwf_err *e);

/* "SHA-1, as AOSP mkbootimg computes it", ... */
const char *hwf_bootimg_id_how(enum hwf_bootimg_id_match m);

/* The section named @name, or NULL. */
const struct hwf_bootimg_section *hwf_bootimg_section(const struct hwf_bootimg *b,
						      const char *name);

#endif
