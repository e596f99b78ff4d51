// SPDX-License-Identifier: MIT
/*
 * Zip reading (formats/zipread.c through formats/source.c): zip64 extra
 * fields of local and central headers, zip64 end records, data descriptors,
 * offsets past 4 GiB, and one clear refusal per broken field.
 *
 * Two kinds of input: tiny zips made by Info-ZIP zip and Python's zipfile
 * (tests/unit/zip64/, made by make.sh there; read from the repository root,
 * where make runs the tests), and zips assembled here byte by byte, where
 * each field can be set or broken on purpose.  Assembled zips live in
 * memory with holes: a 5 GiB member costs nothing.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#include "formats/core/bytes.h"
#include "formats/core/source.h"
#include "tests/unit/testutil.h"
#include "formats/core/zip.h"

#define FIXTURES "tests/unit/zip64/"
#define TEXT_LEN 3900
#define GIB	 (1ull << 30)

static char *dir;

static int setup(void)
{
	dir = tu_mkdtemp();
	return dir ? 0 : -1;
}

static int teardown(void)
{
	tu_rmtree(dir);
	free(dir);
	return 0;
}

/* What every fixture holds: tests/unit/zip64/make.sh's fixture.txt. */
static void fixture_text(char *buf)
{
	for (unsigned i = 0; i < 100; i++)
		snprintf(buf + 39 * i, 40, "line %04u of the hwflash zip64 fixture\n", i % 10000);
}

/* All of member @name of @path, read forwards in odd pieces; 0 or the error. */
static int read_all(const char *path, const char *name, uint8_t *buf, size_t cap, uint64_t *size,
		    struct hwf_err *e)
{
	struct hwf_source *s;
	uint64_t off = 0;
	int rc = hwf_source_open_zip_member(&s, path, name, e);

	if (rc)
		return rc;
	*size = hwf_source_size(s);
	while (off < *size && off < cap) {
		int64_t n =
		    hwf_source_pread(s, buf + off, off + 777 < cap ? 777 : cap - off, off, e);

		if (n <= 0) {
			rc = n ? (int)n : HWF_ETRUNC;
			break;
		}
		off += (uint64_t)n;
	}
	hwf_source_close(s);
	return rc;
}

struct walk {
	char name[64];
	uint64_t size;
	int n;
};

static int walk_cb(void *ctx, const struct hwf_zip_member *m)
{
	struct walk *w = ctx;

	snprintf(w->name, sizeof(w->name), "%s", m->name);
	w->size = m->size;
	w->n++;
	return 0;
}

/* Info-ZIP and Python zips with zip64 records on a 3900-byte member. */
static void test_real_writers(void)
{
	static const struct {
		const char *file, *member;
	} fx[] = {
		{ "fz-stored.zip", "fixture.txt" },	     /* zip -0 -fz */
		{ "fz-deflated.zip", "fixture.txt" },	     /* zip -fz */
		{ "fz-stdin.zip", "-" },		     /* zip Z - < file */
		{ "fz-stdin-pipe.zip", "-" },		     /* zip - - < file | cat */
		{ "py-stored.zip", "fixture.txt" },	     /* force_zip64 */
		{ "py-stream-stored.zip", "fixture.txt" },   /* on a pipe */
		{ "py-stream-deflated.zip", "fixture.txt" }, /* on a pipe */
	};
	char text[TEXT_LEN + 1];
	uint8_t buf[TEXT_LEN + 100];

	fixture_text(text);
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		struct hwf_err e = { 0 };
		struct walk w = { "", 0, 0 };
		uint64_t size = 0;
		int rc;

		{
			char path[256];

			snprintf(path, sizeof(path), FIXTURES "%s", fx[i].file);
			CU_ASSERT_EQUAL(hwf_zip_walk(path, walk_cb, &w, &e), 0);
			CU_ASSERT_EQUAL(w.n, 1);
			CU_ASSERT_STRING_EQUAL(w.name, fx[i].member);
			CU_ASSERT_EQUAL(w.size, TEXT_LEN);
			memset(buf, 0, sizeof(buf));
			rc = read_all(path, fx[i].member, buf, sizeof(buf), &size, &e);
			if (rc)
				fprintf(stderr, "\n%s: %s\n", path, e.msg);
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(size, TEXT_LEN);
			CU_ASSERT_EQUAL(memcmp(buf, text, TEXT_LEN), 0);
		}
	}
}

/* Info-ZIP 3.0's `zip -fz - FILE | cat`: offset 0xFFFFFFFF, no zip64 end record. */
static void test_info_zip_pipe_bug_refused(void)
{
	struct hwf_err e = { 0 };
	struct walk w = { "", 0, 0 };
	struct hwf_source *s;

	CU_ASSERT_EQUAL(hwf_zip_walk(FIXTURES "fz-pipe-bad.zip", walk_cb, &w, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "zip64 end record that is not there"));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "4294967295"));
	CU_ASSERT_EQUAL(
	    hwf_source_open_zip_member(&s, FIXTURES "fz-pipe-bad.zip", "fixture.txt", &e),
	    HWF_EFORMAT);
}

/* minizip's own writer with zip64 on (zipOpenNewFileInZip64(..., 1)): a third writer. */
static void test_minizip_writer_zip64(void)
{
	char *p = tu_path(dir, "mz64.zip");
	char text[TEXT_LEN + 1];
	uint8_t buf[TEXT_LEN + 100];
	struct hwf_err e = { 0 };
	uint64_t size = 0;
	zipFile z;

	fixture_text(text);
	z = zipOpen64(p, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	for (int m = 0; m < 2; m++) {
		CU_ASSERT_EQUAL(zipOpenNewFileInZip64(z, m ? "d.txt" : "s.txt", NULL, NULL, 0, NULL,
						      0, NULL, m ? Z_DEFLATED : 0, m ? 6 : 0, 1),
				ZIP_OK);
		CU_ASSERT_EQUAL(zipWriteInFileInZip(z, text, TEXT_LEN), ZIP_OK);
		CU_ASSERT_EQUAL(zipCloseFileInZip(z), ZIP_OK);
	}
	CU_ASSERT_EQUAL(zipClose(z, NULL), ZIP_OK);
	for (int m = 0; m < 2; m++) {
		CU_ASSERT_EQUAL(read_all(p, m ? "d.txt" : "s.txt", buf, sizeof(buf), &size, &e), 0);
		CU_ASSERT_EQUAL(size, TEXT_LEN);
		CU_ASSERT_EQUAL(memcmp(buf, text, TEXT_LEN), 0);
	}
	free(p);
}

/* --- zips assembled here ------------------------------------------------- */

/* A file in memory; what lies between segments reads as zeros. */
struct seg {
	uint64_t off;
	size_t len;
	uint8_t *data;
};

struct vzip {
	struct seg seg[64];
	int nseg;
	uint64_t pos;	 /* the file's size so far */
	uint64_t prefix; /* bytes before the archive */
	uint8_t cd[16384];
	size_t cdlen;
	uint64_t count;
	/* where things went, for tests that break them */
	uint64_t local[8], central[8], cen_extra[8], data[8], end, end64, loc64;
};

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

static void vz_free(struct vzip *v)
{
	for (int i = 0; i < v->nseg; i++)
		free(v->seg[i].data);
	free(v);
}

/* Overwrite @n bytes at @off (inside a segment). */
static void vz_poke(struct vzip *v, uint64_t off, const void *p, size_t n)
{
	for (int i = 0; i < v->nseg; i++)
		if (off >= v->seg[i].off && off + n <= v->seg[i].off + v->seg[i].len) {
			memcpy(v->seg[i].data + (off - v->seg[i].off), p, n);
			return;
		}
	CU_FAIL_FATAL("poke outside the segments");
}

static void vz_poke32(struct vzip *v, uint64_t off, uint32_t x)
{
	uint8_t b[4];

	put_le32(b, x);
	vz_poke(v, off, b, 4);
}

static void vz_poke64(struct vzip *v, uint64_t off, uint64_t x)
{
	uint8_t b[8];

	put_le64(b, x);
	vz_poke(v, off, b, 8);
}

static int vz_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e)
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
static uint32_t crc_zeros(uint64_t n)
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

struct mopt {
	const char *name;
	const void *data; /* real bytes, or NULL: @zeros zero bytes never stored */
	size_t len;
	uint64_t zeros;
	int method;  /* 0 or 8 */
	int local64; /* local sizes 0xFFFFFFFF and a zip64 extra field */
	int cen64;   /* central fields in the zip64 extra: 1 size, 2 csize, 4 offset */
	int desc;    /* data descriptor: 0, 32 or 64-bit sizes */
};

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

static void vz_add(struct vzip *v, const struct mopt *m)
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
static void vz_finish(struct vzip *v, int z64)
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

static struct vzip *vz_new(size_t prefix)
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

static struct hwf_source *vz_source(struct vzip *v)
{
	struct hwf_source *s = NULL;
	struct hwf_err e = { 0 };

	CU_ASSERT_EQUAL(hwf_source_open_callback(&s, v->pos, "v.zip", vz_read, v, &e), 0);
	return s;
}

/* Open entry @name of @v as a source (window or stream) in @out; 0 or the error. */
static int vz_member(struct vzip *v, struct hwf_source *file, const char *name,
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

static int64_t member_read(struct hwf_source *win, struct hwf_zip_stream *zs, void *buf, size_t len,
			   uint64_t off, struct hwf_err *e)
{
	return win ? hwf_source_pread(win, buf, len, off, e)
		   : hwf_zip_stream_read(zs, buf, len, off, e);
}

/* Every layout of zip64 fields, read back whole: local, central, descriptors, prefix. */
static void test_zip64_fields_resolved(void)
{
	static const struct {
		int method, local64, cen64, desc;
	} lay[] = {
		{ 0, 1, 7, 0 },	 { 8, 1, 7, 0 },  { 0, 1, 1, 0 },  { 8, 1, 1, 0 },  { 0, 0, 4, 0 },
		{ 8, 1, 0, 64 }, { 0, 1, 0, 64 }, { 8, 0, 0, 32 }, { 0, 0, 3, 32 }, { 8, 1, 6, 64 },
	};
	char text[TEXT_LEN + 1];
	uint8_t buf[TEXT_LEN];

	fixture_text(text);
	for (size_t pre = 0; pre <= 1000; pre += 1000)
		for (size_t i = 0; i < sizeof(lay) / sizeof(lay[0]); i++) {
			struct vzip *v = vz_new(pre);
			struct mopt a = { "first.bin", "x", 1, 0, 0, 0, 0, 0 };
			struct mopt m = { "dload/UPDATE.APP", text, TEXT_LEN, 0, lay[i].method,
					  lay[i].local64, lay[i].cen64, lay[i].desc };
			struct hwf_source *f, *win;
			struct hwf_zip_stream *zs;
			struct hwf_zip_entry ent;
			struct hwf_err e = { 0 };
			int rc;

			vz_add(v, &a);
			vz_add(v, &m);
			vz_finish(v, (lay[i].cen64 & 4) || i % 2);
			f = vz_source(v);
			rc = vz_member(v, f, "dload/UPDATE.APP", &ent, &win, &zs, &e);
			if (rc)
				fprintf(stderr, "\nlayout %zu prefix %zu: %s\n", i, pre, e.msg);
			CU_ASSERT_EQUAL_FATAL(rc, 0);
			CU_ASSERT_EQUAL(ent.usize, TEXT_LEN);
			CU_ASSERT_EQUAL(ent.local_off, v->local[1]);
			CU_ASSERT_EQUAL(ent.zip64, lay[i].cen64 != 0);
			memset(buf, 0, sizeof(buf));
			CU_ASSERT_EQUAL(member_read(win, zs, buf, 1000, 0, &e), 1000);
			CU_ASSERT_EQUAL(member_read(win, zs, buf + 1000, TEXT_LEN, 1000, &e),
					TEXT_LEN - 1000);
			CU_ASSERT_EQUAL(memcmp(buf, text, TEXT_LEN), 0);
			/* backwards: a stream starts again */
			CU_ASSERT_EQUAL(member_read(win, zs, buf, 10, 39, &e), 10);
			CU_ASSERT_EQUAL(memcmp(buf, "line 0001 ", 10), 0);
			hwf_source_close(win);
			hwf_zip_stream_close(zs);
			hwf_source_close(f);
			vz_free(v);
		}
}

/*
 * A 5 GiB stored member, then members whose local headers lie past 4 GiB
 * (zip64 offsets), the central directory past 4 GiB (zip64 end record), with
 * and without data before the archive.
 */
static void test_offsets_past_4gib(void)
{
	char text[TEXT_LEN + 1];
	uint8_t buf[TEXT_LEN];

	fixture_text(text);
	for (size_t pre = 0; pre <= 512; pre += 512) {
		struct vzip *v = vz_new(pre);
		struct mopt big = { "dload/UPDATE.APP", NULL, 0, 5 * GIB, 0, 1, 3, 0 };
		struct mopt st = { "boot.img", text, TEXT_LEN, 0, 0, 0, 4, 0 };
		struct mopt df = { "system.img", text, TEXT_LEN, 0, 8, 1, 4, 64 };
		const char *names[2] = { "boot.img", "system.img" };
		struct hwf_source *f, *win;
		struct hwf_zip_stream *zs;
		struct hwf_zip_entry ent;
		struct hwf_err e = { 0 };

		vz_add(v, &big);
		vz_add(v, &st);
		vz_add(v, &df);
		vz_finish(v, 1);
		f = vz_source(v);
		CU_ASSERT_EQUAL_FATAL(vz_member(v, f, "dload/UPDATE.APP", &ent, &win, &zs, &e), 0);
		CU_ASSERT_EQUAL(ent.usize, 5 * GIB);
		CU_ASSERT_EQUAL(ent.csize, 5 * GIB);
		CU_ASSERT_EQUAL(hwf_source_size(win), 5 * GIB);
		/* the last bytes of the member, past 4 GiB: zeros, and nothing after */
		memset(buf, 1, 16);
		CU_ASSERT_EQUAL(hwf_source_pread(win, buf, 16, 5 * GIB - 8, &e), 8);
		CU_ASSERT_EQUAL(memcmp(buf, "\0\0\0\0\0\0\0\0", 8), 0);
		hwf_source_close(win);
		for (int k = 0; k < 2; k++) {
			CU_ASSERT_EQUAL_FATAL(vz_member(v, f, names[k], &ent, &win, &zs, &e), 0);
			CU_ASSERT(ent.local_off > 4 * GIB);
			CU_ASSERT_EQUAL(ent.local_off, v->local[1 + k]);
			CU_ASSERT_EQUAL(ent.usize, TEXT_LEN);
			memset(buf, 0, sizeof(buf));
			CU_ASSERT_EQUAL(member_read(win, zs, buf, TEXT_LEN, 0, &e), TEXT_LEN);
			CU_ASSERT_EQUAL(memcmp(buf, text, TEXT_LEN), 0);
			hwf_source_close(win);
			hwf_zip_stream_close(zs);
		}
		hwf_source_close(f);
		vz_free(v);
	}
}

/* A broken zip: the code, a piece of the message, and never a misread 0xFFFFFFFF. */
static void expect_refused(struct vzip *v, const char *name, int code, const char *what)
{
	struct hwf_source *f = vz_source(v), *win;
	struct hwf_zip_stream *zs;
	struct hwf_zip_entry ent;
	struct hwf_err e = { 0 };
	int rc = vz_member(v, f, name, &ent, &win, &zs, &e);

	if (rc == 0 || !strstr(e.msg, what))
		fprintf(stderr, "\nwanted '%s', got %d: %s\n", what, rc, e.msg);
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, what));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "4294967295"));
	CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
	hwf_source_close(win);
	hwf_zip_stream_close(zs);
	hwf_source_close(f);
	vz_free(v);
}

/* The zip of test_zip64_fields_resolved's first layout, or one 5 GiB member. */
static struct vzip *good(int method, int big)
{
	static char text[TEXT_LEN + 1];
	struct vzip *v = vz_new(0);
	struct mopt m = { "dload/UPDATE.APP", text, TEXT_LEN, 0, method, 1, 7, 0 };

	fixture_text(text);
	if (big) {
		m.data = NULL;
		m.zeros = 5 * GIB;
	}
	vz_add(v, &m);
	vz_finish(v, 1);
	return v;
}

static void test_broken_zip64_fields_refused(void)
{
	struct vzip *v;
	const char *m = "dload/UPDATE.APP";
	uint8_t x[2];

	/* central: a 0xFFFFFFFF mark without the zip64 extra field */
	v = good(0, 0);
	put_le16(x, 0x6666);
	vz_poke(v, v->cen_extra[0], x, 2);
	expect_refused(v, m, HWF_EFORMAT, "which is missing");
	/* central: zip64 extra field too short for the three marked fields */
	v = good(0, 0);
	put_le16(x, 16);
	vz_poke(v, v->cen_extra[0] + 2, x, 2);
	expect_refused(v, m, HWF_EFORMAT, "which is shorter");
	/* central: a 5 GiB size in a small zip */
	v = good(8, 0);
	vz_poke64(v, v->cen_extra[0] + 4, 5 * GIB);
	expect_refused(v, m, HWF_EFORMAT, "cannot come from");
	v = good(0, 0);
	vz_poke64(v, v->cen_extra[0] + 4, 5 * GIB);
	vz_poke64(v, v->cen_extra[0] + 12, 5 * GIB);
	expect_refused(v, m, HWF_EFORMAT, "run past the start of the central directory");
	/* central: stored with two different sizes */
	v = good(0, 0);
	vz_poke64(v, v->cen_extra[0] + 4, TEXT_LEN + 1);
	expect_refused(v, m, HWF_EFORMAT, "differ");
	/* central: local header offset past the data, or not at a local header */
	v = good(0, 0);
	vz_poke64(v, v->cen_extra[0] + 20, 6 * GIB);
	expect_refused(v, m, HWF_EFORMAT, "is not before the central directory");
	v = good(0, 0);
	vz_poke64(v, v->cen_extra[0] + 20, 10);
	expect_refused(v, m, HWF_EFORMAT, "no local header at byte 10 ");
	/* local: sizes not those of the central directory */
	v = good(0, 0);
	vz_poke64(v, v->local[0] + 30 + strlen(m) + 4, TEXT_LEN - 1);
	expect_refused(v, m, HWF_EFORMAT, "the local header says size 3899");
	v = good(8, 0);
	vz_poke64(v, v->local[0] + 30 + strlen(m) + 12, 1);
	expect_refused(v, m, HWF_EFORMAT, "the local header says compressed size 1");
	/* local: 0xFFFFFFFF sizes without the zip64 extra field, or a short one */
	v = good(0, 0);
	put_le16(x, 0x7777);
	vz_poke(v, v->local[0] + 30 + strlen(m), x, 2);
	expect_refused(v, m, HWF_EFORMAT, "the local header defers its sizes");
	v = good(0, 0);
	put_le16(x, 8);
	vz_poke(v, v->local[0] + 30 + strlen(m) + 2, x, 2);
	expect_refused(v, m, HWF_EFORMAT, "which is shorter");
	/* local: another CRC-32 or method */
	v = good(0, 0);
	vz_poke32(v, v->local[0] + 14, 0x12345678);
	expect_refused(v, m, HWF_EFORMAT, "CRC-32 12345678, the central directory");
	v = good(0, 0);
	put_le16(x, 8);
	vz_poke(v, v->local[0] + 8, x, 2);
	expect_refused(v, m, HWF_EFORMAT, "method");
	/* zip64 end record: gone, or not agreeing with the end record */
	v = good(0, 1);
	vz_poke32(v, v->end64, 0x12345678);
	expect_refused(v, m, HWF_EFORMAT, "zip64 end record is not at byte");
	v = good(0, 0);
	vz_poke64(v, v->end64 + 32, 2);
	expect_refused(v, m, HWF_EFORMAT, "disagree");
	v = good(0, 0);
	vz_poke64(v, v->end64 + 48, 3);
	expect_refused(v, m, HWF_EFORMAT, "disagree");
	/* end record: a zip64 mark with no zip64 end record (Info-ZIP on a pipe) */
	v = good(0, 0);
	vz_poke32(v, v->loc64, 0);
	vz_poke32(v, v->end + 16, 0xffffffffu);
	expect_refused(v, m, HWF_EFORMAT, "that is not there");
	/* zip64 end record: the directory past its end, more entries than fit */
	v = good(0, 1);
	vz_poke64(v, v->end64 + 48, 7 * GIB);
	expect_refused(v, m, HWF_EFORMAT, "does not fit before its end record");
	v = good(0, 0);
	vz_poke64(v, v->end64 + 24, 1000);
	vz_poke64(v, v->end64 + 32, 1000);
	put_le16(x, 1000);
	vz_poke(v, v->end + 10, x, 2);
	expect_refused(v, m, HWF_EFORMAT, "1000 entries cannot fit");
	/* split archives */
	v = good(0, 0);
	vz_poke32(v, v->loc64 + 16, 3);
	expect_refused(v, m, HWF_EUNSUPPORTED, "split");
}

/* Data descriptors: 32 and 64-bit, with and without a signature; wrong ones. */
static void test_data_descriptors(void)
{
	char text[TEXT_LEN + 1];

	fixture_text(text);
	for (int bits = 32; bits <= 64; bits += 32)
		for (int sig = 0; sig < 2; sig++) {
			struct vzip *v = vz_new(0);
			struct mopt m = { "a.img", text, TEXT_LEN, 0, 8, bits == 64, 0, bits };
			struct hwf_source *f, *win;
			struct hwf_zip_stream *zs;
			struct hwf_zip_entry ent;
			struct hwf_err e = { 0 };
			uint64_t d;

			vz_add(v, &m);
			vz_finish(v, 0);
			d = v->central[0] - (bits == 64 ? 24 : 16);
			if (!sig) {
				/* Move the descriptor's body over its signature. */
				uint8_t body[24];

				vz_read(v, body, 24, d + 4, NULL);
				vz_poke(v, d, body, bits == 64 ? 20 : 12);
				vz_poke32(v, d + (bits == 64 ? 20 : 12), 0);
			}
			f = vz_source(v);
			CU_ASSERT_EQUAL(vz_member(v, f, "a.img", &ent, &win, &zs, &e), 0);
			hwf_zip_stream_close(zs);
			hwf_source_close(f);
			/* a descriptor that gives other sizes */
			vz_poke32(v, d + (sig ? 8 : 4), 77);
			expect_refused(v, "a.img", HWF_EFORMAT, "data descriptor");
		}
}

/* Deflated members: CRC-32, sizes, truncated or corrupt data, the end of the stream. */
static void test_deflated_stream_checks(void)
{
	char text[TEXT_LEN + 1];
	uint8_t buf[TEXT_LEN + 10];
	static const struct {
		const char *what;
		int code;
	} cases[] = {
		{ "zip CRC-32 mismatch", HWF_ECRC },
		{ "holds more than", HWF_EFORMAT },
		{ "the deflated data ends at byte", HWF_EFORMAT },
		{ "ends before the stream does", HWF_EFORMAT },
		{ "inflate failed", HWF_EFORMAT },
	};

	fixture_text(text);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct vzip *v = vz_new(0);
		struct mopt m = { "s.img", text, TEXT_LEN, 0, 8, 0, 0, 0 };
		struct hwf_source *f, *win;
		struct hwf_zip_stream *zs;
		struct hwf_zip_entry ent;
		struct hwf_err e = { 0 };
		uint64_t cen = 0, got = 0;
		int64_t n = 0;
		uint32_t csize;

		vz_add(v, &m);
		vz_finish(v, 0);
		cen = v->central[0];
		vz_read(v, buf, 4, v->local[0] + 18, NULL);
		csize = get_le32(buf);
		switch (c) {
		case 0: /* both headers agree on a wrong CRC-32 */
			vz_poke32(v, v->local[0] + 14, 0xdeadbeef);
			vz_poke32(v, cen + 16, 0xdeadbeef);
			break;
		case 1: /* a size smaller than the data */
			vz_poke32(v, v->local[0] + 22, TEXT_LEN - 100);
			vz_poke32(v, cen + 24, TEXT_LEN - 100);
			break;
		case 2: /* a size larger than the data */
			vz_poke32(v, v->local[0] + 22, TEXT_LEN + 100);
			vz_poke32(v, cen + 24, TEXT_LEN + 100);
			break;
		case 3: /* the compressed size cuts the stream short */
			vz_poke32(v, v->local[0] + 18, csize / 2);
			vz_poke32(v, cen + 20, csize / 2);
			break;
		case 4: /* bytes that are not deflate: block type 3 */
			vz_poke(v, v->data[0], "\xff\xff\xff\xff", 4);
			break;
		}
		f = vz_source(v);
		CU_ASSERT_EQUAL_FATAL(vz_member(v, f, "s.img", &ent, &win, &zs, &e), 0);
		while (got < ent.usize) {
			n = hwf_zip_stream_read(zs, buf, 500, got, &e);
			if (n <= 0)
				break;
			got += (uint64_t)n;
		}
		if (n >= 0 || !strstr(e.msg, cases[c].what))
			fprintf(stderr, "\ncase %zu: wanted '%s', got %lld: %s\n", c, cases[c].what,
				(long long)n, e.msg);
		CU_ASSERT_EQUAL(n, cases[c].code);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[c].what));
		hwf_zip_stream_close(zs);
		hwf_source_close(f);
		vz_free(v);
	}
}

/* The names a walk gives: NUL bytes refused, 65535-byte names whole. */
static void test_names(void)
{
	struct vzip *v = vz_new(0);
	char *name = malloc(65536);
	struct mopt m = { name, "x", 1, 0, 0, 0, 0, 0 };
	struct hwf_source *f;
	struct hwf_zip *z;
	struct hwf_zip_entry ent;
	struct hwf_err e = { 0 };

	memset(name, 'n', 4000);
	name[4000] = '\0';
	vz_add(v, &m);
	vz_finish(v, 0);
	f = vz_source(v);
	CU_ASSERT_EQUAL_FATAL(hwf_zip_open(&z, f, &e), 0);
	CU_ASSERT_EQUAL(hwf_zip_count(z), 1);
	CU_ASSERT_EQUAL(hwf_zip_next(z, &ent, &e), 1);
	CU_ASSERT_EQUAL(strlen(ent.name), 4000);
	CU_ASSERT_EQUAL(hwf_zip_next(z, &ent, &e), 0);
	hwf_zip_close(z);
	hwf_source_close(f);
	vz_poke(v, v->central[0] + 46 + 10, "\0", 1);
	f = vz_source(v);
	CU_ASSERT_EQUAL_FATAL(hwf_zip_open(&z, f, &e), 0);
	CU_ASSERT_EQUAL(hwf_zip_next(z, &ent, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "NUL byte"));
	hwf_zip_close(z);
	hwf_source_close(f);
	vz_free(v);
	free(name);
}

void hwf_suite_zip(void)
{
	CU_pSuite s = CU_add_suite("zip", setup, teardown);

	CU_add_test(s, "zip64 zips of Info-ZIP and Python read whole", test_real_writers);
	CU_add_test(s, "Info-ZIP's zip64 on a pipe without end record: refused",
		    test_info_zip_pipe_bug_refused);
	CU_add_test(s, "minizip's writer with zip64 on", test_minizip_writer_zip64);
	CU_add_test(s, "every layout of zip64 fields resolved", test_zip64_fields_resolved);
	CU_add_test(s, "5 GiB member, offsets and directory past 4 GiB", test_offsets_past_4gib);
	CU_add_test(s, "broken zip64 fields refused in one line", test_broken_zip64_fields_refused);
	CU_add_test(s, "data descriptors 32/64-bit, with or without signature",
		    test_data_descriptors);
	CU_add_test(s, "deflated: CRC-32, sizes, truncation, corruption",
		    test_deflated_stream_checks);
	CU_add_test(s, "member names", test_names);
}
