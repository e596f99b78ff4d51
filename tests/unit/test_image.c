// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "avb.h"
#include "bootimg.h"
#include "bytes.h"
#include "imagecheck.h"
#include "sniff.h"

static void sniff_str(const char *s, size_t len, enum hwf_kind want)
{
	struct hwf_sniff sn;

	hwf_sniff_buf((const uint8_t *)s, len, len, &sn);
	CU_ASSERT_EQUAL(sn.kind, want);
}

static void test_sniff_kinds(void)
{
	uint8_t z[4096] = { 0 }, f[4096];

	memset(f, 0xff, sizeof(f));
	sniff_str("<!DOCTYPE html><html>", 21, HWF_KIND_HTML);
	sniff_str("\n  <HTML><HEAD>", 15, HWF_KIND_HTML);
	sniff_str("just some words\n", 16, HWF_KIND_TEXT);
	sniff_str("PK\x03\x04rest", 8, HWF_KIND_ZIP);
	sniff_str("\x1f\x8b\x08\x00", 4, HWF_KIND_GZIP);
	sniff_str("\x04\x22\x4d\x18", 4, HWF_KIND_LZ4);
	sniff_str("\x7f" "ELF\x02\x01", 6, HWF_KIND_ELF);
	sniff_str("ANDROID!", 8, HWF_KIND_BOOTIMG);
	sniff_str("VNDRBOOT", 8, HWF_KIND_VENDOR_BOOT);
	sniff_str("\x3a\xff\x26\xed", 4, HWF_KIND_SPARSE);
	sniff_str("AVB0", 4, HWF_KIND_VBMETA);
	sniff_str("", 0, HWF_KIND_EMPTY);
	sniff_str((const char *)z, sizeof(z), HWF_KIND_ZEROS);
	sniff_str((const char *)f, sizeof(f), HWF_KIND_FFS);
}

/* A v0 header: page 2048, kernel 5000, ramdisk 3000. */
static void v0_header(uint8_t *h, uint32_t version_field)
{
	memset(h, 0, 2048);
	memcpy(h, "ANDROID!", 8);
	put_le32(h + 8, 5000);
	put_le32(h + 16, 3000);
	put_le32(h + 36, 2048);
	put_le32(h + 40, version_field);
	put_le32(h + 44, (11u << 25) | ((21u << 4) | 5u));
}

static void test_bootimg_layout_and_truncation(void)
{
	uint8_t *img = calloc(1, 16384);
	struct hwf_source *src;
	struct hwf_bootimg b;
	struct hwf_image_report r;
	struct hwf_err e = { 0 };

	v0_header(img, 0);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 16384, "recovery.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_bootimg_parse(src, &b, &e), 0);
	CU_ASSERT_EQUAL(b.header_version, 0);
	CU_ASSERT_EQUAL(b.needed, 2048 + 3 * 2048 + 2 * 2048);
	CU_ASSERT_STRING_EQUAL(b.os_version, "11.0.0");
	CU_ASSERT_STRING_EQUAL(b.patch_level, "2021-05");
	CU_ASSERT_EQUAL(hwf_bootimg_section(&b, "ramdisk")->offset, 4 * 2048);
	hwf_source_close(src);
	/* Cut at 8000 bytes: the layout needs 12288. */
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 8000, "recovery.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_image_check(src, NULL, &r, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(r.ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.find[r.nfind - 1].text, "truncated: header says"));
	hwf_source_close(src);
	/* A legacy Qualcomm dt size in the version field adds a dt section. */
	v0_header(img, 2100);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 16384, "boot.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_bootimg_parse(src, &b, &e), 0);
	CU_ASSERT_EQUAL(b.legacy_dt_size, 2100);
	CU_ASSERT_PTR_NOT_NULL(hwf_bootimg_section(&b, "dt"));
	CU_ASSERT_EQUAL(b.needed, 2048 + 3 * 2048 + 2 * 2048 + 2 * 2048);
	hwf_source_close(src);
	/* Bad page size. */
	put_le32(img + 40, 0);
	put_le32(img + 36, 1000);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 16384, "boot.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_bootimg_parse(src, &b, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "page size 1000"));
	hwf_source_close(src);
	free(img);
}

static void test_v3_layout(void)
{
	uint8_t *img = calloc(1, 4096 * 4);
	struct hwf_source *src;
	struct hwf_bootimg b;
	struct hwf_err e = { 0 };

	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, 4097);
	put_le32(img + 12, 100);
	put_le32(img + 20, 1580);
	put_le32(img + 40, 3);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 4096 * 4, "boot.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_bootimg_parse(src, &b, &e), 0);
	CU_ASSERT_EQUAL(b.page_size, 4096);
	CU_ASSERT_EQUAL(b.needed, 4096 * 4);
	hwf_source_close(src);
	free(img);
}

static void test_v4_and_vendor_v4_layout(void)
{
	uint8_t *img = calloc(1, 4096 * 8);
	struct hwf_source *src;
	struct hwf_bootimg b;
	struct hwf_err e = { 0 };

	/* boot v4: kernel 1 page, ramdisk 1 page, 4096-byte boot signature. */
	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, 4000);
	put_le32(img + 12, 10);
	put_le32(img + 20, 1584);
	put_le32(img + 40, 4);
	put_le32(img + 1580, 4096);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 4096 * 8, "boot.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_bootimg_parse(src, &b, &e), 0);
	CU_ASSERT_PTR_NOT_NULL(hwf_bootimg_section(&b, "signature"));
	CU_ASSERT_EQUAL(b.needed, 4096 * 4);
	hwf_source_close(src);
	/* vendor_boot v4: header 2128 in 1 page, ramdisk 1, dtb 1, table 1, bootconfig 1. */
	memset(img, 0, 4096 * 8);
	memcpy(img, "VNDRBOOT", 8);
	put_le32(img + 8, 4);
	put_le32(img + 12, 4096);
	put_le32(img + 24, 100);
	put_le32(img + 2096, 2128);
	put_le32(img + 2100, 200);
	put_le32(img + 2112, 108);
	put_le32(img + 2124, 30);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 4096 * 5, "vendor_boot.img", &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_bootimg_parse(src, &b, &e), 0);
	CU_ASSERT_TRUE(b.vendor);
	CU_ASSERT_EQUAL(b.needed, 4096 * 5);
	CU_ASSERT_EQUAL(hwf_bootimg_section(&b, "bootconfig")->offset, 4096 * 4);
	hwf_source_close(src);
	free(img);
}

static void test_avb_footer_inconsistent(void)
{
	uint8_t *img = calloc(1, 8192);
	struct hwf_image_check_opts o = { "recovery", NULL, NULL, NULL };
	struct hwf_image_report r;
	struct hwf_source *src;
	struct hwf_avb_footer f;
	struct hwf_err e = { 0 };

	v0_header(img, 0);
	put_le32(img + 8, 100);
	put_le32(img + 16, 100);
	memcpy(img + 8192 - 64, "AVBf", 4);
	put_be32(img + 8192 - 60, 1);
	put_be64(img + 8192 - 52, 6000);	/* original size beyond vbmeta offset */
	put_be64(img + 8192 - 44, 4096);
	put_be64(img + 8192 - 36, 256);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, 8192, "recovery.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_avb_read_footer(src, &f, &e), 1);
	CU_ASSERT_EQUAL(f.vbmeta_offset, 4096);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(r.ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.find[0].text, "AVB footer is inconsistent"));
	hwf_source_close(src);
	free(img);
}

static void test_html_recovery(void)
{
	static const char page[] = "<!DOCTYPE html>\n<html><title>Download</title></html>\n";
	struct hwf_image_check_opts o = { "recovery", NULL, NULL, NULL };
	struct hwf_image_report r;
	struct hwf_source *src;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, page, sizeof(page) - 1, "/x/recovery.img",
						  &e),
			      0);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, &r, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(r.ok);
	CU_ASSERT_EQUAL(r.kind, HWF_KIND_HTML);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(r.find[0].text, "recovery.img is an HTML page (starts with `<!DOCTYPE html>`)"));
	hwf_source_close(src);
}

void hwf_suite_image(void)
{
	CU_pSuite s = CU_add_suite("image", NULL, NULL);

	CU_add_test(s, "sniff tells kinds by content", test_sniff_kinds);
	CU_add_test(s, "boot image layout, truncation, legacy dt, page size",
		    test_bootimg_layout_and_truncation);
	CU_add_test(s, "v3 layout", test_v3_layout);
	CU_add_test(s, "v4 and vendor_boot v4 layout", test_v4_and_vendor_v4_layout);
	CU_add_test(s, "inconsistent AVB footer", test_avb_footer_inconsistent);
	CU_add_test(s, "HTML page as recovery.img", test_html_recovery);
}
