// SPDX-License-Identifier: MIT
#include "formats/core/digest.h"

#include <stdlib.h>

#define CHUNK (1u << 20)

int hwf_digest_source(struct hwf_source *src, const EVP_MD *md, const void *prefix, size_t plen,
		      uint64_t len, uint8_t *out, hwf_progress_fn progress, void *pctx,
		      struct hwf_err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(CHUNK);
	int rc = 0;

	if (!ctx || !buf || !EVP_DigestInit_ex(ctx, md, NULL)) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	if (plen)
		EVP_DigestUpdate(ctx, prefix, plen);
	for (uint64_t off = 0; off < len;) {
		size_t want = len - off < CHUNK ? (size_t)(len - off) : CHUNK;

		rc = hwf_source_read_exact(src, buf, want, off, e);
		if (rc)
			goto out;
		EVP_DigestUpdate(ctx, buf, want);
		off += want;
		if (progress)
			progress(pctx, off, len);
	}
	EVP_DigestFinal_ex(ctx, out, NULL);
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}
