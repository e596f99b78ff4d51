// SPDX-License-Identifier: MIT
#include "avb.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bytes.h"
#include "digest.h"

#define VBMETA_MAX (1u << 20)	/* vbmeta blobs are a few KiB; refuse silly sizes */
#define TAG_HASH 2

int hwf_avb_read_footer(struct hwf_source *src, struct hwf_avb_footer *f, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	uint8_t b[64];
	int rc;

	memset(f, 0, sizeof(*f));
	if (size < 64)
		return 0;
	rc = hwf_source_read_exact(src, b, 64, size - 64, e);
	if (rc)
		return rc;
	if (memcmp(b, "AVBf", 4))
		return 0;
	f->major = get_be32(b + 4);
	f->minor = get_be32(b + 8);
	f->original_image_size = get_be64(b + 12);
	f->vbmeta_offset = get_be64(b + 20);
	f->vbmeta_size = get_be64(b + 28);
	return 1;
}

static int relocated_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct hwf_avb_relocation *r = ctx;
	uint8_t *p = buf;

	while (len) {
		size_t n;

		if (off < r->body) {
			int rc;

			n = r->body - off < len ? (size_t)(r->body - off) : len;
			rc = hwf_source_read_exact(r->img, p, n, off, e);
			if (rc)
				return rc;
		} else if (off < r->part_size - 64) {
			n = r->part_size - 64 - off < len ? (size_t)(r->part_size - 64 - off) : len;
			memset(p, 0, n);
		} else {
			n = len;	/* the source never asks past its size */
			memcpy(p, r->footer + (off - (r->part_size - 64)), n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

int hwf_avb_relocate_footer(struct hwf_avb_relocation *r, struct hwf_source *img,
			    uint64_t part_size, struct hwf_source **out, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(img);
	struct hwf_avb_footer f;
	int rc = hwf_avb_read_footer(img, &f, e);

	if (rc < 0)
		return rc;
	if (rc == 0 || size >= part_size)
		return hwf_err_set(e, HWF_EINVAL, "%s: no AVB footer to move", hwf_source_name(img));
	memset(r, 0, sizeof(*r));
	r->img = img;
	r->body = size - 64;
	r->part_size = part_size;
	rc = hwf_source_read_exact(img, r->footer, 64, size - 64, e);
	if (rc)
		return rc;
	return hwf_source_open_callback(out, part_size, hwf_source_name(img), relocated_read, r, e);
}

static int in_range(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* Load the vbmeta blob (bounded) and check it; *out is malloc'ed. */
static int load(struct hwf_source *src, uint64_t off, uint64_t len, uint8_t **out,
		struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	uint64_t auth, aux;
	uint8_t *v;
	int rc;

	*out = NULL;
	if (len < 256 || len > VBMETA_MAX)
		return hwf_err_set(e, HWF_EFORMAT, "%s: vbmeta size %llu is impossible", fn,
				   (unsigned long long)len);
	if (!in_range(off, len, hwf_source_size(src)))
		return hwf_err_set(e, HWF_ETRUNC, "%s: vbmeta at byte %llu reaches past the end",
				   fn, (unsigned long long)off);
	v = malloc(len);
	if (!v)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_source_read_exact(src, v, len, off, e);
	if (rc)
		goto fail;
	rc = HWF_EFORMAT;
	if (memcmp(v, "AVB0", 4)) {
		hwf_err_set(e, rc, "%s: no vbmeta (AVB0) where the footer points (byte %llu)", fn,
			    (unsigned long long)off);
		goto fail;
	}
	if (get_be32(v + 4) != 1) {
		hwf_err_set(e, rc, "%s: vbmeta needs libavb %u.x", fn, get_be32(v + 4));
		goto fail;
	}
	auth = get_be64(v + 12);
	aux = get_be64(v + 20);
	if (auth % 64 || aux % 64 || !in_range(256, auth, len) || !in_range(256 + auth, aux, len) ||
	    v[128 + 47] != 0 ||
	    !in_range(get_be64(v + 32), get_be64(v + 40), auth) ||
	    !in_range(get_be64(v + 48), get_be64(v + 56), auth) ||
	    !in_range(get_be64(v + 64), get_be64(v + 72), aux) ||
	    !in_range(get_be64(v + 80), get_be64(v + 88), aux) ||
	    !in_range(get_be64(v + 96), get_be64(v + 104), aux)) {
		hwf_err_set(e, rc, "%s: vbmeta header is inconsistent (block sizes or ranges)", fn);
		goto fail;
	}
	*out = v;
	return 0;
fail:
	free(v);
	return rc;
}

/* Find the first HASH descriptor: body pointer and its length. */
static const uint8_t *find_hash(const uint8_t *v, uint64_t *blen)
{
	uint64_t auth = get_be64(v + 12);
	const uint8_t *aux = v + 256 + auth;
	uint64_t off = get_be64(v + 96), end = off + get_be64(v + 104);

	while (off + 16 <= end) {
		uint64_t tag = get_be64(aux + off), nb = get_be64(aux + off + 8);

		if (nb > end - off - 16)
			return NULL;
		if (tag == TAG_HASH && nb >= 132 - 16) {
			*blen = nb + 16;
			return aux + off;
		}
		off += 16 + nb;
	}
	return NULL;
}

/* The first "com.android.build.*.fingerprint" property descriptor (tag 0). */
static void find_fingerprint(const uint8_t *v, char *out, size_t outlen)
{
	const uint8_t *aux = v + 256 + get_be64(v + 12);
	uint64_t off = get_be64(v + 96), end = off + get_be64(v + 104);

	while (off + 16 <= end) {
		uint64_t tag = get_be64(aux + off), nb = get_be64(aux + off + 8);

		if (nb > end - off - 16)
			return;
		if (tag == 0 && nb >= 16) {
			const uint8_t *p = aux + off + 16;
			uint64_t kl = get_be64(p), vl = get_be64(p + 8);

			if (kl < nb && vl < nb && 16 + kl + 1 + vl <= nb && kl > 30 &&
			    !memcmp(p + 16, "com.android.build.", 18) &&
			    !memcmp(p + 16 + kl - 12, ".fingerprint", 12)) {
				size_t n = vl < outlen - 1 ? (size_t)vl : outlen - 1;

				memcpy(out, p + 16 + kl + 1, n);
				out[n] = '\0';
				return;
			}
		}
		off += 16 + nb;
	}
}

int hwf_avb_parse_vbmeta(struct hwf_source *src, uint64_t off, uint64_t len,
			 struct hwf_avb_info *info, struct hwf_err *e)
{
	const uint8_t *d;
	uint64_t dlen;
	uint8_t *v;
	int rc = load(src, off, len, &v, e);

	memset(info, 0, sizeof(*info));
	if (rc)
		return rc;
	info->algorithm = get_be32(v + 28);
	info->rollback_index = get_be64(v + 112);
	info->flags = get_be32(v + 120);
	memcpy(info->release, v + 128, 48);
	if (get_be64(v + 72)) {
		const uint8_t *aux = v + 256 + get_be64(v + 12);

		info->has_key = 1;
		EVP_Digest(aux + get_be64(v + 64), get_be64(v + 72), info->key_sha1, NULL,
			   EVP_sha1(), NULL);
	}
	find_fingerprint(v, info->fingerprint, sizeof(info->fingerprint));
	d = find_hash(v, &dlen);
	if (d) {
		uint32_t nl = get_be32(d + 56), sl = get_be32(d + 60), dl = get_be32(d + 64);

		if ((uint64_t)132 + nl + sl + dl <= dlen) {
			info->has_hash = 1;
			info->image_size = get_be64(d + 16);
			memcpy(info->hash_alg, d + 24, 32);
			memcpy(info->partition, d + 132, nl < sizeof(info->partition) - 1
								? nl
								: sizeof(info->partition) - 1);
		}
	}
	free(v);
	return 0;
}

int hwf_avb_check_digest(struct hwf_source *src, uint64_t vbmeta_off, uint64_t vbmeta_len,
			 struct hwf_avb_info *info, hwf_progress_fn progress, void *pctx,
			 struct hwf_err *e)
{
	const uint8_t *d;
	const EVP_MD *md;
	uint8_t *v, out[EVP_MAX_MD_SIZE];
	uint64_t dlen;
	int rc = load(src, vbmeta_off, vbmeta_len, &v, e);

	if (rc)
		return rc;
	info->digest_ok = 0;
	d = find_hash(v, &dlen);
	if (!d) {
		rc = hwf_err_set(e, HWF_ENOTFOUND, "%s: vbmeta has no hash descriptor",
				 hwf_source_name(src));
		goto out;
	}
	{
		uint64_t isz = get_be64(d + 16);
		uint32_t nl = get_be32(d + 56), sl = get_be32(d + 60), dl = get_be32(d + 64);
		char alg[33] = { 0 };

		memcpy(alg, d + 24, 32);
		md = !strcasecmp(alg, "sha256") ? EVP_sha256()
		     : !strcasecmp(alg, "sha512") ? EVP_sha512()
						  : NULL;
		if (!md) {
			rc = hwf_err_set(e, HWF_EUNSUPPORTED, "%s: hash algorithm '%s' unknown",
					 hwf_source_name(src), alg);
			goto out;
		}
		if ((uint64_t)132 + nl + sl + dl > dlen || dl != (uint32_t)EVP_MD_size(md) ||
		    isz > hwf_source_size(src)) {
			rc = hwf_err_set(e, HWF_EFORMAT,
					 "%s: hash descriptor is inconsistent (sizes)",
					 hwf_source_name(src));
			goto out;
		}
		rc = hwf_digest_source(src, md, d + 132 + nl, sl, isz, out, progress, pctx, e);
		if (rc)
			goto out;
		info->digest_ok = !memcmp(out, d + 132 + nl + sl, dl);
	}
out:
	free(v);
	return rc;
}

/* --- signatures --- */

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>

/* An RSA public key from AVB's binary format: u32 bits, u32 n0inv, n, rr (big-endian). */
static EVP_PKEY *avb_key_to_pkey(const uint8_t *k, uint64_t len)
{
	uint32_t bits;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = NULL, *ex = NULL;

	if (len < 8)
		return NULL;
	bits = get_be32(k);
	if (bits < 1024 || bits > 16384 || bits % 8 || len < 8 + 2ull * (bits / 8))
		return NULL;
	n = BN_bin2bn(k + 8, (int)(bits / 8), NULL);
	ex = BN_new();
	bld = OSSL_PARAM_BLD_new();
	if (!n || !ex || !bld || !BN_set_word(ex, 65537) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ex))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(ex);
	return pkey;
}

static EVP_PKEY *load_user_key(const char *path, struct hwf_err *e)
{
	FILE *f = fopen(path, "rb");
	EVP_PKEY *pkey = NULL;
	uint8_t buf[8192];
	size_t n;

	if (!f) {
		hwf_err_set(e, HWF_EIO, "%s: cannot open the key", path);
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf), f);
	rewind(f);
	if (n >= 11 && !memcmp(buf, "-----BEGIN ", 11)) {
		pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		if (!pkey) {
			rewind(f);
			pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		}
	} else {
		pkey = avb_key_to_pkey(buf, n);
	}
	fclose(f);
	if (!pkey)
		hwf_err_set(e, HWF_EFORMAT,
			    "%s: not an RSA key in PEM or AVB's binary public key format", path);
	return pkey;
}

static int same_key(EVP_PKEY *a, EVP_PKEY *b)
{
	return EVP_PKEY_eq(a, b) == 1;
}

int hwf_avb_verify_signature(struct hwf_source *src, uint64_t off, uint64_t len,
			     const char *key_path, enum hwf_avb_sig *result, struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	EVP_PKEY *embedded = NULL, *user = NULL;
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md;
	uint8_t *v, hash[EVP_MAX_MD_SIZE];
	uint64_t auth, aux;
	unsigned hlen = 0;
	uint32_t alg;
	int rc = load(src, off, len, &v, e);

	*result = HWF_AVB_SIG_BAD;
	if (rc)
		return rc;
	alg = get_be32(v + 28);
	auth = get_be64(v + 12);
	aux = get_be64(v + 20);
	if (alg == 0) {
		*result = HWF_AVB_SIG_NONE;
		goto out;
	}
	if (alg > 6) {
		rc = hwf_err_set(e, HWF_EUNSUPPORTED, "%s: vbmeta algorithm %u is unknown", fn, alg);
		goto out;
	}
	md = alg <= 3 ? EVP_sha256() : EVP_sha512();
	embedded = avb_key_to_pkey(v + 256 + auth + get_be64(v + 64), get_be64(v + 72));
	if (!embedded) {
		rc = hwf_err_set(e, HWF_EFORMAT, "%s: the vbmeta's public key cannot be read", fn);
		goto out;
	}
	if (key_path) {
		user = load_user_key(key_path, e);
		if (!user) {
			rc = e ? e->code : HWF_EFORMAT;
			goto out;
		}
		if (!same_key(user, embedded)) {
			*result = HWF_AVB_SIG_OTHER_KEY;
			goto out;
		}
	}
	/* The auth block holds H(header || aux) and the signature over the same bytes. */
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL)) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	EVP_DigestUpdate(ctx, v, 256);
	EVP_DigestUpdate(ctx, v + 256 + auth, aux);
	EVP_DigestFinal_ex(ctx, hash, &hlen);
	if (get_be64(v + 40) != hlen || memcmp(v + 256 + get_be64(v + 32), hash, hlen))
		goto out;
	EVP_MD_CTX_free(ctx);
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, embedded) == 1 &&
	    EVP_DigestVerifyUpdate(ctx, v, 256) == 1 &&
	    EVP_DigestVerifyUpdate(ctx, v + 256 + auth, aux) == 1 &&
	    EVP_DigestVerifyFinal(ctx, v + 256 + get_be64(v + 48), get_be64(v + 56)) == 1)
		*result = HWF_AVB_SIG_OK;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(embedded);
	EVP_PKEY_free(user);
	free(v);
	return rc;
}
