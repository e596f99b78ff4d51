/* SPDX-License-Identifier: MIT */
/*
 * AVB signing: an AVB hash footer added to (or replaced in) a partition
 * image exactly as `avbtool add_hash_footer` lays it out (avbtool 1.3.0,
 * block size 4096):
 *
 *   image[0:image_size] | zeros to 4096 | vbmeta blob, zeros to 4096 |
 *   zeros | 4096-byte block ending in the 64-byte AVBf footer
 *
 * and exactly partition_size bytes long.  The vbmeta holds one hash
 * descriptor (sha256, digest = H(salt || image[0:image_size])) followed by
 * the property descriptors, in the order given; its auxiliary block is
 * descriptors, public key (AVB's binary format: bits, n0inv, n, rr); its
 * authentication block the hash of header || auxiliary block and the RSA
 * PKCS#1 v1.5 signature over it (OpenSSL: the same bytes avbtool makes with
 * its DER prefix).  Without a key the algorithm is NONE (no hash, no
 * signature, an empty authentication block).  An image that already has a
 * footer is signed over its original_image_size (old vbmeta and footer
 * dropped), as avbtool does.  The image is streamed (read once, hashed
 * while copied), never loaded.  Facts: /work/shared/reference/avb-and-repack.md.
 *
 * Memory: nothing is kept; the options and strings are the caller's.
 * Errors: HWF_EINVAL (options: partition size, salt, properties, algorithm
 * against the key: each a sentence), HWF_ENOSPC (the image does not fit in
 * the partition with the vbmeta and footer), HWF_EUNSUPPORTED (a sparse image: avbtool
 * would sign its expanded bytes; expand it first),
 * HWF_EFORMAT (an empty image; a footer that contradicts the file; a key
 * that is not an RSA private key: a public key, an encrypted one (no
 * passphrase is ever asked for), not PEM), HWF_EIO (the key file, reading, writing), HWF_ENOSPC,
 * HWF_ENOMEM.
 */
#ifndef HWF_AVB_SIGN_H
#define HWF_AVB_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

/* avbtool's MAX_VBMETA_SIZE + MAX_FOOTER_SIZE: what add_hash_footer reserves. */
#define HWF_AVB_FOOTER_RESERVE (64u * 1024u + 4096u)
#define HWF_AVB_BLOCK	       4096u
#define HWF_AVB_RELEASE	       "avbtool 1.3.0"
#define HWF_AVB_MAX_SALT       256u

struct hwf_avb_sign_opts {
	const char *partition;	 /* the hash descriptor's partition name */
	uint64_t partition_size; /* the output's size: a multiple of 4096 */
	const char *key_path;	 /* RSA private key (PEM); NULL: algorithm NONE */
	const char *algorithm;	 /* "SHA256_RSA4096"...; NULL: by the key's size */
	uint64_t rollback_index;
	uint32_t flags;		  /* vbmeta header flags (HWF_AVB_FLAG_*), usually 0 */
	const char *const *props; /* "KEY:VALUE" property descriptors, @nprops of them */
	size_t nprops;
	const uint8_t *salt; /* NULL: 32 random bytes (OpenSSL RAND) */
	size_t salt_len;
	const char *release;	  /* NULL: HWF_AVB_RELEASE; at most 47 bytes */
	hwf_progress_fn progress; /* over the image bytes hashed; may be NULL */
	void *pctx;
};

struct hwf_avb_sign_result {
	uint64_t image_size; /* the bytes signed (the original image) */
	int replaced;	     /* the input had a footer: its vbmeta was dropped */
	uint64_t vbmeta_offset, vbmeta_size;
	uint64_t auth_size, aux_size; /* the vbmeta's two blocks */
	uint32_t algorithm;	      /* libavb's number (hwf_avb_algorithm_name) */
	uint32_t key_bits;	      /* 0 without a key */
	uint8_t key_sha1[20];	      /* SHA-1 of the public key blob (as avbtool prints) */
	uint8_t digest[32];	      /* sha256 of salt || image */
	uint8_t salt[HWF_AVB_MAX_SALT];
	size_t salt_len;
};

/*
 * Write @img with a new AVB hash footer to @out_fd, an empty regular file
 * opened for writing (the gaps are left as holes: seeks, then the final
 * size by ftruncate).  Everything is checked (options, key, sizes) before
 * the first byte is written.  @r is filled on success.
 */
int hwf_avb_add_hash_footer(struct hwf_source *img, int out_fd, const struct hwf_avb_sign_opts *o,
			    struct hwf_avb_sign_result *r, struct hwf_err *e);

/* libavb's algorithm number for @name ("SHA256_RSA2048", "NONE", ...), or -1. */
int hwf_avb_algorithm_by_name(const char *name);

#endif
