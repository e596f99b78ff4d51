// SPDX-License-Identifier: MIT
#include "formats/image/rdstream.h"

#include <lz4.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/core/bytes.h"

#define IN_CHUNK	 65536
#define OUT_CHUNK	 65536
#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_FRAME_MAGIC	 0x184d2204u
#define LZ4_LEGACY_BLOCK (8u << 20)

struct hwf_rdstream {
	struct hwf_source *src;
	uint64_t start, off, end; /* the section; compressed bytes left: [off, end) */
	enum hwf_ramdisk_comp comp;
	z_stream z;
	int z_init, eof;
	LZ4F_dctx *dctx;
	int frame_done; /* lz4 frame: the last frame ended */
	uint8_t *in;	/* compressed input */
	size_t in_len, in_pos;
	uint8_t *cblk; /* lz4 legacy: one compressed block */
	uint8_t *blk;  /* lz4: decoded bytes not yet read */
	size_t blk_len, blk_pos;
	uint64_t total;
	int cut; /* the compressed stream ended before its end marker */
	struct hwf_err *e;
};

enum hwf_ramdisk_comp hwf_rdstream_sniff(const uint8_t *m, uint64_t len)
{
	if (len >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return HWF_RD_GZIP;
	if (len >= 4 && get_le32(m) == LZ4_LEGACY_MAGIC)
		return HWF_RD_LZ4_LEGACY;
	if (len >= 4 && get_le32(m) == LZ4_FRAME_MAGIC)
		return HWF_RD_LZ4_FRAME;
	if (len >= 6 && !memcmp(m, "07070", 5) && (m[5] == '1' || m[5] == '2'))
		return HWF_RD_CPIO;
	return HWF_RD_UNKNOWN;
}

static int fill_in(struct hwf_rdstream *s)
{
	size_t want = s->end - s->off < IN_CHUNK ? (size_t)(s->end - s->off) : IN_CHUNK;
	int rc = hwf_source_read_exact(s->src, s->in, want, s->off, s->e);

	if (rc)
		return rc;
	s->off += want;
	s->in_len = want;
	s->in_pos = 0;
	return 0;
}

static int lz4_legacy_block(struct hwf_rdstream *s)
{
	uint8_t h[4];
	uint32_t clen;
	int n, rc;

	s->blk_len = s->blk_pos = 0;
	for (;;) {
		if (s->end - s->off < 4) {
			s->eof = 1;
			return 0;
		}
		rc = hwf_source_read_exact(s->src, h, 4, s->off, s->e);
		if (rc)
			return rc;
		clen = get_le32(h);
		if (clen != LZ4_LEGACY_MAGIC)
			break;
		s->off += 4; /* concatenated legacy streams repeat the magic */
	}
	if (clen > (uint32_t)LZ4_compressBound(LZ4_LEGACY_BLOCK)) {
		/* Not a block length: padding after the last block. */
		s->eof = 1;
		return 0;
	}
	if (clen > s->end - s->off - 4) {
		s->cut = 1;
		return hwf_err_set(s->e, HWF_ETRUNC,
				   "ramdisk: the lz4 stream is cut short: its block at byte %llu "
				   "needs %u bytes, the ramdisk has %llu left; a cut or damaged "
				   "copy",
				   (unsigned long long)(s->off - s->start), clen,
				   (unsigned long long)(s->end - s->off - 4));
	}
	rc = hwf_source_read_exact(s->src, s->cblk, clen, s->off + 4, s->e);
	if (rc)
		return rc;
	n = LZ4_decompress_safe((const char *)s->cblk, (char *)s->blk, (int)clen, LZ4_LEGACY_BLOCK);
	if (n < 0)
		return hwf_err_set(s->e, HWF_EFORMAT, "ramdisk: corrupt lz4 block at byte %llu",
				   (unsigned long long)(s->off - s->start));
	s->off += 4 + clen;
	s->blk_len = (size_t)n;
	return 0;
}

/* Does another lz4 frame (or a skippable frame) follow the one that ended? */
static int lz4_frame_follows(struct hwf_rdstream *s)
{
	uint8_t m[4];
	uint64_t at = s->off - (s->in_len - s->in_pos);
	uint32_t v;

	if (s->end - at < 4 || hwf_source_read_exact(s->src, m, 4, at, NULL))
		return 0;
	v = get_le32(m);
	return v == LZ4_FRAME_MAGIC || (v & 0xfffffff0u) == 0x184d2a50u;
}

static int lz4_frame_block(struct hwf_rdstream *s)
{
	s->blk_len = s->blk_pos = 0;
	while (!s->blk_len) {
		size_t dsz = OUT_CHUNK, ssz, r;
		int rc;

		if (s->frame_done) {
			if (!lz4_frame_follows(s)) {
				s->eof = 1;
				return 0;
			}
			s->frame_done = 0;
		}
		if (s->in_pos == s->in_len) {
			if (s->off >= s->end) {
				s->cut = 1;
				return hwf_err_set(s->e, HWF_ETRUNC,
						   "ramdisk: the lz4 frame is cut short: the "
						   "%llu-byte ramdisk ends before the frame's end "
						   "(%llu bytes unpacked); a cut or damaged copy",
						   (unsigned long long)(s->end - s->start),
						   (unsigned long long)s->total);
			}
			rc = fill_in(s);
			if (rc)
				return rc;
		}
		ssz = s->in_len - s->in_pos;
		r = LZ4F_decompress(s->dctx, s->blk, &dsz, s->in + s->in_pos, &ssz, NULL);
		if (LZ4F_isError(r))
			return hwf_err_set(s->e, HWF_EFORMAT,
					   "ramdisk: lz4 frame data is corrupt at about byte %llu "
					   "(%s)",
					   (unsigned long long)(s->off - s->start),
					   LZ4F_getErrorName(r));
		s->in_pos += ssz;
		s->blk_len = dsz;
		if (r == 0)
			s->frame_done = 1;
	}
	return 0;
}

static int gzip_cut(struct hwf_rdstream *s)
{
	s->cut = 1;
	return hwf_err_set(s->e, HWF_ETRUNC,
			   "ramdisk: the gzip stream is cut short: the %llu-byte ramdisk ends "
			   "before its end marker (%llu bytes unpacked); a cut or damaged copy",
			   (unsigned long long)(s->end - s->start), (unsigned long long)s->total);
}

static int gzip_pull(struct hwf_rdstream *s, uint8_t *out, size_t cap, size_t *got)
{
	s->z.next_out = out;
	s->z.avail_out = (uInt)cap;
	while (s->z.avail_out && !s->eof) {
		int zr, rc;

		if (!s->z.avail_in) {
			if (s->off >= s->end)
				return gzip_cut(s);
			rc = fill_in(s);
			if (rc)
				return rc;
			s->z.next_in = s->in;
			s->z.avail_in = (uInt)s->in_len;
		}
		zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			s->eof = 1;
		else if (zr != Z_OK)
			return hwf_err_set(s->e, HWF_EFORMAT, "ramdisk: gzip data is corrupt (%s)",
					   s->z.msg ? s->z.msg : "inflate error");
	}
	*got = cap - s->z.avail_out;
	return 0;
}

/* Up to @cap bytes into @out; *@got = 0 only at the clean end of the stream. */
static int pull(struct hwf_rdstream *s, uint8_t *out, size_t cap, size_t *got)
{
	int rc;

	*got = 0;
	switch (s->comp) {
	case HWF_RD_GZIP: return gzip_pull(s, out, cap, got);
	case HWF_RD_CPIO:
		if (cap > s->end - s->off)
			cap = (size_t)(s->end - s->off);
		rc = hwf_source_read_exact(s->src, out, cap, s->off, s->e);
		if (rc)
			return rc;
		s->off += cap;
		*got = cap;
		return 0;
	default:
		while (s->blk_pos == s->blk_len) {
			if (s->eof)
				return 0;
			rc =
			    s->comp == HWF_RD_LZ4_LEGACY ? lz4_legacy_block(s) : lz4_frame_block(s);
			if (rc)
				return rc;
		}
		if (cap > s->blk_len - s->blk_pos)
			cap = s->blk_len - s->blk_pos;
		memcpy(out, s->blk + s->blk_pos, cap);
		s->blk_pos += cap;
		*got = cap;
		return 0;
	}
}

int hwf_rdstream_read(struct hwf_rdstream *s, void *dst, size_t n)
{
	uint8_t sink[4096];
	uint8_t *d = dst;

	while (n) {
		size_t cap = d ? n : (n < sizeof(sink) ? n : sizeof(sink)), got;
		int rc = pull(s, d ? d : sink, cap, &got);

		if (rc)
			return rc;
		if (!got)
			return HWF_ETRUNC;
		if (d)
			d += got;
		n -= got;
		s->total += got;
	}
	return 0;
}

int hwf_rdstream_rest(struct hwf_rdstream *s, uint64_t max, uint64_t *got, uint64_t *nonzero)
{
	uint8_t buf[4096];

	*got = *nonzero = 0;
	for (;;) {
		size_t n;
		int rc = pull(s, buf, sizeof(buf), &n);

		if (rc)
			return rc;
		if (!n)
			return 0;
		s->total += n;
		*got += n;
		for (size_t i = 0; i < n; i++)
			*nonzero += buf[i] != 0;
		if (*got > max)
			return 0;
	}
}

int hwf_rdstream_cut(const struct hwf_rdstream *s)
{
	return s->cut;
}

uint64_t hwf_rdstream_total(const struct hwf_rdstream *s)
{
	return s->total;
}

void hwf_rdstream_close(struct hwf_rdstream *s)
{
	if (!s)
		return;
	if (s->z_init)
		inflateEnd(&s->z);
	if (s->dctx)
		LZ4F_freeDecompressionContext(s->dctx);
	free(s->in);
	free(s->cblk);
	free(s->blk);
	free(s);
}

int hwf_rdstream_open(struct hwf_rdstream **out, struct hwf_source *src, uint64_t off, uint64_t len,
		      enum hwf_ramdisk_comp *comp, struct hwf_err *e)
{
	struct hwf_rdstream *s;
	uint8_t m[6] = {0};
	int rc;

	*out = NULL;
	rc = hwf_source_read_exact(src, m, len < 6 ? (size_t)len : 6, off, e);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	s->src = src;
	s->start = s->off = off;
	s->end = off + len;
	s->e = e;
	s->comp = hwf_rdstream_sniff(m, len);
	if (comp)
		*comp = s->comp;
	if (s->comp == HWF_RD_UNKNOWN) {
		free(s);
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "ramdisk is neither gzip, lz4 nor cpio (xz, zstd...?): not "
				   "inspected");
	}
	s->in = malloc(IN_CHUNK);
	if (!s->in)
		goto nomem;
	if (s->comp == HWF_RD_GZIP) {
		if (inflateInit2(&s->z, 15 + 32) != Z_OK)
			goto nomem;
		s->z_init = 1;
	} else if (s->comp == HWF_RD_LZ4_LEGACY) {
		s->off += 4;
		s->blk = malloc(LZ4_LEGACY_BLOCK);
		s->cblk = malloc((size_t)LZ4_compressBound(LZ4_LEGACY_BLOCK));
		if (!s->blk || !s->cblk)
			goto nomem;
	} else if (s->comp == HWF_RD_LZ4_FRAME) {
		s->blk = malloc(OUT_CHUNK);
		if (!s->blk ||
		    LZ4F_isError(LZ4F_createDecompressionContext(&s->dctx, LZ4F_VERSION)))
			goto nomem;
	}
	*out = s;
	return 0;
nomem:
	hwf_rdstream_close(s);
	return hwf_err_set(e, HWF_ENOMEM, "out of memory");
}
