// SPDX-License-Identifier: MIT
/*
 * update.bin: the SHA-256 of each component against its table digest (RUNA
 * --hash verifies exactly this on real Huawei files), and extraction that
 * checks it while streaming each component into a temporary file.  The
 * header signature is only reported: Huawei's public key is not available
 * (reference §2.5), so it is never a failure.
 */
#include "formats/app/updatebin.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/digest.h"

#define COPY_BUF (1u << 20)

static void signature_note(const struct hwf_ubin *u, char *buf, size_t len)
{
	const struct hwf_ubin_info *in = hwf_ubin_info(u);

	if (in->sign == HWF_UBIN_SIGN_SLOT)
		snprintf(buf, len,
			 "signature: legacy 640-byte slot at byte %llu, not verified (Huawei's "
			 "public key is not available)",
			 (unsigned long long)in->sign_off);
	else
		snprintf(buf, len,
			 "signature: %llu bytes (TLV 0x08 at byte %llu%s), not verified "
			 "(Huawei's public key is not available)",
			 (unsigned long long)in->sign_len, (unsigned long long)in->sign_off - 6,
			 in->sign_len == 256 ? ", RSA-2048 sized" : "");
}

int hwf_ubin_check(struct hwf_ubin *u, const unsigned char *select, struct hwf_ubin_check *res,
		   hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	size_t n = hwf_ubin_count(u);

	memset(res, 0, sizeof(*res));
	res->bad_comp = calloc(n ? n : 1, 1);
	if (!res->bad_comp)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	signature_note(u, res->signature, sizeof(res->signature));
	for (size_t i = 0; i < n; i++) {
		const struct hwf_ubin_comp *c = hwf_ubin_comp(u, i);
		uint8_t md[EVP_MAX_MD_SIZE];
		struct hwf_source *w;
		int rc;

		if (select && !select[i])
			continue;
		rc = hwf_ubin_comp_source(u, i, &w, e);
		if (!rc)
			rc = hwf_digest_source(w, EVP_sha256(), NULL, 0, c->size, md, progress,
					       pctx, e);
		hwf_source_close(w);
		if (rc)
			return rc;
		res->checked++;
		if (memcmp(md, c->digest, 32)) {
			res->bad_comp[i] = 1;
			res->bad++;
		}
	}
	res->ok = !res->bad;
	return 0;
}

void hwf_ubin_check_free(struct hwf_ubin_check *res)
{
	free(res->bad_comp);
	res->bad_comp = NULL;
}

static void tell(const struct hwf_ubin_extract_opts *o, enum hwf_ubin_event_kind kind, long comp,
		 const char *path, const char *msg)
{
	struct hwf_ubin_event ev = {kind, comp, path, msg};

	if (o->event)
		o->event(o->ctx, &ev);
}

static int write_all(int fd, const uint8_t *b, size_t len, const char *path, struct hwf_err *e)
{
	while (len) {
		ssize_t w = write(fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
					   "%s: cannot write: %s", path,
					   w < 0 ? strerror(errno) : "short write");
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Copy component @i to @fd, hashing as it goes; *@match says whether the SHA-256 agreed. */
static int copy_hashed(struct hwf_ubin *u, size_t i, int fd, const char *path, uint8_t *buf,
		       int *match, const struct hwf_ubin_extract_opts *o, struct hwf_err *e)
{
	const struct hwf_ubin_comp *c = hwf_ubin_comp(u, i);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t got[EVP_MAX_MD_SIZE];
	int rc = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory (SHA-256)");
	}
	for (uint64_t done = 0; !rc && done < c->size;) {
		size_t want = c->size - done < COPY_BUF ? (size_t)(c->size - done) : COPY_BUF;

		rc = hwf_source_read_exact(hwf_ubin_source(u), buf, want, c->offset + done, e);
		if (!rc) {
			EVP_DigestUpdate(md, buf, want);
			rc = write_all(fd, buf, want, path, e);
		}
		done += want;
		if (o->progress)
			o->progress(o->ctx, done, c->size);
	}
	EVP_DigestFinal_ex(md, got, NULL);
	EVP_MD_CTX_free(md);
	*match = !memcmp(got, c->digest, 32);
	return rc;
}

/* Before anything is written: safe names, and no file in the way (unless force). */
static int precheck(struct hwf_ubin *u, const struct hwf_ubin_extract_opts *o, struct hwf_err *e)
{
	size_t exist = 0;
	char first[HWF_PATH_MAX + 64] = "";
	struct stat st;

	for (size_t i = 0; i < hwf_ubin_count(u); i++) {
		const struct hwf_ubin_comp *c = hwf_ubin_comp(u, i);
		char path[HWF_PATH_MAX + 64];

		if (o->select && !o->select[i])
			continue;
		if (c->unsafe)
			return hwf_err_set(e, HWF_EINVAL,
					   "%s: component %u is named '%s': %s; refusing (nothing "
					   "extracted)",
					   o->label, c->index, c->address, c->unsafe);
		snprintf(path, sizeof(path), "%s/%s", o->dir, c->file_name);
		if (!o->force && lstat(path, &st) == 0 && !exist++)
			snprintf(first, sizeof(first), "%s", path);
	}
	if (exist)
		return hwf_err_set(e, HWF_EEXIST,
				   "%s: exists%s; not replaced (use --force): nothing extracted",
				   first, exist > 1 ? " (and more of the files to write)" : "");
	return 0;
}

int hwf_ubin_extract(struct hwf_ubin *u, const struct hwf_ubin_extract_opts *o, size_t *written,
		     size_t *bad, struct hwf_err *e)
{
	uint8_t *buf;
	int rc;

	*written = *bad = 0;
	rc = precheck(u, o, e);
	if (!rc)
		rc = hwf_mkdirs(o->dir, e);
	if (rc)
		return rc;
	buf = malloc(COPY_BUF);
	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	tell(o, HWF_UBEV_WRITING, -1, o->dir, o->label);
	for (size_t i = 0; i < hwf_ubin_count(u) && !rc; i++) {
		const struct hwf_ubin_comp *c = hwf_ubin_comp(u, i);
		char path[HWF_PATH_MAX + 64], msg[HWF_ERR_MSG_MAX + 200];
		struct hwf_outfile f;
		int match = 0;

		if (o->select && !o->select[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", o->dir, c->file_name);
		rc = hwf_outfile_create(&f, path, HWF_OUTFILE_HIDDEN, o->files, e);
		if (rc)
			break;
		tell(o, HWF_UBEV_STEP, (long)i, path, c->name);
		rc = copy_hashed(u, i, f.fd, path, buf, &match, o, e);
		tell(o, HWF_UBEV_STEP_END, (long)i, path, NULL);
		if (rc || !match) {
			hwf_outfile_discard(&f);
			if (rc)
				break;
			snprintf(
			    msg, sizeof(msg),
			    "%s: component %s: SHA-256 does not match the table: not extracted",
			    o->label, c->name);
			tell(o, HWF_UBEV_BAD, (long)i, path, msg);
			(*bad)++;
			continue;
		}
		rc = hwf_outfile_commit(
		    &f, HWF_OUTFILE_SYNC | (o->force ? 0 : HWF_OUTFILE_NOREPLACE), e);
		if (rc)
			break;
		(*written)++;
		tell(o, HWF_UBEV_WRITTEN, (long)i, path, NULL);
	}
	free(buf);
	if (!rc && *bad)
		rc = hwf_err_set(e, HWF_ECRC,
				 "%s: %zu component%s bad (SHA-256), not extracted; %zu file%s "
				 "written to %s",
				 o->label, *bad, *bad == 1 ? "" : "s", *written,
				 *written == 1 ? "" : "s", o->dir);
	return rc;
}
