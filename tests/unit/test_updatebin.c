// SPDX-License-Identifier: MIT
/*
 * HarmonyOS update.bin (formats/app/updatebin.h) in process: the layouts of
 * reference §2.2 (L2 and 71-byte records, SD-card hash TLVs, the legacy
 * signature slot, the streaming prefix), both size readings, every length
 * checked, names, the SHA-256 check and the extraction.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/app/updatebin.h"
#include "formats/core/bytes.h"
#include "tests/unit/testutil.h"

enum { NONL2 = 1, SD = 2, SLOT = 4, STREAM = 8 };

struct comp {
	const char *addr;
	uint8_t type;
	const uint8_t *data;
	size_t len;
	int bad_digest;
};

TU_SCRATCH_SUITE(dir)

static void put_str(uint8_t *p, const char *s, size_t n)
{
	memset(p, 0, n);
	memcpy(p, s, strlen(s) < n ? strlen(s) : n);
}

static uint8_t *tlv32(uint8_t *p, uint16_t type, uint32_t len)
{
	put_le16(p, type);
	put_le32(p + 2, len);
	return p + 6;
}

/* Build an update.bin into @b (large enough) from the reference's table; its length. */
static size_t build(uint8_t *b, const struct comp *c, size_t n, unsigned flags)
{
	unsigned addr = flags & NONL2 ? 16 : 32, rec = addr + 55;
	uint8_t *p = b;

	if (flags & STREAM) {
		p = tlv32(p, 0xaa, 22);
		memcpy(p, "PK\5\6", 4);
		memset(p + 4, 0, 18);
		p += 22;
	}
	memset(p, 0, 180);
	put_le16(p, flags & NONL2 ? 0x11 : 0x01);
	put_le16(p + 2, 136);
	put_le32(p + 4, 0x1b8);
	put_le32(p + 8, 1);
	put_str(p + 12, "PRODUCT-X", 64);
	put_str(p + 76, "5.0.0.100", 64);
	put_le16(p + 140, 2);
	put_le16(p + 142, 32);
	put_str(p + 144, "2026-01-02", 16);
	put_str(p + 160, "03:04:05", 16);
	put_le16(p + 176, 5);
	put_le16(p + 178, (uint16_t)(n * rec));
	p += 180;
	for (size_t i = 0; i < n; i++, p += rec) {
		put_str(p, c[i].addr, addr);
		put_le16(p + addr, (uint16_t)(i + 1));
		p[addr + 2] = 0;
		p[addr + 3] = 0;
		p[addr + 4] = c[i].type;
		put_str(p + addr + 5, "1.0", 10);
		put_le32(p + addr + 15, (uint32_t)c[i].len);
		put_le32(p + addr + 19, (uint32_t)c[i].len);
		EVP_Digest(c[i].data, c[i].len, p + addr + 23, NULL, EVP_sha256(), NULL);
		if (c[i].bad_digest)
			p[addr + 23] ^= 1;
	}
	put_str(p, "update/info.bin", 16);
	p += 16;
	if (flags & SD) {
		p = tlv32(p, 6, 10);
		memset(p, 0, 10);
		p += 10;
		p = tlv32(p, 7, 40);
		memset(p, 0x77, 40);
		p += 40;
	}
	if (flags & SLOT) {
		memset(p, 0, 640);
		p += 640;
	} else {
		p = tlv32(p, 8, 256);
		memset(p, 0x5a, 256);
		p += 256;
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(p, c[i].data, c[i].len);
		p += c[i].len;
	}
	return (size_t)(p - b);
}

static uint8_t d1[3000], d2[700], d3[5];
static uint8_t img[16384];

static struct comp three[] = {
    {"/system", 0, d1, sizeof(d1), 0},
    {"/version_list", 1, d2, sizeof(d2), 0},
    {"/updater_binary", 1, d3, sizeof(d3), 0},
};

static int open_mem(struct hwf_ubin **u, struct hwf_source **s, const uint8_t *b, size_t len,
		    struct hwf_err *e)
{
	int rc;

	*u = NULL;
	hwf_source_open_mem(s, b, len, "update.bin", NULL);
	rc = hwf_ubin_open(u, *s, e);
	if (rc)
		hwf_source_close(*s);
	return rc;
}

static void done(struct hwf_ubin *u, struct hwf_source *s)
{
	hwf_ubin_close(u);
	hwf_source_close(s);
}

static void test_layouts(void)
{
	static const unsigned variants[] = {0, NONL2, SD, SLOT, STREAM, SD | STREAM, NONL2 | SLOT};

	tu_random(d1, sizeof(d1), 1);
	tu_random(d2, sizeof(d2), 2);
	tu_random(d3, sizeof(d3), 3);
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		size_t len = build(img, three, 3, variants[v]);
		const struct hwf_ubin_info *in;
		struct hwf_err e = {0};
		struct hwf_source *s;
		struct hwf_ubin *u;
		uint8_t got[16];

		CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
		in = hwf_ubin_info(u);
		CU_ASSERT_EQUAL(in->rec_size, variants[v] & NONL2 ? 71 : 87);
		CU_ASSERT_EQUAL(in->block_hashes, !!(variants[v] & SD));
		CU_ASSERT_EQUAL(in->sign,
				variants[v] & SLOT ? HWF_UBIN_SIGN_SLOT : HWF_UBIN_SIGN_TLV);
		CU_ASSERT_EQUAL(in->sign_len, variants[v] & SLOT ? 640 : 256);
		CU_ASSERT_EQUAL(in->base, variants[v] & STREAM ? 28 : 0);
		CU_ASSERT_FALSE(in->size64);
		CU_ASSERT_STRING_EQUAL(in->product, "PRODUCT-X");
		CU_ASSERT_STRING_EQUAL(in->date, "2026-01-02");
		CU_ASSERT_STRING_EQUAL(in->describe_id, "update/info.bin");
		CU_ASSERT_EQUAL_FATAL(hwf_ubin_count(u), 3);
		CU_ASSERT_STRING_EQUAL(hwf_ubin_comp(u, 0)->name, "system");
		CU_ASSERT_STRING_EQUAL(hwf_ubin_comp(u, 0)->file_name, "system.img");
		CU_ASSERT_STRING_EQUAL(hwf_ubin_comp(u, 1)->file_name, "VERSION.mbn");
		CU_ASSERT_STRING_EQUAL(hwf_ubin_comp(u, 2)->file_name, "updater_binary.zip");
		CU_ASSERT_EQUAL(hwf_ubin_comp(u, 2)->offset, len - 5);
		CU_ASSERT_EQUAL(hwf_ubin_comp(u, 1)->offset, len - 705);
		CU_ASSERT_EQUAL(in->data_start, len - 3705);
		CU_ASSERT_PTR_EQUAL(hwf_ubin_find(u, "/SYSTEM"), hwf_ubin_comp(u, 0));
		CU_ASSERT_PTR_EQUAL(hwf_ubin_find(u, "version.mbn"), hwf_ubin_comp(u, 1));
		CU_ASSERT_PTR_NULL(hwf_ubin_find(u, "vendor"));
		CU_ASSERT_EQUAL(hwf_source_read_exact(s, got, 5, hwf_ubin_comp(u, 2)->offset, &e),
				0);
		CU_ASSERT(!memcmp(got, d3, 5));
		done(u, s);
	}
}

static void test_lengths_checked(void)
{
	size_t len = build(img, three, 3, SD);
	struct hwf_err e = {0};
	struct hwf_source *s;
	struct hwf_ubin *u;
	static uint8_t copy[16384];
	size_t tab = 180 + 3 * 87 + 16;

	/* Every shorter file is refused, never read past its end (ASan watches). */
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *exact = malloc(cut ? cut : 1);

		memcpy(exact, img, cut);
		CU_ASSERT_NOT_EQUAL(open_mem(&u, &s, exact, cut, &e), 0);
		free(exact);
	}
	/* One byte appended: the sizes no longer add up, under either reading. */
	memcpy(copy, img, len);
	copy[len] = 0;
	CU_ASSERT_EQUAL(open_mem(&u, &s, copy, len + 1, &e), HWF_ETRUNC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "add up to 3705 bytes"));
	/* A TLV length past the end of the file (OHUP TLV_CHECK_AND_RETURN). */
	memcpy(copy, img, len);
	put_le32(copy + tab + 2, 0x7fffffff);
	CU_ASSERT_EQUAL(open_mem(&u, &s, copy, len, &e), HWF_ETRUNC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TLV of type 0x0006"));
	/* 0x06 not followed by 0x07. */
	memcpy(copy, img, len);
	put_le16(copy + tab + 16, 9);
	CU_ASSERT_EQUAL(open_mem(&u, &s, copy, len, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not the block hashes"));
	/* A table of neither 87- nor 71-byte records. */
	memcpy(copy, img, len);
	put_le16(copy + 178, 3 * 87 + 1);
	CU_ASSERT_NOT_EQUAL(open_mem(&u, &s, copy, len, &e), 0);
	/* Not an update.bin at all. */
	memset(copy, 0, 400);
	CU_ASSERT_EQUAL(open_mem(&u, &s, copy, 400, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not an update.bin"));
	hwf_source_open_mem(&s, img, len, "x", NULL);
	CU_ASSERT(hwf_ubin_sniff(s));
	hwf_source_close(s);
	hwf_source_open_mem(&s, copy, 400, "x", NULL);
	CU_ASSERT_FALSE(hwf_ubin_sniff(s));
	hwf_source_close(s);
}

/* A file over 4 GiB made on demand: the header in @img, zeros after it. */
static int big_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	size_t *hlen = ctx;

	(void)e;
	memset(buf, 0, len);
	if (off < *hlen)
		memcpy(buf, img + off, len < *hlen - off ? len : *hlen - off);
	return 0;
}

static void test_size64_reading(void)
{
	/* One component whose size only fits as u64: size | originalSize << 32 (SIMY). */
	static struct comp one[] = {{"/system", 0, d1, 16, 0}};
	size_t hlen = build(img, one, 1, 0) - 16;
	uint64_t big = (1ull << 32) + 16;
	struct hwf_err e = {0};
	struct hwf_source *s;
	struct hwf_ubin *u;

	put_le32(img + 180 + 32 + 19, 1); /* originalSize = 1: the high half */
	hwf_source_open_callback(&s, hlen + big, "big.bin", big_read, &hlen, &e);
	CU_ASSERT_EQUAL_FATAL(hwf_ubin_open(&u, s, &e), 0);
	CU_ASSERT(hwf_ubin_info(u)->size64);
	CU_ASSERT_EQUAL(hwf_ubin_comp(u, 0)->size, big);
	hwf_ubin_close(u);
	hwf_source_close(s);
}

static void test_names(void)
{
	static struct comp odd[] = {
	    {"/system", 0, d3, 5, 0},  {"../x", 0, d3, 5, 0}, {"/a/b", 0, d3, 5, 0},
	    {"/", 0, d3, 5, 0},	       {"/..", 0, d3, 5, 0},  {"/SYSTEM", 0, d3, 5, 0},
	    {"/.hidden", 0, d3, 5, 0}, {"a\\b", 0, d3, 5, 0}, {"/board_list", 2, d3, 5, 0},
	};
	size_t len = build(img, odd, 9, 0);
	struct hwf_err e = {0};
	struct hwf_source *s;
	struct hwf_ubin *u;

	CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
	CU_ASSERT_PTR_NULL(hwf_ubin_comp(u, 0)->unsafe);
	for (size_t i = 1; i < 8; i++) {
		CU_ASSERT_PTR_NOT_NULL(hwf_ubin_comp(u, i)->unsafe);
		CU_ASSERT_STRING_EQUAL(hwf_ubin_comp(u, i)->file_name, "");
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(hwf_ubin_comp(u, 1)->unsafe, "leave the output folder"));
	CU_ASSERT_PTR_NOT_NULL(strstr(hwf_ubin_comp(u, 5)->unsafe, "same file name"));
	CU_ASSERT_STRING_EQUAL(hwf_ubin_comp(u, 8)->file_name, "BOARD.list");
	done(u, s);
}

static void test_check(void)
{
	struct comp c[3];
	struct hwf_ubin_check res;
	struct hwf_err e = {0};
	struct hwf_source *s;
	struct hwf_ubin *u;
	size_t len;

	memcpy(c, three, sizeof(c));
	c[1].bad_digest = 1;
	len = build(img, c, 3, 0);
	CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
	CU_ASSERT_EQUAL(hwf_ubin_check(u, NULL, &res, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(res.ok);
	CU_ASSERT_EQUAL(res.bad, 1);
	CU_ASSERT(res.bad_comp[1] && !res.bad_comp[0] && !res.bad_comp[2]);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.signature, "not verified"));
	hwf_ubin_check_free(&res);
	done(u, s);
	len = build(img, three, 3, 0);
	CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
	CU_ASSERT_EQUAL(hwf_ubin_check(u, NULL, &res, NULL, NULL, &e), 0);
	CU_ASSERT(res.ok); /* the signature (0x5a bytes, no key) never fails the check */
	hwf_ubin_check_free(&res);
	done(u, s);
}

static int holds(const char *d, const char *name, const void *want, size_t len)
{
	char *p = tu_path(d, name);
	long long sz = tu_size(p);
	uint8_t *got = malloc(len + 1);
	FILE *f = fopen(p, "rb");
	int ok =
	    f && sz == (long long)len && fread(got, 1, len, f) == len && !memcmp(got, want, len);

	if (f)
		fclose(f);
	free(got);
	free(p);
	return ok;
}

static void test_extract(void)
{
	static struct comp c[4];
	struct hwf_ubin_extract_opts o = {0};
	struct tu_files tf = {0};
	struct hwf_file_hooks h;
	struct hwf_err e = {0};
	char *out = tu_path(dir, "x"), *bad = tu_path(dir, "bad"), *esc = tu_path(dir, "esc");
	struct hwf_source *s;
	struct hwf_ubin *u;
	size_t len, w, b;

	memcpy(c, three, sizeof(three));
	tu_file_hooks(&tf, &h);
	len = build(img, c, 3, SD);
	CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
	o.dir = out;
	o.label = "update.bin";
	o.files = &h;
	CU_ASSERT_EQUAL(hwf_ubin_extract(u, &o, &w, &b, &e), 0);
	CU_ASSERT_EQUAL(w, 3);
	CU_ASSERT(holds(out, "system.img", d1, sizeof(d1)));
	CU_ASSERT(holds(out, "VERSION.mbn", d2, sizeof(d2)));
	CU_ASSERT(holds(out, "updater_binary.zip", d3, sizeof(d3)));
	/* Again: the files exist, nothing is replaced; with force they are. */
	CU_ASSERT_EQUAL(hwf_ubin_extract(u, &o, &w, &b, &e), HWF_EEXIST);
	CU_ASSERT_EQUAL(w, 0);
	o.force = 1;
	CU_ASSERT_EQUAL(hwf_ubin_extract(u, &o, &w, &b, &e), 0);
	CU_ASSERT_EQUAL(w, 3);
	o.force = 0;
	done(u, s);
	/* A bad digest: that component is not kept, the others are. */
	c[0].bad_digest = 1;
	len = build(img, c, 3, 0);
	CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
	o.dir = bad;
	CU_ASSERT_EQUAL(hwf_ubin_extract(u, &o, &w, &b, &e), HWF_ECRC);
	CU_ASSERT_EQUAL(w, 2);
	CU_ASSERT_EQUAL(b, 1);
	CU_ASSERT_EQUAL(tu_count_names(bad, "system"), 0);
	CU_ASSERT_EQUAL(tu_count_names(bad, "partial"), 0);
	done(u, s);
	/* A name that leaves the folder: nothing is written, not even the folder. */
	c[0].bad_digest = 0;
	c[3] = (struct comp){"../../escape", 0, d3, 5, 0};
	len = build(img, c, 4, 0);
	CU_ASSERT_EQUAL_FATAL(open_mem(&u, &s, img, len, &e), 0);
	o.dir = esc;
	CU_ASSERT_EQUAL(hwf_ubin_extract(u, &o, &w, &b, &e), HWF_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'../../escape'"));
	CU_ASSERT_EQUAL(tu_size(esc), -1);
	done(u, s);
	CU_ASSERT_EQUAL(tu_files_left(&tf), 0);
	tu_files_free(&tf);
	free(out);
	free(bad);
	free(esc);
}

void hwf_suite_updatebin(void)
{
	CU_pSuite s = CU_add_suite("updatebin", setup, teardown);

	CU_add_test(s, "layouts: L2, 71-byte, SD hashes, legacy slot, stream prefix", test_layouts);
	CU_add_test(s, "every length checked: cuts, appended, TLVs, table", test_lengths_checked);
	CU_add_test(s, "sizes read as u64 when only that fits (> 4 GiB)", test_size64_reading);
	CU_add_test(s, "names: '/' stripped, escapes and duplicates refused", test_names);
	CU_add_test(s, "check: SHA-256 per component, signature only reported", test_check);
	CU_add_test(s, "extract: streamed, verified, exists, bad digest, escape", test_extract);
}
