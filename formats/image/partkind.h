/* SPDX-License-Identifier: MIT */
/*
 * The one table that says what a partition takes: for a fastboot partition
 * name (with or without an _a/_b slot suffix), the kind of content it holds
 * and so which content fits it.  `image check --partition P`, `flash`,
 * `boot`, `app flash` and `update` all ask this table, through
 * hwf_image_check().
 *
 * A static table: nothing allocated, nothing fails (an unknown name is
 * HWF_PART_ANY, a raw blob).
 */
#ifndef HWF_PARTKIND_H
#define HWF_PARTKIND_H

#include <stddef.h>
#include <stdint.h>

#include "formats/image/sniff.h"

enum hwf_part_class {
	HWF_PART_ANY,		/* unknown name (modem, xloader, ...): a raw blob */
	HWF_PART_BOOT,		/* boot, recovery: Android boot image with a kernel */
	HWF_PART_RAMDISK,	/* Huawei ramdisk partitions: boot image, kernel optional */
	HWF_PART_INIT_BOOT,	/* init_boot: boot image v4, a ramdisk, no kernel */
	HWF_PART_VENDOR_BOOT,	/* vendor_boot: VNDRBOOT */
	HWF_PART_VBMETA,	/* vbmeta, vbmeta_*: an AVB0 vbmeta image */
	HWF_PART_DTBO,		/* dtbo: a DT table image */
	HWF_PART_FS,		/* system, vendor, userdata ...: a file system image */
	HWF_PART_SUPER,		/* super: liblp metadata and its partitions */
};

enum {
	/* A mismatch is only a warning: the name is used with more than one kind
	 * of content, or what it holds is not documented well enough to refuse. */
	HWF_PART_F_LOOSE = 1 << 0,
	/* A recovery: its ramdisk should hold a recovery (the image check warns). */
	HWF_PART_F_RECOVERY = 1 << 1,
	/* Also takes a raw ramdisk (gzip or lz4 cpio), as AOSP's "ramdisk". */
	HWF_PART_F_RAW_RAMDISK = 1 << 2,
};

struct hwf_part {
	const char *name;	/* base name ("boot"), or the prefix ("vbmeta_") */
	enum hwf_part_class cls;
	unsigned flags;		/* HWF_PART_F_* */
};

/*
 * What @partition takes.  Case-insensitive; an _a/_b slot suffix is
 * ignored.  Never NULL: an unknown name gets the HWF_PART_ANY entry.
 */
const struct hwf_part *hwf_part_lookup(const char *partition);

/* True for the classes that take an Android boot image (ANDROID!). */
int hwf_part_takes_bootimg(const struct hwf_part *p);

/* "a file system image (sparse, ext4, erofs, f2fs, or raw with an AVB footer)" ... */
const char *hwf_part_wants(const struct hwf_part *p);

/* What is known about the content, for hwf_part_fit(). */
struct hwf_part_content {
	enum hwf_kind kind;	/* as sniffed */
	enum hwf_kind inner;	/* HWF_KIND_AVB_FOOTER: the start of the file */
	/* HWF_KIND_BOOTIMG whose header parsed: */
	int bootimg_ok;
	uint32_t header_version;
	uint64_t kernel_size, ramdisk_size;
	int super_empty;	/* HWF_KIND_SUPER: metadata only (geometry at 0) */
};

enum hwf_fit {
	HWF_FIT_OK,
	HWF_FIT_WARN,		/* suspicious: say so before sending */
	HWF_FIT_ERROR,		/* cannot belong to the partition */
};

/*
 * Does content @c fit partition @p (named @partition, as the user wrote
 * it)?  For WARN and ERROR, @why gets a sentence that follows "FILE: ":
 * "gzip data, but system takes a file system image (...)".  The kinds refused everywhere (empty, HTML, text, zip,
 * UPDATE.APP) are not this function's business: it returns OK for them.
 */
enum hwf_fit hwf_part_fit(const struct hwf_part *p, const char *partition,
			  const struct hwf_part_content *c, char *why, size_t len);

#endif
