/* SPDX-License-Identifier: MIT */
/*
 * formats/image: what a file is and whether it is whole and sound to flash.
 * sniff.h (the kind, by content), bootimg.h, avb.h, ramdisk.h (rdtree.h:
 * a ramdisk as a folder, unpacked and packed again), sparse.h
 * (read, expand, split for fastboot), partimage.h (sizes that ext4, erofs,
 * f2fs, super and DTBO headers give), partkind.h (the one table of what a
 * partition takes), imagecheck.h (this file) and unpack.h (the engine of
 * image unpack).
 *
 * "Is this file whole and sound for that partition?"  The one question
 * asked before anything is flashed.  Findings are sentences for a person:
 * "truncated: header says 16.4 MiB, file has 12.0 MiB".
 *
 * Memory: the report is the caller's, filled here; nothing stays
 * allocated.  Errors: a check that ran returns 0 and its verdict is the
 * report's (ok, findings); a negative code (HWF_EIO ...) only when the
 * file could not be read.
 */
#ifndef HWF_IMAGECHECK_H
#define HWF_IMAGECHECK_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/image/sniff.h"
#include "formats/core/source.h"

enum hwf_severity {
	HWF_SEV_INFO,		/* a fact worth showing */
	HWF_SEV_WARN,		/* suspicious; does not fail the check */
	HWF_SEV_ERROR,		/* the image must not be flashed */
};

#define HWF_IMAGE_MAX_FINDINGS 32

struct hwf_image_finding {
	enum hwf_severity severity;
	char text[320];
};

struct hwf_image_check_opts {
	const char *partition;	/* "recovery", "boot", ... or NULL */
	const char *sha256_hex;	/* expected SHA-256 of the whole file, or NULL */
	const char *key_path;	/* AVB public key (PEM or AVB binary), or NULL */
	const char *product;	/* device product name, or NULL */
};

/*
 * What a locked bootloader would make of the image's signature (the flash
 * engine's lock gate reads it): only what the check found, never a guess.
 */
enum hwf_image_sign {
	HWF_SIGN_UNKNOWN,	/* nothing to say: no AVB expected here, or none found */
	HWF_SIGN_VALID,		/* an AVB footer or vbmeta whose signature verifies */
	HWF_SIGN_REPACKED,	/* a boot-type image with no AVB footer and no signature */
	HWF_SIGN_UNSIGNED,	/* vbmeta algorithm NONE */
	HWF_SIGN_BROKEN,	/* digest or signature no longer match (changed after signing) */
};

struct hwf_image_report {
	enum hwf_kind kind;
	int ok;			/* no HWF_SEV_ERROR finding */
	int has_vbmeta;		/* a footer or vbmeta was found: --key had a signature */
	enum hwf_image_sign sign;
	size_t nfind;
	struct hwf_image_finding find[HWF_IMAGE_MAX_FINDINGS];
};

/*
 * Check @src as an image for @o->partition.  Fills @r (findings in the
 * order they were made).  Returns 0 when the check ran (see r->ok) or a
 * negative code when it could not (read error).
 */
int hwf_image_check(struct hwf_source *src, const struct hwf_image_check_opts *o,
		    struct hwf_image_report *r, hwf_progress_fn progress, void *pctx,
		    struct hwf_err *e);

#endif
