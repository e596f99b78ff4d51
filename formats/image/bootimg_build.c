// SPDX-License-Identifier: MIT
/* A boot image made as it is read: see bootimg_build.h. */
#include "formats/image/bootimg_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMDLINE_SIZE	   512
#define EXTRA_CMDLINE_SIZE 1024
#define NPARTS		   4 /* kernel, ramdisk, second, dtb */

struct hwf_bootimg_build {
	uint32_t page;
	uint8_t *header; /* one page */
	struct hwf_source *part[NPARTS];
	uint64_t start[NPARTS], size[NPARTS]; /* where each section starts, its bytes */
	uint64_t total;
};

void hwf_bootimg_args_init(struct hwf_bootimg_args *a)
{
	memset(a, 0, sizeof(*a));
	a->base = HWF_MKBOOTIMG_BASE;
	a->kernel_offset = HWF_MKBOOTIMG_KERNEL_OFF;
	a->ramdisk_offset = HWF_MKBOOTIMG_RAMDISK_OFF;
	a->second_offset = HWF_MKBOOTIMG_SECOND_OFF;
	a->tags_offset = HWF_MKBOOTIMG_TAGS_OFF;
	a->dtb_offset = HWF_MKBOOTIMG_DTB_OFF;
	a->page_size = HWF_MKBOOTIMG_PAGE;
}

int hwf_bootimg_parse_os_version(const char *s, uint32_t *os_version, struct hwf_err *e)
{
	unsigned v[3] = {0, 0, 0};
	int n = 0, used = 0;

	if (s[0] >= '0' && s[0] <= '9')
		n = sscanf(s, "%u%n.%u%n.%u%n", &v[0], &used, &v[1], &used, &v[2], &used);
	if (n < 1 || s[used] || v[0] > 127 || v[1] > 127 || v[2] > 127)
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "--os-version %s: give A[.B[.C]], each at most 127 (e.g. 11.0.0)", s);
	*os_version = (*os_version & 0x7ffu) | (v[0] << 25 | v[1] << 18 | v[2] << 11);
	return 0;
}

int hwf_bootimg_parse_patch_level(const char *s, uint32_t *os_version, struct hwf_err *e)
{
	unsigned y = 0, m = 0, d = 1;
	int used = 0;

	if (!(sscanf(s, "%4u-%2u%n-%2u%n", &y, &m, &used, &d, &used) >= 2 && !s[used] &&
	      strlen(s) >= 7 && y >= 2000 && y <= 2127 && m >= 1 && m <= 12 && d >= 1 && d <= 31))
		return hwf_err_set(e, HWF_EINVAL,
				   "--os-patch-level %s: give YYYY-MM or YYYY-MM-DD (2000 to "
				   "2127, e.g. 2021-05-01)",
				   s);
	*os_version = (*os_version & ~0x7ffu) | ((y - 2000) << 4 | m);
	return 0;
}

static void le32(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int read_image(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct hwf_bootimg_build *b = ctx;
	uint8_t *out = buf;

	while (len) {
		size_t n = len;
		int i;

		if (off < b->page) {
			n = n < b->page - off ? n : (size_t)(b->page - off);
			memcpy(out, b->header + off, n);
		} else {
			/* The section @off is in (or its padding: zeros). */
			for (i = NPARTS - 1; i > 0 && (!b->size[i] || off < b->start[i]); i--)
				;
			if (off - b->start[i] < b->size[i]) {
				uint64_t left = b->size[i] - (off - b->start[i]);
				int rc;

				n = n < left ? n : (size_t)left;
				rc =
				    hwf_source_read_exact(b->part[i], out, n, off - b->start[i], e);
				if (rc)
					return rc;
			} else {
				uint64_t pad = b->size[i] + b->page - 1;
				uint64_t end = b->start[i] + pad - pad % b->page;

				n = n < end - off ? n : (size_t)(end - off);
				memset(out, 0, n);
			}
		}
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int addr(uint64_t base, uint64_t off, const char *what, uint8_t *p, struct hwf_err *e)
{
	if (base > 0xffffffffu || off > 0xffffffffu || base + off > 0xffffffffu)
		return hwf_err_set(e, HWF_EINVAL,
				   "--base 0x%llx with --%s-offset 0x%llx is past 32 bits: a boot "
				   "image header holds 32-bit addresses",
				   (unsigned long long)base, what, (unsigned long long)off);
	le32(p, base + off);
	return 0;
}

int hwf_bootimg_build(struct hwf_bootimg_build **out, const struct hwf_bootimg_args *a,
		      struct hwf_source *kernel, struct hwf_source *ramdisk,
		      struct hwf_source *second, struct hwf_source *dtb, const char *name,
		      struct hwf_source **img, struct hwf_err *e)
{
	static const char *const names[NPARTS] = {"kernel", "ramdisk", "second", "dtb"};
	struct hwf_bootimg_build *b;
	size_t cl = a->cmdline ? strlen(a->cmdline) : 0;
	uint8_t *h;
	uint64_t at;
	int rc;

	*out = NULL;
	*img = NULL;
	if (a->header_version > 2)
		return hwf_err_set(e, HWF_EINVAL,
				   "--header-version %u: hwflash builds boot images of version 0 "
				   "to 2 (as AOSP's fastboot); make a v%u image with mkbootimg",
				   a->header_version, a->header_version);
	if (a->page_size != 2048 && a->page_size != 4096 && a->page_size != 8192 &&
	    a->page_size != 16384)
		return hwf_err_set(e, HWF_EINVAL,
				   "--page-size %u: give 2048, 4096, 8192 or 16384 (as mkbootimg)",
				   a->page_size);
	if (dtb && a->header_version < 2)
		return hwf_err_set(e, HWF_EINVAL,
				   "--dtb needs --header-version 2 (a v%u header has no dtb)",
				   a->header_version);
	if (cl > CMDLINE_SIZE - 1 + EXTRA_CMDLINE_SIZE - 1)
		return hwf_err_set(e, HWF_EINVAL,
				   "--cmdline is %zu bytes; a boot image header holds at most %d",
				   cl, CMDLINE_SIZE - 1 + EXTRA_CMDLINE_SIZE - 1);
	b = calloc(1, sizeof(*b));
	if (!b || !(b->header = calloc(1, a->page_size))) {
		free(b);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	b->page = a->page_size;
	b->part[0] = kernel;
	b->part[1] = ramdisk;
	b->part[2] = second;
	b->part[3] = dtb;
	at = b->page;
	for (int i = 0; i < NPARTS; i++) {
		b->size[i] = b->part[i] ? hwf_source_size(b->part[i]) : 0;
		if (b->size[i] > 0xffffffffu || (!i && !b->size[i])) {
			rc =
			    hwf_err_set(e, HWF_EFORMAT, "%s: %llu bytes, %s for a boot image's %s",
					hwf_source_name(b->part[i]), (unsigned long long)b->size[i],
					b->size[i] ? "too large" : "nothing", names[i]);
			hwf_bootimg_build_free(b);
			return rc;
		}
		b->start[i] = at;
		at += (b->size[i] + b->page - 1) / b->page * b->page;
	}
	b->total = at;
	h = b->header;
	memcpy(h, "ANDROID!", 8);
	le32(h + 8, b->size[0]);
	le32(h + 16, b->size[1]);
	le32(h + 24, b->size[2]);
	rc = addr(a->base, a->kernel_offset, "kernel", h + 12, e);
	if (!rc)
		rc = addr(a->base, a->ramdisk_offset, "ramdisk", h + 20, e);
	if (!rc)
		rc = addr(a->base, a->second_offset, "second", h + 28, e);
	if (!rc)
		rc = addr(a->base, a->tags_offset, "tags", h + 32, e);
	le32(h + 36, b->page);
	le32(h + 40, a->header_version);
	le32(h + 44, a->os_version);
	/* mkbootimg: the first 511 bytes in cmdline, the rest in extra_cmdline. */
	memcpy(h + 64, a->cmdline ? a->cmdline : "", cl < CMDLINE_SIZE - 1 ? cl : CMDLINE_SIZE - 1);
	if (cl > CMDLINE_SIZE - 1)
		memcpy(h + 608, a->cmdline + CMDLINE_SIZE - 1, cl - (CMDLINE_SIZE - 1));
	if (a->header_version >= 1)
		le32(h + 1644, a->header_version == 1 ? 1648 : 1660);
	if (a->header_version >= 2) {
		uint8_t tmp[4];

		le32(h + 1648, b->size[3]);
		if (!rc)
			rc = addr(a->base, a->dtb_offset, "dtb", tmp, e);
		le64(h + 1652, (uint64_t)tmp[0] | (uint64_t)tmp[1] << 8 | (uint64_t)tmp[2] << 16 |
				   (uint64_t)tmp[3] << 24);
	}
	if (!rc)
		rc = hwf_source_open_callback(img, b->total, name, read_image, b, e);
	if (rc) {
		hwf_bootimg_build_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void hwf_bootimg_build_free(struct hwf_bootimg_build *b)
{
	if (!b)
		return;
	free(b->header);
	free(b);
}
