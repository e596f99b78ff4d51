// SPDX-License-Identifier: MIT
/*
 * Read-back after write (protocol/flash_verify.c) against the device
 * model, in process: a raw image compared over its own length in pieces
 * of max-fetch-size, a sparse image over its RAW and FILL chunks only
 * (DONT_CARE keeps older bytes that are not compared), a moved AVB footer
 * compared up to the partition's end, a logical partition through super's
 * extents, a flipped byte found at its offset, and devices that do not
 * fetch (the bootloader; fetch: answered FAIL): a warning, not a failure.
 */
#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "protocol/flash.h"
#include "tests/unit/flashfix.h"
#include "tests/unit/testutil.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/*
 * The readback callback's last report, kept.  The fixture's callbacks all
 * take the fixture as their context, so this one keeps it in the file.
 */
struct seen {
	int calls;
	struct hwf_flash_readback r;
	char part[64];
};

static struct seen seen;

static void on_readback(void *ctx, const struct hwf_flash_readback *r)
{
	struct seen *s = &seen;

	(void)ctx;
	s->calls++;
	s->r = *r;
	snprintf(s->part, sizeof(s->part), "%s", r->part);
	s->r.part = s->part;
	s->r.why = NULL;
}

/* A fastbootd (or bootloader) device with boot (1 MiB), fetches of 40 KiB; verify on. */
static void dev(struct fx *x, enum fbdev_mode mode, const char *fault)
{
	fx_init(x);
	fx_part(x, "boot", MiB);
	x->dev.mode = mode;
	x->dev.max_download = 40 * KiB;
	x->opts.verify = 1;
	memset(&seen, 0, sizeof(seen));
	x->cb.readback = on_readback;
	if (fault)
		CU_ASSERT_EQUAL_FATAL(fbdev_parse_fault_spec(fault, &x->dev), 0);
	CU_ASSERT_EQUAL_FATAL(fx_start(x), 0);
}

/* The device's commands, fetches only, in one line. */
static char *fetches(struct fx *x)
{
	char *all = fx_commands(x), *out = calloc(1, strlen(all) + 1), *save = NULL;

	for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "fetch:", 6)) {
			strcat(out, l);
			strcat(out, " ");
		}
	free(all);
	return out;
}

static void sha256_hex(const void *d, size_t n, char *out)
{
	uint8_t md[32];
	unsigned len = 0;

	CU_ASSERT_EQUAL(EVP_Digest(d, n, md, &len, EVP_sha256(), NULL), 1);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_identical_raw(void)
{
	static uint8_t img[100 * KiB];
	struct hwf_flash_readback r;
	struct hwf_err e = {0};
	struct hwf_source *src;
	char want[65], *f;
	struct fx x;

	dev(&x, FBDEV_FASTBOOTD, NULL);
	tu_random(img, sizeof(img), 3);
	src = fx_mem(&x, "boot.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "boot.img", &e), 0);
	CU_ASSERT(fx_saw(&x, "note: boot: read back: identical (102400 bytes compared, sha256 "));
	CU_ASSERT_EQUAL(x.errors + x.warnings, 0);
	/* The image's length only, in pieces of max-fetch-size; not the partition's tail. */
	f = fetches(&x);
	CU_ASSERT_STRING_EQUAL(f, "fetch:boot:0x00000000:0x0000a000 "
				  "fetch:boot:0x0000a000:0x0000a000 "
				  "fetch:boot:0x00014000:0x00005000 ");
	free(f);
	CU_ASSERT(fx_saw(&x, "OKAY Reading back 'boot' at 0x14000 (20 KB)\n"));
	/* The engine alone: the digest is the image's, computed here independently. */
	CU_ASSERT_EQUAL(hwf_flash_readback(x.f, src, "boot", &r, &e), 0);
	CU_ASSERT_EQUAL(r.result, HWF_FLASH_RB_IDENTICAL);
	CU_ASSERT_EQUAL(r.compared, sizeof(img));
	CU_ASSERT_EQUAL(r.ndiff, 0);
	sha256_hex(img, sizeof(img), want);
	CU_ASSERT_STRING_EQUAL(r.sha256, want);
	CU_ASSERT_STRING_EQUAL(r.read_sha256, want);
	CU_ASSERT_EQUAL(seen.calls, 2);
	CU_ASSERT_STRING_EQUAL(seen.part, "boot");
	hwf_source_close(src);
	fx_done(&x);
}

static void test_identical_sparse_with_dont_care(void)
{
	static const struct fx_chunk ch[] = {
	    {HWF_SPARSE_RAW, 2, 11},	  /* 0x0000-0x2000 */
	    {HWF_SPARSE_DONT_CARE, 3, 0}, /* 0x2000-0x5000: not compared */
	    {HWF_SPARSE_FILL, 2, 0x5a5a5a5a}, {HWF_SPARSE_RAW, 1, 12}, /* 0x5000-0x8000 together */
	    {HWF_SPARSE_DONT_CARE, 10, 0},			       /* to 0x12000 */
	    {HWF_SPARSE_FILL, 1, 0},				       /* 0x12000-0x13000 */
	};
	static uint8_t old[64 * KiB];
	struct hwf_err e = {0};
	struct hwf_source *src, *sp;
	uint64_t raw = 0;
	char *f;
	struct fx x;

	dev(&x, FBDEV_FASTBOOTD, NULL);
	/* Older bytes under the DONT_CARE chunks: they stay, and differ from the view's zeros. */
	tu_random(old, sizeof(old), 4);
	src = fx_mem(&x, "old.img", old, sizeof(old));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "old.img", &e), 0);
	hwf_source_close(src);
	fx_clear(&x);
	sp = fx_sparse(&x, "boot.simg", ch, sizeof(ch) / sizeof(ch[0]), &raw);
	CU_ASSERT_EQUAL(raw, 0x13000);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, sp, "boot", "boot.simg", &e), 0);
	CU_ASSERT_EQUAL(x.errors + x.warnings, 0);
	CU_ASSERT(fx_saw(&x, "note: boot: read back: identical (24576 bytes compared"));
	/* After the two of old.img's read-back: one fetch per run of RAW and FILL chunks. */
	f = fetches(&x);
	CU_ASSERT_STRING_EQUAL(f, "fetch:boot:0x00000000:0x0000a000 "
				  "fetch:boot:0x0000a000:0x00006000 "
				  "fetch:boot:0x00000000:0x00002000 "
				  "fetch:boot:0x00005000:0x00003000 "
				  "fetch:boot:0x00012000:0x00001000 ");
	free(f);
	CU_ASSERT_EQUAL(seen.r.result, HWF_FLASH_RB_IDENTICAL);
	CU_ASSERT_EQUAL(seen.r.compared, 0x2000 + 0x3000 + 0x1000);
	hwf_source_close(sp);
	fx_done(&x);
}

static void test_flipped_byte_found(void)
{
	static uint8_t img[100 * KiB];
	static const struct fx_chunk ch[] = {
	    {HWF_SPARSE_DONT_CARE, 4, 0}, {HWF_SPARSE_FILL, 8, 0x01020304}, /* 0x4000-0xc000 */
	};
	struct hwf_err e = {0};
	struct hwf_source *src;
	uint64_t raw = 0;
	struct fx x;

	/* Raw: the byte at 5000 (0x1388) is stored inverted. */
	dev(&x, FBDEV_FASTBOOTD, "flip-byte:5000");
	tu_random(img, sizeof(img), 6);
	src = fx_mem(&x, "boot.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "boot.img", &e), HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "boot: read back: differs at offset 0x1388 (1 of "
					     "102400 bytes differ; sha256 written "));
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT(fx_saw(&x, "error: boot: read back: differs at offset 0x1388"));
	CU_ASSERT_EQUAL(seen.r.result, HWF_FLASH_RB_DIFFERS);
	CU_ASSERT_EQUAL(seen.r.first, 5000);
	CU_ASSERT_EQUAL(seen.r.ndiff, 1);
	CU_ASSERT_STRING_NOT_EQUAL(seen.r.sha256, seen.r.read_sha256);
	hwf_source_close(src);
	fx_done(&x);

	/* Sparse: the flipped byte in a FILL chunk, at its partition offset. */
	dev(&x, FBDEV_FASTBOOTD, "flip-byte:40000");
	src = fx_sparse(&x, "boot.simg", ch, sizeof(ch) / sizeof(ch[0]), &raw);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "boot.simg", &e), HWF_ECRC);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "boot: read back: differs at offset 0x9c40 (1 of "
					     "32768 bytes differ"));
	hwf_source_close(src);
	fx_done(&x);

	/* A flipped byte past the image (the partition's tail) is not the image's business. */
	dev(&x, FBDEV_FASTBOOTD, "flip-byte:200000");
	src = fx_mem(&x, "boot.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "boot.img", &e), 0);
	CU_ASSERT_EQUAL(seen.r.result, HWF_FLASH_RB_IDENTICAL);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_avb_footer_moved_compared_to_the_end(void)
{
	uint8_t img[8192];
	struct hwf_err e = {0};
	struct hwf_source *src;
	char *f;
	struct fx x;

	tu_random(img, sizeof(img), 5);
	memset(img + sizeof(img) - 64, 0, 64);
	memcpy(img + sizeof(img) - 64, "AVBf", 4);
	put_be32(img + sizeof(img) - 60, 1);
	put_be64(img + sizeof(img) - 52, 4096);
	put_be64(img + sizeof(img) - 44, 4096);
	put_be64(img + sizeof(img) - 36, 1024);
	fx_init(&x);
	fx_part(&x, "recovery", 64 * KiB);
	x.dev.mode = FBDEV_FASTBOOTD;
	x.opts.verify = 1;
	memset(&seen, 0, sizeof(seen));
	x.cb.readback = on_readback;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_mem(&x, "avb.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "recovery", "avb.img", &e), 0);
	/* What was sent at each offset: the image, zeros, the footer at the end. */
	CU_ASSERT(fx_saw(&x, "note: recovery: read back: identical (65536 bytes compared"));
	f = fetches(&x);
	CU_ASSERT_STRING_EQUAL(f, "fetch:recovery:0x00000000:0x00010000 ");
	free(f);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_logical_partition_through_super(void)
{
	static uint8_t img[300 * KiB];
	struct hwf_err e = {0};
	struct hwf_source *src;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "boot", MiB);
	fx_part(&x, "system", MiB);
	x.dev.parts[x.dev.nparts - 1].logical = 1;
	x.dev.super_size = 8 * MiB;
	x.dev.mode = FBDEV_FASTBOOTD;
	x.opts.verify = 1;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	tu_random(img, sizeof(img), 8);
	src = fx_mem(&x, "system.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "system.img", &e), 0);
	CU_ASSERT(fx_saw(&x, "note: system: read back: identical (307200 bytes compared"));
	hwf_source_close(src);
	fx_done(&x);
}

static void test_unsupported_fetch(void)
{
	static uint8_t img[10 * KiB];
	struct hwf_flash_readback r;
	struct hwf_err e = {0};
	struct hwf_source *src;
	struct fx x;

	/* The bootloader says no max-fetch-size: written, not verified, no failure. */
	dev(&x, FBDEV_BOOTLOADER, NULL);
	tu_random(img, sizeof(img), 7);
	src = fx_mem(&x, "boot.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "boot", "boot.img", &e), 0);
	CU_ASSERT(
	    fx_saw(&x, "warn: boot: read back: not supported by the device (fetch:): "
		       "it does not say max-fetch-size (getvar:max-fetch-size: device refused: "));
	CU_ASSERT(fx_saw(&x, "the partition was written but not verified"));
	CU_ASSERT_EQUAL(x.errors, 0);
	CU_ASSERT_EQUAL(fx_count(&x, "fetch:"), 0);
	CU_ASSERT_EQUAL(seen.calls, 1);
	CU_ASSERT_EQUAL(seen.r.result, HWF_FLASH_RB_UNSUPPORTED);
	hwf_source_close(src);
	fx_done(&x);

	/* fetch: answered FAIL (here: a name the device cannot open): the same, with its words. */
	dev(&x, FBDEV_FASTBOOTD, NULL);
	src = fx_mem(&x, "boot.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_readback(x.f, src, "nothere", &r, &e), 0);
	CU_ASSERT_EQUAL(r.result, HWF_FLASH_RB_UNSUPPORTED);
	CU_ASSERT_EQUAL(r.compared, 0);
	CU_ASSERT(fx_saw(&x, "warn: nothere: read back: not supported by the device (fetch:): "
			     "fetch:nothere:0x00000000:0x00002800: device refused: Cannot open "
			     "nothere"));
	CU_ASSERT_EQUAL(x.errors, 0);
	/* The conversation goes on. */
	CU_ASSERT_EQUAL(hwf_fb_getvar(hwf_flash_fb(x.f), "product", NULL, 0, &e), 0);
	hwf_source_close(src);
	fx_done(&x);
}

void hwf_suite_flash_verify(void)
{
	CU_pSuite s = CU_add_suite("flash engine: read-back after write", NULL, NULL);

	CU_add_test(s, "raw: identical, its own length in pieces of max-fetch-size",
		    test_identical_raw);
	CU_add_test(s, "sparse: RAW and FILL compared, DONT_CARE not",
		    test_identical_sparse_with_dont_care);
	CU_add_test(s, "a flipped byte found at its offset (raw, sparse)", test_flipped_byte_found);
	CU_add_test(s, "a moved AVB footer: compared to the partition's end",
		    test_avb_footer_moved_compared_to_the_end);
	CU_add_test(s, "a logical partition read back through super",
		    test_logical_partition_through_super);
	CU_add_test(s, "no fetch: a warning, not a failure", test_unsupported_fetch);
}
