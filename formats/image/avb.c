// SPDX-License-Identifier: MIT
#include "formats/image/avb.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/core/bytes.h"
#include "formats/core/digest.h"

/* libavb reads at most 64 KiB of vbmeta (avb_slot_verify.c VBMETA_MAX_SIZE). */
#define VBMETA_MAX (64u * 1024u)
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

/*
 * Algorithms of libavb's avb_crypto.h: hash and RSA key size.  The key's
 * bits, the hash size and the signature size must all agree with it.
 */
static const struct {
	const char *name;
	unsigned hash_len, key_bits;
} algs[] = {
	{ "NONE", 0, 0 },
	{ "SHA256_RSA2048", 32, 2048 }, { "SHA256_RSA4096", 32, 4096 },
	{ "SHA256_RSA8192", 32, 8192 }, { "SHA512_RSA2048", 64, 2048 },
	{ "SHA512_RSA4096", 64, 4096 }, { "SHA512_RSA8192", 64, 8192 },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

const char *hwf_avb_algorithm_name(uint32_t alg)
{
	return alg < NALGS ? algs[alg].name : "unknown";
}

static const char *tag_name(uint64_t tag)
{
	static const char *const names[] = { "property", "hashtree", "hash", "kernel cmdline",
					     "chain partition" };

	return tag < 5 ? names[tag] : "unknown";
}

/* Smallest body (after the 16-byte tag/length) of each descriptor kind, as libavb reads it. */
static uint64_t tag_min_body(uint64_t tag)
{
	static const uint64_t min[] = { 32 - 16, 180 - 16, 132 - 16, 24 - 16, 92 - 16 };

	return tag < 5 ? min[tag] : 0;
}

/*
 * Walk the descriptors: each one lies inside the descriptor area, its
 * length is a multiple of 8 (libavb's avb_descriptor_validate_and_byteswap)
 * and it is long enough for its kind, with the names, salts and digests it
 * announces inside it.
 */
static int check_descriptors(const uint8_t *v, const char *fn, struct hwf_err *e)
{
	const uint8_t *aux = v + 256 + get_be64(v + 12);
	uint64_t off = get_be64(v + 96), end = off + get_be64(v + 104);
	unsigned n = 0;

	while (off < end) {
		uint64_t tag, nb, need = 0;
		const uint8_t *d = aux + off;

		if (end - off < 16)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: vbmeta descriptor %u is cut short "
					   "(%llu bytes left)",
					   fn, n + 1, (unsigned long long)(end - off));
		tag = get_be64(d);
		nb = get_be64(d + 8);
		if (nb % 8 || nb > end - off - 16)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: vbmeta descriptor %u (%s) says it has %llu bytes, "
					   "%llu are left in the descriptor area",
					   fn, n + 1, tag_name(tag), (unsigned long long)nb,
					   (unsigned long long)(end - off - 16));
		if (nb < tag_min_body(tag))
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: vbmeta descriptor %u (%s) is too short "
					   "(%llu bytes)",
					   fn, n + 1, tag_name(tag), (unsigned long long)nb);
		if (tag == 0)		/* key, NUL, value, NUL; each length at most nb */
			need = get_be64(d + 16) > nb || get_be64(d + 24) > nb
				       ? UINT64_MAX
				       : 16 + get_be64(d + 16) + 1 + get_be64(d + 24) + 1;
		else if (tag == 1)	/* name, salt, root digest */
			need = 180 - 16 + (uint64_t)get_be32(d + 104) + get_be32(d + 108) +
			       get_be32(d + 112);
		else if (tag == 2)	/* name, salt, digest */
			need = 132 - 16 + (uint64_t)get_be32(d + 56) + get_be32(d + 60) +
			       get_be32(d + 64);
		else if (tag == 3)	/* the command line */
			need = 24 - 16 + (uint64_t)get_be32(d + 20);
		else if (tag == 4)	/* name, public key */
			need = 92 - 16 + (uint64_t)get_be32(d + 20) + get_be32(d + 24);
		if (need > nb)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: vbmeta descriptor %u (%s) announces more names and "
					   "data than its %llu bytes hold",
					   fn, n + 1, tag_name(tag), (unsigned long long)nb);
		off += 16 + nb;
		n++;
	}
	return 0;
}

int hwf_avb_vbmeta_size(struct hwf_source *src, uint64_t off, uint64_t avail, uint64_t *size,
			struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	uint64_t auth, aux;
	uint8_t h[256];
	int rc;

	*size = 0;
	if (avail < 256)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: %llu bytes, shorter than the 256-byte vbmeta header", fn,
				   (unsigned long long)avail);
	rc = hwf_source_read_exact(src, h, sizeof(h), off, e);
	if (rc)
		return rc;
	if (memcmp(h, "AVB0", 4))
		return hwf_err_set(e, HWF_EFORMAT, "%s: no vbmeta (AVB0) at byte %llu", fn,
				   (unsigned long long)off);
	auth = get_be64(h + 12);
	aux = get_be64(h + 20);
	if (!in_range(256, auth, avail) || !in_range(256 + auth, aux, avail))
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: vbmeta header says its blocks take 256 + %llu + %llu "
				   "bytes, only %llu are there",
				   fn, (unsigned long long)auth, (unsigned long long)aux,
				   (unsigned long long)avail);
	*size = 256 + auth + aux;
	return 0;
}

/* Load the vbmeta blob (bounded) and check its structure; *out is malloc'ed. */
static int load(struct hwf_source *src, uint64_t off, uint64_t len, uint8_t **out,
		struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	uint64_t auth, aux, blob;
	uint32_t alg;
	uint8_t *v;
	int rc;

	*out = NULL;
	if (len < 256)
		return hwf_err_set(e, HWF_EFORMAT, "%s: vbmeta size %llu is impossible", fn,
				   (unsigned long long)len);
	if (!in_range(off, len, hwf_source_size(src)))
		return hwf_err_set(e, HWF_ETRUNC, "%s: vbmeta at byte %llu reaches past the end",
				   fn, (unsigned long long)off);
	rc = hwf_avb_vbmeta_size(src, off, len, &blob, e);
	if (rc)
		return rc;
	if (blob > VBMETA_MAX)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: vbmeta is %llu bytes; a bootloader reads at most %u "
				   "(libavb's VBMETA_MAX_SIZE)",
				   fn, (unsigned long long)blob, VBMETA_MAX);
	len = blob;	/* header and both blocks: all the checks below may touch */
	v = malloc(len);
	if (!v)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = hwf_source_read_exact(src, v, len, off, e);
	if (rc)
		goto fail;
	rc = HWF_EFORMAT;
	if (get_be32(v + 4) != 1) {
		hwf_err_set(e, rc, "%s: vbmeta needs libavb %u.x", fn, get_be32(v + 4));
		goto fail;
	}
	auth = get_be64(v + 12);
	aux = get_be64(v + 20);
	alg = get_be32(v + 28);
	if (auth % 64 || aux % 64) {
		hwf_err_set(e, rc,
			    "%s: vbmeta block sizes %llu and %llu are not multiples of 64 "
			    "bytes",
			    fn, (unsigned long long)auth, (unsigned long long)aux);
		goto fail;
	}
	if (!in_range(get_be64(v + 32), get_be64(v + 40), auth) ||
	    !in_range(get_be64(v + 48), get_be64(v + 56), auth)) {
		hwf_err_set(e, rc, "%s: vbmeta hash or signature lies outside its %llu-byte "
				   "authentication block", fn, (unsigned long long)auth);
		goto fail;
	}
	if (!in_range(get_be64(v + 64), get_be64(v + 72), aux) ||
	    !in_range(get_be64(v + 80), get_be64(v + 88), aux) ||
	    !in_range(get_be64(v + 96), get_be64(v + 104), aux)) {
		hwf_err_set(e, rc, "%s: vbmeta public key, key metadata or descriptors lie "
				   "outside the %llu-byte auxiliary block", fn,
			    (unsigned long long)aux);
		goto fail;
	}
	if (alg >= NALGS) {
		hwf_err_set(e, rc, "%s: vbmeta algorithm %u is unknown (libavb knows 0-%u)", fn,
			    alg, (unsigned)NALGS - 1);
		goto fail;
	}
	if (alg && get_be64(v + 40) != algs[alg].hash_len) {
		hwf_err_set(e, rc, "%s: vbmeta hash is %llu bytes, %s needs %u", fn,
			    (unsigned long long)get_be64(v + 40), algs[alg].name,
			    algs[alg].hash_len);
		goto fail;
	}
	if (alg && get_be64(v + 56) != algs[alg].key_bits / 8) {
		hwf_err_set(e, rc, "%s: vbmeta signature is %llu bytes, %s needs %u", fn,
			    (unsigned long long)get_be64(v + 56), algs[alg].name,
			    algs[alg].key_bits / 8);
		goto fail;
	}
	if (alg && get_be64(v + 72) != 8 + 2ull * (algs[alg].key_bits / 8)) {
		hwf_err_set(e, rc, "%s: vbmeta public key is %llu bytes, an %s key has %u", fn,
			    (unsigned long long)get_be64(v + 72), algs[alg].name,
			    8 + 2 * (algs[alg].key_bits / 8));
		goto fail;
	}
	if (v[128 + 47] != 0) {
		hwf_err_set(e, rc, "%s: vbmeta release string is not terminated", fn);
		goto fail;
	}
	if (check_descriptors(v, fn, e))
		goto fail;
	*out = v;
	return 0;
fail:
	free(v);
	return rc;
}

/* Find the first descriptor with @want_tag: body pointer and its length. */
static const uint8_t *find_desc(const uint8_t *v, uint64_t want_tag, uint64_t *blen)
{
	uint64_t auth = get_be64(v + 12);
	const uint8_t *aux = v + 256 + auth;
	uint64_t off = get_be64(v + 96), end = off + get_be64(v + 104);

	while (off + 16 <= end) {
		uint64_t tag = get_be64(aux + off), nb = get_be64(aux + off + 8);

		if (nb > end - off - 16)
			return NULL;
		if (tag == want_tag && nb >= tag_min_body(tag)) {
			*blen = nb + 16;
			return aux + off;
		}
		off += 16 + nb;
	}
	return NULL;
}

static const uint8_t *find_hash(const uint8_t *v, uint64_t *blen)
{
	return find_desc(v, TAG_HASH, blen);
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

/*
 * "boot, dtbo, system (hashtree), vbmeta_system (chained)": the partitions
 * the descriptors name, for a person to see what a vbmeta image covers.
 */
static void list_partitions(const uint8_t *v, struct hwf_avb_info *info)
{
	const uint8_t *aux = v + 256 + get_be64(v + 12);
	uint64_t off = get_be64(v + 96), end = off + get_be64(v + 104);
	size_t used = 0;

	while (off + 16 <= end) {
		const uint8_t *d = aux + off;
		uint64_t tag = get_be64(d), nb = get_be64(d + 8);
		const uint8_t *name = NULL;
		uint32_t nl = 0;
		const char *what = "";

		if (nb > end - off - 16)
			return;
		if (tag == 1) {
			name = d + 180;
			nl = get_be32(d + 104);
			what = " (hashtree)";
			info->n_hashtree++;
		} else if (tag == 2) {
			name = d + 132;
			nl = get_be32(d + 56);
			info->n_hash++;
		} else if (tag == 4) {
			name = d + 92;
			nl = get_be32(d + 20);
			what = " (chained)";
			info->n_chain++;
		}
		if (name && used + nl + strlen(what) + 3 < sizeof(info->partitions)) {
			if (used)
				used += (size_t)snprintf(info->partitions + used,
							 sizeof(info->partitions) - used, ", ");
			if (!nl)
				used += (size_t)snprintf(info->partitions + used,
							 sizeof(info->partitions) - used, "unnamed");
			for (uint32_t i = 0; i < nl; i++)
				info->partitions[used++] =
					name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
			used += (size_t)snprintf(info->partitions + used,
						 sizeof(info->partitions) - used, "%s", what);
		}
		info->ndesc++;
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
	info->blob_size = 256 + get_be64(v + 12) + get_be64(v + 20);
	info->algorithm = get_be32(v + 28);
	info->rollback_index = get_be64(v + 112);
	info->flags = get_be32(v + 120);
	info->rollback_location = get_be32(v + 124);
	memcpy(info->release, v + 128, 48);
	if (get_be64(v + 72)) {
		const uint8_t *aux = v + 256 + get_be64(v + 12);

		info->has_key = 1;
		if (get_be64(v + 72) >= 8)
			info->key_bits = get_be32(aux + get_be64(v + 64));
		EVP_Digest(aux + get_be64(v + 64), get_be64(v + 72), info->key_sha1, NULL,
			   EVP_sha1(), NULL);
	}
	find_fingerprint(v, info->fingerprint, sizeof(info->fingerprint));
	list_partitions(v, info);
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

/*
 * libavb verifies with the blob's precomputed Montgomery values (n0inv =
 * -1/n mod 2^32, rr = 2^(2*bits) mod n; avb_crypto.h), OpenSSL with n alone:
 * a blob whose values do not belong to its modulus verifies here and fails
 * on the device.  The caller checked the length (8 + 2 * bits/8).
 */
static int key_values_consistent(const uint8_t *k)
{
	uint32_t bits = get_be32(k), nb = bits / 8;
	BIGNUM *n = BN_bin2bn(k + 8, (int)nb, NULL), *rr = BN_bin2bn(k + 8 + nb, (int)nb, NULL);
	BIGNUM *want = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	uint32_t n0 = get_be32(k + 8 + nb - 4);
	int ok = 0;

	if (n && rr && want && ctx && BN_set_bit(want, (int)(2 * bits)) &&
	    BN_mod(want, want, n, ctx))
		ok = BN_cmp(want, rr) == 0 && (uint32_t)(n0 * get_be32(k + 4)) == 0xffffffffu;
	BN_free(n);
	BN_free(rr);
	BN_free(want);
	BN_CTX_free(ctx);
	return ok;
}

/* H(header || aux) with the header's flags field replaced by @flags. */
static void vbmeta_hash(const uint8_t *v, uint32_t flags, const EVP_MD *md, uint8_t *out)
{
	uint8_t hdr[256];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memcpy(hdr, v, sizeof(hdr));
	put_be32(hdr + 120, flags);
	if (ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, hdr, sizeof(hdr)) &&
	    EVP_DigestUpdate(ctx, v + 256 + get_be64(v + 12), get_be64(v + 20)))
		EVP_DigestFinal_ex(ctx, out, NULL);
	else
		memset(out, 0, EVP_MD_size(md));
	EVP_MD_CTX_free(ctx);
}

/* The RSA PKCS#1 v1.5 signature over H(header || aux), the header's flags set to @flags. */
static int signature_ok(const uint8_t *v, uint32_t flags, const EVP_MD *md, EVP_PKEY *key)
{
	uint8_t hdr[256];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	memcpy(hdr, v, sizeof(hdr));
	put_be32(hdr + 120, flags);
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, hdr, sizeof(hdr)) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, v + 256 + get_be64(v + 12), get_be64(v + 20)) == 1 &&
	     EVP_DigestVerifyFinal(ctx, v + 256 + get_be64(v + 48), get_be64(v + 56)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

int hwf_avb_verify_signature(struct hwf_source *src, uint64_t off, uint64_t len,
			     const char *key_path, enum hwf_avb_sig *result, struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	EVP_PKEY *embedded = NULL, *user = NULL;
	const EVP_MD *md;
	uint8_t *v, hash[EVP_MAX_MD_SIZE];
	const uint8_t *key;
	uint32_t alg, flags, signed_flags;
	int rc = load(src, off, len, &v, e);

	*result = HWF_AVB_SIG_BAD;
	if (rc)
		return rc;
	alg = get_be32(v + 28);
	flags = get_be32(v + 120);
	if (alg == 0) {
		*result = HWF_AVB_SIG_NONE;
		goto out;
	}
	/* load() checked the algorithm, the hash, signature and key sizes against it. */
	md = algs[alg].hash_len == 32 ? EVP_sha256() : EVP_sha512();
	key = v + 256 + get_be64(v + 12) + get_be64(v + 64);
	if (get_be32(key) != algs[alg].key_bits) {
		rc = hwf_err_set(e, HWF_EFORMAT, "%s: vbmeta public key has %u bits, %s needs %u",
				 fn, get_be32(key), algs[alg].name, algs[alg].key_bits);
		goto out;
	}
	embedded = avb_key_to_pkey(key, get_be64(v + 72));
	if (!embedded) {
		rc = hwf_err_set(e, HWF_EFORMAT, "%s: the vbmeta's public key cannot be read", fn);
		goto out;
	}
	/*
	 * The hash covers the header, flags included.  fastboot --disable-verity
	 * and --disable-verification set flag bits 0 and 1 after signing, so a
	 * hash that matches with those bits as they were signed is told apart.
	 */
	signed_flags = flags;
	vbmeta_hash(v, flags, md, hash);
	if (memcmp(v + 256 + get_be64(v + 32), hash, algs[alg].hash_len)) {
		signed_flags = flags & ~3u;
		vbmeta_hash(v, signed_flags, md, hash);
		if (signed_flags == flags ||
		    memcmp(v + 256 + get_be64(v + 32), hash, algs[alg].hash_len)) {
			/* Signed contents intact, only the stored copy of the hash damaged? */
			*result = signature_ok(v, flags, md, embedded) ? HWF_AVB_SIG_BAD_STORED_HASH
								       : HWF_AVB_SIG_BAD_HASH;
			goto out;
		}
	}
	if (!signature_ok(v, signed_flags, md, embedded))
		goto out;	/* HWF_AVB_SIG_BAD */
	if (!key_values_consistent(key)) {
		*result = HWF_AVB_SIG_BAD_KEY;
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
	*result = signed_flags == flags ? HWF_AVB_SIG_OK : HWF_AVB_SIG_FLAGS_CHANGED;
out:
	EVP_PKEY_free(embedded);
	EVP_PKEY_free(user);
	free(v);
	return rc;
}
