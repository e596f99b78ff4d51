// SPDX-License-Identifier: MIT
#include "formats/image/ramdisk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/core/bytes.h"

#define IN_CHUNK 65536
#define LZ4_LEGACY_BLOCK (8u << 20)
#define MAX_FILES 1000000u

/* A pull stream of decompressed bytes. */
struct rd_stream {
	struct hwf_source *src;
	uint64_t start, off, end;	/* the section; compressed bytes left: [off, end) */
	enum hwf_ramdisk_comp comp;
	z_stream z;
	int z_init, eof;
	uint8_t *in;			/* compressed input buffer */
	uint8_t *blk;			/* lz4: one decoded block */
	size_t blk_len, blk_pos;
	uint64_t total;
	int cut;			/* the compressed stream ended before its end marker */
	struct hwf_err *e;
};

static int fill_in(struct rd_stream *s, size_t *got)
{
	size_t want = s->end - s->off < IN_CHUNK ? (size_t)(s->end - s->off) : IN_CHUNK;
	int rc = hwf_source_read_exact(s->src, s->in, want, s->off, s->e);

	if (rc)
		return rc;
	s->off += want;
	*got = want;
	return 0;
}

/* Decode one LZ4 block (@src, @n bytes) into @dst (capacity @cap); returns length or -1. */
static long lz4_block(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
	size_t ip = 0, op = 0;

	while (ip < n) {
		unsigned tok = src[ip++];
		size_t lit = tok >> 4, mlen, offset;

		if (lit == 15) {
			unsigned b;

			do {
				if (ip >= n)
					return -1;
				b = src[ip++];
				lit += b;
			} while (b == 255);
		}
		if (lit > n - ip || lit > cap - op)
			return -1;
		memcpy(dst + op, src + ip, lit);
		ip += lit;
		op += lit;
		if (ip == n)
			break;	/* the last sequence has literals only */
		if (n - ip < 2)
			return -1;
		offset = get_le16(src + ip);
		ip += 2;
		if (!offset || offset > op)
			return -1;
		mlen = (tok & 15) + 4;
		if ((tok & 15) == 15) {
			unsigned b;

			do {
				if (ip >= n)
					return -1;
				b = src[ip++];
				mlen += b;
			} while (b == 255);
		}
		if (mlen > cap - op)
			return -1;
		for (size_t k = 0; k < mlen; k++, op++)
			dst[op] = dst[op - offset];	/* overlapping copies are the point */
	}
	return (long)op;
}

static int lz4_next_block(struct rd_stream *s)
{
	uint8_t h[4];
	uint32_t clen;
	long n;
	int rc;

	s->blk_len = s->blk_pos = 0;
	if (s->end - s->off < 4) {
		s->eof = 1;
		return 0;
	}
	rc = hwf_source_read_exact(s->src, h, 4, s->off, s->e);
	if (rc)
		return rc;
	clen = get_le32(h);
	if (clen == 0x184c2102u) {	/* concatenated legacy streams repeat the magic */
		s->off += 4;
		return lz4_next_block(s);
	}
	if (clen > LZ4_LEGACY_BLOCK + LZ4_LEGACY_BLOCK / 255 + 16) {
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
	{
		uint8_t *cbuf = malloc(clen ? clen : 1);

		if (!cbuf)
			return hwf_err_set(s->e, HWF_ENOMEM, "out of memory");
		rc = hwf_source_read_exact(s->src, cbuf, clen, s->off + 4, s->e);
		n = rc ? -1 : lz4_block(cbuf, clen, s->blk, LZ4_LEGACY_BLOCK);
		free(cbuf);
	}
	if (rc)
		return rc;
	if (n < 0)
		return hwf_err_set(s->e, HWF_EFORMAT, "ramdisk: corrupt lz4 block at byte %llu",
				   (unsigned long long)s->off);
	s->off += 4 + clen;
	s->blk_len = (size_t)n;
	return 0;
}

/* The ramdisk section ends inside the gzip stream. */
static int gzip_cut(struct rd_stream *s)
{
	s->cut = 1;
	return hwf_err_set(s->e, HWF_ETRUNC,
			   "ramdisk: the gzip stream is cut short: the %llu-byte ramdisk ends "
			   "before its end marker (%llu bytes unpacked); a cut or damaged copy",
			   (unsigned long long)(s->end - s->start), (unsigned long long)s->total);
}

/* Read exactly @n decompressed bytes (or skip them when @dst is NULL). */
static int rd_read(struct rd_stream *s, uint8_t *dst, size_t n)
{
	uint8_t sink[4096];

	while (n) {
		size_t step = n;
		int rc;

		if (s->comp == HWF_RD_LZ4_LEGACY) {
			if (s->blk_pos == s->blk_len) {
				if (s->eof)
					return HWF_ETRUNC;
				rc = lz4_next_block(s);
				if (rc)
					return rc;
				continue;
			}
			if (step > s->blk_len - s->blk_pos)
				step = s->blk_len - s->blk_pos;
			if (dst)
				memcpy(dst, s->blk + s->blk_pos, step);
			s->blk_pos += step;
		} else if (s->comp == HWF_RD_CPIO) {
			if (step > s->end - s->off)
				return HWF_ETRUNC;
			if (step > sizeof(sink) && !dst)
				step = sizeof(sink);
			rc = hwf_source_read_exact(s->src, dst ? dst : sink, step, s->off, s->e);
			if (rc)
				return rc;
			s->off += step;
		} else {
			uint8_t *out = dst ? dst : sink;
			size_t cap = dst ? step : (step < sizeof(sink) ? step : sizeof(sink));

			s->z.next_out = out;
			s->z.avail_out = (uInt)cap;
			while (s->z.avail_out) {
				int zr;

				if (!s->z.avail_in) {
					size_t got;

					if (s->eof)
						return HWF_ETRUNC;
					if (s->off >= s->end) {
						/* The section ends inside the gzip stream. */
						s->cut = 1;
						return gzip_cut(s);
					}
					rc = fill_in(s, &got);
					if (rc)
						return rc;
					s->z.next_in = s->in;
					s->z.avail_in = (uInt)got;
				}
				zr = inflate(&s->z, Z_NO_FLUSH);
				if (zr == Z_STREAM_END) {
					s->eof = 1;
					if (s->z.avail_out)
						return HWF_ETRUNC;
				} else if (zr != Z_OK) {
					return hwf_err_set(s->e, HWF_EFORMAT,
							   "ramdisk: gzip data is corrupt (%s)",
							   s->z.msg ? s->z.msg : "inflate error");
				}
			}
			step = cap;
		}
		if (dst)
			dst += step;
		n -= step;
		s->total += step;
	}
	return 0;
}

static unsigned long hex8(const uint8_t *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = '\0';
	return strtoul(b, NULL, 16);
}

static void note(struct hwf_ramdisk_info *info, const char *name)
{
	static const char *const exact[] = { "sbin/recovery", "system/bin/recovery" };
	const char *n = name[0] == '.' && name[1] == '/' ? name + 2 : name;

	if (!strcmp(n, "init"))
		info->has_init = 1;
	if (info->recovery)
		return;
	for (size_t i = 0; i < 2; i++)
		if (!strcmp(n, exact[i]))
			info->recovery = 1;
	if (!strncmp(n, "init.recovery.", 14))
		info->recovery = 1;
	if (info->recovery) {
		size_t l = strnlen(n, sizeof(info->marker) - 1);

		memcpy(info->marker, n, l);
		info->marker[l] = '\0';
	}
}

/*
 * The data ran out inside the cpio archive (in the file @name, or between
 * entries).  When the compressed stream itself was cut, that message stays.
 */
static int cpio_short(struct rd_stream *s, int rc, const char *name)
{
	if (rc != HWF_ETRUNC || s->cut)
		return rc;
	if (name)
		return hwf_err_set(s->e, rc, "ramdisk: the cpio archive ends inside %s", name);
	return hwf_err_set(s->e, rc, "ramdisk: the cpio archive is cut short (no TRAILER!!!)");
}

static int walk_cpio(struct rd_stream *s, struct hwf_ramdisk_info *info, struct hwf_err *e)
{
	uint8_t h[110];
	char name[4096];

	for (;;) {
		unsigned long namesize, filesize;
		int rc = rd_read(s, h, sizeof(h));

		if (rc)
			return cpio_short(s, rc, NULL);
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
			return hwf_err_set(e, HWF_EFORMAT,
					   "ramdisk: not a cpio \"newc\" archive after %llu files",
					   (unsigned long long)info->files);
		namesize = hex8(h + 94);
		filesize = hex8(h + 54);
		if (!namesize || namesize > sizeof(name))
			return hwf_err_set(e, HWF_EFORMAT, "ramdisk: cpio name size %lu", namesize);
		rc = rd_read(s, (uint8_t *)name, namesize);
		if (!rc)
			rc = rd_read(s, NULL, (4 - (110 + namesize) % 4) % 4);
		if (rc)
			return cpio_short(s, rc, NULL);
		name[namesize - 1] = '\0';
		if (!strcmp(name, "TRAILER!!!"))
			return 0;
		if (++info->files > MAX_FILES)
			return hwf_err_set(e, HWF_EFORMAT, "ramdisk: more than %u files", MAX_FILES);
		note(info, name);
		rc = rd_read(s, NULL, filesize + (4 - filesize % 4) % 4);
		if (rc)
			return cpio_short(s, rc, name);
	}
}

/*
 * After the cpio trailer: the rest of the gzip stream (cpio's padding), to
 * its end, where zlib checks the CRC-32 and length of all the data.  A
 * stream cut there, or a flipped bit that still inflated, shows only here.
 * Bounded: past @GZIP_TAIL_MAX more bytes the stream is not followed.
 */
#define GZIP_TAIL_MAX (64u << 20)
static int gzip_finish(struct rd_stream *s, struct hwf_err *e)
{
	uint64_t stop = s->total + GZIP_TAIL_MAX;

	while (!s->eof && s->total < stop) {
		int rc = rd_read(s, NULL, 4096);

		if (rc == HWF_ETRUNC && s->eof && !s->cut)
			return 0;	/* the stream ended (after its CRC) */
		if (rc == HWF_ETRUNC && !s->cut)
			return hwf_err_set(e, rc, "ramdisk: the gzip stream is cut short after "
						  "the cpio archive");
		if (rc)
			return rc;
	}
	return 0;
}

int hwf_ramdisk_inspect(struct hwf_source *src, uint64_t off, uint64_t len,
			struct hwf_ramdisk_info *info, struct hwf_err *e)
{
	struct rd_stream s;
	uint8_t m[6] = { 0 };
	int rc;

	memset(info, 0, sizeof(*info));
	memset(&s, 0, sizeof(s));
	s.src = src;
	s.start = off;
	s.off = off;
	s.end = off + len;
	s.e = e;
	rc = hwf_source_read_exact(src, m, len < 6 ? (size_t)len : 6, off, e);
	if (rc)
		return rc;
	if (m[0] == 0x1f && m[1] == 0x8b)
		s.comp = HWF_RD_GZIP;
	else if (get_le32(m) == 0x184c2102u)
		s.comp = HWF_RD_LZ4_LEGACY;
	else if (get_le32(m) == 0x184d2204u)
		s.comp = HWF_RD_LZ4_FRAME;
	else if (!memcmp(m, "07070", 5))
		s.comp = HWF_RD_CPIO;
	info->comp = s.comp;
	if (s.comp == HWF_RD_UNKNOWN)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "ramdisk is neither gzip, lz4 nor cpio (xz, zstd...?): not "
				   "inspected");
	if (s.comp == HWF_RD_LZ4_FRAME)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "ramdisk is lz4 frame format: not inspected (only lz4 legacy)");
	s.in = malloc(IN_CHUNK);
	if (!s.in)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	if (s.comp == HWF_RD_GZIP) {
		if (inflateInit2(&s.z, 15 + 32) != Z_OK) {
			free(s.in);
			return hwf_err_set(e, HWF_ENOMEM, "zlib init failed");
		}
		s.z_init = 1;
	} else if (s.comp == HWF_RD_LZ4_LEGACY) {
		s.off += 4;
		s.blk = malloc(LZ4_LEGACY_BLOCK);
		if (!s.blk) {
			free(s.in);
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
		}
	}
	rc = walk_cpio(&s, info, e);
	if (!rc && s.comp == HWF_RD_GZIP)
		rc = gzip_finish(&s, e);
	info->bytes = s.total;
	if (s.z_init)
		inflateEnd(&s.z);
	free(s.in);
	free(s.blk);
	return rc;
}

const char *hwf_ramdisk_comp_name(enum hwf_ramdisk_comp c)
{
	switch (c) {
	case HWF_RD_GZIP: return "gzip";
	case HWF_RD_LZ4_LEGACY: return "lz4 (legacy)";
	case HWF_RD_LZ4_FRAME: return "lz4 (frame)";
	case HWF_RD_CPIO: return "uncompressed";
	case HWF_RD_UNKNOWN: break;
	}
	return "unknown";
}
