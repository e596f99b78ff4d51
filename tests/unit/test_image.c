// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/avb.h"
#include "formats/image/bootimg.h"
#include "formats/core/bytes.h"
#include "formats/image/imagecheck.h"
#include "formats/image/sniff.h"
#include "tests/unit/testutil.h"

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

/* Every kind's sentence reads after "FILE " and after "it ": "is an ...", never "is a gzip data". */
static void test_sniff_sentences_read_well(void)
{
	static const char *const bad[] = { "a gzip", "a lz4", "a AVB", "a Android", "a ELF",
					   "a ext4", "a empty", "a HTML", "a unrec", "a all " };

	for (int k = HWF_KIND_UNKNOWN; k <= HWF_KIND_TEXT; k++) {
		struct hwf_sniff sn = { .kind = (enum hwf_kind)k };
		char why[256];

		strcpy(sn.detail, "<html>");
		hwf_sniff_explain(&sn, why, sizeof(why));
		CU_ASSERT_TRUE(!strncmp(why, "is ", 3) || !strncmp(why, "holds ", 6));
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CU_ASSERT_PTR_NULL(strstr(why, bad[i]));
		if (strncmp(why, "is ", 3) && strncmp(why, "holds ", 6))
			fprintf(stderr, "\nkind %d: \"%s\"", k, why);
	}
	{
		struct hwf_sniff sn = { .kind = HWF_KIND_GZIP };
		char why[256];

		hwf_sniff_explain(&sn, why, sizeof(why));
		CU_ASSERT_STRING_EQUAL(why, "is gzip-compressed data (decompress it first)");
		sn.kind = HWF_KIND_VBMETA;
		hwf_sniff_explain(&sn, why, sizeof(why));
		CU_ASSERT_STRING_EQUAL(why, "is an AVB vbmeta image");
	}
}

/* Truncation sizes are exact for small images: never "0.0 MiB". */
static void test_truncation_sizes_read_exactly(void)
{
	static const struct {
		uint32_t kernel, ramdisk;
		size_t cut;
		const char *want;
	} cases[] = {
		{ 18000, 0, 3000, "header says 20 KiB (20480 bytes), file has 2.9 KiB (3000 bytes)" },
		{ 5000, 3000, 2047,
		  "header says 12 KiB (12288 bytes), file has 1.9 KiB (2047 bytes)" },
		{ 5000, 3000, 8000, "file has 7.8 KiB (8000 bytes)" },
		{ 3000000, 0, 2000000,
		  "header says 2.9 MiB (3002368 bytes), file has 1.9 MiB (2000000 bytes)" },
		{ 1046000, 0, 1048000, "file has 1023.4 KiB (1048000 bytes)" },
	};
	uint8_t *img = calloc(1, 4u << 20);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hwf_image_report r;
		struct hwf_source *src;
		struct hwf_err e = { 0 };

		v0_header(img, 0);
		put_le32(img + 8, cases[i].kernel);
		put_le32(img + 16, cases[i].ramdisk);
		CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, cases[i].cut, "boot.img", &e), 0);
		CU_ASSERT_EQUAL(hwf_image_check(src, NULL, &r, NULL, NULL, &e), 0);
		CU_ASSERT_FALSE(r.ok);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.find[r.nfind - 1].text, cases[i].want));
		if (!strstr(r.find[r.nfind - 1].text, cases[i].want))
			fprintf(stderr, "\n%s", r.find[r.nfind - 1].text);
		CU_ASSERT_PTR_NULL(strstr(r.find[r.nfind - 1].text, "0.0 MiB"));
		hwf_source_close(src);
	}
	free(img);
}

/* --- the v0-v2 id against images made by Debian's mkbootimg --- */

static char *idfx;

static int id_sh(const char *cmd)
{
	char full[4096];
	int rc;

	snprintf(full, sizeof(full), "cd '%s' && (%s) > cmd.log 2>&1", idfx, cmd);
	rc = system(full);
	if (rc) {
		fprintf(stderr, "\ncommand failed (%d): %s\n", rc, cmd);
		snprintf(full, sizeof(full), "cat '%s/cmd.log' >&2", idfx);
		if (system(full))
			fprintf(stderr, "(no log)\n");
	}
	return rc;
}

static int id_init(void)
{
	static const struct {
		const char *name;
		size_t len;
	} parts[] = { { "kernel", 300001 }, { "ramdisk", 70003 }, { "second", 5000 },
		      { "dtb", 20000 } };
	uint8_t *buf = malloc(300001);

	idfx = tu_mkdtemp();
	if (!idfx || !buf)
		return 1;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		char *p = tu_path(idfx, parts[i].name);
		int rc;

		tu_random(buf, parts[i].len, 11 + i);
		rc = tu_write(p, buf, parts[i].len);
		free(p);
		if (rc) {
			free(buf);
			return 1;
		}
	}
	free(buf);
	return id_sh("mkbootimg --kernel kernel --ramdisk ramdisk -o v0.img && "
		     "mkbootimg --kernel kernel --ramdisk ramdisk --second second -o v0s.img && "
		     "mkbootimg --kernel kernel --ramdisk ramdisk --header_version 1 -o v1.img && "
		     "mkbootimg --kernel kernel --ramdisk ramdisk --header_version 2 --dtb dtb "
		     "-o v2.img && "
		     "mkbootimg --kernel kernel --header_version 2 --dtb dtb -o v2nr.img");
}

static int id_clean(void)
{
	tu_rmtree(idfx);
	free(idfx);
	return 0;
}

struct bimg {
	uint8_t *b;
	size_t len;
};

static struct bimg bload(const char *name)
{
	char *p = tu_path(idfx, name);
	long long n = tu_size(p);
	struct bimg m = { NULL, 0 };
	FILE *f = fopen(p, "rb");

	if (f && n > 0) {
		m.b = malloc((size_t)n);
		m.len = fread(m.b, 1, (size_t)n, f);
	}
	if (f)
		fclose(f);
	free(p);
	CU_ASSERT_FATAL(m.len > 0);
	return m;
}

static void bcheck(const struct bimg *m, struct hwf_image_report *r)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, m->b, m->len, "boot.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_image_check(src, NULL, r, NULL, NULL, &e), 0);
	hwf_source_close(src);
}

static int bhas(const struct hwf_image_report *r, enum hwf_severity sev, const char *text)
{
	for (size_t i = 0; i < r->nfind; i++)
		if (r->find[i].severity == sev && strstr(r->find[i].text, text))
			return 1;
	return 0;
}

/*
 * The id computed here, independently of bootimg.c: @md over each section
 * of the v0-v2 layout and its LE u32 size, the dt term fed when @dt_always.
 */
static void test_id(const struct bimg *m, const EVP_MD *md, int dt_always, uint8_t *out)
{
	const uint8_t *h = m->b;
	uint32_t page = get_le32(h + 36), ver = get_le32(h + 40);
	uint32_t sizes[6] = { get_le32(h + 8), get_le32(h + 16), get_le32(h + 24), 0,
			      ver >= 1 ? get_le32(h + 1632) : 0, ver >= 2 ? get_le32(h + 1648) : 0 };
	uint64_t pos = page;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, md, NULL);
	for (int i = 0; i < 6; i++) {
		uint8_t le[4];

		if ((i == 3 && !dt_always) || (i == 4 && ver < 1) || (i == 5 && ver < 2))
			continue;
		EVP_DigestUpdate(ctx, m->b + pos, sizes[i]);
		put_le32(le, sizes[i]);
		EVP_DigestUpdate(ctx, le, 4);
		pos += (sizes[i] + page - 1) / page * page;
	}
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

static void test_boot_id_pristine_and_changed(void)
{
	static const char *const imgs[] = { "v0.img", "v0s.img", "v1.img", "v2.img", "v2nr.img" };
	struct hwf_image_report r;

	for (size_t i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++) {
		struct bimg m = bload(imgs[i]);
		uint32_t page = get_le32(m.b + 36), ver = get_le32(m.b + 40);
		uint32_t sz[4] = { get_le32(m.b + 8), get_le32(m.b + 16), get_le32(m.b + 24),
				   ver == 2 ? get_le32(m.b + 1648) : 0 };
		uint64_t pos = page;

		bcheck(&m, &r);
		CU_ASSERT_TRUE(r.ok);
		CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "SHA-1 id matches the contents"));
		/* kernel, ramdisk, second, dtb: first, middle and last byte; then the padding */
		for (int k = 0; k < 4; pos += (sz[k] + page - 1) / page * page, k++) {
			uint64_t at[3] = { pos, pos + sz[k] / 2, pos + sz[k] - 1 };

			for (int n = 0; n < 3 && sz[k]; n++) {
				CU_ASSERT_FATAL(at[n] < m.len);
				m.b[at[n]] ^= 1;
				bcheck(&m, &r);
				CU_ASSERT_FALSE(r.ok);
				CU_ASSERT_TRUE(bhas(&r, HWF_SEV_ERROR,
						    "changed after the image was made"));
				m.b[at[n]] ^= 1;
			}
			if (sz[k] % page) {	/* padding is not in the id */
				m.b[pos + sz[k]] ^= 1;
				bcheck(&m, &r);
				CU_ASSERT_TRUE(r.ok);
				m.b[pos + sz[k]] ^= 1;
			}
		}
		/* a damaged id field itself */
		m.b[576 + 19] ^= 0x80;
		bcheck(&m, &r);
		CU_ASSERT_FALSE(r.ok);
		free(m.b);
	}
}

static void test_boot_id_other_ways(void)
{
	static const char *const imgs[] = { "v0.img", "v1.img", "v2.img" };
	struct hwf_image_report r;

	for (size_t i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++) {
		struct bimg m = bload(imgs[i]);
		uint8_t d[64];

		/* all zero: nothing to compare, said so */
		memset(m.b + 576, 0, 32);
		bcheck(&m, &r);
		CU_ASSERT_TRUE(r.ok);
		CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "id is all zero"));
		/* LineageOS mkbootimg.py: the dt term always fed */
		test_id(&m, EVP_sha1(), 1, d);
		memcpy(m.b + 576, d, 20);
		bcheck(&m, &r);
		CU_ASSERT_TRUE(r.ok);
		CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "SHA-1 id matches the contents"));
		/* AOSP/Debian computed independently: what mkbootimg wrote */
		test_id(&m, EVP_sha1(), 0, d);
		memset(m.b + 576, 0, 32);
		memcpy(m.b + 576, d, 20);
		bcheck(&m, &r);
		CU_ASSERT_TRUE(r.ok);
		/* SHA-256 over the same terms, both ways */
		for (int dt = 0; dt <= 1; dt++) {
			test_id(&m, EVP_sha256(), dt, d);
			memcpy(m.b + 576, d, 32);
			bcheck(&m, &r);
			CU_ASSERT_TRUE(r.ok);
			CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "SHA-256"));
			m.b[get_le32(m.b + 36) + 5] ^= 1;	/* kernel */
			bcheck(&m, &r);
			CU_ASSERT_FALSE(r.ok);
			m.b[get_le32(m.b + 36) + 5] ^= 1;
		}
		/* Samsung's 20-byte board name: the SHA-1 four bytes in */
		test_id(&m, EVP_sha1(), 0, d);
		memset(m.b + 576, 0, 32);
		memcpy(m.b + 580, d, 20);
		bcheck(&m, &r);
		CU_ASSERT_TRUE(r.ok);
		CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "Samsung"));
		/* something else entirely */
		memset(m.b + 576, 0x5a, 32);
		bcheck(&m, &r);
		CU_ASSERT_FALSE(r.ok);
		CU_ASSERT_TRUE(bhas(&r, HWF_SEV_ERROR, "5a5a5a5a"));
		free(m.b);
	}
}

/* A legacy v0 image with a Qualcomm dt (its size in the version field): the dt is in the id. */
static void test_boot_id_legacy_dt(void)
{
	struct bimg m = bload("v0.img"), big;
	struct hwf_image_report r;
	uint32_t page = get_le32(m.b + 36), dt = 3000;
	uint8_t d[20];

	big.len = m.len + 2 * page;
	big.b = calloc(1, big.len);
	memcpy(big.b, m.b, m.len);
	tu_random(big.b + m.len, dt, 3);
	put_le32(big.b + 40, dt);
	test_id(&big, EVP_sha1(), 0, d);	/* without the dt term: must not match */
	memcpy(big.b + 576, d, 20);
	bcheck(&big, &r);
	CU_ASSERT_FALSE(r.ok);
	{
		/* with it: kernel, ramdisk, second, dt */
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		uint32_t sz[4] = { get_le32(m.b + 8), get_le32(m.b + 16), 0, dt };
		uint64_t pos = page;
		uint8_t le[4];

		EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
		for (int i = 0; i < 4; i++) {
			EVP_DigestUpdate(ctx, big.b + pos, sz[i]);
			put_le32(le, sz[i]);
			EVP_DigestUpdate(ctx, le, 4);
			pos += (sz[i] + page - 1) / page * page;
		}
		EVP_DigestFinal_ex(ctx, d, NULL);
		EVP_MD_CTX_free(ctx);
	}
	memcpy(big.b + 576, d, 20);
	bcheck(&big, &r);
	CU_ASSERT_TRUE(r.ok);
	CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "legacy dt appended"));
	big.b[m.len + 100] ^= 1;	/* in the dt */
	bcheck(&big, &r);
	CU_ASSERT_FALSE(r.ok);
	free(big.b);
	free(m.b);
}

/*
 * A v1 image with a recovery_dtbo (Debian's mkbootimg crashes on
 * --recovery_dtbo): laid out here, the id as AOSP computes it.
 */
static void test_boot_id_recovery_dtbo(void)
{
	struct bimg m = bload("v1.img"), big;
	struct hwf_image_report r;
	uint32_t page = get_le32(m.b + 36), n = 9000;
	uint8_t d[20];

	big.len = m.len + 5 * page;
	big.b = calloc(1, big.len);
	memcpy(big.b, m.b, m.len);
	tu_random(big.b + m.len, n, 4);
	put_le32(big.b + 1632, n);
	put_le64(big.b + 1636, m.len);
	test_id(&big, EVP_sha1(), 0, d);
	memcpy(big.b + 576, d, 20);
	bcheck(&big, &r);
	CU_ASSERT_TRUE(r.ok);
	CU_ASSERT_TRUE(bhas(&r, HWF_SEV_INFO, "SHA-1 id matches the contents"));
	big.b[m.len + n - 1] ^= 1;	/* the last byte of the recovery_dtbo */
	bcheck(&big, &r);
	CU_ASSERT_FALSE(r.ok);
	big.b[m.len + n - 1] ^= 1;
	big.b[m.len + n] ^= 1;		/* padding after it: not in the id */
	bcheck(&big, &r);
	CU_ASSERT_TRUE(r.ok);
	free(big.b);
	free(m.b);
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
	CU_add_test(s, "sniff sentences read well after the file name",
		    test_sniff_sentences_read_well);
	CU_add_test(s, "truncation sizes are exact for small images",
		    test_truncation_sizes_read_exactly);
	s = CU_add_suite("bootid", id_init, id_clean);
	CU_add_test(s, "mkbootimg v0-v2: pristine OK, any changed section byte fails",
		    test_boot_id_pristine_and_changed);
	CU_add_test(s, "zero, LineageOS, SHA-256 and Samsung ids", test_boot_id_other_ways);
	CU_add_test(s, "legacy dt in the id", test_boot_id_legacy_dt);
	CU_add_test(s, "recovery_dtbo in the id", test_boot_id_recovery_dtbo);
}
