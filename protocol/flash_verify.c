// SPDX-License-Identifier: MIT
/*
 * Read-back after write (flash --verify): the bytes a partition should
 * hold after a flash, fetched back (fastbootd's fetch:) and compared.
 * See flash.h (hwf_flash_readback).
 *
 * What is compared: a raw image's own length (the partition's tail is not
 * known); an image whose AVB footer was moved is the view that was sent,
 * so every offset up to the partition's end; a sparse image its RAW and
 * FILL chunks only (DONT_CARE keeps whatever the partition held).  Both
 * sides are streamed: the source is read again at each fetched offset in
 * bounded pieces, and SHA-256 digests of the expected and the fetched
 * bytes of the compared ranges are kept beside the byte comparison (which
 * finds the first differing offset).  Fetches go in pieces of
 * max-fetch-size, as AOSP's fetch does.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "protocol/flash_int.h"

#define CMP_BUF (64u << 10) /* expected bytes read per comparison */

/* What the sink knows while the fetched bytes come. */
struct cmp {
	struct hwf_source *want; /* the expected bytes, at partition offsets */
	uint64_t at;		 /* partition offset of the next fetched byte */
	EVP_MD_CTX *dw, *dg;	 /* digests: expected, fetched */
	uint8_t *buf;
	struct hwf_flash_readback *r;
	int refused; /* fetch: answered FAIL (the words in the error) */
};

static int sink(void *ctx, const void *data, size_t len, struct hwf_err *e)
{
	struct cmp *c = ctx;
	const uint8_t *got = data;

	while (len) {
		size_t n = len < CMP_BUF ? len : CMP_BUF;
		int rc = hwf_source_read_exact(c->want, c->buf, n, c->at, e);

		if (rc)
			return rc;
		if (!EVP_DigestUpdate(c->dw, c->buf, n) || !EVP_DigestUpdate(c->dg, got, n))
			return hwf_err_set(e, HWF_ENOMEM, "SHA-256 failed");
		if (memcmp(c->buf, got, n))
			for (size_t i = 0; i < n; i++)
				if (c->buf[i] != got[i] && !c->r->ndiff++)
					c->r->first = c->at + i;
		c->r->compared += n;
		c->at += n;
		got += n;
		len -= n;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Fetch [@off, @off + @len) of @part in pieces of @max into the comparison.
 * A FAIL (the device does not fetch this partition) gives HWF_EUNSUPPORTED
 * with the device's words in @e, unreported; other errors are reported.
 */
static int fetch_range(struct hwf_flash *f, const char *part, uint64_t off, uint64_t len,
		       uint64_t max, struct cmp *c, struct hwf_err *e)
{
	char cmd[HWF_FLASH_PART_MAX + 48], line[HWF_FLASH_PART_MAX + 80];
	char what[HWF_FLASH_PART_MAX + 8];

	snprintf(what, sizeof(what), "'%s'", part);
	for (uint64_t end = off + len; off < end;) {
		uint64_t n = end - off < max ? end - off : max;
		struct hwf_flash_step s = {.kind = HWF_FLASH_STEP_FETCH, .bytes = n, .what = what};
		struct hwf_err le = {0};
		double t0 = now();
		int rc;

		snprintf(cmd, sizeof(cmd), "fetch:%s:0x%08llx:0x%08llx", part,
			 (unsigned long long)off, (unsigned long long)n);
		snprintf(line, sizeof(line), "Reading back '%s' at 0x%llx (%llu KB)", part,
			 (unsigned long long)off, (unsigned long long)(n / 1024));
		s.label = line;
		hwf_flash_step_event(f, &s);
		c->at = off;
		rc = hwf_fb_upload(&f->fb, cmd, n, sink, c, f->cb.progress, f->cb.ctx, &le);
		s.done = 1;
		s.ok = !rc;
		s.seconds = now() - t0;
		s.error = rc ? le.msg : NULL;
		hwf_flash_step_event(f, &s);
		if (rc == HWF_EDEVICE && !f->fb.lost) {
			c->refused = 1;
			return hwf_err_set(e, HWF_EUNSUPPORTED, "%s", le.msg);
		}
		if (rc)
			return hwf_flash_pass(&f->cb, e, rc, &le);
		off += n;
	}
	return 0;
}

/* A sparse image's RAW and FILL chunks, contiguous ones fetched together. */
static int fetch_sparse(struct hwf_flash *f, struct hwf_source *img, const char *part, uint64_t max,
			struct cmp *c, struct hwf_err *e)
{
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk ch;
	struct hwf_err le = {0};
	uint64_t start = 0, len = 0, bs;
	int rc = hwf_sparse_open(&r, img, &le), more;

	if (rc)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	bs = hwf_sparse_header(r)->blk_sz;
	while (!rc && (more = hwf_sparse_next(r, &ch, &le)) == 1) {
		uint64_t o = ch.out_block * bs, n = (uint64_t)ch.blocks * bs;

		if (ch.type != HWF_SPARSE_RAW && ch.type != HWF_SPARSE_FILL)
			continue;
		if (len && start + len == o) {
			len += n;
			continue;
		}
		if (len)
			rc = fetch_range(f, part, start, len, max, c, e);
		start = o;
		len = n;
	}
	if (!rc && more < 0)
		rc = hwf_flash_pass(&f->cb, e, more, &le);
	if (!rc && len)
		rc = fetch_range(f, part, start, len, max, c, e);
	hwf_sparse_close(r);
	return rc;
}

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The result to the callback and as a message; the return code of the whole. */
static int report(struct hwf_flash *f, struct hwf_flash_readback *r, struct hwf_err *e)
{
	int rc = 0;

	if (r->result == HWF_FLASH_RB_UNSUPPORTED)
		hwf_flash_say(&f->cb, HWF_FLASH_WARN,
			      "%s: read back: not supported by the device (fetch:): %s; the "
			      "partition was written but not verified",
			      r->part, r->why);
	else if (r->result == HWF_FLASH_RB_IDENTICAL)
		hwf_flash_say(&f->cb, HWF_FLASH_NOTE,
			      "%s: read back: identical (%llu bytes compared, sha256 %.16s...)",
			      r->part, (unsigned long long)r->compared, r->sha256);
	if (f->cb.readback)
		f->cb.readback(f->cb.ctx, r);
	if (r->result == HWF_FLASH_RB_DIFFERS)
		rc = hwf_flash_fail(
		    &f->cb, e, HWF_ECRC,
		    "%s: read back: differs at offset 0x%llx (%llu of %llu bytes "
		    "differ; sha256 written %.16s..., read %.16s...): the partition "
		    "does not hold the image",
		    r->part, (unsigned long long)r->first, (unsigned long long)r->ndiff,
		    (unsigned long long)r->compared, r->sha256, r->read_sha256);
	return rc;
}

int hwf_flash_readback(struct hwf_flash *f, struct hwf_source *img, const char *part,
		       struct hwf_flash_readback *r, struct hwf_err *e)
{
	struct cmp c = {.r = r};
	struct hwf_err le = {0}, fe = {0};
	char v[HWF_FB_RESP_MAX], why[HWF_ERR_MSG_MAX + 96];
	uint8_t m[4] = {0}, dw[32], dg[32];
	uint64_t max = 0;
	int rc, sparse;

	memset(r, 0, sizeof(*r));
	r->part = part;
	rc = hwf_fb_getvar(&f->fb, "max-fetch-size", v, sizeof(v), &le);
	if (rc && rc != HWF_EDEVICE)
		return hwf_flash_pass(&f->cb, e, rc, &le);
	if (rc || hwf_fb_parse_hex(v, &max) || !max) {
		/* AOSP's fetch needs it; bootloaders do not say it, fastbootd does. */
		r->result = HWF_FLASH_RB_UNSUPPORTED;
		snprintf(why, sizeof(why),
			 "it does not say max-fetch-size (%s); bootloaders do not fetch, "
			 "fastbootd does",
			 rc ? le.msg : "an empty answer");
		r->why = why;
		return report(f, r, e);
	}
	if (max > UINT32_MAX)
		max = UINT32_MAX & ~0xfffull;
	hwf_source_pread(img, m, 4, 0, NULL);
	sparse = get_le32(m) == HWF_SPARSE_MAGIC;
	c.want = img;
	if (sparse && (rc = hwf_sparse_open_view(&c.want, img, &le)))
		return hwf_flash_pass(&f->cb, e, rc, &le);
	c.dw = EVP_MD_CTX_new();
	c.dg = EVP_MD_CTX_new();
	c.buf = malloc(CMP_BUF);
	if (!c.dw || !c.dg || !c.buf || !EVP_DigestInit_ex(c.dw, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(c.dg, EVP_sha256(), NULL))
		rc = hwf_flash_fail(&f->cb, &fe, HWF_ENOMEM, "out of memory");
	else if (sparse)
		rc = fetch_sparse(f, img, part, max, &c, &fe);
	else
		rc = fetch_range(f, part, 0, hwf_source_size(img), max, &c, &fe);
	if (!rc && (!EVP_DigestFinal_ex(c.dw, dw, NULL) || !EVP_DigestFinal_ex(c.dg, dg, NULL)))
		rc = hwf_flash_fail(&f->cb, &fe, HWF_ENOMEM, "SHA-256 failed");
	EVP_MD_CTX_free(c.dw);
	EVP_MD_CTX_free(c.dg);
	free(c.buf);
	if (c.want != img)
		hwf_source_close(c.want);
	if (rc && c.refused) {
		/* fetch: answered FAIL: fastbootd of a user build fetches nothing. */
		snprintf(why, sizeof(why), "%s", fe.msg);
		r->result = HWF_FLASH_RB_UNSUPPORTED;
		r->why = why;
		r->compared = r->ndiff = r->first = 0;
		return report(f, r, e);
	}
	if (rc) {
		if (e)
			*e = fe;
		return rc;
	}
	hex(dw, r->sha256);
	hex(dg, r->read_sha256);
	/* The digests decide; the byte comparison says where. */
	r->result = memcmp(dw, dg, 32) || r->ndiff ? HWF_FLASH_RB_DIFFERS : HWF_FLASH_RB_IDENTICAL;
	return report(f, r, e);
}

int hwf_flash_verify_written(struct hwf_flash *f, struct hwf_source *sent, const char *part,
			     struct hwf_err *e)
{
	struct hwf_flash_readback r;

	return hwf_flash_readback(f, sent, part, &r, e);
}
