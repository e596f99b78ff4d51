// SPDX-License-Identifier: MIT
/* avbtool add_hash_footer, streamed and signed with OpenSSL: see avb_sign.h. */
#include "formats/image/avb_sign.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/avb.h"

#define VBMETA_MAX (64u * 1024u)
#define HEADER	   256u
#define HASH_DESC  132u /* AvbHashDescriptor with its tag and length */
#define PROP_DESC  32u	/* AvbPropertyDescriptor with its tag and length */
#define COPY_CHUNK (1u << 20)

static const struct {
	const char *name;
	unsigned hash_len, key_bits;
} algs[] = {
    {"NONE", 0, 0},
    {"SHA256_RSA2048", 32, 2048},
    {"SHA256_RSA4096", 32, 4096},
    {"SHA256_RSA8192", 32, 8192},
    {"SHA512_RSA2048", 64, 2048},
    {"SHA512_RSA4096", 64, 4096},
    {"SHA512_RSA8192", 64, 8192},
};
#define NALGS (int)(sizeof(algs) / sizeof(algs[0]))

int hwf_avb_algorithm_by_name(const char *name)
{
	for (int i = 0; i < NALGS; i++)
		if (!strcmp(algs[i].name, name))
			return i;
	return -1;
}

static uint64_t round_up(uint64_t n, uint64_t m)
{
	return (n + m - 1) / m * m;
}

/* --- the key --- */

/* The passphrase callback: never asks (an encrypted key is named instead); notes the call. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return -1;
}

static int load_key(const char *path, EVP_PKEY **out, struct hwf_err *e)
{
	FILE *f = fopen(path, "rb");
	EVP_PKEY *k, *pub = NULL;
	int asked = 0;

	*out = NULL;
	if (!f)
		return hwf_err_set(e, HWF_EIO, "%s: cannot open the key: %s", path,
				   strerror(errno));
	k = PEM_read_PrivateKey(f, NULL, no_passphrase, &asked);
	if (!k && !asked && fseek(f, 0, SEEK_SET) == 0)
		pub = PEM_read_PUBKEY(f, NULL, no_passphrase, &asked);
	fclose(f);
	if (pub) {
		EVP_PKEY_free(pub);
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: a public key; signing needs the private key it belongs to",
				   path);
	}
	if (!k && asked)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: an encrypted private key; hwflash asks for no passphrase "
				   "(openssl pkey -in %s -out plain.pem writes it unencrypted)",
				   path, path);
	if (!k)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: not a private key in PEM (make one with: openssl genpkey "
				   "-algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out key.pem)",
				   path);
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		return hwf_err_set(e, HWF_EFORMAT, "%s: not an RSA key; AVB signs with RSA", path);
	}
	*out = k;
	return 0;
}

/*
 * AVB's public key blob (AvbRSAPublicKeyHeader): u32 key_num_bits, u32
 * n0inv = -1/n mod 2^32, n, rr = 2^(2 * bits) mod n, big-endian.  @blob has
 * 8 + 2 * bits/8 bytes.  The exponent must be 65537 (libavb assumes it).
 */
static int key_blob(EVP_PKEY *k, const char *path, unsigned bits, uint8_t *blob, struct hwf_err *e)
{
	BIGNUM *n = NULL, *ex = NULL, *rr = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	unsigned nb = bits / 8;
	uint32_t n0, x;
	int rc = HWF_ENOMEM;

	if (!rr || !ctx || !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &ex)) {
		hwf_err_set(e, rc, "%s: cannot read the key's modulus", path);
		goto out;
	}
	if (!BN_is_word(ex, 65537)) {
		rc = hwf_err_set(e, HWF_EFORMAT,
				 "%s: the key's public exponent is not 65537, the one libavb uses",
				 path);
		goto out;
	}
	put_be32(blob, bits);
	if (BN_bn2binpad(n, blob + 8, (int)nb) != (int)nb || !BN_set_bit(rr, (int)(2 * bits)) ||
	    !BN_mod(rr, rr, n, ctx) || BN_bn2binpad(rr, blob + 8 + nb, (int)nb) != (int)nb) {
		hwf_err_set(e, rc, "%s: cannot compute the key's Montgomery values", path);
		goto out;
	}
	/* Newton's iteration for 1/n0 mod 2^32 (n is odd): 5 steps double 1 bit to 32. */
	n0 = get_be32(blob + 8 + nb - 4);
	x = n0;
	for (int i = 0; i < 5; i++)
		x *= 2 - n0 * x;
	put_be32(blob + 4, (uint32_t)(0u - x));
	rc = 0;
out:
	BN_free(n);
	BN_free(ex);
	BN_free(rr);
	BN_CTX_free(ctx);
	return rc;
}

/* --- the vbmeta blob --- */

struct blob {
	uint8_t *p;
	size_t len;
};

/* A hash descriptor: tag 2, name, salt, digest, padded to 8. */
static size_t hash_desc(uint8_t *d, const char *part, const uint8_t *salt, size_t slen,
			const uint8_t *digest, uint64_t image_size)
{
	size_t nl = strlen(part), body = HASH_DESC - 16 + nl + slen + 32;
	size_t padded = (size_t)round_up(body, 8);

	memset(d, 0, 16 + padded);
	put_be64(d, 2);
	put_be64(d + 8, padded);
	put_be64(d + 16, image_size);
	memcpy(d + 24, "sha256", 6);
	put_be32(d + 56, (uint32_t)nl);
	put_be32(d + 60, (uint32_t)slen);
	put_be32(d + 64, 32);
	put_be32(d + 68, 0); /* flags */
	memcpy(d + HASH_DESC, part, nl);
	memcpy(d + HASH_DESC + nl, salt, slen);
	memcpy(d + HASH_DESC + nl + slen, digest, 32);
	return 16 + padded;
}

/* A property descriptor: tag 0, key NUL value NUL, padded to 8. */
static size_t prop_desc(uint8_t *d, const char *prop)
{
	const char *colon = strchr(prop, ':');
	size_t kl = (size_t)(colon - prop), vl = strlen(colon + 1);
	size_t body = PROP_DESC - 16 + kl + 1 + vl + 1, padded = (size_t)round_up(body, 8);

	memset(d, 0, 16 + padded);
	put_be64(d, 0);
	put_be64(d + 8, padded);
	put_be64(d + 16, kl);
	put_be64(d + 24, vl);
	memcpy(d + PROP_DESC, prop, kl);
	memcpy(d + PROP_DESC + kl + 1, colon + 1, vl);
	return 16 + padded;
}

/* key NUL value NUL: the property's own length + 1. */
static size_t prop_desc_size(const char *prop)
{
	return 16 + (size_t)round_up(PROP_DESC - 16 + strlen(prop) + 1, 8);
}

/* The vbmeta's blocks for these options: 0, or HWF_EINVAL past the 64 KiB a bootloader reads. */
static int vbmeta_sizes(const struct hwf_avb_sign_opts *o, int alg, size_t klen, size_t slen,
			uint64_t *auth, uint64_t *aux, struct hwf_err *e)
{
	size_t dlen = 16 + (size_t)round_up(HASH_DESC - 16 + strlen(o->partition) + slen + 32, 8);
	uint64_t total;

	for (size_t i = 0; i < o->nprops; i++)
		dlen += prop_desc_size(o->props[i]);
	*aux = round_up(dlen + klen, 64);
	*auth = round_up((uint64_t)algs[alg].hash_len + algs[alg].key_bits / 8, 64);
	total = HEADER + *auth + *aux;
	if (total > VBMETA_MAX)
		return hwf_err_set(e, HWF_EINVAL,
				   "the vbmeta would be %llu bytes; a bootloader reads at most %u "
				   "(fewer or shorter --prop)",
				   (unsigned long long)total, VBMETA_MAX);
	return 0;
}

/*
 * The blob avbtool's _generate_vbmeta_blob makes: header, authentication
 * block (hash, signature), auxiliary block (descriptors, public key).
 */
static int make_vbmeta(const struct hwf_avb_sign_opts *o, int alg, EVP_PKEY *key,
		       const uint8_t *kblob, size_t klen, const uint8_t *salt, size_t slen,
		       const uint8_t *digest, uint64_t image_size, struct blob *out,
		       struct hwf_err *e)
{
	const EVP_MD *md = algs[alg].hash_len == 64 ? EVP_sha512() : EVP_sha256();
	EVP_MD_CTX *hctx = NULL, *sctx = NULL;
	uint64_t auth, aux, total;
	uint8_t *v, *a, *x;
	size_t off, siglen;
	int rc = vbmeta_sizes(o, alg, klen, slen, &auth, &aux, e);

	if (rc)
		return rc;
	total = HEADER + auth + aux;
	v = calloc(1, (size_t)total);
	if (!v)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	a = v + HEADER;
	x = a + auth;
	/* Auxiliary block: descriptors at 0, then the public key. */
	off = hash_desc(x, o->partition, salt, slen, digest, image_size);
	for (size_t i = 0; i < o->nprops; i++)
		off += prop_desc(x + off, o->props[i]);
	memcpy(x + off, kblob, klen);
	/* The header (AvbVBMetaImageHeader). */
	memcpy(v, "AVB0", 4);
	put_be32(v + 4, 1);
	put_be32(v + 8, 0);
	put_be64(v + 12, auth);
	put_be64(v + 20, aux);
	put_be32(v + 28, (uint32_t)alg);
	put_be64(v + 32, 0);			  /* hash offset */
	put_be64(v + 40, algs[alg].hash_len);	  /* hash size */
	put_be64(v + 48, algs[alg].hash_len);	  /* signature offset */
	put_be64(v + 56, algs[alg].key_bits / 8); /* signature size */
	put_be64(v + 64, off);			  /* public key offset */
	put_be64(v + 72, klen);
	put_be64(v + 80, off + klen); /* public key metadata: none */
	put_be64(v + 88, 0);
	put_be64(v + 96, 0); /* descriptors */
	put_be64(v + 104, off);
	put_be64(v + 112, o->rollback_index);
	put_be32(v + 120, o->flags);
	put_be32(v + 124, 0); /* rollback index location */
	memcpy(v + 128, o->release ? o->release : HWF_AVB_RELEASE,
	       strlen(o->release ? o->release : HWF_AVB_RELEASE));
	if (alg) {
		siglen = algs[alg].key_bits / 8;
		hctx = EVP_MD_CTX_new();
		sctx = EVP_MD_CTX_new();
		/* The hash of header || aux, then the signature over the same bytes. */
		if (!hctx || !sctx || EVP_DigestInit_ex(hctx, md, NULL) != 1 ||
		    EVP_DigestUpdate(hctx, v, HEADER) != 1 ||
		    EVP_DigestUpdate(hctx, x, (size_t)aux) != 1 ||
		    EVP_DigestFinal_ex(hctx, a, NULL) != 1 ||
		    EVP_DigestSignInit(sctx, NULL, md, NULL, key) != 1 ||
		    EVP_DigestSignUpdate(sctx, v, HEADER) != 1 ||
		    EVP_DigestSignUpdate(sctx, x, (size_t)aux) != 1 ||
		    EVP_DigestSignFinal(sctx, a + algs[alg].hash_len, &siglen) != 1 ||
		    siglen != algs[alg].key_bits / 8) {
			EVP_MD_CTX_free(hctx);
			EVP_MD_CTX_free(sctx);
			free(v);
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: OpenSSL could not sign with the key", o->key_path);
		}
		EVP_MD_CTX_free(hctx);
		EVP_MD_CTX_free(sctx);
	}
	out->p = v;
	out->len = (size_t)total;
	return 0;
}

/* --- checks before writing --- */

static int check_opts(const struct hwf_avb_sign_opts *o, struct hwf_err *e)
{
	const char *rel = o->release ? o->release : HWF_AVB_RELEASE;

	if (!o->partition || !o->partition[0] || strlen(o->partition) > 255)
		return hwf_err_set(e, HWF_EINVAL, "a partition name (1-255 characters) is needed");
	if (o->partition_size < HWF_AVB_FOOTER_RESERVE)
		return hwf_err_set(e, HWF_EINVAL,
				   "partition size %llu is too small: avbtool reserves %u bytes "
				   "for the vbmeta and the footer",
				   (unsigned long long)o->partition_size, HWF_AVB_FOOTER_RESERVE);
	if (o->partition_size % HWF_AVB_BLOCK)
		return hwf_err_set(e, HWF_EINVAL,
				   "partition size %llu is not a multiple of the %u-byte block",
				   (unsigned long long)o->partition_size, HWF_AVB_BLOCK);
	if (o->salt && o->salt_len > HWF_AVB_MAX_SALT)
		return hwf_err_set(e, HWF_EINVAL, "salt of %zu bytes; at most %u", o->salt_len,
				   HWF_AVB_MAX_SALT);
	if (strlen(rel) > 47)
		return hwf_err_set(e, HWF_EINVAL, "release string longer than 47 bytes");
	for (size_t i = 0; i < o->nprops; i++)
		if (!strchr(o->props[i], ':') || o->props[i][0] == ':')
			return hwf_err_set(e, HWF_EINVAL, "property '%s' is not KEY:VALUE",
					   o->props[i]);
	return 0;
}

/* The algorithm: the one asked for, checked against the key; else by the key's size. */
static int pick_algorithm(const struct hwf_avb_sign_opts *o, EVP_PKEY *key, int *alg,
			  struct hwf_err *e)
{
	int bits = key ? EVP_PKEY_get_bits(key) : 0;

	*alg = o->algorithm ? hwf_avb_algorithm_by_name(o->algorithm) : -1;
	if (o->algorithm && *alg < 0)
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "algorithm '%s' is unknown (SHA256_RSA2048, SHA256_RSA4096, "
		    "SHA256_RSA8192, SHA512_RSA2048, SHA512_RSA4096, SHA512_RSA8192, "
		    "NONE)",
		    o->algorithm);
	if (!key) {
		if (*alg > 0)
			return hwf_err_set(e, HWF_EINVAL, "algorithm %s needs a key (--key)",
					   o->algorithm);
		*alg = 0;
		return 0;
	}
	if (*alg == 0)
		return hwf_err_set(e, HWF_EINVAL, "algorithm NONE signs nothing: drop --key");
	if (*alg < 0) {
		for (int i = 1; i < NALGS && *alg < 0; i++)
			if (algs[i].key_bits == (unsigned)bits)
				*alg = i;
		if (*alg < 0)
			return hwf_err_set(
			    e, HWF_EINVAL,
			    "%s: a %d-bit key; AVB signs with 2048, 4096 or 8192 bits", o->key_path,
			    bits);
	}
	if (algs[*alg].key_bits != (unsigned)bits)
		return hwf_err_set(e, HWF_EINVAL, "%s: a %d-bit key, algorithm %s needs %u bits",
				   o->key_path, bits, algs[*alg].name, algs[*alg].key_bits);
	return 0;
}

/* --- writing --- */

static int put(int fd, const void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hwf_err_set(e, n < 0 && errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
					   "cannot write the signed image: %s",
					   strerror(n < 0 ? errno : EIO));
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy img[0:size] to @fd while hashing salt || those bytes. */
static int copy_and_hash(struct hwf_source *img, uint64_t size, int fd, const uint8_t *salt,
			 size_t slen, uint8_t *digest, const struct hwf_avb_sign_opts *o,
			 struct hwf_err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(COPY_CHUNK);
	int rc = 0;

	if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, salt, slen) != 1) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < COPY_CHUNK ? (size_t)(size - off) : COPY_CHUNK;

		rc = hwf_source_read_exact(img, buf, n, off, e);
		if (!rc)
			rc = put(fd, buf, n, off, e);
		if (rc)
			goto out;
		EVP_DigestUpdate(ctx, buf, n);
		off += n;
		if (o->progress)
			o->progress(o->pctx, off, size);
	}
	if (EVP_DigestFinal_ex(ctx, digest, NULL) != 1)
		rc = hwf_err_set(e, HWF_ENOMEM, "sha256 failed");
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int hwf_avb_add_hash_footer(struct hwf_source *img, int out_fd, const struct hwf_avb_sign_opts *o,
			    struct hwf_avb_sign_result *r, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(img), max_image;
	uint8_t kblob[8 + 2 * 1024], footer[64] = {0};
	struct hwf_avb_footer f;
	struct blob vb = {0};
	EVP_PKEY *key = NULL;
	size_t klen = 0;
	int alg, rc;

	memset(r, 0, sizeof(*r));
	rc = check_opts(o, e);
	if (rc)
		return rc;
	/* avbtool signs a sparse image's expanded bytes; this engine reads raw ones. */
	if (size >= 4) {
		uint8_t m[4];

		rc = hwf_source_read_exact(img, m, 4, 0, e);
		if (rc)
			return rc;
		if (get_le32(m) == 0xed26ff3au)
			return hwf_err_set(e, HWF_EUNSUPPORTED,
					   "%s is a sparse image: expand it first (hwflash image "
					   "unpack, or simg2img) and sign the raw image",
					   hwf_source_name(img));
	}
	/* An image with a footer is signed over what it had before its footer. */
	rc = hwf_avb_read_footer(img, &f, e);
	if (rc < 0)
		return rc;
	r->image_size = size;
	if (rc == 1) {
		if (f.original_image_size > size - 64)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: its AVB footer says the image has %llu bytes, the "
					   "file only %llu",
					   hwf_source_name(img),
					   (unsigned long long)f.original_image_size,
					   (unsigned long long)size);
		r->image_size = f.original_image_size;
		r->replaced = 1;
	}
	if (!r->image_size)
		return hwf_err_set(e, HWF_EFORMAT, "%s: %s: nothing to sign", hwf_source_name(img),
				   r->replaced ? "no bytes before its AVB footer"
					       : "empty (0 bytes)");
	max_image = o->partition_size - HWF_AVB_FOOTER_RESERVE;
	if (r->image_size > max_image)
		return hwf_err_set(e, HWF_ENOSPC,
				   "%s: %llu bytes do not fit in partition size %llu with AVB's "
				   "metadata: at most %llu bytes (the partition size less %u for "
				   "the vbmeta and the footer)",
				   hwf_source_name(img), (unsigned long long)r->image_size,
				   (unsigned long long)o->partition_size,
				   (unsigned long long)max_image, HWF_AVB_FOOTER_RESERVE);
	if (o->key_path) {
		rc = load_key(o->key_path, &key, e);
		if (rc)
			return rc;
	}
	rc = pick_algorithm(o, key, &alg, e);
	if (rc)
		goto out;
	r->algorithm = (uint32_t)alg;
	if (key) {
		r->key_bits = algs[alg].key_bits;
		klen = 8 + 2 * (r->key_bits / 8);
		rc = key_blob(key, o->key_path, r->key_bits, kblob, e);
		if (rc)
			goto out;
		EVP_Digest(kblob, klen, r->key_sha1, NULL, EVP_sha1(), NULL);
	}
	if (o->salt) {
		memcpy(r->salt, o->salt, o->salt_len);
		r->salt_len = o->salt_len;
	} else {
		r->salt_len = 32;
		if (RAND_bytes(r->salt, 32) != 1) {
			rc = hwf_err_set(e, HWF_EIO, "OpenSSL has no random bytes for the salt");
			goto out;
		}
	}
	/* The vbmeta's size too is known before the first byte is written. */
	{
		uint64_t auth, aux;

		rc = vbmeta_sizes(o, alg, klen, r->salt_len, &auth, &aux, e);
		if (rc)
			goto out;
	}
	rc = copy_and_hash(img, r->image_size, out_fd, r->salt, r->salt_len, r->digest, o, e);
	if (rc)
		goto out;
	rc = make_vbmeta(o, alg, key, kblob, klen, r->salt, r->salt_len, r->digest, r->image_size,
			 &vb, e);
	if (rc)
		goto out;
	r->vbmeta_offset = round_up(r->image_size, HWF_AVB_BLOCK);
	r->vbmeta_size = vb.len;
	r->auth_size = get_be64(vb.p + 12);
	r->aux_size = get_be64(vb.p + 20);
	memcpy(footer, "AVBf", 4);
	put_be32(footer + 4, 1);
	put_be32(footer + 8, 0);
	put_be64(footer + 12, r->image_size);
	put_be64(footer + 20, r->vbmeta_offset);
	put_be64(footer + 28, r->vbmeta_size);
	rc = put(out_fd, vb.p, vb.len, r->vbmeta_offset, e);
	if (!rc)
		rc = put(out_fd, footer, 64, o->partition_size - 64, e);
	if (!rc && ftruncate(out_fd, (off_t)o->partition_size))
		rc = hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
				 "cannot size the signed image: %s", strerror(errno));
out:
	free(vb.p);
	EVP_PKEY_free(key);
	return rc;
}
