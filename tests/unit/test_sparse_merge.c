// SPDX-License-Identifier: MIT
/*
 * Joining split sparse pieces (hwf_sparse_merge) and same-name entries of an
 * UPDATE.APP (appgroup.h, app extract --merge-super / join_raw), in process.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/app/appextract.h"
#include "formats/app/appgroup.h"
#include "formats/core/bytes.h"
#include "formats/image/sparse.h"
#include "tests/unit/testutil.h"

#define BLK  16
#define MAXB 64

TU_SCRATCH_SUITE(dir)

/* One chunk of a test piece: RAW blocks hold (seed + block) bytes, FILL @val. */
struct ch {
	uint16_t type;
	uint32_t blocks;
	uint32_t val;
};

/* Build a sparse image of BLK-byte blocks from @c into @b; its length. */
static size_t piece(uint8_t *b, const struct ch *c, size_t n)
{
	size_t p = 28;
	uint32_t block = 0;

	for (size_t i = 0; i < n; i++) {
		size_t body = c[i].type == HWF_SPARSE_RAW     ? (size_t)c[i].blocks * BLK
			      : c[i].type == HWF_SPARSE_FILL  ? 4
			      : c[i].type == HWF_SPARSE_CRC32 ? 4
							      : 0;

		put_le16(b + p, c[i].type);
		put_le16(b + p + 2, 0);
		put_le32(b + p + 4, c[i].blocks);
		put_le32(b + p + 8, (uint32_t)(12 + body));
		for (uint32_t k = 0; c[i].type == HWF_SPARSE_RAW && k < c[i].blocks; k++)
			memset(b + p + 12 + (size_t)k * BLK, (int)(c[i].val + block + k), BLK);
		if (c[i].type == HWF_SPARSE_FILL || c[i].type == HWF_SPARSE_CRC32)
			put_le32(b + p + 12, c[i].val);
		p += 12 + body;
		block += c[i].blocks;
	}
	memset(b, 0, 28);
	put_le32(b, HWF_SPARSE_MAGIC);
	put_le16(b + 4, 1);
	put_le16(b + 8, 28);
	put_le16(b + 10, 12);
	put_le32(b + 12, BLK);
	put_le32(b + 16, block);
	put_le32(b + 20, (uint32_t)n);
	return p;
}

/* The expanded bytes of a piece, laid over @img where it holds data. */
static void overlay(uint8_t *img, const struct ch *c, size_t n)
{
	uint32_t block = 0;

	for (size_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < c[i].blocks; k++) {
			uint8_t *at = img + (size_t)(block + k) * BLK;

			if (c[i].type == HWF_SPARSE_RAW)
				memset(at, (int)(c[i].val + block + k), BLK);
			for (int w = 0; c[i].type == HWF_SPARSE_FILL && w < BLK; w += 4)
				put_le32(at + w, c[i].val);
		}
		block += c[i].blocks;
	}
}

struct merged {
	int rc;
	struct hwf_err e;
	uint32_t chunks, total_blks;
	uint8_t img[MAXB * BLK];
	size_t img_len;
};

/* Merge pieces @b[i] (@len[i] bytes) and expand the result into m->img. */
static void merge(struct merged *m, uint8_t *const *b, const size_t *len, size_t n)
{
	struct hwf_source *src[4], *out;
	const char *names[] = {"SUPER", "SUPER#2", "SUPER#3", "SUPER#4"};
	char *path = tu_path(dir, "merged.simg"), *raw = tu_path(dir, "merged.raw");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), rfd;
	uint8_t h[28];

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < n; i++)
		hwf_source_open_mem(&src[i], b[i], len[i], names[i], NULL);
	m->rc = hwf_sparse_merge(src, names, n, fd, NULL, NULL, &m->e);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(src[i]);
	close(fd);
	if (!m->rc) {
		struct hwf_err e = {0};

		CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&out, path, &e), 0);
		CU_ASSERT_EQUAL(hwf_source_read_exact(out, h, 28, 0, &e), 0);
		m->total_blks = get_le32(h + 16);
		m->chunks = get_le32(h + 20);
		rfd = open(raw, O_RDWR | O_CREAT | O_TRUNC, 0644);
		CU_ASSERT_EQUAL(hwf_sparse_expand(out, rfd, NULL, NULL, &e), 0);
		m->img_len = (size_t)pread(rfd, m->img, sizeof(m->img), 0);
		close(rfd);
		hwf_source_close(out);
	}
	free(path);
	free(raw);
}

static void test_complementary_pieces_join(void)
{
	/* 16 blocks: A has RAW 0-3 and FILL 10-11, B RAW 4-7 (cut by a CRC32 chunk), C 12-13. */
	static const struct ch a[] = {{HWF_SPARSE_RAW, 4, 1},
				      {HWF_SPARSE_DONT_CARE, 6, 0},
				      {HWF_SPARSE_FILL, 2, 0xdeadbeef},
				      {HWF_SPARSE_DONT_CARE, 4, 0}};
	static const struct ch bb[] = {{HWF_SPARSE_DONT_CARE, 4, 0},
				       {HWF_SPARSE_RAW, 2, 50},
				       {HWF_SPARSE_CRC32, 0, 7},
				       {HWF_SPARSE_RAW, 2, 50},
				       {HWF_SPARSE_DONT_CARE, 8, 0}};
	static const struct ch c[] = {
	    {HWF_SPARSE_DONT_CARE, 12, 0}, {HWF_SPARSE_RAW, 2, 90}, {HWF_SPARSE_DONT_CARE, 2, 0}};
	static uint8_t pa[4096], pb[4096], pc[4096], want[16 * BLK];
	uint8_t *b[] = {pa, pb, pc};
	size_t len[] = {piece(pa, a, 4), piece(pb, bb, 5), piece(pc, c, 3)};
	static struct merged m;

	memset(want, 0, sizeof(want));
	overlay(want, a, 4);
	overlay(want, bb, 5);
	overlay(want, c, 3);
	merge(&m, b, len, 3);
	CU_ASSERT_EQUAL_FATAL(m.rc, 0);
	CU_ASSERT_EQUAL(m.total_blks, 16);
	CU_ASSERT_EQUAL(m.img_len, sizeof(want));
	CU_ASSERT(!memcmp(m.img, want, sizeof(want)));
	/*
	 * RAW 0-3 (A), RAW 4-5 and 6-7 (B: two chunks, not contiguous in its file),
	 * DONT_CARE 8-9, FILL 10-11, RAW 12-13, DONT_CARE 14-15: nothing expanded,
	 * neighbours of one kind from one place joined.
	 */
	CU_ASSERT_EQUAL(m.chunks, 7);
}

static void test_adjacent_raw_of_one_chunk_joined(void)
{
	/* B's DONT_CARE boundaries cut A's one RAW chunk in the walk: it comes out whole. */
	static const struct ch a[] = {{HWF_SPARSE_RAW, 6, 3}, {HWF_SPARSE_DONT_CARE, 2, 0}};
	static const struct ch bb[] = {{HWF_SPARSE_DONT_CARE, 2, 0},
				       {HWF_SPARSE_DONT_CARE, 2, 0},
				       {HWF_SPARSE_DONT_CARE, 2, 0},
				       {HWF_SPARSE_FILL, 2, 5}};
	static uint8_t pa[4096], pb[4096];
	uint8_t *b[] = {pa, pb};
	size_t len[] = {piece(pa, a, 2), piece(pb, bb, 4)};
	static struct merged m;

	merge(&m, b, len, 2);
	CU_ASSERT_EQUAL_FATAL(m.rc, 0);
	CU_ASSERT_EQUAL(m.chunks, 2);
}

static void test_overlap_refused(void)
{
	static const struct ch a[] = {{HWF_SPARSE_RAW, 4, 1}, {HWF_SPARSE_DONT_CARE, 4, 0}};
	static const struct ch bb[] = {
	    {HWF_SPARSE_DONT_CARE, 3, 0}, {HWF_SPARSE_FILL, 2, 9}, {HWF_SPARSE_DONT_CARE, 3, 0}};
	static uint8_t pa[4096], pb[4096];
	uint8_t *b[] = {pa, pb};
	size_t len[] = {piece(pa, a, 2), piece(pb, bb, 3)};
	static struct merged m;

	merge(&m, b, len, 2);
	CU_ASSERT_EQUAL(m.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.e.msg, "SUPER and SUPER#2 both hold data for block 3"));
}

static void test_different_sizes_refused(void)
{
	static const struct ch a[] = {{HWF_SPARSE_RAW, 4, 1}, {HWF_SPARSE_DONT_CARE, 4, 0}};
	static const struct ch bb[] = {{HWF_SPARSE_DONT_CARE, 4, 0}, {HWF_SPARSE_RAW, 5, 2}};
	static uint8_t pa[4096], pb[4096];
	uint8_t *b[] = {pa, pb};
	size_t len[] = {piece(pa, a, 2), piece(pb, bb, 2)};
	static struct merged m;

	merge(&m, b, len, 2);
	CU_ASSERT_EQUAL(m.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.e.msg, "SUPER#2 describes 9 blocks"));
}

static void test_broken_piece_refused(void)
{
	static const struct ch a[] = {{HWF_SPARSE_RAW, 4, 1}, {HWF_SPARSE_DONT_CARE, 4, 0}};
	static const struct ch bb[] = {{HWF_SPARSE_DONT_CARE, 4, 0}, {HWF_SPARSE_RAW, 4, 2}};
	static uint8_t pa[4096], pb[4096];
	uint8_t *b[] = {pa, pb};
	size_t len[] = {piece(pa, a, 2), piece(pb, bb, 2) - 5};
	static struct merged m;

	merge(&m, b, len, 2);
	CU_ASSERT(m.rc == HWF_ETRUNC || m.rc == HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.e.msg, "SUPER#2"));
	/* Not sparse at all. */
	memset(pb, 0, 28);
	merge(&m, b, len, 2);
	CU_ASSERT_EQUAL(m.rc, HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.e.msg, "not a sparse image"));
}

/* --- same-name entries of a package --- */

struct app {
	char *path;
	struct hwf_source *src;
	struct hwf_app *app;
};

/* Pack @n entries (@names, contents @b[i] of @len[i] bytes) and open the package. */
static void make_app(struct app *p, const char *file, const char *const *names, uint8_t *const *b,
		     const size_t *len, size_t n)
{
	struct hwf_app_pack_opts po = {"HW", "2026.01.02", "03.04.05", 1};
	struct hwf_app_pack_item it[8];
	struct hwf_err e = {0};
	int fd;

	p->path = tu_path(dir, file);
	for (size_t i = 0; i < n; i++) {
		hwf_source_open_mem(&it[i].src, b[i], len[i], names[i], NULL);
		it[i].name = names[i];
		it[i].seq = (uint32_t)i;
	}
	fd = open(p->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_EQUAL_FATAL(hwf_app_pack(fd, it, n, &po, NULL, NULL, &e), 0);
	close(fd);
	for (size_t i = 0; i < n; i++)
		hwf_source_close(it[i].src);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&p->src, p->path, &e), 0);
	CU_ASSERT_EQUAL_FATAL(hwf_app_open(&p->app, p->src, &e), 0);
}

static void close_app(struct app *p)
{
	hwf_app_close(p->app);
	hwf_source_close(p->src);
	free(p->path);
}

static void test_groups_told_apart_by_content(void)
{
	static const struct ch a[] = {{HWF_SPARSE_RAW, 4, 1}, {HWF_SPARSE_DONT_CARE, 4, 0}};
	static const struct ch bb[] = {{HWF_SPARSE_DONT_CARE, 4, 0}, {HWF_SPARSE_RAW, 4, 2}};
	static uint8_t pa[4096], pb[4096], r1[5000], r2[3000], one[100];
	const char *names[] = {"SUPER", "SYSTEM", "BOOT", "super", "SYSTEM", "INPUT", "INPUT"};
	uint8_t *b[] = {pa, r1, one, pb, r2, one, one};
	size_t len[] = {piece(pa, a, 2), sizeof(r1),  sizeof(one), piece(pb, bb, 2),
			sizeof(r2),	 sizeof(one), sizeof(one)};
	struct hwf_app_group *g;
	struct hwf_source *cat;
	struct hwf_err e = {0};
	struct app p;
	size_t ng;
	uint8_t got[8000];

	tu_random(r1, sizeof(r1), 1);
	tu_random(r2, sizeof(r2), 2);
	make_app(&p, "groups.APP", names, b, len, 7);
	CU_ASSERT_EQUAL_FATAL(hwf_app_groups(p.app, &g, &ng, &e), 0);
	/* CRC, SUPER(2), SYSTEM(2), BOOT, INPUT, INPUT */
	CU_ASSERT_EQUAL_FATAL(ng, 6);
	CU_ASSERT_EQUAL(g[1].kind, HWF_GROUP_SPARSE);
	CU_ASSERT_EQUAL(g[1].n, 2);
	CU_ASSERT_EQUAL(g[2].kind, HWF_GROUP_RAW);
	CU_ASSERT_EQUAL(g[2].size, sizeof(r1) + sizeof(r2));
	CU_ASSERT_EQUAL(g[3].kind, HWF_GROUP_ONE);
	CU_ASSERT_EQUAL(g[4].kind, HWF_GROUP_ONE); /* legacy INPUT entries never join */
	CU_ASSERT_PTR_EQUAL(hwf_app_group_of(g, ng, 5), &g[2]);
	/* The raw group reads as one image, across the piece boundary. */
	CU_ASSERT_EQUAL_FATAL(hwf_app_group_source(p.app, &g[2], "system", &cat, &e), 0);
	CU_ASSERT_EQUAL(hwf_source_size(cat), 8000);
	CU_ASSERT_EQUAL(hwf_source_read_exact(cat, got, 8000, 0, &e), 0);
	CU_ASSERT(!memcmp(got, r1, 5000) && !memcmp(got + 5000, r2, 3000));
	CU_ASSERT_EQUAL(hwf_source_read_exact(cat, got, 10, 4995, &e), 0);
	CU_ASSERT(!memcmp(got, r1 + 4995, 5) && !memcmp(got + 5, r2, 5));
	CU_ASSERT(hwf_source_random_access(cat));
	hwf_source_close(cat);
	hwf_app_groups_free(g, ng);
	close_app(&p);
}

static int file_is(const char *d, const char *name, const void *want, size_t len)
{
	char *path = tu_path(d, name);
	uint8_t *got = malloc(len + 1);
	FILE *f = fopen(path, "rb");
	int ok = f && got && fread(got, 1, len + 1, f) == len && !memcmp(got, want, len);

	if (f)
		fclose(f);
	free(got);
	free(path);
	return ok;
}

static void test_extract_joins(void)
{
	static const struct ch a[] = {{HWF_SPARSE_RAW, 4, 1}, {HWF_SPARSE_DONT_CARE, 4, 0}};
	static const struct ch bb[] = {{HWF_SPARSE_DONT_CARE, 4, 0}, {HWF_SPARSE_RAW, 4, 2}};
	static uint8_t pa[4096], pb[4096], r1[5000], r2[3000], both[8000];
	const char *names[] = {"SUPER", "SYSTEM", "SUPER", "SYSTEM"};
	uint8_t *b[] = {pa, r1, pb, r2};
	size_t len[] = {piece(pa, a, 2), sizeof(r1), piece(pb, bb, 2), sizeof(r2)};
	struct hwf_extract_opts o = {0};
	struct hwf_extract_result res;
	unsigned char sel[5] = {0, 0, 0, 0, 1}; /* SYSTEM#2 only */
	struct hwf_err e = {0};
	char *out = tu_path(dir, "x1"), *out2 = tu_path(dir, "x2"), *out3 = tu_path(dir, "x3");
	struct app p;
	uint64_t raw = 0;
	struct hwf_source *s;
	char *sp;

	tu_random(r1, sizeof(r1), 1);
	tu_random(r2, sizeof(r2), 2);
	memcpy(both, r1, 5000);
	memcpy(both + 5000, r2, 3000);
	make_app(&p, "join.APP", names, b, len, 4);
	/* As before: every entry its own file. */
	o.dir = out;
	o.label = "join.APP";
	CU_ASSERT_EQUAL(hwf_extract_run(p.app, &o, &res, &e), 0);
	CU_ASSERT(res.ok);
	CU_ASSERT_EQUAL(res.written, 5);
	CU_ASSERT(file_is(out, "super_2.img", pb, len[2]));
	CU_ASSERT(file_is(out, "system_2.img", r2, sizeof(r2)));
	hwf_extract_free(&res);
	/* Joined: super.img one sparse image, system.img the raw pieces in order. */
	o.dir = out2;
	o.merge_super = 1;
	o.join_raw = 1;
	CU_ASSERT_EQUAL(hwf_extract_run(p.app, &o, &res, &e), 0);
	CU_ASSERT(res.ok);
	CU_ASSERT_EQUAL(res.written, 3);
	CU_ASSERT(res.row[3].written && res.row[4].written);
	CU_ASSERT_EQUAL(res.row[4].in_file, 2); /* SYSTEM#2 is in SYSTEM's file */
	CU_ASSERT_EQUAL(res.row[3].in_file, 1);
	CU_ASSERT(file_is(out2, "system.img", both, sizeof(both)));
	CU_ASSERT_EQUAL(tu_count_names(out2, "_2"), 0);
	sp = tu_path(out2, "super.img");
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_file(&s, sp, &e), 0);
	CU_ASSERT_EQUAL(hwf_sparse_validate(s, &raw, &e), 0);
	CU_ASSERT_EQUAL(raw, 8 * BLK);
	hwf_source_close(s);
	free(sp);
	hwf_extract_free(&res);
	/* Selecting one piece selects its group. */
	o.dir = out3;
	o.select = sel;
	CU_ASSERT_EQUAL(hwf_extract_run(p.app, &o, &res, &e), 0);
	CU_ASSERT(res.ok);
	CU_ASSERT_EQUAL(res.written, 1);
	CU_ASSERT(file_is(out3, "system.img", both, sizeof(both)));
	hwf_extract_free(&res);
	close_app(&p);
	free(out);
	free(out2);
	free(out3);
}

static void test_extract_group_with_bad_piece(void)
{
	static uint8_t r1[5000], r2[3000];
	const char *names[] = {"SYSTEM", "SYSTEM"};
	uint8_t *b[] = {r1, r2};
	size_t len[] = {sizeof(r1), sizeof(r2)};
	struct hwf_extract_opts o = {0};
	struct hwf_extract_result res;
	struct hwf_err e = {0};
	char *out = tu_path(dir, "bad");
	const struct hwf_app_entry *en;
	struct app p;
	uint8_t x;
	int fd;

	tu_random(r1, sizeof(r1), 1);
	tu_random(r2, sizeof(r2), 2);
	make_app(&p, "badjoin.APP", names, b, len, 2);
	en = hwf_app_find(p.app, "SYSTEM#2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(en);
	fd = open(p.path, O_RDWR);
	CU_ASSERT_EQUAL(pread(fd, &x, 1, (off_t)en->data_off + 10), 1);
	x ^= 1;
	CU_ASSERT_EQUAL(pwrite(fd, &x, 1, (off_t)en->data_off + 10), 1);
	close(fd);
	o.dir = out;
	o.label = "badjoin.APP";
	o.join_raw = 1;
	CU_ASSERT_EQUAL(hwf_extract_run(p.app, &o, &res, &e), 0);
	CU_ASSERT(!res.ok);
	CU_ASSERT_EQUAL(res.written, 1); /* the CRC entry alone */
	CU_ASSERT_EQUAL(tu_count_names(out, "system"), 0);
	hwf_extract_free(&res);
	close_app(&p);
	free(out);
}

void hwf_suite_sparse_merge(void)
{
	CU_pSuite s = CU_add_suite("sparse_merge", setup, teardown);

	CU_add_test(s, "complementary pieces join, nothing expanded",
		    test_complementary_pieces_join);
	CU_add_test(s, "one RAW chunk cut by other pieces comes out whole",
		    test_adjacent_raw_of_one_chunk_joined);
	CU_add_test(s, "overlapping data refused, naming both and the block", test_overlap_refused);
	CU_add_test(s, "pieces of different sizes refused", test_different_sizes_refused);
	CU_add_test(s, "a truncated or non-sparse piece refused", test_broken_piece_refused);
	CU_add_test(s, "groups: sparse vs raw by content, INPUT never",
		    test_groups_told_apart_by_content);
	CU_add_test(s, "extract: as before, --merge-super, join_raw, selection widened",
		    test_extract_joins);
	CU_add_test(s, "extract: a group with a bad piece is not written",
		    test_extract_group_with_bad_piece);
}
