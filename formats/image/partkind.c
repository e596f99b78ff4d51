// SPDX-License-Identifier: MIT
/*
 * Which content a partition takes.  Facts behind the entries:
 *  - AOSP: boot and recovery hold boot images with a kernel; init_boot
 *    (Android 13 GKI) a boot image header v4 with a ramdisk and no kernel;
 *    vendor_boot and vendor_kernel_boot the vendor boot header (VNDRBOOT);
 *    vbmeta and vbmeta_* (vbmeta_system, vbmeta_vendor ...) a vbmeta image
 *    (AVB0); dtbo a DT table image; system, vendor, product ... file
 *    systems (ext4 or erofs, usually sent sparse, raw ones with an AVB
 *    hashtree footer), userdata/cache/metadata ext4 or f2fs; super the
 *    liblp metadata and the logical partitions (../shared/reference/
 *    dynamic-partitions.md).
 *  - Huawei Kirin (EMUI 8: "ramdisk"; EMUI 9 and later: "recovery_ramdisk",
 *    "erecovery_ramdisk"): boot images whose kernel lives in a partition of
 *    its own ("kernel", "erecovery_kernel"); the kernel may be absent.
 *    Magisk's install guide patches RAMDISK.img and RECOVERY_RAMDIS.img as
 *    boot images; cfig/Android_boot_image_editor issue 122 shows a Huawei
 *    ramdisk.img as a boot image header v2 without a kernel.
 *  - AOSP's bootloader guide also describes virtual "kernel" and "ramdisk"
 *    partitions that take a raw kernel or a raw ramdisk: so "ramdisk" also
 *    takes gzip/lz4 data and "kernel" is left to the universal checks.
 * Where the content is not documented well enough to refuse (Huawei's
 * recovery_vbmeta, recovery_vendor ...) the entry is LOOSE: a mismatch is
 * a warning, not a refusal.  Names not listed here (modem, xloader,
 * fastboot, ptable, dts, dto, kernel, oeminfo ...) take any raw blob: only
 * the refusals every partition shares apply to them.
 */
#include "formats/image/partkind.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PREFIX_MARK '*' /* "vbmeta_*": every name starting with "vbmeta_" */

static const struct hwf_part table[] = {
	{ "boot", HWF_PART_BOOT, 0 },
	{ "recovery", HWF_PART_BOOT, HWF_PART_F_RECOVERY },
	/* Older Huawei packages (ERECOVERY, sequence 0x44000000): a recovery image. */
	{ "erecovery", HWF_PART_BOOT, HWF_PART_F_RECOVERY },
	{ "ramdisk", HWF_PART_RAMDISK, HWF_PART_F_LOOSE | HWF_PART_F_RAW_RAMDISK },
	{ "recovery_ramdisk", HWF_PART_RAMDISK, HWF_PART_F_RECOVERY },
	{ "erecovery_ramdisk", HWF_PART_RAMDISK, HWF_PART_F_RECOVERY },
	{ "init_boot", HWF_PART_INIT_BOOT, 0 },
	{ "vendor_boot", HWF_PART_VENDOR_BOOT, 0 },
	{ "vendor_kernel_boot", HWF_PART_VENDOR_BOOT, 0 },
	{ "vbmeta", HWF_PART_VBMETA, 0 },
	{ "vbmeta_*", HWF_PART_VBMETA, 0 },
	/* Huawei: by their names vbmeta images for the recovery chain; unverified. */
	{ "recovery_vbmeta", HWF_PART_VBMETA, HWF_PART_F_LOOSE },
	{ "erecovery_vbmeta", HWF_PART_VBMETA, HWF_PART_F_LOOSE },
	{ "dtbo", HWF_PART_DTBO, 0 },
	{ "system", HWF_PART_FS, 0 },
	{ "system_ext", HWF_PART_FS, 0 },
	{ "vendor", HWF_PART_FS, 0 },
	{ "product", HWF_PART_FS, 0 },
	{ "odm", HWF_PART_FS, 0 },
	{ "system_dlkm", HWF_PART_FS, 0 },
	{ "vendor_dlkm", HWF_PART_FS, 0 },
	{ "odm_dlkm", HWF_PART_FS, 0 },
	{ "userdata", HWF_PART_FS, 0 },
	{ "cache", HWF_PART_FS, 0 },
	{ "metadata", HWF_PART_FS, 0 },
	{ "cust", HWF_PART_FS, 0 },	/* Huawei: ext4 (cust.img.ext4 in old packages) */
	/* Huawei: by their names the vendor images of (e)recovery; unverified. */
	{ "recovery_vendor", HWF_PART_FS, HWF_PART_F_LOOSE },
	{ "erecovery_vendor", HWF_PART_FS, HWF_PART_F_LOOSE },
	{ "super", HWF_PART_SUPER, 0 },
};

static const struct hwf_part any = { "", HWF_PART_ANY, 0 };

static const struct hwf_part *find(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *t = table[i].name;
		size_t tl = strlen(t);

		if (tl && t[tl - 1] == PREFIX_MARK) {
			/* A prefix entry needs something after the prefix. */
			if (n > tl - 1 && !strncasecmp(name, t, tl - 1))
				return &table[i];
		} else if (n == tl && !strncasecmp(name, t, n)) {
			return &table[i];
		}
	}
	return NULL;
}

const struct hwf_part *hwf_part_lookup(const char *partition)
{
	const struct hwf_part *p;
	size_t n;

	if (!partition)
		return &any;
	n = strlen(partition);
	p = find(partition, n);
	if (!p && n > 2 && partition[n - 2] == '_' &&
	    (partition[n - 1] == 'a' || partition[n - 1] == 'b' || partition[n - 1] == 'A' ||
	     partition[n - 1] == 'B'))
		p = find(partition, n - 2);
	return p ? p : &any;
}

int hwf_part_takes_bootimg(const struct hwf_part *p)
{
	return p->cls == HWF_PART_BOOT || p->cls == HWF_PART_RAMDISK ||
	       p->cls == HWF_PART_INIT_BOOT;
}

const char *hwf_part_wants(const struct hwf_part *p)
{
	switch (p->cls) {
	case HWF_PART_BOOT:
		return "an Android boot image with a kernel";
	case HWF_PART_RAMDISK:
		return p->flags & HWF_PART_F_RAW_RAMDISK
			       ? "an Android boot image (its kernel may be in a partition of its own) "
				 "or a raw ramdisk"
			       : "an Android boot image (its kernel may be in a partition of its own)";
	case HWF_PART_INIT_BOOT:
		return "an init_boot image (boot image header v4 with a ramdisk and no kernel)";
	case HWF_PART_VENDOR_BOOT:
		return "a vendor_boot image (VNDRBOOT)";
	case HWF_PART_VBMETA:
		return "an AVB vbmeta image (AVB0)";
	case HWF_PART_DTBO:
		return "a DTBO image (DT table header)";
	case HWF_PART_FS:
		return "a file system image (sparse, ext4, erofs, f2fs, or raw with an AVB footer)";
	case HWF_PART_SUPER:
		return "a super image (liblp metadata and the logical partitions, raw or sparse)";
	case HWF_PART_ANY:
		break;
	}
	return "a raw image";
}

/* The kinds every partition refuses: reported by the image check itself. */
static int universal(enum hwf_kind k)
{
	return k == HWF_KIND_EMPTY || k == HWF_KIND_HTML || k == HWF_KIND_TEXT ||
	       k == HWF_KIND_ZIP || k == HWF_KIND_UPDATE_APP;
}

static int is_fs(enum hwf_kind k)
{
	return k == HWF_KIND_EXT4 || k == HWF_KIND_EROFS || k == HWF_KIND_F2FS;
}

/* Raw content nothing here recognises: suspicious on a file-system partition. */
static int is_opaque(enum hwf_kind k)
{
	return k == HWF_KIND_UNKNOWN || k == HWF_KIND_ZEROS || k == HWF_KIND_FFS;
}

static enum hwf_fit say(enum hwf_fit fit, char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum hwf_fit say(enum hwf_fit fit, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return fit;
}

static enum hwf_fit mismatch(const struct hwf_part *p, const char *part,
			     const struct hwf_part_content *c, char *why, size_t len)
{
	return say(p->flags & HWF_PART_F_LOOSE ? HWF_FIT_WARN : HWF_FIT_ERROR, why, len,
		   "%s, but %s takes %s", hwf_kind_name(c->kind), part, hwf_part_wants(p));
}

static enum hwf_fit fit_bootimg(const struct hwf_part *p, const char *part,
				const struct hwf_part_content *c, char *why, size_t len)
{
	/* A header that does not parse is the image check's error already. */
	if (!c->bootimg_ok)
		return HWF_FIT_OK;
	switch (p->cls) {
	case HWF_PART_BOOT:
		if (c->kernel_size)
			return HWF_FIT_OK;
		if (c->header_version >= 3)
			return say(HWF_FIT_ERROR, why, len,
				   "boot image header v%u without a kernel (an init_boot image), "
				   "but %s takes %s",
				   c->header_version, part, hwf_part_wants(p));
		return say(HWF_FIT_ERROR, why, len,
			   "boot image header v%u without a kernel (a ramdisk-only image, as "
			   "Huawei's ramdisk partitions hold), but %s takes %s",
			   c->header_version, part, hwf_part_wants(p));
	case HWF_PART_INIT_BOOT:
		if (c->kernel_size)
			return say(HWF_FIT_ERROR, why, len,
				   "boot image header v%u with a kernel (a boot image), but %s "
				   "takes %s",
				   c->header_version, part, hwf_part_wants(p));
		if (!c->ramdisk_size)
			return say(HWF_FIT_ERROR, why, len,
				   "boot image header v%u without a ramdisk, but %s takes %s",
				   c->header_version, part, hwf_part_wants(p));
		if (c->header_version < 3)
			return say(HWF_FIT_ERROR, why, len,
				   "boot image header v%u, but %s takes %s", c->header_version,
				   part, hwf_part_wants(p));
		if (c->header_version == 3)
			return say(HWF_FIT_WARN, why, len,
				   "boot image header v3 for %s: AOSP's init_boot images use header "
				   "v4",
				   part);
		return HWF_FIT_OK;
	case HWF_PART_RAMDISK:
		return HWF_FIT_OK;
	default:
		return mismatch(p, part, c, why, len);
	}
}

static enum hwf_fit fit_fs(const struct hwf_part *p, const char *part,
			   const struct hwf_part_content *c, char *why, size_t len)
{
	switch (c->kind) {
	case HWF_KIND_SPARSE:
		return HWF_FIT_OK;
	case HWF_KIND_AVB_FOOTER:
		if (p->cls == HWF_PART_FS && (is_fs(c->inner) || is_opaque(c->inner)))
			return HWF_FIT_OK;
		if (p->cls == HWF_PART_SUPER)
			return say(p->flags & HWF_PART_F_LOOSE ? HWF_FIT_WARN : HWF_FIT_ERROR, why,
				   len,
				   "%s with an AVB footer, not a super image: flash it to its "
				   "logical partition (system, vendor ...) instead",
				   hwf_kind_name(c->inner));
		break;
	case HWF_KIND_SUPER:
		if (p->cls == HWF_PART_SUPER && c->super_empty)
			return say(HWF_FIT_ERROR, why, len,
				   "super_empty image (liblp metadata without the partitions' "
				   "data): written to %s it would lose every logical partition "
				   "(AOSP sends it with update-super)",
				   part);
		if (p->cls == HWF_PART_SUPER)
			return HWF_FIT_OK;
		break;
	default:
		if (is_fs(c->kind) && p->cls == HWF_PART_FS)
			return HWF_FIT_OK;
		if (is_fs(c->kind))
			return say(p->flags & HWF_PART_F_LOOSE ? HWF_FIT_WARN : HWF_FIT_ERROR, why,
				   len,
				   "%s, not a super image: flash it to its logical partition "
				   "(system, vendor ...) instead",
				   hwf_kind_name(c->kind));
		if (is_opaque(c->kind))
			return say(HWF_FIT_WARN, why, len,
				   "%s, not an image hwflash recognises for %s, which takes %s",
				   hwf_kind_name(c->kind), part, hwf_part_wants(p));
		break;
	}
	return mismatch(p, part, c, why, len);
}

enum hwf_fit hwf_part_fit(const struct hwf_part *p, const char *partition,
			  const struct hwf_part_content *c, char *why, size_t len)
{
	const char *part = partition ? partition : p->name;

	if (why && len)
		why[0] = '\0';
	if (universal(c->kind))
		return HWF_FIT_OK;
	switch (p->cls) {
	case HWF_PART_ANY:
		return HWF_FIT_OK;
	case HWF_PART_BOOT:
	case HWF_PART_INIT_BOOT:
		if (c->kind == HWF_KIND_BOOTIMG)
			return fit_bootimg(p, part, c, why, len);
		return mismatch(p, part, c, why, len);
	case HWF_PART_RAMDISK:
		if (c->kind == HWF_KIND_BOOTIMG)
			return fit_bootimg(p, part, c, why, len);
		if ((p->flags & HWF_PART_F_RAW_RAMDISK) &&
		    (c->kind == HWF_KIND_GZIP || c->kind == HWF_KIND_LZ4))
			return HWF_FIT_OK;
		return mismatch(p, part, c, why, len);
	case HWF_PART_VENDOR_BOOT:
		return c->kind == HWF_KIND_VENDOR_BOOT ? HWF_FIT_OK : mismatch(p, part, c, why, len);
	case HWF_PART_VBMETA:
		return c->kind == HWF_KIND_VBMETA ? HWF_FIT_OK : mismatch(p, part, c, why, len);
	case HWF_PART_DTBO:
		if (c->kind == HWF_KIND_DTBO ||
		    (c->kind == HWF_KIND_AVB_FOOTER && c->inner == HWF_KIND_DTBO))
			return HWF_FIT_OK;
		return mismatch(p, part, c, why, len);
	case HWF_PART_FS:
	case HWF_PART_SUPER:
		return fit_fs(p, part, c, why, len);
	}
	return HWF_FIT_OK;
}
