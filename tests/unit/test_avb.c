// SPDX-License-Identifier: MIT
/*
 * vbmeta images and the vbmeta of AVB footers: structure, signature, the
 * user's key.  The images are made by tests/tools/avbfoot.py (written from
 * libavb's headers) and signed by openssl with keys made here; every case
 * then changes bytes of a good image in memory.
 */
#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/image/avb.h"
#include "formats/core/bytes.h"
#include "formats/image/imagecheck.h"
#include "tests/unit/testutil.h"

static char *fx;	/* the suite's scratch folder with keys and images */

/* tests/tools/avbfoot.py, found from this file's path (the build runs at the top). */
static void tool_path(char *out, size_t len)
{
	const char *f = __FILE__, *s = strstr(f, "unit/test_avb.c");
	char rel[4096], *abs;

	snprintf(rel, sizeof(rel), "%.*stools/avbfoot.py", s ? (int)(s - f) : 0, f);
	abs = realpath(rel, NULL);
	snprintf(out, len, "%s", abs ? abs : rel);
	free(abs);
}

/* The judges run in the fixture folder. */
#define sh(...) tu_sh(fx, __VA_ARGS__)

static int suite_init(void)
{
	char tool[4096], cmd[4500];
	uint8_t payload[70000];

	fx = tu_mkdtemp();
	if (!fx)
		return 1;
	tool_path(tool, sizeof(tool));
	tu_random(payload, sizeof(payload), 7);
	{
		char *p = tu_path(fx, "boot.bin");
		int rc = tu_write(p, payload, sizeof(payload));

		free(p);
		if (rc)
			return 1;
	}
	snprintf(cmd, sizeof(cmd), "python3 '%s'", tool);
	return sh("openssl genrsa -out k2048.pem 2048 && openssl genrsa -out k4096.pem 4096 && "
		  "openssl genrsa -out other.pem 2048") ||
	       sh("%s --vbmeta v2048.img --key k2048.pem --hash boot=boot.bin "
		  "--hashtree system=1048576 --chain vbmeta_system=other.pem",
		  cmd) ||
	       sh("%s --vbmeta v4096.img --key k4096.pem --algorithm SHA256_RSA4096 "
		  "--hash boot=boot.bin --hash dtbo=boot.bin --rollback 3 --padding 131072",
		  cmd) ||
	       sh("%s --vbmeta v512.img --key k4096.pem --algorithm SHA512_RSA4096 "
		  "--hash boot=boot.bin",
		  cmd) ||
	       sh("%s --vbmeta vnone.img --hash boot=boot.bin --flags 2", cmd) ||
	       sh("%s --vbmeta badrr.img --key k2048.pem --hash boot=boot.bin --bad-rr", cmd) ||
	       sh("%s boot.bin footer.img boot 131072 --key k2048.pem", cmd);
}

static int suite_clean(void)
{
	tu_rmtree(fx);
	free(fx);
	return 0;
}

struct img {
	uint8_t *b;
	size_t len;
};

static struct img load(const char *name)
{
	char *p = tu_path(fx, name);
	long long n = tu_size(p);
	struct img m = { NULL, 0 };
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

/* Check @m as @name; @key a file of the fixture folder or NULL. */
static void check(const struct img *m, const char *name, const char *part, const char *key,
		  struct hwf_image_report *r)
{
	struct hwf_image_check_opts o = { part, NULL, NULL, NULL };
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	char *kp = key ? tu_path(fx, key) : NULL;

	o.key_path = kp;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, m->b, m->len, name, &e), 0);
	CU_ASSERT_EQUAL(hwf_image_check(src, &o, r, NULL, NULL, &e), 0);
	hwf_source_close(src);
	free(kp);
}

static int has(const struct hwf_image_report *r, enum hwf_severity sev, const char *text)
{
	for (size_t i = 0; i < r->nfind; i++)
		if (r->find[i].severity == sev && strstr(r->find[i].text, text))
			return 1;
	return 0;
}

static void show(const struct hwf_image_report *r)
{
	for (size_t i = 0; i < r->nfind; i++)
		fprintf(stderr, "\n  [%d] %s", r->find[i].severity, r->find[i].text);
}

/* @r failed, and an ERROR says @text. */
static void expect_error(const struct hwf_image_report *r, const char *text)
{
	CU_ASSERT_FALSE(r->ok);
	CU_ASSERT_TRUE(has(r, HWF_SEV_ERROR, text));
	if (r->ok || !has(r, HWF_SEV_ERROR, text)) {
		fprintf(stderr, "\nwanted an error with \"%s\", got:", text);
		show(r);
	}
}

static void expect_ok(const struct hwf_image_report *r, enum hwf_severity sev, const char *text)
{
	CU_ASSERT_TRUE(r->ok);
	CU_ASSERT_TRUE(has(r, sev, text));
	if (!r->ok || !has(r, sev, text)) {
		fprintf(stderr, "\nwanted OK with \"%s\", got:", text);
		show(r);
	}
}

static enum hwf_avb_sig sig_of(const struct img *m, const char *key)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	enum hwf_avb_sig sig = HWF_AVB_SIG_OK;
	uint64_t blob = 0;
	char *kp = key ? tu_path(fx, key) : NULL;

	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, m->b, m->len, "v.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_avb_vbmeta_size(src, 0, m->len, &blob, &e), 0);
	CU_ASSERT_EQUAL(hwf_avb_verify_signature(src, 0, blob, kp, &sig, &e), 0);
	hwf_source_close(src);
	free(kp);
	return sig;
}

static void test_signed_vbmeta_images_verify(void)
{
	static const struct {
		const char *img, *key, *alg;
	} good[] = {
		{ "v2048.img", "k2048.pem", "SHA256_RSA2048" },
		{ "v4096.img", "k4096.pem", "SHA256_RSA4096" },
		{ "v512.img", "k4096.pem", "SHA512_RSA4096" },
	};
	struct hwf_image_report r;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct img m = load(good[i].img);

		check(&m, good[i].img, NULL, NULL, &r);
		CU_ASSERT_EQUAL(r.kind, HWF_KIND_VBMETA);
		expect_ok(&r, HWF_SEV_INFO, "verifies with the embedded key");
		CU_ASSERT_TRUE(has(&r, HWF_SEV_INFO, good[i].alg));
		check(&m, good[i].img, "vbmeta", good[i].key, &r);
		expect_ok(&r, HWF_SEV_INFO, "verifies with");
		CU_ASSERT_EQUAL(sig_of(&m, good[i].key), HWF_AVB_SIG_OK);
		check(&m, good[i].img, "vbmeta", "other.pem", &r);
		expect_error(&r, "signed, but not by");
		CU_ASSERT_EQUAL(sig_of(&m, "other.pem"), HWF_AVB_SIG_OTHER_KEY);
		free(m.b);
	}
	{
		struct img m = load("v2048.img");

		check(&m, "v2048.img", NULL, NULL, &r);
		CU_ASSERT_TRUE(has(&r, HWF_SEV_INFO,
				   "boot, system (hashtree), vbmeta_system (chained)"));
		free(m.b);
	}
}

/* One flipped bit anywhere the signature covers, in the hash or in the signature fails. */
static void test_flipped_bytes_fail(void)
{
	static const char *const imgs[] = { "v2048.img", "v4096.img", "v512.img" };
	struct hwf_image_report r;

	for (size_t i = 0; i < 3; i++) {
		struct img m = load(imgs[i]);
		uint64_t auth = get_be64(m.b + 12), hlen = get_be64(m.b + 40);
		uint64_t aux = 256 + auth, key = aux + get_be64(m.b + 64);
		const struct {
			uint64_t off;
			enum hwf_avb_sig sig;
			const char *text;
		} flips[] = {
			{ 256 + 1, HWF_AVB_SIG_BAD_STORED_HASH, "stored hash is damaged" },
			{ 256 + hlen - 1, HWF_AVB_SIG_BAD_STORED_HASH, "stored hash is damaged" },
			{ 256 + hlen + 7, HWF_AVB_SIG_BAD, "does not verify with its own public key" },
			{ 256 + hlen + get_be64(m.b + 56) - 1, HWF_AVB_SIG_BAD, "own public key" },
			{ aux + 20, HWF_AVB_SIG_BAD_HASH, "changed after signing" },
			{ key + 100, HWF_AVB_SIG_BAD_HASH, "changed after signing" },
			{ 128 + 2, HWF_AVB_SIG_BAD_HASH, "changed after signing" },	/* release */
			{ 112 + 7, HWF_AVB_SIG_BAD_HASH, "changed after signing" },	/* rollback */
		};

		for (size_t k = 0; k < sizeof(flips) / sizeof(flips[0]); k++) {
			m.b[flips[k].off] ^= 0x10;
			CU_ASSERT_EQUAL(sig_of(&m, NULL), flips[k].sig);
			check(&m, imgs[i], "vbmeta", NULL, &r);
			expect_error(&r, flips[k].text);
			m.b[flips[k].off] ^= 0x10;
		}
		check(&m, imgs[i], "vbmeta", NULL, &r);
		CU_ASSERT_TRUE(r.ok);	/* restored: the flips were the cause */
		free(m.b);
	}
}

/* fastboot --disable-verity sets flag bits after signing: told apart, a warning without --key. */
static void test_flags_set_after_signing(void)
{
	struct img m = load("v2048.img");
	struct hwf_image_report r;

	for (uint32_t f = 1; f <= 3; f++) {
		put_be32(m.b + 120, f);
		CU_ASSERT_EQUAL(sig_of(&m, NULL), HWF_AVB_SIG_FLAGS_CHANGED);
		check(&m, "v2048.img", "vbmeta", NULL, &r);
		expect_ok(&r, HWF_SEV_WARN, "after signing");
		check(&m, "v2048.img", "vbmeta", "k2048.pem", &r);
		expect_error(&r, "after signing");
	}
	put_be32(m.b + 120, 4);		/* not a bit fastboot sets */
	CU_ASSERT_EQUAL(sig_of(&m, NULL), HWF_AVB_SIG_BAD_HASH);
	check(&m, "v2048.img", "vbmeta", NULL, &r);
	expect_error(&r, "changed after signing");
	free(m.b);
}

static void test_unsigned_and_bad_key_blob(void)
{
	struct img m = load("vnone.img"), k = load("badrr.img");
	struct hwf_image_report r;

	check(&m, "vnone.img", "vbmeta", NULL, &r);
	expect_ok(&r, HWF_SEV_WARN, "not signed (algorithm NONE)");
	CU_ASSERT_TRUE(has(&r, HWF_SEV_WARN, "disable verification"));
	check(&m, "vnone.img", "vbmeta", "k2048.pem", &r);
	expect_error(&r, "cannot match your key");
	check(&k, "badrr.img", "vbmeta", NULL, &r);
	expect_error(&r, "do not belong to its modulus");
	CU_ASSERT_EQUAL(sig_of(&k, NULL), HWF_AVB_SIG_BAD_KEY);
	free(m.b);
	free(k.b);
}

/* Header fields that do not hold together: each a sentence, never OK. */
static void test_structure_is_checked(void)
{
	struct img good = load("v2048.img");
	uint64_t auth = get_be64(good.b + 12), aux = get_be64(good.b + 20);
	uint64_t desc = 256 + auth + get_be64(good.b + 96);
	const struct {
		uint64_t off;
		int width;
		uint64_t val;
		const char *text;
	} cases[] = {
		{ 12, 8, 1ull << 62, "blocks take 256 + 4611686018427387904" },
		{ 20, 8, 1ull << 62, "blocks take" },
		{ 12, 8, UINT64_MAX - 255, "blocks take" },
		{ 20, 8, aux + 4096, "only 4096 are there" },
		{ 12, 8, auth + 1, "not multiples of 64" },
		{ 28, 4, 7, "algorithm 7 is unknown" },
		{ 28, 4, 2, "SHA256_RSA4096 needs 512" },	/* a 2048-bit signature */
		{ 28, 4, 4, "hash is 32 bytes, SHA512_RSA2048 needs 64" },
		{ 40, 8, 20, "hash is 20 bytes" },
		{ 48, 8, auth, "outside its" },
		{ 56, 8, UINT64_MAX, "outside its" },
		{ 64, 8, aux, "outside the" },
		{ 104, 8, aux + 8, "outside the" },
		{ 96, 8, UINT64_MAX - 8, "outside the" },
		{ 4, 4, 2, "needs libavb 2.x" },
		{ desc + 8, 8, 1ull << 63, "descriptor 1 (hash) says it has" },
		{ desc + 8, 8, 12, "says it has 12 bytes" },
		{ desc + 8, 8, 8, "is too short" },
		{ desc + 56, 4, 0xffffffffu, "descriptor 1 (hash) announces more names" },
		{ desc, 8, 0, "descriptor 1 (property) announces more names" },
		{ desc, 8, 4, "descriptor 1 (chain partition) announces more names" },
	};
	struct hwf_image_report r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img m = { malloc(good.len), good.len };

		memcpy(m.b, good.b, good.len);
		if (cases[i].width == 8)
			put_be64(m.b + cases[i].off, cases[i].val);
		else
			put_be32(m.b + cases[i].off, (uint32_t)cases[i].val);
		check(&m, "v2048.img", "vbmeta", NULL, &r);
		expect_error(&r, cases[i].text);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.find[0].text, "v2048.img"));
		free(m.b);
	}
	free(good.b);
}

static void test_sizes_and_short_files(void)
{
	struct img big = load("v4096.img");	/* padded to 128 KiB */
	struct hwf_image_report r;
	struct img m = big;

	check(&big, "v4096.img", "vbmeta", NULL, &r);
	expect_ok(&r, HWF_SEV_INFO, "rollback index 3");
	/* blocks larger than the 64 KiB a bootloader reads */
	put_be64(big.b + 20, 65536);
	check(&big, "v4096.img", "vbmeta", NULL, &r);
	expect_error(&r, "at most 65536");
	put_be64(big.b + 20, 1ull << 62);
	check(&big, "v4096.img", "vbmeta", NULL, &r);
	expect_error(&r, "blocks take");
	for (size_t n = 4; n < 256; n += 100) {
		m.len = n;
		check(&m, "v4096.img", "vbmeta", NULL, &r);
		expect_error(&r, "shorter than the 256-byte vbmeta header");
	}
	m.len = 1000;		/* the blocks past the end of a cut file */
	put_be64(big.b + 20, 4096);
	check(&m, "v4096.img", "vbmeta", NULL, &r);
	expect_error(&r, "only 1000 are there");
	free(big.b);
}

/* What follows the blob is ignored by the bootloader: zeros are fine, data is told. */
static void test_data_after_the_blob(void)
{
	struct img m = load("v4096.img");
	struct hwf_image_report r;

	m.b[m.len - 1] = 1;
	check(&m, "v4096.img", "vbmeta", NULL, &r);
	expect_ok(&r, HWF_SEV_WARN, "data after the vbmeta");
	free(m.b);
}

static void test_vbmeta_partition_wants_a_vbmeta(void)
{
	static const char html[] = "<!DOCTYPE html><html><body>404</body></html>\n";
	uint8_t *rnd = malloc(4096), *zero = calloc(1, 4096);
	struct img m = { rnd, 4096 }, z = { zero, 4096 }, h = { (uint8_t *)html, sizeof(html) - 1 };
	struct img boot = load("footer.img");
	struct hwf_image_report r;

	tu_random(rnd, 4096, 99);
	check(&m, "random.bin", "vbmeta", NULL, &r);
	expect_error(&r, "random.bin: unrecognised data, but vbmeta takes an AVB vbmeta image");
	check(&m, "random.bin", "vbmeta_system_a", NULL, &r);
	expect_error(&r, "but vbmeta_system_a takes an AVB vbmeta image");
	check(&z, "zero.img", "vbmeta", NULL, &r);
	expect_error(&r, "zero.img: all zero bytes, but vbmeta takes");
	check(&h, "vbmeta.img", "vbmeta", NULL, &r);
	expect_error(&r, "vbmeta.img is an HTML page");
	check(&boot, "boot.img", "vbmeta", NULL, &r);
	expect_error(&r, "boot.img: raw image with an AVB footer, but vbmeta takes");
	free(rnd);
	free(zero);
	free(boot.b);
}

/* --key with nothing signed to check it against is a failure, not OK. */
static void test_key_needs_a_signature(void)
{
	uint8_t *rnd = malloc(8192);
	struct img m = { rnd, 8192 };
	struct hwf_image_report r;

	tu_random(rnd, 8192, 5);
	check(&m, "system.img", NULL, "k2048.pem", &r);
	expect_error(&r, "not signed: no AVB footer and no vbmeta, so there is no signature to check");
	memset(rnd, 0, 8192);
	memcpy(rnd, "ANDROID!", 8);
	put_le32(rnd + 8, 100);
	put_le32(rnd + 36, 2048);
	check(&m, "boot.img", "boot", "k2048.pem", &r);
	expect_error(&r, "no AVB footer and no vbmeta");
	check(&m, "boot.img", "boot", NULL, &r);
	CU_ASSERT_FALSE(has(&r, HWF_SEV_ERROR, "no AVB footer and no vbmeta"));
	free(rnd);
}

/* The vbmeta inside an AVB footer gets the same checks. */
static void test_footer_vbmeta_is_checked(void)
{
	struct img m = load("footer.img");
	uint64_t voff = get_be64(m.b + m.len - 64 + 20), auth = get_be64(m.b + voff + 12);
	struct hwf_image_report r;

	check(&m, "footer.img", NULL, "k2048.pem", &r);
	expect_ok(&r, HWF_SEV_INFO, "AVB sha256 digest matches");
	CU_ASSERT_TRUE(has(&r, HWF_SEV_INFO, "verifies with"));
	put_be64(m.b + voff + 12, 1ull << 62);
	check(&m, "footer.img", NULL, NULL, &r);
	expect_error(&r, "blocks take");
	put_be64(m.b + voff + 12, auth);
	m.b[voff + 256 + 40] ^= 1;	/* in the signature */
	check(&m, "footer.img", NULL, NULL, &r);
	expect_error(&r, "does not verify with its own public key");
	m.b[voff + 256 + 40] ^= 1;
	check(&m, "footer.img", NULL, "other.pem", &r);
	expect_error(&r, "signed, but not by");
	free(m.b);
}

void hwf_suite_avb(void)
{
	CU_pSuite s = CU_add_suite("avb", suite_init, suite_clean);

	CU_add_test(s, "signed vbmeta images verify, RSA2048/4096, SHA-256/512, --key",
		    test_signed_vbmeta_images_verify);
	CU_add_test(s, "a flipped bit in hash, signature, header or aux block fails",
		    test_flipped_bytes_fail);
	CU_add_test(s, "flags set after signing are told apart", test_flags_set_after_signing);
	CU_add_test(s, "unsigned vbmeta, key blob with bad rr", test_unsigned_and_bad_key_blob);
	CU_add_test(s, "inconsistent header and descriptors are errors",
		    test_structure_is_checked);
	CU_add_test(s, "64 KiB limit, 2^62 blocks, short and cut files",
		    test_sizes_and_short_files);
	CU_add_test(s, "data after the vbmeta blob", test_data_after_the_blob);
	CU_add_test(s, "a vbmeta partition gets only a vbmeta image",
		    test_vbmeta_partition_wants_a_vbmeta);
	CU_add_test(s, "--key without a signature in the file fails", test_key_needs_a_signature);
	CU_add_test(s, "the vbmeta of an AVB footer is checked the same way",
		    test_footer_vbmeta_is_checked);
}
