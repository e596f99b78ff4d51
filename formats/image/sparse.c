// SPDX-License-Identifier: MIT
/*
 * Android sparse images: a strict streaming reader and expander.
 * Rules from AOSP libsparse's sparse_file_read_sparse (fastboot-protocol.md
 * §4.1): major version 1, blk_sz a non-zero multiple of 4, unknown chunk
 * types rejected, chunk sizes consistent with their type, the sum of the
 * chunks' blocks equal to total_blks.  The splitter for fastboot is not
 * written yet.
 */
#include "formats/image/sparse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"

static double mib(uint64_t n)
{
	return (double)n / (1024.0 * 1024.0);
}

struct hwf_sparse_reader {
	struct hwf_source *src;
	struct hwf_sparse_header h;
	uint64_t pos;		/* next chunk header */
	uint32_t chunk;		/* chunks read */
	uint64_t block;		/* output blocks so far */
};

int hwf_sparse_open(struct hwf_sparse_reader **out, struct hwf_source *src, struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	struct hwf_sparse_reader *r;
	struct hwf_sparse_header *h;
	uint8_t b[28];
	int rc;

	*out = NULL;
	rc = hwf_source_read_exact(src, b, sizeof(b), 0, e);
	if (rc)
		return rc == HWF_ETRUNC ? hwf_err_set(e, rc, "%s: truncated inside the sparse header",
						      fn)
					: rc;
	if (get_le32(b) != HWF_SPARSE_MAGIC)
		return hwf_err_set(e, HWF_EFORMAT, "%s: not a sparse image", fn);
	r = calloc(1, sizeof(*r));
	if (!r)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	h = &r->h;
	h->major = get_le16(b + 4);
	h->minor = get_le16(b + 6);
	h->file_hdr_sz = get_le16(b + 8);
	h->chunk_hdr_sz = get_le16(b + 10);
	h->blk_sz = get_le32(b + 12);
	h->total_blks = get_le32(b + 16);
	h->total_chunks = get_le32(b + 20);
	h->image_checksum = get_le32(b + 24);
	rc = HWF_EFORMAT;
	if (h->major != 1)
		hwf_err_set(e, rc, "%s: sparse format version %u.%u is unknown", fn, h->major,
			    h->minor);
	else if (h->file_hdr_sz < 28 || h->chunk_hdr_sz < 12)
		hwf_err_set(e, rc, "%s: sparse header sizes %u/%u are too small", fn,
			    h->file_hdr_sz, h->chunk_hdr_sz);
	else if (!h->blk_sz || h->blk_sz % 4 || h->blk_sz > (64u << 20))
		hwf_err_set(e, rc, "%s: sparse block size %u is impossible", fn, h->blk_sz);
	else if (!h->total_blks)
		hwf_err_set(e, rc, "%s: sparse image of 0 blocks", fn);
	else if (h->file_hdr_sz > hwf_source_size(src))
		rc = hwf_err_set(e, HWF_ETRUNC, "%s: truncated inside the sparse header (%u bytes)",
				 fn, h->file_hdr_sz);
	else
		rc = 0;
	if (rc) {
		free(r);
		return rc;
	}
	r->src = src;
	r->pos = h->file_hdr_sz;
	*out = r;
	return 0;
}

const struct hwf_sparse_header *hwf_sparse_header(const struct hwf_sparse_reader *r)
{
	return &r->h;
}

int hwf_sparse_next(struct hwf_sparse_reader *r, struct hwf_sparse_chunk *c, struct hwf_err *e)
{
	const struct hwf_sparse_header *h = &r->h;
	const char *fn = hwf_source_name(r->src);
	uint64_t size = hwf_source_size(r->src), payload;
	uint32_t total_sz;
	uint8_t b[16];
	int rc;

	memset(c, 0, sizeof(*c));
	if (r->chunk == h->total_chunks) {
		/* Bytes after the last chunk: total_chunks is too small (the device
		 * would stop there), or something was appended. */
		if (r->pos < size)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: the header says %u chunks, but %llu bytes follow the "
					   "last of them (total_chunks is wrong, or data was appended)",
					   fn, h->total_chunks, (unsigned long long)(size - r->pos));
		if (r->block != h->total_blks)
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: chunks cover %llu blocks, the header says %u "
					   "(total_blks is wrong)",
					   fn, (unsigned long long)r->block, h->total_blks);
		return 0;
	}
	if (r->pos == size)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: the header says %u chunks, the file ends after %u (at %.1f "
				   "MiB): truncated at a chunk boundary, or total_chunks is wrong",
				   fn, h->total_chunks, r->chunk, mib(size));
	if (r->pos > size || size - r->pos < h->chunk_hdr_sz)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: truncated at %.1f MiB, inside the header of chunk %u of %u "
				   "(at byte %llu)",
				   fn, mib(size), r->chunk + 1, h->total_chunks,
				   (unsigned long long)r->pos);
	rc = hwf_source_read_exact(r->src, b, 12, r->pos, e);
	if (rc)
		return rc;
	c->type = get_le16(b);
	c->blocks = get_le32(b + 4);
	total_sz = get_le32(b + 8);
	c->out_block = r->block;
	payload = (uint64_t)c->blocks * h->blk_sz;
	switch (c->type) {
	case HWF_SPARSE_RAW:
		if (total_sz != h->chunk_hdr_sz + payload)
			goto badsize;
		c->data_off = r->pos + h->chunk_hdr_sz;
		break;
	case HWF_SPARSE_FILL:
	case HWF_SPARSE_CRC32:
		if (total_sz != h->chunk_hdr_sz + 4u || (c->type == HWF_SPARSE_CRC32 && c->blocks))
			goto badsize;
		break;
	case HWF_SPARSE_DONT_CARE:
		if (total_sz != h->chunk_hdr_sz)
			goto badsize;
		break;
	default:
		return hwf_err_set(e, HWF_EFORMAT, "%s: chunk %u of %u has unknown type 0x%04x", fn,
				   r->chunk + 1, h->total_chunks, c->type);
	}
	if (total_sz > size - r->pos)
		return hwf_err_set(e, HWF_ETRUNC,
				   "%s: truncated at %.1f MiB of at least %.1f MiB: chunk %u of %u "
				   "(%u blocks) needs %u bytes at byte %llu, the file ends at %llu",
				   fn, mib(size), mib(r->pos + total_sz), r->chunk + 1,
				   h->total_chunks, c->blocks, total_sz, (unsigned long long)r->pos,
				   (unsigned long long)size);
	if (c->type == HWF_SPARSE_FILL || c->type == HWF_SPARSE_CRC32) {
		rc = hwf_source_read_exact(r->src, b, 4, r->pos + h->chunk_hdr_sz, e);
		if (rc)
			return rc;
		if (c->type == HWF_SPARSE_FILL)
			c->fill = get_le32(b);
		else
			c->crc = get_le32(b);
	}
	if (c->blocks > h->total_blks - r->block)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: chunk %u of %u goes past the %u blocks the header gives the "
				   "image (total_blks is wrong)",
				   fn, r->chunk + 1, h->total_chunks, h->total_blks);
	r->block += c->blocks;
	r->pos += total_sz;
	r->chunk++;
	return 1;
badsize:
	return hwf_err_set(e, HWF_EFORMAT,
			   "%s: chunk %u of %u (type 0x%04x, %u blocks) has size %u, which does "
			   "not fit its type",
			   fn, r->chunk + 1, h->total_chunks, c->type, c->blocks, total_sz);
}

void hwf_sparse_close(struct hwf_sparse_reader *r)
{
	free(r);
}

int hwf_sparse_validate(struct hwf_source *src, uint64_t *expanded, struct hwf_err *e)
{
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c;
	int rc = hwf_sparse_open(&r, src, e);

	if (rc)
		return rc;
	while ((rc = hwf_sparse_next(r, &c, e)) == 1)
		;
	if (!rc && expanded)
		*expanded = (uint64_t)r->h.total_blks * r->h.blk_sz;
	hwf_sparse_close(r);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len, struct hwf_err *e)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return hwf_err_set(e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO, "write: %s",
					   strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hwf_sparse_expand(struct hwf_source *src, int fd, hwf_progress_fn progress, void *pctx,
		      struct hwf_err *e)
{
	const size_t bufsz = 1 << 20;
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c;
	uint8_t *buf = NULL;
	uint64_t total;
	int rc = hwf_sparse_open(&r, src, e);

	if (rc)
		return rc;
	total = (uint64_t)r->h.total_blks * r->h.blk_sz;
	buf = malloc(bufsz);
	if (!buf) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	while ((rc = hwf_sparse_next(r, &c, e)) == 1) {
		uint64_t len = (uint64_t)c.blocks * r->h.blk_sz;

		if (c.type == HWF_SPARSE_FILL)
			for (size_t i = 0; i < bufsz; i += 4)
				put_le32(buf + i, c.fill);
		else if (c.type == HWF_SPARSE_DONT_CARE)
			memset(buf, 0, bufsz);
		for (uint64_t off = 0; off < len;) {
			size_t n = len - off < bufsz ? (size_t)(len - off) : bufsz;

			if (c.type == HWF_SPARSE_RAW) {
				rc = hwf_source_read_exact(src, buf, n, c.data_off + off, e);
				if (rc)
					goto out;
			}
			rc = write_all(fd, buf, n, e);
			if (rc)
				goto out;
			off += n;
		}
		if (progress)
			progress(pctx, (c.out_block + c.blocks) * r->h.blk_sz, total);
	}
out:
	free(buf);
	hwf_sparse_close(r);
	return rc;
}
