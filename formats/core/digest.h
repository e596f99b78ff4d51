/* SPDX-License-Identifier: MIT */
/*
 * Streaming message digests (OpenSSL EVP) over a range of a source.
 *
 * Memory: @out is the caller's; one 1 MiB buffer lives for the call.
 * Errors: what reading @src returns (HWF_EIO, HWF_ETRUNC), HWF_ENOMEM.
 */
#ifndef HWF_DIGEST_H
#define HWF_DIGEST_H

#include <openssl/evp.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

/*
 * @md over @prefix (@plen bytes, may be 0) followed by [0, @len) of @src,
 * in 1 MiB reads.  @out gets EVP_MD_size(@md) bytes.
 */
int hwf_digest_source(struct hwf_source *src, const EVP_MD *md, const void *prefix, size_t plen,
		      uint64_t len, uint8_t *out, hwf_progress_fn progress, void *pctx,
		      struct hwf_err *e);

#endif
