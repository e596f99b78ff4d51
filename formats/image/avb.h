/* SPDX-License-Identifier: MIT */
/*
 * Android Verified Boot: the footer at the end of a partition image (AVBf)
 * and the vbmeta structure it points at (AVB0), big-endian.  Structural
 * checks as libavb's avb_vbmeta_image_verify, and the hash descriptor's
 * digest recomputed over the image.  Facts: fastboot-protocol.md §6.2.
 * The vbmeta signature is verified with OpenSSL (RSA PKCS#1 v1.5, SHA-256/512),
 * with the embedded key or a key the user gives (PEM or AVB's binary format).
 *
 * Memory: results are the caller's structs, filled here; a relocated image
 * (hwf_avb_relocate_footer) is a source the caller closes, borrowing
 * @img and the relocation struct.  Errors: HWF_EFORMAT (a structure that is
 * not AVB's or contradicts itself), HWF_ETRUNC, HWF_EUNSUPPORTED (an
 * algorithm or key format hwflash does not know), HWF_ENOTFOUND (no footer
 * or descriptor), HWF_EINVAL (no footer to move), HWF_EIO, HWF_ENOMEM.
 */
#ifndef HWF_AVB_H
#define HWF_AVB_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

struct hwf_avb_footer {
	uint32_t major, minor;
	uint64_t original_image_size;
	uint64_t vbmeta_offset, vbmeta_size;
};

struct hwf_avb_info {
	uint64_t blob_size;		/* header + authentication + auxiliary block */
	uint32_t algorithm;		/* 0 = NONE (unsigned); hwf_avb_algorithm_name() */
	uint64_t rollback_index;
	uint32_t rollback_location;
	uint32_t flags;			/* bit0 hashtree disabled, bit1 verification disabled */
	char release[49];
	int has_key;
	uint32_t key_bits;
	uint8_t key_sha1[20];		/* SHA-1 of the embedded public key */
	unsigned ndesc;			/* descriptors, and of them: */
	unsigned n_hash, n_hashtree, n_chain;
	char partitions[160];		/* "boot, system (hashtree), vbmeta_a (chained)" */
	int has_hash;			/* a HASH descriptor was found */
	char partition[64];		/* its partition name */
	char fingerprint[160];		/* property com.android.build.*.fingerprint, if any */
	char hash_alg[33];
	uint64_t image_size;		/* its image_size */
	int digest_ok;			/* set by hwf_avb_check_digest */
};

enum hwf_avb_sig {
	HWF_AVB_SIG_NONE,		/* algorithm NONE: not signed */
	HWF_AVB_SIG_OK,			/* hash and signature verify (with the user's key) */
	HWF_AVB_SIG_BAD_HASH,		/* header or auxiliary block changed after signing */
	HWF_AVB_SIG_BAD_STORED_HASH,	/* the stored hash is damaged (libavb compares it first) */
	HWF_AVB_SIG_BAD,		/* the signature does not verify with the embedded key */
	HWF_AVB_SIG_BAD_KEY,		/* the key blob's n0inv/rr do not fit its modulus */
	HWF_AVB_SIG_FLAGS_CHANGED,	/* verifies with flag bits 0-1 as signed: patched later,
					 * as fastboot --disable-verity/-verification does */
	HWF_AVB_SIG_OTHER_KEY,		/* verifies, but signed with another key than the user's */
};

/* "SHA256_RSA4096", "NONE", "unknown" (libavb's algorithm numbers). */
const char *hwf_avb_algorithm_name(uint32_t alg);

/*
 * Verify the vbmeta signature.  @key_path NULL: with the embedded key
 * (integrity only); else with that key (PEM public/private key, or AVB's
 * binary public key format), which must also be the embedded one.  The
 * integrity verdicts come before the key comparison.
 */
int hwf_avb_verify_signature(struct hwf_source *src, uint64_t off, uint64_t len,
			     const char *key_path, enum hwf_avb_sig *result, struct hwf_err *e);

/* 1 and @f filled when the last 64 bytes of @src are an AVB footer, 0 when not. */
int hwf_avb_read_footer(struct hwf_source *src, struct hwf_avb_footer *f, struct hwf_err *e);

/*
 * An image with an AVB footer that is smaller than its partition must have
 * the footer at the partition's end, where the bootloader looks for it
 * (AOSP fastboot moves it the same way).  Open @out as the bytes the
 * partition will hold: the image without its last 64 bytes, zeros, and the
 * footer in the last 64 bytes of @part_size.  @r holds the state and must
 * outlive @out; @img is borrowed.  HWF_EINVAL when @img has no footer or is
 * not smaller than the partition.
 */
struct hwf_avb_relocation {
	struct hwf_source *img;
	uint64_t body;		/* image bytes before its footer */
	uint64_t part_size;
	uint8_t footer[64];
};
int hwf_avb_relocate_footer(struct hwf_avb_relocation *r, struct hwf_source *img,
			    uint64_t part_size, struct hwf_source **out, struct hwf_err *e);

/*
 * The size of the vbmeta blob (256-byte header + authentication block +
 * auxiliary block) at @off of @src, whose header is read; @avail bytes are
 * there.  Overflow-safe; HWF_EFORMAT when the blocks do not fit in @avail.
 */
int hwf_avb_vbmeta_size(struct hwf_source *src, uint64_t off, uint64_t avail, uint64_t *size,
			struct hwf_err *e);

/*
 * Parse and check the vbmeta at [@off, @off + @len) of @src, as libavb's
 * avb_vbmeta_image_verify does and more: block sizes inside @len and at most
 * 64 KiB, hash/signature/key inside their blocks and sized for the
 * algorithm, every descriptor inside the descriptor area.  Fills @info
 * (first HASH descriptor).  HWF_EFORMAT with a sentence when a check fails.
 */
int hwf_avb_parse_vbmeta(struct hwf_source *src, uint64_t off, uint64_t len,
			 struct hwf_avb_info *info, struct hwf_err *e);

/*
 * Recompute H(salt || image[0:image_size]) of the hash descriptor found by
 * hwf_avb_parse_vbmeta and compare; sets info->digest_ok.  Streams.
 */
int hwf_avb_check_digest(struct hwf_source *src, uint64_t vbmeta_off, uint64_t vbmeta_len,
			 struct hwf_avb_info *info, hwf_progress_fn progress, void *pctx,
			 struct hwf_err *e);

#endif
