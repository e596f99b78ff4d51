// SPDX-License-Identifier: MIT
/*
 * A sparse image read as if it were expanded: the chunk list in memory,
 * sorted by output offset (the order of the file), and each read found by
 * binary search.  The list lives as long as the view: a callback source
 * cannot free its context, so the view owns a stream source of no bytes
 * whose release frees it.
 */
#include "formats/image/sparse.h"

#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"

struct view_chunk {
	uint64_t out;  /* first expanded byte */
	uint64_t len;  /* expanded bytes */
	uint64_t data; /* RAW: where its data is in the file */
	uint32_t fill;
	uint16_t type;
};

struct view {
	struct hwf_source *src;
	size_t n;
	struct view_chunk *c;
};

static void view_free(void *ctx)
{
	struct view *v = ctx;

	free(v->c);
	free(v);
}

static int64_t no_bytes(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	(void)ctx, (void)buf, (void)len, (void)off, (void)e;
	return 0;
}

/* The chunk holding expanded byte @off (which is inside the image). */
static size_t find(const struct view *v, uint64_t off)
{
	size_t lo = 0, hi = v->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->c[mid].out <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int view_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct view *v = ctx;
	uint8_t *p = buf;
	size_t i = find(v, off);

	while (len) {
		const struct view_chunk *c;
		uint64_t in;
		size_t n;

		if (i >= v->n)
			return hwf_err_set(e, HWF_ETRUNC, "%s: read past the expanded image",
					   hwf_source_name(v->src));
		c = &v->c[i];
		in = off - c->out;
		n = c->len - in < len ? (size_t)(c->len - in) : len;
		if (c->type == HWF_SPARSE_RAW) {
			int rc = hwf_source_read_exact(v->src, p, n, c->data + in, e);

			if (rc)
				return rc;
		} else if (c->type == HWF_SPARSE_FILL) {
			uint8_t pat[4];

			put_le32(pat, c->fill);
			for (size_t k = 0; k < n; k++)
				p[k] = pat[(in + k) & 3];
		} else {
			memset(p, 0, n);
		}
		p += n;
		off += n;
		len -= n;
		i++;
	}
	return 0;
}

int hwf_sparse_open_view(struct hwf_source **out, struct hwf_source *src, struct hwf_err *e)
{
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c;
	struct hwf_source *s = NULL, *keeper = NULL;
	struct view *v;
	size_t cap = 0;
	uint64_t blk, total;
	int rc;

	*out = NULL;
	rc = hwf_sparse_open(&r, src, e);
	if (rc)
		return rc;
	blk = hwf_sparse_header(r)->blk_sz;
	total = (uint64_t)hwf_sparse_header(r)->total_blks * blk;
	v = calloc(1, sizeof(*v));
	if (!v) {
		hwf_sparse_close(r);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	v->src = src;
	/* The reader checks each chunk against the file, so the list is bounded by it. */
	while ((rc = hwf_sparse_next(r, &c, e)) == 1) {
		if (!c.blocks)
			continue; /* CRC32 */
		if (v->n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct view_chunk *nc = realloc(v->c, ncap * sizeof(*nc));

			if (!nc) {
				rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
				break;
			}
			v->c = nc;
			cap = ncap;
		}
		v->c[v->n++] = (struct view_chunk){.out = c.out_block * blk,
						   .len = (uint64_t)c.blocks * blk,
						   .data = c.data_off,
						   .fill = c.fill,
						   .type = c.type};
	}
	hwf_sparse_close(r);
	if (!rc)
		rc = hwf_source_open_stream(&keeper, 0, hwf_source_name(src), no_bytes, view_free,
					    v, e);
	else
		view_free(v);
	if (!rc)
		rc = hwf_source_open_callback(&s, total, hwf_source_name(src), view_read, v, e);
	if (rc) {
		hwf_source_close(keeper);
		return rc;
	}
	hwf_source_own(s, keeper);
	*out = s;
	return 0;
}
