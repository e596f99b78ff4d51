// SPDX-License-Identifier: MIT
/*
 * The flash engine in process against the device model: the gate (what is
 * refused, what is only said), fitting an image to its partition (too
 * large refused, an AVB footer moved) and the pieces a download is cut
 * into (max-download-size, the caller's limit, sparse input, FILL and
 * DONT_CARE), with the steps and messages each reports.
 */
#include <CUnit/CUnit.h>
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

/* A boot image header v4 (page 4096) with a 4096-byte kernel and a 100-byte ramdisk. */
static size_t boot_v4(uint8_t *img)
{
	memset(img, 0, 4096 * 3);
	memcpy(img, "ANDROID!", 8);
	put_le32(img + 8, 4096);
	put_le32(img + 12, 100);
	put_le32(img + 20, 1584);
	put_le32(img + 40, 4);
	tu_random(img + 4096, 4096, 7);
	return 4096 * 3;
}

static int gate(struct fx *x, struct hwf_source *src, const char *part, int force,
		struct hwf_err *e)
{
	int rc = hwf_flash_gate(src, part, hwf_source_name(src), force, &x->cb, NULL, e);

	hwf_source_close(src);
	return rc;
}

static void test_gate_refuses_and_says_why(void)
{
	static const char page[] = "<!DOCTYPE html>\n<html><body>Download</body></html>\n";
	struct hwf_err e = { 0 };
	struct fx x;

	fx_init(&x);
	/* A web page saved as recovery.img: refused, one error, the same sentence in @e. */
	CU_ASSERT_EQUAL(gate(&x, fx_mem(&x, "page.img", page, sizeof(page) - 1), "recovery", 0, &e),
			HWF_EFORMAT);
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT(fx_saw(&x, "error: page.img: not flashed to recovery: page.img is an HTML page"));
	CU_ASSERT(fx_saw(&x, "(nothing was sent; --force overrides)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "page.img: not flashed to recovery: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.events, e.msg));

	/* Noise for boot: not a boot image with a kernel. */
	fx_clear(&x);
	CU_ASSERT_EQUAL(gate(&x, fx_noise(&x, "n.img", 64 * KiB, 1), "boot", 0, &e), HWF_EFORMAT);
	CU_ASSERT(fx_saw(&x, "error: n.img: not flashed to boot: "));
	CU_ASSERT(fx_saw(&x, "boot takes an Android boot image with a kernel"));

	/* --force: the same web page passes, and each error becomes a warning that says so. */
	fx_clear(&x);
	CU_ASSERT_EQUAL(gate(&x, fx_mem(&x, "page.img", page, sizeof(page) - 1), "recovery", 1, &e),
			0);
	CU_ASSERT_EQUAL(x.errors, 0);
	CU_ASSERT(fx_saw(&x, "warn: --force: flashing page.img to recovery despite: page.img is an "
			     "HTML page"));
	fx_done(&x);
}

static void test_gate_never_sends_empty_images(void)
{
	struct hwf_err e = { 0 };
	struct fx x;

	fx_init(&x);
	CU_ASSERT_EQUAL(gate(&x, fx_mem(&x, "e.img", "", 0), "system", 0, &e), HWF_EFORMAT);
	CU_ASSERT_STRING_EQUAL(e.msg, "e.img: not flashed to system: it is empty (0 bytes), "
				      "nothing was sent; to clear the partition use 'hwflash erase "
				      "system'");
	fx_clear(&x);
	CU_ASSERT_EQUAL(gate(&x, fx_mem(&x, "e.img", "", 0), "system", 1, &e), HWF_EFORMAT);
	CU_ASSERT(fx_saw(&x, "(--force does not send empty images)"));
	CU_ASSERT_EQUAL(x.errors, 1);
	fx_done(&x);
}

static void test_gate_bad_sparse_refused(void)
{
	static const struct fx_chunk c[] = { { HWF_SPARSE_RAW, 4, 1 }, { HWF_SPARSE_FILL, 8, 0 } };
	struct hwf_source *whole, *cut;
	struct hwf_err e = { 0 };
	uint64_t raw;
	uint8_t *b;
	struct fx x;

	fx_init(&x);
	whole = fx_sparse(&x, "s.img", c, 2, &raw);
	b = malloc(9000);
	CU_ASSERT_EQUAL_FATAL(hwf_source_read_exact(whole, b, 9000, 0, &e), 0);
	cut = fx_mem(&x, "cut.img", b, 9000); /* ends inside the RAW chunk */
	free(b);
	CU_ASSERT_EQUAL(gate(&x, whole, "system", 0, &e), 0);
	CU_ASSERT_EQUAL(x.errors, 0);
	CU_ASSERT_EQUAL(gate(&x, cut, "system", 0, &e), HWF_EFORMAT);
	CU_ASSERT(fx_saw(&x, "error: cut.img: not flashed to system: "));
	CU_ASSERT_EQUAL(x.errors, 1);
	fx_done(&x);
}

static void test_gate_warnings_and_details(void)
{
	uint8_t img[4096 * 3];
	struct hwf_err e = { 0 };
	size_t n = boot_v4(img);
	struct fx x;

	fx_init(&x);
	/* Raw noise for system: not recognised, said as a warning, still allowed. */
	CU_ASSERT_EQUAL(gate(&x, fx_noise(&x, "sys.img", 64 * KiB, 2), "system", 0, &e), 0);
	CU_ASSERT_EQUAL(x.warnings, 1);
	CU_ASSERT(fx_saw(&x, "warn: sys.img: unrecognised data"));
	/* A whole boot image: its facts as details (-v), what a person should know as warnings. */
	fx_clear(&x);
	CU_ASSERT_EQUAL(gate(&x, fx_mem(&x, "boot.img", img, n), "boot", 0, &e), 0);
	CU_ASSERT_EQUAL(x.errors, 0);
	CU_ASSERT(fx_saw(&x, "detail: boot.img: boot image header v4, page size 4096"));
	CU_ASSERT(fx_saw(&x, "warn: boot.img: no AVB footer and no signature"));
	fx_done(&x);
}

static void test_one_download_when_it_fits(void)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	uint8_t *got, *want = malloc(100000);
	char *w;
	size_t len = 0;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "system", 1 * MiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_noise(&x, "sys.img", 100000, 3);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "sys.img", &e), 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "download:000186a0 flash:system ");
	CU_ASSERT(fx_saw(&x, "start Sending 'system' (97 KB)\nOKAY Sending 'system' (97 KB)\n"
			     "detail: sim:dev: 5 bulk transfers so far, at most 1 in flight, 0 "
			     "halts cleared\nstart Writing 'system'\nOKAY Writing 'system'\n"));
	CU_ASSERT_EQUAL(x.steps, 2);
	CU_ASSERT_EQUAL(x.progress_done, 100000);
	CU_ASSERT_EQUAL(x.progress_total, 100000);
	/* The simulated transport keeps counters: -v's detail line. */
	CU_ASSERT(fx_saw(&x, "detail: sim:dev: "));
	got = fx_stored(&x, "system.img", &len);
	tu_random(want, 100000, 3);
	CU_ASSERT_EQUAL(len, 100000);
	CU_ASSERT(got && !memcmp(got, want, 100000));
	free(got);
	free(want);
	free(w);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_too_large_is_refused_before_sending(void)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	char *w;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "system", 64 * KiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_noise(&x, "big.img", 100 * KiB, 4);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "big.img", &e), HWF_EFORMAT);
	CU_ASSERT_STRING_EQUAL(e.msg, "big.img: 102400 bytes do not fit partition system (65536 "
				      "bytes); nothing was sent");
	CU_ASSERT_EQUAL(x.errors, 1);
	CU_ASSERT_EQUAL(x.steps, 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "");
	free(w);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_avb_footer_moved_to_the_partition_end(void)
{
	uint8_t img[8192], *got;
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	size_t len = 0;
	struct fx x;

	tu_random(img, sizeof(img), 5);
	memset(img + sizeof(img) - 64, 0, 64);
	memcpy(img + sizeof(img) - 64, "AVBf", 4);
	put_be32(img + sizeof(img) - 60, 1);
	put_be64(img + sizeof(img) - 52, 4096); /* original image size */
	put_be64(img + sizeof(img) - 44, 4096); /* vbmeta offset */
	put_be64(img + sizeof(img) - 36, 1024);
	fx_init(&x);
	fx_part(&x, "recovery", 64 * KiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_mem(&x, "avb.img", img, sizeof(img));
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "recovery", "avb.img", &e), 0);
	CU_ASSERT(fx_saw(&x, "note: AVB footer of avb.img moved to the end of 'recovery' (65536 "
			     "bytes)"));
	/* The partition holds the image, zeros, and the footer in its last 64 bytes. */
	got = fx_stored(&x, "recovery.img", &len);
	CU_ASSERT_EQUAL_FATAL(len, 64 * KiB);
	CU_ASSERT(!memcmp(got, img, sizeof(img) - 64));
	for (size_t i = sizeof(img) - 64; i < len - 64; i++)
		if (got[i]) {
			CU_FAIL("the gap is not zeros");
			break;
		}
	CU_ASSERT(!memcmp(got + len - 64, img + sizeof(img) - 64, 64));
	free(got);
	hwf_source_close(src);
	fx_done(&x);
}

/* @n bytes of noise flashed to system (@size) in pieces; the store must hold them. */
static void pieces(struct fx *x, size_t n, const char *last_piece)
{
	struct hwf_source *src = fx_noise(x, "sys.img", n, 6);
	uint8_t *got, *want = malloc(n);
	struct hwf_err e = { 0 };
	size_t len = 0;

	CU_ASSERT_EQUAL(hwf_flash_image(x->f, src, "system", "sys.img", &e), 0);
	CU_ASSERT(fx_saw(x, last_piece));
	got = fx_stored(x, "system.img", &len);
	tu_random(want, n, 6);
	CU_ASSERT(len >= n);
	CU_ASSERT(got && len >= n && !memcmp(got, want, n));
	free(got);
	free(want);
	hwf_source_close(src);
}

static void test_max_download_size_splits(void)
{
	struct fx x;

	fx_init(&x);
	fx_part(&x, "system", 1 * MiB);
	x.dev.max_download = 128 * KiB;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	pieces(&x, 300000, "OKAY Writing 'system' 3/3\n");
	CU_ASSERT(fx_saw(&x, "start Sending sparse 'system' 1/3 ("));
	CU_ASSERT_EQUAL(fx_count(&x, "flash:system"), 3);
	CU_ASSERT_EQUAL(fx_count(&x, "download:"), 3);
	fx_done(&x);
}

static void test_caller_limit_splits(void)
{
	struct fx x;

	fx_init(&x);
	fx_part(&x, "system", 1 * MiB);
	x.opts.sparse_limit = 64 * KiB; /* -S 64K, the device takes 64 MiB */
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	pieces(&x, 200000, "OKAY Writing 'system' 4/4\n");
	CU_ASSERT_EQUAL(fx_count(&x, "flash:system"), 4);
	fx_done(&x);
}

static void test_sparse_input_fill_and_dont_care(void)
{
	static const struct fx_chunk c[] = {
		{ HWF_SPARSE_RAW, 20, 11 },
		{ HWF_SPARSE_FILL, 200, 0x5a5a5a5a },
		{ HWF_SPARSE_DONT_CARE, 50, 0 },
		{ HWF_SPARSE_RAW, 20, 12 },
	};
	uint8_t *got, want[20 * 4096];
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	uint64_t raw = 0;
	size_t len = 0;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "system", 4 * MiB);
	x.dev.max_download = 64 * KiB;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_sparse(&x, "s.img", c, 4, &raw);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "system", "s.img", &e), 0);
	CU_ASSERT(fx_saw(&x, "Sending sparse 'system' 1/"));
	/* 40 blocks of data in pieces of 64 KiB; the FILL and the gap are not sent as data. */
	CU_ASSERT(fx_downloaded(&x) < 48 * 4096);
	got = fx_stored(&x, "system.img", &len);
	CU_ASSERT_EQUAL_FATAL(len, raw);
	tu_random(want, sizeof(want), 11);
	CU_ASSERT(!memcmp(got, want, sizeof(want)));
	for (size_t i = 20 * 4096; i < 220 * 4096; i++)
		if (got[i] != 0x5a) {
			CU_FAIL("FILL not stored");
			break;
		}
	tu_random(want, sizeof(want), 12);
	CU_ASSERT(!memcmp(got + 270 * 4096, want, sizeof(want)));
	free(got);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_raw_zeros_go_as_fill(void)
{
	uint8_t *img = calloc(1, 1 * MiB), *got;
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	size_t len = 0;
	struct fx x;

	tu_random(img, 8192, 13);
	tu_random(img + 1 * MiB - 8192, 8192, 14);
	fx_init(&x);
	fx_part(&x, "vendor", 2 * MiB);
	x.opts.sparse_limit = 64 * KiB;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_mem(&x, "v.img", img, 1 * MiB);
	CU_ASSERT_EQUAL(hwf_flash_image(x.f, src, "vendor", "v.img", &e), 0);
	CU_ASSERT(fx_downloaded(&x) < 64 * KiB); /* 16 KiB of data, the rest a FILL */
	got = fx_stored(&x, "vendor.img", &len);
	CU_ASSERT_EQUAL(len, 1 * MiB);
	CU_ASSERT(got && len == 1 * MiB && !memcmp(got, img, len));
	free(got);
	free(img);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_boot_needs_one_download(void)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	char *w;
	struct fx x;

	fx_init(&x);
	x.dev.max_download = 64 * KiB;
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	src = fx_noise(&x, "big.img", 100 * KiB, 15);
	CU_ASSERT_EQUAL(hwf_flash_boot(x.f, src, &e), HWF_EFORMAT);
	CU_ASSERT_STRING_EQUAL(e.msg,
			       "big.img is 102400 bytes, the device takes 65536 per download");
	hwf_source_close(src);
	src = fx_noise(&x, "k.img", 10 * KiB, 16);
	CU_ASSERT_EQUAL(hwf_flash_boot(x.f, src, &e), 0);
	CU_ASSERT(fx_saw(&x, "OKAY Sending 'boot.img' (10 KB)\n"));
	CU_ASSERT(fx_saw(&x, "start Booting\nOKAY Booting\n"));
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "download:00002800 boot ");
	free(w);
	hwf_source_close(src);
	fx_done(&x);
}

static void test_wipe_once_and_cache_only_when_there(void)
{
	struct hwf_err e = { 0 };
	char *w;
	struct fx x;

	fx_init(&x);
	fx_part(&x, "userdata", 1 * MiB);
	fx_part(&x, "cache", 1 * MiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "erase:userdata erase:cache ");
	CU_ASSERT(
	    fx_saw(&x, "OKAY Erasing 'userdata'\nstart Erasing 'cache'\nOKAY Erasing 'cache'"));
	free(w);
	fx_done(&x);

	fx_init(&x);
	fx_part(&x, "userdata", 1 * MiB);
	CU_ASSERT_EQUAL_FATAL(fx_start(&x), 0);
	CU_ASSERT_EQUAL(hwf_flash_wipe(x.f, &e), 0);
	w = fx_writes(&x);
	CU_ASSERT_STRING_EQUAL(w, "erase:userdata ");
	free(w);
	fx_done(&x);
}

void hwf_suite_flash(void)
{
	CU_pSuite s = CU_add_suite("flash engine: gate, fit, pieces", NULL, NULL);

	CU_add_test(s, "gate: a wrong image is refused with one error, --force only warns",
		    test_gate_refuses_and_says_why);
	CU_add_test(s, "gate: an empty image is never sent, --force or not",
		    test_gate_never_sends_empty_images);
	CU_add_test(s, "gate: a cut sparse image is refused", test_gate_bad_sparse_refused);
	CU_add_test(s, "gate: warnings and -v details are reported",
		    test_gate_warnings_and_details);
	CU_add_test(s, "one download when the image fits: steps, progress, stored bytes",
		    test_one_download_when_it_fits);
	CU_add_test(s, "fit: larger than the partition is refused before sending",
		    test_too_large_is_refused_before_sending);
	CU_add_test(s, "fit: an AVB footer goes to the partition's end",
		    test_avb_footer_moved_to_the_partition_end);
	CU_add_test(s, "pieces: max-download-size splits", test_max_download_size_splits);
	CU_add_test(s, "pieces: the caller's limit (-S) splits", test_caller_limit_splits);
	CU_add_test(s, "pieces: sparse input with FILL and DONT_CARE",
		    test_sparse_input_fill_and_dont_care);
	CU_add_test(s, "pieces: zeros of a raw image go as FILL", test_raw_zeros_go_as_fill);
	CU_add_test(s, "boot: one download or refused", test_boot_needs_one_download);
	CU_add_test(s, "wipe: userdata, cache where there is one, once",
		    test_wipe_once_and_cache_only_when_there);
}
