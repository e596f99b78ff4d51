// SPDX-License-Identifier: MIT
/*
 * Joining split sparse pieces into one sparse image (app extract
 * --merge-super).  The pieces are walked together, block by block range:
 * where one piece holds data (RAW or FILL) it is taken, where none does the
 * output says DONT_CARE; two pieces with data for one block are refused.
 * Chunks are written in order as they are found, RAW data copied through a
 * small buffer: nothing is ever expanded.
 */
#include "formats/image/sparse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/core/bytes.h"

#define FHDR	 28
#define CHDR	 12
#define COPY_BUF (1u << 20)

struct piece {
	struct hwf_source *src;
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c; /* the chunk covering the current block */
	uint64_t end;		   /* first block after it */
	const char *name;
};

struct merge {
	struct piece *p;
	size_t n;
	int fd;
	uint32_t blk, total_blks, chunks;
	uint64_t max_raw_blocks; /* a RAW chunk's size must fit its u32 field */
	/* the chunk being gathered */
	uint16_t type; /* 0: none */
	uint64_t blocks;
	size_t piece;
	uint64_t src_off;
	uint32_t fill;
	uint8_t *buf;
	hwf_progress_fn progress;
	void *pctx;
	struct hwf_err *e;
};

static int write_all(struct merge *m, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		ssize_t w = write(m->fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return hwf_err_set(m->e, errno == ENOSPC ? HWF_ENOSPC : HWF_EIO,
					   "writing the joined sparse image: %s",
					   w < 0 ? strerror(errno) : "short write");
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Write the gathered chunk, if any. */
static int flush(struct merge *m)
{
	uint64_t bytes = m->type == HWF_SPARSE_RAW ? m->blocks * m->blk : 0;
	uint8_t h[CHDR + 4];
	size_t hl = CHDR;
	int rc;

	if (!m->type)
		return 0;
	put_le16(h, m->type);
	put_le16(h + 2, 0);
	put_le32(h + 4, (uint32_t)m->blocks);
	if (m->type == HWF_SPARSE_FILL) {
		put_le32(h + CHDR, m->fill);
		hl += 4;
	}
	put_le32(h + 8, (uint32_t)(hl + bytes));
	rc = write_all(m, h, hl);
	for (uint64_t done = 0; !rc && done < bytes;) {
		size_t want = bytes - done < COPY_BUF ? (size_t)(bytes - done) : COPY_BUF;

		rc = hwf_source_read_exact(m->p[m->piece].src, m->buf, want, m->src_off + done,
					   m->e);
		if (!rc)
			rc = write_all(m, m->buf, want);
		done += want;
	}
	m->chunks++;
	m->type = 0;
	return rc;
}

/* Add @blocks blocks of @type (from piece @k at @src_off, or of @fill) to the output. */
static int emit(struct merge *m, uint16_t type, uint64_t blocks, size_t k, uint64_t src_off,
		uint32_t fill)
{
	int same = m->type == type;
	int rc;

	if (same && type == HWF_SPARSE_RAW)
		same = m->piece == k && m->src_off + m->blocks * m->blk == src_off &&
		       m->blocks + blocks <= m->max_raw_blocks;
	if (same && type == HWF_SPARSE_FILL)
		same = m->fill == fill;
	if (same) {
		m->blocks += blocks;
		return 0;
	}
	rc = flush(m);
	if (rc)
		return rc;
	/* A RAW run longer than one chunk can hold goes out in several. */
	while (type == HWF_SPARSE_RAW && blocks > m->max_raw_blocks) {
		m->type = type;
		m->blocks = m->max_raw_blocks;
		m->piece = k;
		m->src_off = src_off;
		rc = flush(m);
		if (rc)
			return rc;
		blocks -= m->max_raw_blocks;
		src_off += m->max_raw_blocks * m->blk;
	}
	m->type = type;
	m->blocks = blocks;
	m->piece = k;
	m->src_off = src_off;
	m->fill = fill;
	return 0;
}

/* Move piece @k on to the chunk covering block @pos (CRC32 chunks cover none). */
static int advance(struct merge *m, size_t k, uint64_t pos)
{
	struct piece *p = &m->p[k];

	while (p->end <= pos) {
		int rc = hwf_sparse_next(p->r, &p->c, m->e);

		if (rc < 0)
			return rc;
		if (rc == 0)
			return hwf_err_set(m->e, HWF_EFORMAT, "%s: ends before block %llu", p->name,
					   (unsigned long long)pos);
		p->end = p->c.out_block + p->c.blocks;
	}
	return 0;
}

static int has_data(const struct piece *p)
{
	return p->c.type == HWF_SPARSE_RAW || p->c.type == HWF_SPARSE_FILL;
}

static int walk(struct merge *m)
{
	uint64_t pos = 0;
	int rc;

	while (pos < m->total_blks) {
		uint64_t next = m->total_blks;
		size_t owner = m->n;

		for (size_t k = 0; k < m->n; k++) {
			struct piece *p = &m->p[k];

			rc = advance(m, k, pos);
			if (rc)
				return rc;
			if (p->end < next)
				next = p->end;
			if (!has_data(p))
				continue;
			if (owner < m->n)
				return hwf_err_set(
				    m->e, HWF_EFORMAT,
				    "%s and %s both hold data for block %llu (byte %llu of the "
				    "image): they are not pieces of one split sparse image; "
				    "refusing to join them",
				    m->p[owner].name, p->name, (unsigned long long)pos,
				    (unsigned long long)(pos * m->blk));
			owner = k;
		}
		if (owner == m->n) {
			rc = emit(m, HWF_SPARSE_DONT_CARE, next - pos, 0, 0, 0);
		} else {
			const struct hwf_sparse_chunk *c = &m->p[owner].c;

			rc = emit(m, c->type, next - pos, owner,
				  c->data_off + (pos - c->out_block) * m->blk, c->fill);
		}
		if (rc)
			return rc;
		pos = next;
		if (m->progress)
			m->progress(m->pctx, pos * m->blk, (uint64_t)m->total_blks * m->blk);
	}
	rc = flush(m);
	/* Every piece must end here: its remaining chunks (CRC32 only) are read. */
	for (size_t k = 0; !rc && k < m->n; k++) {
		struct hwf_sparse_chunk c;
		int more;

		while ((more = hwf_sparse_next(m->p[k].r, &c, m->e)) > 0)
			;
		rc = more;
	}
	return rc;
}

static int open_pieces(struct merge *m, struct hwf_source *const *src, const char *const *names)
{
	for (size_t k = 0; k < m->n; k++) {
		const struct hwf_sparse_header *h;
		int rc;

		m->p[k].src = src[k];
		m->p[k].name = names && names[k] ? names[k] : hwf_source_name(src[k]);
		rc = hwf_sparse_open(&m->p[k].r, src[k], m->e);
		if (rc)
			return rc;
		h = hwf_sparse_header(m->p[k].r);
		if (!k) {
			m->blk = h->blk_sz;
			m->total_blks = h->total_blks;
		} else if (h->blk_sz != m->blk || h->total_blks != m->total_blks) {
			return hwf_err_set(m->e, HWF_EFORMAT,
					   "%s describes %u blocks of %u bytes, %s %u blocks of "
					   "%u: they are not pieces of one split sparse image; "
					   "refusing to join them",
					   m->p[k].name, h->total_blks, h->blk_sz, m->p[0].name,
					   m->total_blks, m->blk);
		}
	}
	return 0;
}

int hwf_sparse_merge(struct hwf_source *const *src, const char *const *names, size_t n, int fd,
		     hwf_progress_fn progress, void *pctx, struct hwf_err *e)
{
	struct merge m = {0};
	uint8_t fh[FHDR];
	int rc;

	if (!n)
		return hwf_err_set(e, HWF_EINVAL, "no sparse pieces to join");
	m.n = n;
	m.fd = fd;
	m.progress = progress;
	m.pctx = pctx;
	m.e = e;
	m.p = calloc(n, sizeof(*m.p));
	m.buf = malloc(COPY_BUF);
	if (!m.p || !m.buf) {
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		goto out;
	}
	rc = open_pieces(&m, src, names);
	if (rc)
		goto out;
	m.max_raw_blocks = (UINT32_MAX - CHDR) / m.blk;
	memset(fh, 0, sizeof(fh));
	rc = write_all(&m, fh, sizeof(fh));
	if (!rc)
		rc = walk(&m);
	if (rc)
		goto out;
	put_le32(fh, HWF_SPARSE_MAGIC);
	put_le16(fh + 4, 1);
	put_le16(fh + 6, 0);
	put_le16(fh + 8, FHDR);
	put_le16(fh + 10, CHDR);
	put_le32(fh + 12, m.blk);
	put_le32(fh + 16, m.total_blks);
	put_le32(fh + 20, m.chunks);
	put_le32(fh + 24, 0);
	if (pwrite(fd, fh, sizeof(fh), 0) != (ssize_t)sizeof(fh))
		rc = hwf_err_set(e, HWF_EIO, "writing the joined sparse image's header: %s",
				 strerror(errno));
out:
	for (size_t k = 0; m.p && k < n; k++)
		if (m.p[k].r)
			hwf_sparse_close(m.p[k].r);
	free(m.p);
	free(m.buf);
	return rc;
}
