// SPDX-License-Identifier: MIT
/*
 * The AVB signing engine (formats/image/avb_sign.c) in process: avbtool's
 * known answer (avbtool_unittest.cc AddHashFooter: its 1028 KiB input,
 * salt d00df00d, partition foobar of 1536 KiB: digest 9a58cc99..., vbmeta
 * at 1052672, 1280 bytes, blocks 320 and 704), the signature checked by
 * OpenSSL over the bytes read back (not by our reader), replacing a footer,
 * unsigned images, properties, and every option that must be refused
 * before a byte is written.  Keys are generated here (AOSP's test keys
 * are not available offline).
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/avb.h"
#include "formats/image/avb_patch.h"
#include "formats/image/avb_sign.h"
#include "formats/image/imagecheck.h"
#include "tests/unit/testutil.h"

static char *dir, *key2048, *key4096;

static char *make_key(int bits, const char *name)
{
	char *path = tu_path(dir, name);
	EVP_PKEY *k = EVP_RSA_gen((unsigned)bits);
	FILE *f = fopen(path, "wb");
	int ok = k && f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);

	if (f)
		fclose(f);
	EVP_PKEY_free(k);
	if (!ok) {
		free(path);
		return NULL;
	}
	return path;
}

static int suite_init(void)
{
	dir = tu_mkdtemp();
	if (!dir)
		return -1;
	key2048 = make_key(2048, "k2048.pem");
	key4096 = make_key(4096, "k4096.pem");
	return key2048 && key4096 ? 0 : -1;
}

static int suite_clean(void)
{
	tu_rmtree(dir);
	free(dir);
	free(key2048);
	free(key4096);
	return 0;
}

/* avbtool_unittest.cc's rootfs: n & 3 in three stretches, n & 0xff elsewhere. */
static uint8_t *kat_image(size_t n)
{
	uint8_t *b = malloc(n);

	for (size_t i = 0; b && i < n; i++)
		b[i] = (i >= 5000 && i < 105000) || (i >= 205000 && i < 305000) ||
			       (i >= 505000 && i < 605000)
			   ? (uint8_t)(i & 3)
			   : (uint8_t)i;
	return b;
}

/* Sign @buf into @out (a new file); the engine's return code. */
static int sign_mem(const void *buf, size_t len, const char *out, const struct hwf_avb_sign_opts *o,
		    struct hwf_avb_sign_result *r, struct hwf_err *e)
{
	struct hwf_source *src;
	int fd, rc;

	if (hwf_source_open_mem(&src, buf, len, "in.img", e))
		return -100;
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		hwf_source_close(src);
		return -101;
	}
	rc = hwf_avb_add_hash_footer(src, fd, o, r, e);
	close(fd);
	hwf_source_close(src);
	return rc;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc(n > 0 ? (size_t)n : 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

/*
 * The signature over header || aux, checked by OpenSSL with the PEM key's
 * public half, and the key blob's modulus against the PEM key's.
 */
static int openssl_verifies(const uint8_t *v, const char *pem, const EVP_MD *md)
{
	FILE *f = fopen(pem, "rb");
	EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t auth = get_be64(v + 12), aux = get_be64(v + 20);
	const uint8_t *x = v + 256 + auth, *blob = x + get_be64(v + 64);
	BIGNUM *n = NULL, *bn = BN_bin2bn(blob + 8, (int)(get_be32(blob) / 8), NULL);
	int ok;

	if (f)
		fclose(f);
	ok = k && ctx && bn && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) &&
	     !BN_cmp(n, bn) && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, v, 256) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, x, (size_t)aux) == 1 &&
	     EVP_DigestVerifyFinal(ctx, v + 256 + get_be64(v + 48), get_be64(v + 56)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	BN_free(n);
	BN_free(bn);
	return ok;
}

static const uint8_t kat_salt[] = {0xd0, 0x0d, 0xf0, 0x0d};
static const char kat_digest[] = "9a58cc996d405e08a1e00f96dbfe9104fedf41cb83b1f5e4ed357fbcf58d88d9";

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_known_answer(void)
{
	size_t n = 1028 * 1024, len;
	uint8_t *img = kat_image(n), *out;
	char *path = tu_path(dir, "kat.img"), h[65];
	struct hwf_avb_sign_opts o = {0};
	struct hwf_avb_sign_result r;
	struct hwf_err e = {0};

	o.partition = "foobar";
	o.partition_size = 1536 * 1024;
	o.key_path = key2048;
	o.algorithm = "SHA256_RSA2048";
	o.salt = kat_salt;
	o.salt_len = sizeof(kat_salt);
	o.release = "";
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(sign_mem(img, n, path, &o, &r, &e), 0);
	hex(r.digest, 32, h);
	CU_ASSERT_STRING_EQUAL(h, kat_digest);
	CU_ASSERT_EQUAL(r.image_size, 1052672);
	CU_ASSERT_EQUAL(r.vbmeta_offset, 1052672);
	CU_ASSERT_EQUAL(r.vbmeta_size, 1280);
	CU_ASSERT_EQUAL(r.auth_size, 320);
	CU_ASSERT_EQUAL(r.aux_size, 704);
	CU_ASSERT_EQUAL(r.algorithm, 1);
	CU_ASSERT_FALSE(r.replaced);
	out = slurp(path, &len);
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(len, 1536 * 1024);
	CU_ASSERT(!memcmp(out, img, n));
	/* The footer, byte by byte, at the very end. */
	CU_ASSERT(!memcmp(out + len - 64, "AVBf\0\0\0\1\0\0\0\0", 12));
	CU_ASSERT_EQUAL(get_be64(out + len - 64 + 12), 1052672);
	CU_ASSERT_EQUAL(get_be64(out + len - 64 + 20), 1052672);
	CU_ASSERT_EQUAL(get_be64(out + len - 64 + 28), 1280);
	/* The header as libavb reads it: version 1.0, release string "". */
	CU_ASSERT(!memcmp(out + n, "AVB0\0\0\0\1\0\0\0\0", 12));
	CU_ASSERT_EQUAL(out[n + 128], 0);
	/* The hash descriptor first in the aux block: image size, sha256, name, salt, digest. */
	{
		const uint8_t *d = out + n + 256 + 320;

		CU_ASSERT_EQUAL(get_be64(d), 2);
		CU_ASSERT_EQUAL(get_be64(d + 8), 160);
		CU_ASSERT_EQUAL(get_be64(d + 16), 1052672);
		CU_ASSERT_STRING_EQUAL((const char *)d + 24, "sha256");
		CU_ASSERT(!memcmp(d + 132, "foobar\xd0\x0d\xf0\x0d", 10));
		hex(d + 142, 32, h);
		CU_ASSERT_STRING_EQUAL(h, kat_digest);
	}
	CU_ASSERT(openssl_verifies(out + n, key2048, EVP_sha256()));
	/* Zeros between the vbmeta and the footer. */
	for (size_t i = n + 1280; i < len - 64; i++)
		if (out[i]) {
			CU_FAIL("non-zero byte between vbmeta and footer");
			break;
		}
	free(out);
	free(img);
	free(path);
}

/* The image checker (our reader) says "signed by" the key, and "not by" another. */
static void test_checker_names_the_key(void)
{
	static uint8_t img[10000];
	char *path = tu_path(dir, "chk.img");
	struct hwf_avb_sign_opts o = {0};
	struct hwf_image_check_opts co = {0};
	struct hwf_avb_sign_result r;
	struct hwf_image_report rep;
	struct hwf_source *src;
	struct hwf_err e = {0};
	int found = 0;

	tu_random(img, sizeof(img), 7);
	o.partition = "boot";
	o.partition_size = 128 * 1024;
	o.key_path = key4096;
	o.algorithm = "SHA512_RSA4096";
	CU_ASSERT_EQUAL_FATAL(sign_mem(img, sizeof(img), path, &o, &r, &e), 0);
	CU_ASSERT_EQUAL(r.algorithm, 5);
	CU_ASSERT_EQUAL(r.salt_len, 32);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, path, &e), 0);
	co.key_path = key4096;
	CU_ASSERT_EQUAL(hwf_image_check(src, &co, &rep, NULL, NULL, &e), 0);
	for (size_t i = 0; i < rep.nfind; i++)
		found |= strstr(rep.find[i].text, "signed by") != NULL &&
			 strstr(rep.find[i].text, "k4096.pem") != NULL;
	CU_ASSERT(found);
	CU_ASSERT(rep.ok);
	co.key_path = key2048;
	CU_ASSERT_EQUAL(hwf_image_check(src, &co, &rep, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(rep.ok);
	found = 0;
	for (size_t i = 0; i < rep.nfind; i++)
		found |= strstr(rep.find[i].text, "signed, but not by") != NULL;
	CU_ASSERT(found);
	hwf_source_close(src);
	free(path);
}

/* Signing a signed image again replaces its footer: the same bytes as signing the original. */
static void test_replace_is_idempotent(void)
{
	static uint8_t img[50001];
	char *a = tu_path(dir, "a.img"), *b = tu_path(dir, "b.img");
	struct hwf_avb_sign_opts o = {0};
	struct hwf_avb_sign_result r;
	struct hwf_err e = {0};
	uint8_t *first, *second;
	size_t la, lb;

	tu_random(img, sizeof(img), 3);
	o.partition = "recovery";
	o.partition_size = 256 * 1024;
	o.key_path = key2048;
	o.salt = kat_salt;
	o.salt_len = sizeof(kat_salt);
	CU_ASSERT_EQUAL_FATAL(sign_mem(img, sizeof(img), a, &o, &r, &e), 0);
	CU_ASSERT_EQUAL(r.vbmeta_offset, 53248); /* 50001 rounded up to 4096 */
	first = slurp(a, &la);
	CU_ASSERT_FATAL(first != NULL);
	o.partition_size = 200 * 1024; /* a smaller partition: the old footer goes */
	CU_ASSERT_EQUAL_FATAL(sign_mem(first, la, b, &o, &r, &e), 0);
	CU_ASSERT(r.replaced);
	CU_ASSERT_EQUAL(r.image_size, sizeof(img));
	o.partition_size = 256 * 1024;
	free(first);
	first = slurp(b, &la);
	CU_ASSERT_FATAL(first != NULL);
	CU_ASSERT_EQUAL_FATAL(sign_mem(first, la, b, &o, &r, &e), 0);
	second = slurp(b, &lb);
	free(first);
	first = slurp(a, &la);
	CU_ASSERT_FATAL(first && second);
	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT(la == lb && !memcmp(first, second, la));
	free(first);
	free(second);
	free(a);
	free(b);
}

/* Without a key: algorithm NONE, no authentication block, properties after the hash. */
static void test_unsigned_with_properties(void)
{
	static uint8_t img[4096];
	const char *props[] = {"com.android.build.boot.fingerprint:hw/test/1:user", "x:"};
	char *path = tu_path(dir, "none.img");
	struct hwf_avb_sign_opts o = {0};
	struct hwf_avb_sign_result r;
	struct hwf_avb_info info;
	struct hwf_avb_footer f;
	struct hwf_source *src;
	struct hwf_err e = {0};
	enum hwf_avb_sig sig;
	uint8_t *out;
	size_t len;

	o.partition = "boot";
	o.partition_size = 72 * 1024; /* the smallest: 64 KiB + 4 KiB + one block */
	o.props = props;
	o.nprops = 2;
	o.rollback_index = 7;
	CU_ASSERT_EQUAL_FATAL(sign_mem(img, sizeof(img), path, &o, &r, &e), 0);
	CU_ASSERT_EQUAL(r.algorithm, 0);
	CU_ASSERT_EQUAL(r.auth_size, 0);
	/* hash 16+116+4+32+32 = 200; props 16+16+50+1 -> 88 and 16+16+2+1 -> 40: 328 -> 384 */
	CU_ASSERT_EQUAL(r.aux_size, 384);
	out = slurp(path, &len);
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(len, 72 * 1024);
	CU_ASSERT_STRING_EQUAL((const char *)out + 4096 + 128, "avbtool 1.3.0");
	CU_ASSERT_EQUAL(get_be64(out + 4096 + 112), 7);
	CU_ASSERT_EQUAL(get_be64(out + 4096 + 256 + 200), 0); /* tag: property */
	CU_ASSERT_EQUAL(get_be64(out + 4096 + 256 + 200 + 8), 72);
	free(out);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, path, &e), 0);
	CU_ASSERT_EQUAL(hwf_avb_read_footer(src, &f, &e), 1);
	CU_ASSERT_EQUAL(hwf_avb_parse_vbmeta(src, f.vbmeta_offset, f.vbmeta_size, &info, &e), 0);
	CU_ASSERT_STRING_EQUAL(info.fingerprint, "hw/test/1:user");
	CU_ASSERT_EQUAL(info.ndesc, 3);
	CU_ASSERT_EQUAL(
	    hwf_avb_check_digest(src, f.vbmeta_offset, f.vbmeta_size, &info, NULL, NULL, &e), 0);
	CU_ASSERT(info.digest_ok);
	CU_ASSERT_EQUAL(
	    hwf_avb_verify_signature(src, f.vbmeta_offset, f.vbmeta_size, NULL, &sig, &e), 0);
	CU_ASSERT_EQUAL(sig, HWF_AVB_SIG_NONE);
	hwf_source_close(src);
	free(path);
}

/* The gates: each refused with a sentence, before anything is written. */
static void test_refusals_write_nothing(void)
{
	static uint8_t img[8192];
	const char *bad_prop[] = {"novalue"};
	char *path = tu_path(dir, "bad.img"), *junk = tu_path(dir, "junk.pem");
	struct {
		uint64_t psize;
		const char *key, *alg, *want;
		const char *const *props;
	} cases[] = {
	    {64 * 1024, NULL, NULL, "too small", NULL},
	    {72 * 1024 + 512, NULL, NULL, "not a multiple", NULL},
	    {72 * 1024, NULL, NULL, "do not fit", NULL}, /* 8192 > 4096 */
	    {1 << 20, NULL, "SHA256_RSA2048", "needs a key", NULL},
	    {1 << 20, NULL, "MD5_RSA1024", "unknown", NULL},
	    {1 << 20, NULL, NULL, "KEY:VALUE", bad_prop},
	    {1 << 20, NULL, NULL, "cannot open the key", NULL},
	    {1 << 20, NULL, NULL, "not a private key", NULL},
	    {1 << 20, NULL, "SHA256_RSA4096", "2048-bit key", NULL},
	    {1 << 20, NULL, "NONE", "drop --key", NULL},
	};
	struct hwf_avb_sign_result r;

	CU_ASSERT_EQUAL(tu_write(junk, "-----BEGIN nothing", 18), 0);
	cases[6].key = "/nonexistent/key.pem";
	cases[7].key = junk;
	cases[8].key = key2048;
	cases[9].key = key2048;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hwf_avb_sign_opts o = {0};
		struct hwf_err e = {0};

		o.partition = "boot";
		o.partition_size = cases[i].psize;
		o.key_path = cases[i].key;
		o.algorithm = cases[i].alg;
		o.props = cases[i].props;
		o.nprops = cases[i].props ? 1 : 0;
		CU_ASSERT(sign_mem(img, sizeof(img), path, &o, &r, &e) < 0);
		if (!strstr(e.msg, cases[i].want))
			fprintf(stderr, "\ncase %zu: '%s' lacks '%s'\n", i, e.msg, cases[i].want);
		CU_ASSERT(strstr(e.msg, cases[i].want) != NULL);
		CU_ASSERT_EQUAL(tu_size(path), 0);
	}
	/* An empty image; a public key, an encrypted private key: each named. */
	{
		char *pub = tu_path(dir, "pub.pem"), *enc = tu_path(dir, "enc.pem");
		FILE *f = fopen(key2048, "rb");
		EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
		struct hwf_avb_sign_opts o = {0};
		struct hwf_err e = {0};

		if (f)
			fclose(f);
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		f = fopen(pub, "wb");
		CU_ASSERT(f && PEM_write_PUBKEY(f, k) == 1);
		if (f)
			fclose(f);
		f = fopen(enc, "wb");
		CU_ASSERT(f && PEM_write_PrivateKey(f, k, EVP_aes_128_cbc(),
						    (unsigned char *)"secret", 6, NULL, NULL) == 1);
		if (f)
			fclose(f);
		EVP_PKEY_free(k);
		o.partition = "boot";
		o.partition_size = 1 << 20;
		CU_ASSERT_EQUAL(sign_mem(img, 0, path, &o, &r, &e), HWF_EFORMAT);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "in.img: empty (0 bytes): nothing to sign"));
		o.key_path = pub;
		CU_ASSERT_EQUAL(sign_mem(img, sizeof(img), path, &o, &r, &e), HWF_EFORMAT);
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(e.msg, "pub.pem: a public key; signing needs the private key"));
		o.key_path = enc;
		CU_ASSERT_EQUAL(sign_mem(img, sizeof(img), path, &o, &r, &e), HWF_EFORMAT);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "enc.pem: an encrypted private key"));
		CU_ASSERT_EQUAL(tu_size(path), 0);
		free(pub);
		free(enc);
	}
	/* Properties that make the vbmeta bigger than a bootloader reads: refused before writing.
	 */
	{
		static char big[2501];
		const char *props[30];
		struct hwf_avb_sign_opts o = {0};
		struct hwf_err e = {0};

		memset(big, 'v', sizeof(big) - 1);
		big[0] = 'k';
		big[1] = ':';
		for (int i = 0; i < 30; i++)
			props[i] = big;
		o.partition = "boot";
		o.partition_size = 1 << 20;
		o.props = props;
		o.nprops = 30;
		CU_ASSERT_EQUAL(sign_mem(img, sizeof(img), path, &o, &r, &e), HWF_EINVAL);
		CU_ASSERT(strstr(e.msg, "a bootloader reads at most 65536") != NULL);
		CU_ASSERT_EQUAL(tu_size(path), 0);
	}
	/* A sparse image: refused (avbtool signs the expanded bytes). */
	{
		static uint8_t sparse[8192] = {0x3a, 0xff, 0x26, 0xed};
		struct hwf_avb_sign_opts o = {0};
		struct hwf_err e = {0};

		o.partition = "system";
		o.partition_size = 1 << 20;
		CU_ASSERT_EQUAL(sign_mem(sparse, sizeof(sparse), path, &o, &r, &e),
				HWF_EUNSUPPORTED);
		CU_ASSERT(strstr(e.msg, "sparse image: expand it first") != NULL);
		CU_ASSERT_EQUAL(tu_size(path), 0);
	}
	/* The largest image that fits does fit. */
	{
		static uint8_t big[4096 + 1];
		struct hwf_avb_sign_opts o = {0};
		struct hwf_err e = {0};

		o.partition = "boot";
		o.partition_size = 72 * 1024;
		CU_ASSERT_EQUAL(sign_mem(big, 4096, path, &o, &r, &e), 0);
		CU_ASSERT(sign_mem(big, 4097, path, &o, &r, &e) < 0);
	}
	free(path);
	free(junk);
}

/* The image is read once, front to back, in pieces: never loaded. */
struct counter {
	uint64_t bytes, max_piece;
};

static int count_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct counter *c = ctx;

	(void)e;
	memset(buf, (int)(off & 0xff), len);
	c->bytes += len;
	if (len > c->max_piece)
		c->max_piece = len;
	return 0;
}

static void test_streams(void)
{
	struct counter c = {0};
	struct hwf_avb_sign_opts o = {0};
	struct hwf_avb_sign_result r;
	struct hwf_source *src;
	struct hwf_err e = {0};
	char *path = tu_path(dir, "stream.img");
	int fd;

	o.partition = "system";
	o.partition_size = 64ull << 20;
	CU_ASSERT_EQUAL_FATAL(
	    hwf_source_open_callback(&src, 40ull << 20, "big", count_read, &c, &e), 0);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(hwf_avb_add_hash_footer(src, fd, &o, &r, &e), 0);
	close(fd);
	hwf_source_close(src);
	/* The sparse magic (4 bytes) and the footer (64); the rest is one pass over the image. */
	CU_ASSERT_EQUAL(c.bytes, (40ull << 20) + 4 + 64);
	CU_ASSERT(c.max_piece <= (1u << 20));
	CU_ASSERT_EQUAL(tu_size(path), 64ll << 20);
	unlink(path);
	free(path);
}

/* A finding containing @text in @r. */
static int finds(const struct hwf_image_report *r, const char *text)
{
	for (size_t i = 0; i < r->nfind; i++)
		if (strstr(r->find[i].text, text))
			return 1;
	return 0;
}

/*
 * A repack that kept the old vbmeta: the image check says plainly that the
 * old signature no longer matches and a locked bootloader will refuse it;
 * with --key, also that the vbmeta is the key's but no longer matches.
 */
static void test_changed_image_is_named(void)
{
	static uint8_t img[20000];
	char *path = tu_path(dir, "rep.img");
	struct hwf_avb_sign_opts o = {0};
	struct hwf_image_check_opts co = {0};
	struct hwf_avb_sign_result r;
	struct hwf_image_report rep;
	struct hwf_source *src;
	struct hwf_err e = {0};
	uint8_t *b;
	size_t len;

	tu_random(img, sizeof(img), 11);
	o.partition = "vendor_dlkm";
	o.partition_size = 96 * 1024;
	o.key_path = key2048;
	CU_ASSERT_EQUAL_FATAL(sign_mem(img, sizeof(img), path, &o, &r, &e), 0);
	b = slurp(path, &len);
	CU_ASSERT_FATAL(b != NULL);
	b[12345] ^= 0x40; /* the image changed, its vbmeta kept */
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, b, len, "rep.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_image_check(src, &co, &rep, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT_EQUAL(rep.sign, HWF_SIGN_BROKEN);
	CU_ASSERT(finds(&rep, "the old signature no longer matches"));
	CU_ASSERT(finds(&rep, "a locked bootloader will refuse this image"));
	CU_ASSERT(finds(&rep, "describes the image as it was before the change"));
	co.key_path = key2048;
	CU_ASSERT_EQUAL(hwf_image_check(src, &co, &rep, NULL, NULL, &e), 0);
	CU_ASSERT_FALSE(rep.ok);
	CU_ASSERT(finds(&rep, "but it no longer matches the image"));
	hwf_source_close(src);
	/* Unchanged: no such sentence. */
	b[12345] ^= 0x40;
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, b, len, "rep.img", &e), 0);
	CU_ASSERT_EQUAL(hwf_image_check(src, &co, &rep, NULL, NULL, &e), 0);
	CU_ASSERT(rep.ok);
	CU_ASSERT_FALSE(finds(&rep, "no longer matches"));
	hwf_source_close(src);
	free(b);
	free(path);
}

/* image vbmeta's engine: the flag bytes of the header (found directly or through the footer). */
static void test_write_flags(void)
{
	static uint8_t img[6000];
	char *path = tu_path(dir, "fl.img"), *out = tu_path(dir, "fl-off.img");
	struct hwf_avb_sign_opts o = {0};
	struct hwf_avb_sign_result r;
	struct hwf_avb_patch p;
	struct hwf_source *src;
	struct hwf_err e = {0};
	uint8_t *a, *b;
	size_t la, lb, diff = 0;
	int fd;

	o.partition = "boot";
	o.partition_size = 80 * 1024;
	o.key_path = key2048;
	o.flags = HWF_AVB_FLAG_HASHTREE_DISABLED;
	CU_ASSERT_EQUAL_FATAL(sign_mem(img, sizeof(img), path, &o, &r, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&src, path, &e), 0);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(
	    hwf_avb_write_flags(&p, src, HWF_AVB_FLAG_VERIFICATION_DISABLED, fd, NULL, NULL, &e),
	    0);
	close(fd);
	hwf_source_close(src);
	CU_ASSERT(p.in_footer);
	CU_ASSERT_EQUAL(p.vbmeta_offset, 8192);
	CU_ASSERT_EQUAL(p.old_flags, 1);
	CU_ASSERT_EQUAL(p.new_flags, 3);
	a = slurp(path, &la);
	b = slurp(out, &lb);
	CU_ASSERT_FATAL(a && b);
	CU_ASSERT_EQUAL(la, lb);
	for (size_t i = 0; i < la && i < lb; i++)
		diff += a[i] != b[i];
	CU_ASSERT_EQUAL(diff, 1);
	CU_ASSERT_EQUAL(get_be32(b + 8192 + 120), 3);
	/* The bare vbmeta: patched at byte 120 + 3. */
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, a + 8192, (size_t)r.vbmeta_size, "vb", &e),
			      0);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_avb_write_flags(&p, src, 3, fd, NULL, NULL, &e), 0);
	close(fd);
	hwf_source_close(src);
	CU_ASSERT_FALSE(p.in_footer);
	CU_ASSERT_EQUAL(tu_size(out), (long long)r.vbmeta_size);
	/* No vbmeta at all: named, nothing written. */
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, sizeof(img), "zeros.img", &e), 0);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL(hwf_avb_write_flags(&p, src, 1, fd, NULL, NULL, &e), HWF_ENOTFOUND);
	close(fd);
	hwf_source_close(src);
	CU_ASSERT(strstr(e.msg, "zeros.img has no vbmeta") != NULL);
	CU_ASSERT_EQUAL(tu_size(out), 0);
	free(a);
	free(b);
	free(path);
	free(out);
}

void hwf_suite_avb_sign(void)
{
	CU_pSuite s = CU_add_suite("avb_sign", suite_init, suite_clean);

	CU_add_test(s, "avbtool's known answer: digest 9a58cc99, vbmeta 1280 at 1052672",
		    test_known_answer);
	CU_add_test(s, "image check says signed by the key, or not by another",
		    test_checker_names_the_key);
	CU_add_test(s, "signing a signed image replaces its footer", test_replace_is_idempotent);
	CU_add_test(s, "unsigned (NONE) with properties and rollback index",
		    test_unsigned_with_properties);
	CU_add_test(s, "bad options are refused before writing", test_refusals_write_nothing);
	CU_add_test(s, "the image is streamed in one pass", test_streams);
	CU_add_test(s, "a changed image: the old signature no longer matches",
		    test_changed_image_is_named);
	CU_add_test(s, "image vbmeta's engine sets the flags, nothing else", test_write_flags);
}
