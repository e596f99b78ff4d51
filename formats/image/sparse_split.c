// SPDX-License-Identifier: MIT
/*
 * Splitting an image into sparse pieces no larger than max-download-size,
 * as AOSP fastboot's resparse does: every piece covers the whole partition
 * (leading and trailing DONT_CARE), and pieces are generated on demand
 * from the input, so nothing but the chunk list is kept in memory.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

#define BLK 4096u
#define FHDR 28u
#define CHDR 12u

struct ext {
	uint16_t type;		/* RAW, FILL */
	uint32_t fill;
	uint64_t out_block, blocks;
	uint64_t data_off;	/* RAW: source offset of out_block's data */
};

struct chunk {
	uint16_t type;		/* RAW, FILL, DONT_CARE */
	uint32_t fill;
	uint64_t blocks;
	uint64_t data_off;
	uint64_t at;		/* byte offset of the chunk header within the piece */
};

struct piece {
	size_t first, n;	/* chunks[first .. first + n) */
	uint64_t size;
	struct hwf_sparse_split *sp;
	char name[64];
};

struct hwf_sparse_split {
	struct hwf_source *src;
	uint64_t src_size;	/* raw input: its size (the last block is zero-padded) */
	uint32_t blk;
	uint64_t total_blocks;
	struct ext *ext;
	size_t next, cap;
	struct chunk *chunks;
	size_t nchunks, chunk_cap;
	struct piece *pieces;
	size_t npieces;
};

static int push_ext(struct hwf_sparse_split *sp, const struct ext *x, struct hwf_err *e)
{
	struct ext *last = sp->next ? &sp->ext[sp->next - 1] : NULL;

	/* Merge with the previous extent when they continue each other. */
	if (last && last->type == x->type && last->out_block + last->blocks == x->out_block &&
	    ((x->type == HWF_SPARSE_RAW && last->data_off + last->blocks * sp->blk == x->data_off) ||
	     (x->type == HWF_SPARSE_FILL && last->fill == x->fill))) {
		last->blocks += x->blocks;
		return 0;
	}
	if (sp->next == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 64;
		struct ext *n = realloc(sp->ext, cap * sizeof(*n));

		if (!n)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		sp->ext = n;
		sp->cap = cap;
	}
	sp->ext[sp->next++] = *x;
	return 0;
}

/* A raw input: one pass, uniform blocks become FILL. */
static int scan_raw(struct hwf_sparse_split *sp, struct hwf_err *e)
{
	const size_t bufsz = 1 << 20;
	uint8_t *buf = malloc(bufsz);
	uint64_t size = hwf_source_size(sp->src);
	int rc = 0;

	if (!buf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	sp->blk = BLK;
	sp->src_size = size;
	sp->total_blocks = (size + BLK - 1) / BLK;
	for (uint64_t off = 0; off < size && !rc;) {
		size_t n = size - off < bufsz ? (size_t)(size - off) : bufsz;

		rc = hwf_source_read_exact(sp->src, buf, n, off, e);
		if (rc)
			break;
		for (size_t b = 0; b < n && !rc; b += BLK) {
			size_t bl = n - b < BLK ? n - b : BLK;
			struct ext x = { HWF_SPARSE_RAW, 0, (off + b) / BLK, 1, off + b };
			uint32_t pat = get_le32(buf + b);
			size_t k = 0;

			if (bl == BLK)
				for (k = 4; k < BLK && get_le32(buf + b + k) == pat; k += 4)
					;
			if (bl == BLK && k == BLK) {
				x.type = HWF_SPARSE_FILL;
				x.fill = pat;
			}
			rc = push_ext(sp, &x, e);
		}
		off += n;
	}
	free(buf);
	return rc;
}

static int scan_sparse(struct hwf_sparse_split *sp, struct hwf_err *e)
{
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c;
	int rc = hwf_sparse_open(&r, sp->src, e);

	if (rc)
		return rc;
	sp->blk = hwf_sparse_header(r)->blk_sz;
	sp->total_blocks = hwf_sparse_header(r)->total_blks;
	while ((rc = hwf_sparse_next(r, &c, e)) == 1) {
		struct ext x = { c.type, c.fill, c.out_block, c.blocks, c.data_off };

		if (c.type == HWF_SPARSE_RAW || c.type == HWF_SPARSE_FILL)
			rc = push_ext(sp, &x, e);
		if (rc < 0)
			break;
	}
	hwf_sparse_close(r);
	return rc;
}

static int add_chunk(struct hwf_sparse_split *sp, const struct chunk *c, struct hwf_err *e)
{
	if (sp->nchunks == sp->chunk_cap) {
		size_t cap = sp->chunk_cap ? sp->chunk_cap * 2 : 64;
		struct chunk *n = realloc(sp->chunks, cap * sizeof(*n));

		if (!n)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		sp->chunks = n;
		sp->chunk_cap = cap;
	}
	sp->chunks[sp->nchunks++] = *c;
	return 0;
}

static uint64_t chunk_bytes(const struct hwf_sparse_split *sp, const struct chunk *c)
{
	if (c->type == HWF_SPARSE_RAW)
		return CHDR + c->blocks * sp->blk;
	return c->type == HWF_SPARSE_FILL ? CHDR + 4 : CHDR;
}

/* Close a piece: trailing DONT_CARE, sizes and offsets. */
static int end_piece(struct hwf_sparse_split *sp, struct piece *p, uint64_t next_block,
		     struct hwf_err *e)
{
	uint64_t at = FHDR;
	int rc = 0;

	if (next_block < sp->total_blocks) {
		struct chunk dc = { HWF_SPARSE_DONT_CARE, 0, sp->total_blocks - next_block, 0, 0 };

		rc = add_chunk(sp, &dc, e);
	}
	p->n = sp->nchunks - p->first;
	for (size_t i = p->first; i < sp->nchunks; i++) {
		sp->chunks[i].at = at;
		at += chunk_bytes(sp, &sp->chunks[i]);
	}
	p->size = at;
	return rc;
}

static int plan(struct hwf_sparse_split *sp, uint64_t max, struct hwf_err *e)
{
	/* Room for chunks in one piece: all but the header and a trailing DONT_CARE. */
	uint64_t budget, used = 0, block = 0;
	struct piece *cur = NULL;
	size_t cap = 0;

	if (max < FHDR + 3 * CHDR + sp->blk)
		return hwf_err_set(e, HWF_EINVAL, "max-download-size %llu is too small to split into",
				   (unsigned long long)max);
	budget = max - FHDR - CHDR;
	for (size_t i = 0; i < sp->next; i++) {
		struct ext x = sp->ext[i];

		while (x.blocks) {
			uint64_t cost = x.type == HWF_SPARSE_RAW ? CHDR + sp->blk : CHDR + 4;
			uint64_t take = x.blocks;
			struct chunk c = { x.type, x.fill, 0, x.data_off, 0 };
			/* A gap before the extent costs a DONT_CARE header. */
			uint64_t gap = x.out_block > (cur ? block : 0) ? CHDR : 0;

			if (!cur || used + gap + cost > budget) {
				if (cur && end_piece(sp, cur, block, e))
					return HWF_ENOMEM;
				if (sp->npieces == cap) {
					size_t ncap = cap ? cap * 2 : 8;
					struct piece *n = realloc(sp->pieces, ncap * sizeof(*n));

					if (!n)
						return hwf_err_set(e, HWF_ENOMEM, "out of memory");
					sp->pieces = n;
					cap = ncap;
				}
				cur = &sp->pieces[sp->npieces++];
				memset(cur, 0, sizeof(*cur));
				cur->first = sp->nchunks;
				used = 0;
				block = 0;
			}
			if (x.out_block > block) {
				struct chunk dc = { HWF_SPARSE_DONT_CARE, 0, x.out_block - block, 0, 0 };

				if (add_chunk(sp, &dc, e))
					return HWF_ENOMEM;
				used += CHDR;
			}
			if (x.type == HWF_SPARSE_RAW) {
				uint64_t fit = (budget - used - CHDR) / sp->blk;

				if (take > fit)
					take = fit;
				if (!take)	/* cannot happen: a new piece always fits a block */
					return hwf_err_set(e, HWF_EINVAL, "sparse split: no room");
				used += CHDR + take * sp->blk;
			} else {
				used += CHDR + 4;
			}
			c.blocks = take;
			if (add_chunk(sp, &c, e))
				return HWF_ENOMEM;
			block = x.out_block + take;
			x.out_block += take;
			x.data_off += take * sp->blk;
			x.blocks -= take;
		}
	}
	if (!cur) {
		/* Nothing but DONT_CARE: one piece that says so. */
		sp->pieces = calloc(1, sizeof(*sp->pieces));
		if (!sp->pieces)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		cur = sp->pieces;
		sp->npieces = 1;
		cur->first = sp->nchunks;
	}
	return end_piece(sp, cur, block, e);
}

int hwf_sparse_split(struct hwf_sparse_split **out, struct hwf_source *src, uint64_t max,
		     struct hwf_err *e)
{
	struct hwf_sparse_split *sp = calloc(1, sizeof(*sp));
	uint8_t m[4] = { 0 };
	int rc;

	*out = NULL;
	if (!sp)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	sp->src = src;
	hwf_source_pread(src, m, 4, 0, NULL);
	rc = get_le32(m) == HWF_SPARSE_MAGIC ? scan_sparse(sp, e) : scan_raw(sp, e);
	if (!rc)
		rc = plan(sp, max, e);
	if (rc) {
		hwf_sparse_split_free(sp);
		return rc;
	}
	for (size_t i = 0; i < sp->npieces; i++)
		sp->pieces[i].sp = sp;
	*out = sp;
	return 0;
}

size_t hwf_sparse_split_count(const struct hwf_sparse_split *sp)
{
	return sp->npieces;
}

/* Bytes [off, off + len) of a piece, made from its chunk list. */
static int piece_read(void *ctx, void *out, size_t len, uint64_t off, struct hwf_err *e)
{
	struct piece *p = ctx;
	struct hwf_sparse_split *sp = p->sp;
	uint8_t *dst = out;
	size_t lo = p->first, hi = p->first + p->n;

	while (len) {
		uint8_t hdr[CHDR + 4];
		const struct chunk *c;
		uint64_t cb, rel;
		size_t n;

		if (off < FHDR) {
			uint8_t fh[FHDR];

			put_le32(fh, HWF_SPARSE_MAGIC);
			put_le16(fh + 4, 1);
			put_le16(fh + 6, 0);
			put_le16(fh + 8, FHDR);
			put_le16(fh + 10, CHDR);
			put_le32(fh + 12, sp->blk);
			put_le32(fh + 16, (uint32_t)sp->total_blocks);
			put_le32(fh + 20, (uint32_t)p->n);
			put_le32(fh + 24, 0);
			n = FHDR - off < len ? (size_t)(FHDR - off) : len;
			memcpy(dst, fh + off, n);
			goto next;
		}
		/* The chunk holding off: binary search on the header offsets. */
		{
			size_t a = lo, b = hi;

			while (b - a > 1) {
				size_t mid = a + (b - a) / 2;

				if (sp->chunks[mid].at <= off)
					a = mid;
				else
					b = mid;
			}
			c = &sp->chunks[a];
			lo = a;
		}
		cb = chunk_bytes(sp, c);
		rel = off - c->at;
		if (rel < CHDR + (c->type == HWF_SPARSE_FILL ? 4u : 0u)) {
			put_le16(hdr, c->type);
			put_le16(hdr + 2, 0);
			put_le32(hdr + 4, (uint32_t)c->blocks);
			put_le32(hdr + 8, (uint32_t)cb);
			put_le32(hdr + 12, c->fill);
			n = (size_t)(CHDR + (c->type == HWF_SPARSE_FILL ? 4 : 0) - rel);
			if (n > len)
				n = len;
			memcpy(dst, hdr + rel, n);
		} else {
			uint64_t doff = c->data_off + rel - CHDR;
			int64_t got;

			n = cb - rel < len ? (size_t)(cb - rel) : len;
			got = hwf_source_pread(sp->src, dst, n, doff, e);
			if (got < 0)
				return (int)got;
			/* A raw input's last block is zero-padded. */
			memset(dst + got, 0, n - (size_t)got);
		}
next:
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

int hwf_sparse_split_piece(struct hwf_sparse_split *sp, size_t i, struct hwf_source **out,
			   struct hwf_err *e)
{
	struct piece *p = &sp->pieces[i];

	snprintf(p->name, sizeof(p->name), "sparse piece %zu/%zu", i + 1, sp->npieces);
	return hwf_source_open_callback(out, p->size, p->name, piece_read, p, e);
}

void hwf_sparse_split_free(struct hwf_sparse_split *sp)
{
	if (!sp)
		return;
	free(sp->ext);
	free(sp->chunks);
	free(sp->pieces);
	free(sp);
}
