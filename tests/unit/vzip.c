// SPDX-License-Identifier: MIT
/* Zips assembled byte by byte for test_zip.c (see vzip.h). */
#include "tests/unit/vzip.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/core/bytes.h"

static void vz_put(struct vzip *v, const void *p, size_t n)
{
	struct seg *s = v->nseg ? &v->seg[v->nseg - 1] : NULL;

	if (!s || s->off + s->len != v->pos) {
		CU_ASSERT_FATAL(v->nseg < 64);
		s = &v->seg[v->nseg++];
		s->off = v->pos;
		s->len = 0;
		s->data = NULL;
	}
	s->data = realloc(s->data, s->len + n);
	memcpy(s->data + s->len, p, n);
	s->len += n;
	v->pos += n;
}

void vz_free(struct vzip *v)
{
	for (int i = 0; i < v->nseg; i++)
		free(v->seg[i].data);
	free(v);
}

/* Overwrite @n bytes at @off (inside a segment). */
void vz_poke(struct vzip *v, uint64_t off, const void *p, size_t n)
{
	for (int i = 0; i < v->nseg; i++)
		if (off >= v->seg[i].off && off + n <= v->seg[i].off + v->seg[i].len) {
			memcpy(v->seg[i].data + (off - v->seg[i].off), p, n);
			return;
		}
	CU_FAIL_FATAL("poke outside the segments");
}

void vz_poke32(struct vzip *v, uint64_t off, uint32_t x)
{
	uint8_t b[4];

	put_le32(b, x);
	vz_poke(v, off, b, 4);
}

void vz_poke64(struct vzip *v, uint64_t off, uint64_t x)
{
	uint8_t b[8];

	put_le64(b, x);
	vz_poke(v, off, b, 8);
}

int vz_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
{
	struct vzip *v = ctx;

	(void)e;
	memset(buf, 0, len);
	for (int i = 0; i < v->nseg; i++) {
		struct seg *s = &v->seg[i];
		uint64_t a = off > s->off ? off : s->off;
		uint64_t b = off + len < s->off + s->len ? off + len : s->off + s->len;

		if (a < b)
			memcpy((uint8_t *)buf + (a - off), s->data + (a - s->off), (size_t)(b - a));
	}
	return 0;
}

/* CRC-32 of @n zero bytes, without the bytes. */
uint32_t crc_zeros(uint64_t n)
{
	static const uint8_t z[65536];
	uLong c = crc32(0, NULL, 0), blk = crc32(0, z, sizeof(z));
	uint64_t len = sizeof(z);

	while (n % sizeof(z)) {
		size_t k = n % sizeof(z);

		c = crc32(c, z, (uInt)k);
		n -= k;
	}
	/* blk is the CRC of len zeros; binary method over n / 64 KiB blocks */
	for (uint64_t k = n / sizeof(z); k; k >>= 1) {
		if (k & 1)
			c = crc32_combine64(c, blk, (z_off64_t)len);
		blk = crc32_combine64(blk, blk, (z_off64_t)len);
		len *= 2;
	}
	return (uint32_t)c;
}

static void put16(uint8_t **p, uint16_t x)
{
	put_le16(*p, x);
	*p += 2;
}

static void put32(uint8_t **p, uint32_t x)
{
	put_le32(*p, x);
	*p += 4;
}

static void put64(uint8_t **p, uint64_t x)
{
	put_le64(*p, x);
	*p += 8;
}

void vz_add(struct vzip *v, const struct mopt *m)
{
	uint64_t usize = m->data ? m->len : m->zeros, csize = usize, off = v->pos - v->prefix;
	uint32_t crc = m->data ? (uint32_t)crc32(0, m->data, (uInt)m->len) : crc_zeros(usize);
	size_t nlen = strlen(m->name);
	uint8_t *h = malloc(nlen + 128), *p = h, *cz = NULL, *cp;
	int i = (int)v->count;

	if (m->method == 8) {
		z_stream zs = { 0 };

		cz = malloc(m->len + 64);
		CU_ASSERT_FATAL(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, 0) == Z_OK);
		zs.next_in = (Bytef *)m->data;
		zs.avail_in = (uInt)m->len;
		zs.next_out = cz;
		zs.avail_out = (uInt)m->len + 64;
		CU_ASSERT_FATAL(deflate(&zs, Z_FINISH) == Z_STREAM_END);
		csize = zs.total_out;
		deflateEnd(&zs);
	}
	v->local[i] = v->pos;
	put32(&p, 0x04034b50);
	put16(&p, 45);
	put16(&p, m->desc ? 8 : 0);
	put16(&p, (uint16_t)m->method);
	put32(&p, 0);
	put32(&p, m->desc ? 0 : crc);
	put32(&p, m->local64 ? 0xffffffffu : m->desc ? 0 : (uint32_t)csize);
	put32(&p, m->local64 ? 0xffffffffu : m->desc ? 0 : (uint32_t)usize);
	put16(&p, (uint16_t)nlen);
	put16(&p, m->local64 ? 20 : 0);
	memcpy(p, m->name, nlen);
	p += nlen;
	if (m->local64) {
		put16(&p, 1);
		put16(&p, 16);
		put64(&p, m->desc ? 0 : usize);
		put64(&p, m->desc ? 0 : csize);
	}
	vz_put(v, h, (size_t)(p - h));
	v->data[i] = v->pos;
	if (cz)
		vz_put(v, cz, (size_t)csize);
	else if (m->data)
		vz_put(v, m->data, m->len);
	else
		v->pos += usize;
	free(cz);
	if (m->desc) {
		p = h;
		put32(&p, 0x08074b50);
		put32(&p, crc);
		if (m->desc == 64) {
			put64(&p, csize);
			put64(&p, usize);
		} else {
			put32(&p, (uint32_t)csize);
			put32(&p, (uint32_t)usize);
		}
		vz_put(v, h, (size_t)(p - h));
	}
	/* The central header, kept until vz_finish. */
	cp = v->cd + v->cdlen;
	v->central[i] = v->cdlen;
	put32(&cp, 0x02014b50);
	put16(&cp, 45);
	put16(&cp, 45);
	put16(&cp, m->desc ? 8 : 0);
	put16(&cp, (uint16_t)m->method);
	put32(&cp, 0);
	put32(&cp, crc);
	put32(&cp, m->cen64 & 2 ? 0xffffffffu : (uint32_t)csize);
	put32(&cp, m->cen64 & 1 ? 0xffffffffu : (uint32_t)usize);
	put16(&cp, (uint16_t)nlen);
	/* an unrelated extra field (extended timestamp) before the zip64 one */
	put16(&cp, (uint16_t)(9 + (m->cen64 ? 4 + 8 * __builtin_popcount(m->cen64) : 0)));
	put16(&cp, 0);
	put16(&cp, 0);
	put16(&cp, 0);
	put32(&cp, 0);
	put32(&cp, m->cen64 & 4 ? 0xffffffffu : (uint32_t)off);
	memcpy(cp, m->name, nlen);
	cp += nlen;
	put16(&cp, 0x5455);
	put16(&cp, 5);
	*cp++ = 1;
	put32(&cp, 0);
	v->cen_extra[i] = (size_t)(cp - v->cd);
	if (m->cen64) {
		put16(&cp, 1);
		put16(&cp, (uint16_t)(8 * __builtin_popcount(m->cen64)));
		if (m->cen64 & 1)
			put64(&cp, usize);
		if (m->cen64 & 2)
			put64(&cp, csize);
		if (m->cen64 & 4)
			put64(&cp, off);
	}
	v->cdlen = (size_t)(cp - v->cd);
	v->count++;
	free(h);
}

/* Central directory and end records; @z64 adds the zip64 end record and locator. */
void vz_finish(struct vzip *v, int z64)
{
	uint64_t cd_off = v->pos - v->prefix;
	uint8_t h[128], *p = h;
	int big = cd_off >= 0xffffffffu;

	for (uint64_t i = 0; i < v->count; i++) {
		v->central[i] += v->pos;
		v->cen_extra[i] += v->pos;
	}
	vz_put(v, v->cd, v->cdlen);
	if (z64) {
		v->end64 = v->pos;
		put32(&p, 0x06064b50);
		put64(&p, 44);
		put16(&p, 45);
		put16(&p, 45);
		put32(&p, 0);
		put32(&p, 0);
		put64(&p, v->count);
		put64(&p, v->count);
		put64(&p, v->cdlen);
		put64(&p, cd_off);
		v->loc64 = v->pos + (size_t)(p - h);
		put32(&p, 0x07064b50);
		put32(&p, 0);
		put64(&p, v->end64 - v->prefix);
		put32(&p, 1);
	}
	v->end = v->pos + (size_t)(p - h);
	put32(&p, 0x06054b50);
	put16(&p, 0);
	put16(&p, 0);
	put16(&p, (uint16_t)v->count);
	put16(&p, (uint16_t)v->count);
	put32(&p, (uint32_t)v->cdlen);
	put32(&p, big ? 0xffffffffu : (uint32_t)cd_off);
	put16(&p, 0);
	vz_put(v, h, (size_t)(p - h));
}

struct vzip *vz_new(size_t prefix)
{
	struct vzip *v = calloc(1, sizeof(*v));
	uint8_t stub[4096];

	memset(stub, 'S', sizeof(stub));
	if (prefix) {
		vz_put(v, stub, prefix);
		v->prefix = prefix;
	}
	return v;
}

struct hwf_source *vz_source(struct vzip *v)
{
	struct hwf_source *s = NULL;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL(hwf_source_open_callback(&s, v->pos, "v.zip", vz_read, v, &e), 0);
	return s;
}

/* Open entry @name of @v as a source (window or stream) in @out; 0 or the error. */
int vz_member(struct vzip *v, struct hwf_source *file, const char *name,
		     struct hwf_zip_entry *ent, struct hwf_source **win, struct hwf_zip_stream **zs,
		     struct hwf_err *e)
{
	struct hwf_zip *z;
	uint64_t off;
	int rc;

	(void)v;
	*win = NULL;
	*zs = NULL;
	rc = hwf_zip_open(&z, file, e);
	if (rc)
		return rc;
	rc = hwf_zip_find(z, name, ent, e);
	if (!rc)
		rc = hwf_zip_data_offset(z, ent, &off, e);
	hwf_zip_close(z);
	if (rc)
		return rc;
	if (ent->method == 0)
		return hwf_source_open_window(win, file, off, ent->usize, name, e);
	return hwf_zip_stream_open(zs, file, ent, off, name, e);
}

int64_t vz_member_read(struct hwf_source *win, struct hwf_zip_stream *zs, void *buf, size_t len,
		       uint64_t off, struct hwf_err *e)
{
	return win ? hwf_source_pread(win, buf, len, off, e)
		   : hwf_zip_stream_read(zs, buf, len, off, e);
}
