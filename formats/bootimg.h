/* SPDX-License-Identifier: MIT */
/*
 * Android boot images (ANDROID!, header v0-v4) and vendor_boot (VNDRBOOT,
 * v3/v4): header fields, the section layout, and the SHA-1 id of v0-v2.
 * Facts: ../shared/reference/fastboot-protocol.md section 6.1.
 */
#ifndef HWF_BOOTIMG_H
#define HWF_BOOTIMG_H

#include <stdint.h>

#include "err.h"
#include "source.h"

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

/*
 * Recompute the v0-v2 SHA-1 id (streamed): @sha1 as current mkbootimg
 * computes it (the dt term always fed), @sha1_nodt as older mkbootimg
 * (Debian 12's) does when there is no dt.  HWF_EUNSUPPORTED for v3+.
 */
int hwf_bootimg_compute_id(struct hwf_source *src, const struct hwf_bootimg *b,
			   uint8_t sha1[20], uint8_t sha1_nodt[20], struct hwf_err *e);

/* The section named @name, or NULL. */
const struct hwf_bootimg_section *hwf_bootimg_section(const struct hwf_bootimg *b,
						      const char *name);

#endif
