// SPDX-License-Identifier: MIT
/*
 * Zip reading (formats/core/zip.c): zip64 extra fields of local and
 * central headers, zip64 end records, data descriptors, offsets past 4 GiB,
 * and one clear refusal per broken field.
 *
 * Two kinds of input: tiny zips made by Info-ZIP zip and Python's zipfile
 * (tests/unit/zip64/, made by make.sh there; read from the repository root,
 * where make runs the tests), and zips assembled here byte by byte, where
 * each field can be set or broken on purpose (tests/unit/vzip.c).
 * Assembled zips live in memory with holes: a 5 GiB member costs nothing.
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
#include "tests/unit/vzip.h"

#define FIXTURES "tests/unit/zip64/"
#define TEXT_LEN 3900
#define GIB	 (1ull << 30)

TU_SCRATCH_SUITE(dir)

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
			CU_ASSERT_EQUAL(vz_member_read(win, zs, buf, 1000, 0, &e), 1000);
			CU_ASSERT_EQUAL(vz_member_read(win, zs, buf + 1000, TEXT_LEN, 1000, &e),
					TEXT_LEN - 1000);
			CU_ASSERT_EQUAL(memcmp(buf, text, TEXT_LEN), 0);
			/* backwards: a stream starts again */
			CU_ASSERT_EQUAL(vz_member_read(win, zs, buf, 10, 39, &e), 10);
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
			CU_ASSERT_EQUAL(vz_member_read(win, zs, buf, TEXT_LEN, 0, &e), TEXT_LEN);
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
