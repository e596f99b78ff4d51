// SPDX-License-Identifier: MIT
/*
 * AOSP command-line parity engines: the vbmeta flags patched in the bytes
 * read (formats/image/avb_patch.c, --disable-verity/--disable-verification)
 * and the boot image built on the fly (formats/image/bootimg_build.c, boot
 * KERNEL RAMDISK and flash:raw), driven in process over memory sources.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/avb_patch.h"
#include "formats/image/bootimg.h"
#include "formats/image/bootimg_build.h"
#include "testutil.h"

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A vbmeta header (no blocks, algorithm NONE) at @at of @buf, with @flags. */
static void vbmeta_at(uint8_t *buf, size_t at, uint32_t flags)
{
	memset(buf + at, 0, 256);
	memcpy(buf + at, "AVB0", 4);
	be32(buf + at + 4, 1);
	be32(buf + at + 120, flags);
}

/* The whole of @s, read in pieces of @step bytes. */
static int read_all(struct hwf_source *s, uint8_t *out, size_t step)
{
	uint64_t size = hwf_source_size(s);

	for (uint64_t off = 0; off < size; off += step) {
		size_t n = size - off < step ? (size_t)(size - off) : step;

		if (hwf_source_read_exact(s, out + off, n, off, NULL))
			return -1;
	}
	return 0;
}

static void test_patch_vbmeta_image(void)
{
	static const size_t steps[] = {4096, 1, 7, 121, 123};
	uint8_t img[4096], copy[4096], out[4096];
	struct hwf_source *src, *p;
	struct hwf_avb_patch patch;
	struct hwf_err e = {0};

	tu_random(img, sizeof(img), 1);
	vbmeta_at(img, 0, HWF_AVB_FLAG_HASHTREE_DISABLED);
	memcpy(copy, img, sizeof(img));
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, sizeof(img), "vbmeta.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(
	    hwf_avb_patch_flags(&patch, src, HWF_AVB_FLAG_VERIFICATION_DISABLED, &p, &e), 0);
	CU_ASSERT_EQUAL(patch.vbmeta_offset, 0);
	CU_ASSERT_FALSE(patch.in_footer);
	CU_ASSERT_EQUAL(patch.old_flags, 1);
	CU_ASSERT_EQUAL(patch.new_flags, 3);
	CU_ASSERT_EQUAL(hwf_source_size(p), sizeof(img));
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		memset(out, 0xaa, sizeof(out));
		CU_ASSERT_EQUAL(read_all(p, out, steps[k]), 0);
		/* Only byte 123 changes: 0x01 | 0x02. */
		CU_ASSERT_EQUAL(memcmp(out, copy, 123), 0);
		CU_ASSERT_EQUAL(out[123], 3);
		CU_ASSERT_EQUAL(memcmp(out + 124, copy + 124, sizeof(img) - 124), 0);
	}
	/* The bytes underneath are never changed. */
	CU_ASSERT_EQUAL(memcmp(img, copy, sizeof(img)), 0);
	CU_ASSERT_STRING_EQUAL(hwf_avb_flags_text(patch.new_flags),
			       "hashtree (verity) and verification disabled");
	hwf_source_close(p);
	hwf_source_close(src);
}

static void test_patch_footer(void)
{
	enum { SIZE = 16384, VB = 8192 };
	uint8_t *img = calloc(1, SIZE), *out = calloc(1, SIZE);
	struct hwf_source *src, *p;
	struct hwf_avb_patch patch;
	struct hwf_err e = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	memcpy(img, "ANDROID!", 8);
	vbmeta_at(img, VB, 0);
	memcpy(img + SIZE - 64, "AVBf", 4);
	be32(img + SIZE - 60, 1);
	be64(img + SIZE - 52, VB);  /* original_image_size */
	be64(img + SIZE - 44, VB);  /* vbmeta_offset */
	be64(img + SIZE - 36, 256); /* vbmeta_size */
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, SIZE, "boot.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(
	    hwf_avb_patch_flags(&patch, src, HWF_AVB_FLAG_HASHTREE_DISABLED, &p, &e), 0);
	CU_ASSERT_TRUE(patch.in_footer);
	CU_ASSERT_EQUAL(patch.vbmeta_offset, VB);
	CU_ASSERT_EQUAL(read_all(p, out, 1000), 0);
	CU_ASSERT_EQUAL(out[VB + 123], 1);
	out[VB + 123] = 0;
	CU_ASSERT_EQUAL(memcmp(out, img, SIZE), 0);
	hwf_source_close(p);
	/* A footer that points at no vbmeta: refused. */
	memset(img + VB, 0, 4);
	CU_ASSERT_EQUAL(hwf_avb_patch_flags(&patch, src, 1, &p, &e), HWF_ENOTFOUND);
	hwf_source_close(src);
	free(img);
	free(out);
}

static void test_patch_refused(void)
{
	uint8_t img[300];
	struct hwf_source *src, *p = NULL;
	struct hwf_avb_patch patch;
	struct hwf_err e = {0};

	tu_random(img, sizeof(img), 2);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, sizeof(img), "kernel", &e), 0);
	CU_ASSERT_EQUAL(hwf_avb_patch_flags(&patch, src, 3, &p, &e), HWF_ENOTFOUND);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "kernel has no vbmeta"));
	hwf_source_close(src);
	/* Shorter than a header: no vbmeta either. */
	memcpy(img, "AVB0", 4);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 200, "short", &e), 0);
	CU_ASSERT_EQUAL(hwf_avb_patch_flags(&patch, src, 3, &p, &e), HWF_ENOTFOUND);
	hwf_source_close(src);
}

/* Build from memory parts; returns the image's bytes (malloc'd) and size, or NULL. */
static uint8_t *build(const struct hwf_bootimg_args *a, const uint8_t *k, size_t kn,
		      const uint8_t *r, size_t rn, const uint8_t *d, size_t dn, size_t *size,
		      int *rc)
{
	struct hwf_source *ks, *rs = NULL, *ds = NULL, *img;
	struct hwf_bootimg_build *b;
	struct hwf_err e = {0};
	uint8_t *out = NULL;

	hwf_source_open_mem(&ks, k, kn, "kernel", &e);
	if (r)
		hwf_source_open_mem(&rs, r, rn, "ramdisk", &e);
	if (d)
		hwf_source_open_mem(&ds, d, dn, "dtb", &e);
	*rc = hwf_bootimg_build(&b, a, ks, rs, NULL, ds, "boot.img", &img, &e);
	if (!*rc) {
		*size = (size_t)hwf_source_size(img);
		out = malloc(*size);
		if (out && read_all(img, out, 777))
			*rc = -1;
		hwf_source_close(img);
		hwf_bootimg_build_free(b);
	}
	hwf_source_close(ks);
	hwf_source_close(rs);
	hwf_source_close(ds);
	return out;
}

static void test_build_defaults(void)
{
	uint8_t k[5000], r[3000], zero[2048] = {0};
	struct hwf_bootimg_args a;
	struct hwf_source *src;
	struct hwf_bootimg bi;
	struct hwf_err e = {0};
	size_t size = 0;
	int rc;
	uint8_t *img;

	tu_random(k, sizeof(k), 3);
	tu_random(r, sizeof(r), 4);
	hwf_bootimg_args_init(&a);
	img = build(&a, k, sizeof(k), r, sizeof(r), NULL, 0, &size, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	/* Header page, 3 kernel pages, 2 ramdisk pages (as AOSP 29.0.6 sends: 12288). */
	CU_ASSERT_EQUAL(size, 12288);
	CU_ASSERT_EQUAL(memcmp(img, "ANDROID!", 8), 0);
	CU_ASSERT_EQUAL(le32(img + 8), 5000);
	CU_ASSERT_EQUAL(le32(img + 12), 0x10008000);
	CU_ASSERT_EQUAL(le32(img + 16), 3000);
	CU_ASSERT_EQUAL(le32(img + 20), 0x11000000);
	CU_ASSERT_EQUAL(le32(img + 24), 0);
	CU_ASSERT_EQUAL(le32(img + 28), 0x10f00000);
	CU_ASSERT_EQUAL(le32(img + 32), 0x10000100);
	CU_ASSERT_EQUAL(le32(img + 36), 2048);
	CU_ASSERT_EQUAL(le32(img + 40), 0);
	CU_ASSERT_EQUAL(memcmp(img + 48, zero, 2048 - 48), 0); /* name, cmdline, id ... */
	CU_ASSERT_EQUAL(memcmp(img + 2048, k, sizeof(k)), 0);
	CU_ASSERT_EQUAL(memcmp(img + 2048 + 5000, zero, 3 * 2048 - 5000), 0);
	CU_ASSERT_EQUAL(memcmp(img + 4 * 2048, r, sizeof(r)), 0);
	CU_ASSERT_EQUAL(memcmp(img + 4 * 2048 + 3000, zero, 2 * 2048 - 3000), 0);
	/* Our own reader agrees on the layout. */
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, size, "boot.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_bootimg_parse(src, &bi, &e), 0);
	CU_ASSERT_EQUAL(bi.needed, size);
	hwf_source_close(src);
	free(img);
}

static void test_build_v2(void)
{
	static char cmdline[1200];
	uint8_t k[100], r[10], d[1000];
	struct hwf_bootimg_args a;
	struct hwf_err e = {0};
	size_t size = 0;
	int rc;
	uint8_t *img;

	tu_random(k, sizeof(k), 5);
	tu_random(r, sizeof(r), 6);
	tu_random(d, sizeof(d), 7);
	memset(cmdline, 'c', sizeof(cmdline) - 1);
	cmdline[600] = 'X';
	hwf_bootimg_args_init(&a);
	a.header_version = 2;
	a.page_size = 4096;
	a.base = 0x80000000;
	a.cmdline = cmdline;
	CU_ASSERT_EQUAL(hwf_bootimg_parse_os_version("11.2.3", &a.os_version, &e), 0);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_patch_level("2021-05-01", &a.os_version, &e), 0);
	/* The value AOSP fastboot 29.0.6 writes for these (bytes 44..47: 55 19 08 16). */
	CU_ASSERT_EQUAL(a.os_version, 0x16081955);
	img = build(&a, k, sizeof(k), r, sizeof(r), d, sizeof(d), &size, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	CU_ASSERT_EQUAL(size, 4 * 4096);
	CU_ASSERT_EQUAL(le32(img + 12), 0x80008000);
	CU_ASSERT_EQUAL(le32(img + 40), 2);
	CU_ASSERT_EQUAL(le32(img + 44), 0x16081955);
	/* 511 bytes in cmdline, NUL, the rest in extra_cmdline. */
	CU_ASSERT_EQUAL(img[64 + 510], 'c');
	CU_ASSERT_EQUAL(img[64 + 511], 0);
	CU_ASSERT_EQUAL(img[608 + 600 - 511], 'X');
	CU_ASSERT_EQUAL(img[608 + sizeof(cmdline) - 1 - 511], 0);
	CU_ASSERT_EQUAL(le32(img + 1632), 0); /* recovery_dtbo_size */
	CU_ASSERT_EQUAL(le32(img + 1644), 1660);
	CU_ASSERT_EQUAL(le32(img + 1648), sizeof(d));
	CU_ASSERT_EQUAL(le32(img + 1652), 0x80000000 + 0x01f00000);
	CU_ASSERT_EQUAL(memcmp(img + 3 * 4096, d, sizeof(d)), 0);
	free(img);
}

static void test_build_refused(void)
{
	static char longline[1600];
	uint8_t k[100];
	struct hwf_bootimg_args a;
	struct hwf_err e = {0};
	uint32_t v = 0;
	size_t size;
	int rc;

	tu_random(k, sizeof(k), 8);
	hwf_bootimg_args_init(&a);
	a.header_version = 3;
	CU_ASSERT_PTR_NULL(build(&a, k, sizeof(k), NULL, 0, NULL, 0, &size, &rc));
	CU_ASSERT_EQUAL(rc, HWF_EINVAL);
	hwf_bootimg_args_init(&a);
	a.page_size = 1000;
	CU_ASSERT_PTR_NULL(build(&a, k, sizeof(k), NULL, 0, NULL, 0, &size, &rc));
	CU_ASSERT_EQUAL(rc, HWF_EINVAL);
	hwf_bootimg_args_init(&a); /* a dtb needs v2 */
	CU_ASSERT_PTR_NULL(build(&a, k, sizeof(k), NULL, 0, k, 10, &size, &rc));
	CU_ASSERT_EQUAL(rc, HWF_EINVAL);
	hwf_bootimg_args_init(&a);
	a.base = 0xfff00000;
	CU_ASSERT_PTR_NULL(build(&a, k, sizeof(k), NULL, 0, NULL, 0, &size, &rc));
	CU_ASSERT_EQUAL(rc, HWF_EINVAL);
	hwf_bootimg_args_init(&a);
	memset(longline, 'x', sizeof(longline) - 1);
	a.cmdline = longline;
	CU_ASSERT_PTR_NULL(build(&a, k, sizeof(k), NULL, 0, NULL, 0, &size, &rc));
	CU_ASSERT_EQUAL(rc, HWF_EINVAL);
	hwf_bootimg_args_init(&a);
	CU_ASSERT_PTR_NULL(build(&a, k, 0, NULL, 0, NULL, 0, &size, &rc));
	CU_ASSERT_EQUAL(rc, HWF_EFORMAT);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_os_version("11", &v, &e), 0);
	CU_ASSERT_EQUAL(v, 11u << 25);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_os_version("128.0", &v, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_os_version("11.x", &v, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_patch_level("2021-13", &v, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_patch_level("1999-01", &v, &e), HWF_EINVAL);
	CU_ASSERT_EQUAL(hwf_bootimg_parse_patch_level("2021-05", &v, &e), 0);
	CU_ASSERT_EQUAL(v & 0x7ff, (21u << 4) | 5);
}

void hwf_suite_parity(void)
{
	CU_pSuite s = CU_add_suite("parity", NULL, NULL);

	CU_add_test(s, "vbmeta flags patched in the bytes read, any read size",
		    test_patch_vbmeta_image);
	CU_add_test(s, "vbmeta flags through an AVB footer", test_patch_footer);
	CU_add_test(s, "no vbmeta: refused, naming the file", test_patch_refused);
	CU_add_test(s, "boot image built: mkbootimg's defaults, layout, padding",
		    test_build_defaults);
	CU_add_test(s, "boot image built: v2, dtb, long cmdline, os version", test_build_v2);
	CU_add_test(s, "boot image built: what a header cannot say is refused", test_build_refused);
}
