// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

/* A sparse image in memory: header + RAW(1 block) + FILL(2) + DONT_CARE(1). */
static size_t build(uint8_t *b, uint32_t total_blks, uint16_t raw_type)
{
	size_t p = 28;

	memset(b, 0, 28);
	put_le32(b, HWF_SPARSE_MAGIC);
	put_le16(b + 4, 1);
	put_le16(b + 8, 28);
	put_le16(b + 10, 12);
	put_le32(b + 12, 4096);
	put_le32(b + 16, total_blks);
	put_le32(b + 20, 3);
	put_le16(b + p, raw_type);
	put_le32(b + p + 4, 1);
	put_le32(b + p + 8, 12 + 4096);
	memset(b + p + 12, 0xab, 4096);
	p += 12 + 4096;
	put_le16(b + p, HWF_SPARSE_FILL);
	put_le32(b + p + 4, 2);
	put_le32(b + p + 8, 16);
	put_le32(b + p + 12, 0x11223344);
	p += 16;
	put_le16(b + p, HWF_SPARSE_DONT_CARE);
	put_le32(b + p + 4, 1);
	put_le32(b + p + 8, 12);
	return p + 12;
}

static int validate(const uint8_t *b, size_t len, uint64_t *raw, struct hwf_err *e)
{
	struct hwf_source *src;
	int rc;

	hwf_source_open_mem(&src, b, len, "s.img", e);
	rc = hwf_sparse_validate(src, raw, e);
	hwf_source_close(src);
	return rc;
}

static void test_reader(void)
{
	static uint8_t b[8192];
	struct hwf_err e = { 0 };
	uint64_t raw = 0;
	size_t len = build(b, 4, HWF_SPARSE_RAW);

	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), 0);
	CU_ASSERT_EQUAL(raw, 4 * 4096);
	build(b, 5, HWF_SPARSE_RAW);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "chunks cover 4 blocks, the header says 5"));
	build(b, 4, 0xcac9);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown type 0xcac9"));
	build(b, 4, HWF_SPARSE_RAW);
	CU_ASSERT_EQUAL(validate(b, 1000, &raw, &e), HWF_ETRUNC);
	put_le32(b + 12, 0);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "block size 0"));
	build(b, 4, HWF_SPARSE_RAW);
	put_le16(b + 4, 2);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT_EQUAL(validate(b, 10, &raw, &e), HWF_ETRUNC);
}

static int has(const struct hwf_err *e, const char *text)
{
	if (strstr(e->msg, text))
		return 1;
	fprintf(stderr, "\n    message '%s' lacks '%s'\n", e->msg, text);
	return 0;
}

/* The image of build() (4 blocks, 3 chunks: RAW 1, FILL 2, DONT_CARE 1) cut anywhere. */
static void test_truncation_points(void)
{
	static uint8_t b[8192];
	static const struct {
		size_t len;
		int rc;
		const char *text;
	} cuts[] = {
		{ 10, HWF_ETRUNC, "truncated inside the sparse header" },
		{ 28, HWF_ETRUNC, "the header says 3 chunks, the file ends after 0" },
		{ 33, HWF_ETRUNC, "inside the header of chunk 1 of 3" },
		{ 1000, HWF_ETRUNC, "truncated at 0.0 MiB of at least 0.0 MiB: chunk 1 of 3" },
		{ 28 + 12 + 4095, HWF_ETRUNC, "needs 4108 bytes at byte 28, the file ends at 4135" },
		{ 28 + 12 + 4096, HWF_ETRUNC, "the file ends after 1" },
		{ 28 + 12 + 4096 + 14, HWF_ETRUNC, "chunk 2 of 3 (2 blocks) needs 16 bytes" },
		{ 28 + 12 + 4096 + 16, HWF_ETRUNC, "the header says 3 chunks, the file ends after 2" },
	};
	struct hwf_err e = { 0 };
	uint64_t raw;
	size_t len = build(b, 4, HWF_SPARSE_RAW);

	CU_ASSERT_EQUAL(len, 28 + 12 + 4096 + 16 + 12);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		CU_ASSERT_EQUAL(validate(b, cuts[i].len, &raw, &e), cuts[i].rc);
		CU_ASSERT(has(&e, cuts[i].text));
	}
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), 0);
}

/* A 16 MiB RAW chunk cut at 4.8 MiB: "truncated at 4.8 MiB of at least 16.0 MiB". */
static void test_truncation_in_mib(void)
{
	size_t full = 28 + 12 + (16u << 20), cut = 5000000;
	uint8_t *b = calloc(1, full);
	struct hwf_err e = { 0 };
	uint64_t raw;

	put_le32(b, HWF_SPARSE_MAGIC);
	put_le16(b + 4, 1);
	put_le16(b + 8, 28);
	put_le16(b + 10, 12);
	put_le32(b + 12, 4096);
	put_le32(b + 16, 4096);
	put_le32(b + 20, 1);
	put_le16(b + 28, HWF_SPARSE_RAW);
	put_le32(b + 32, 4096);
	put_le32(b + 36, 12 + (16u << 20));
	CU_ASSERT_EQUAL(validate(b, full, &raw, &e), 0);
	CU_ASSERT_EQUAL(raw, 16u << 20);
	CU_ASSERT_EQUAL(validate(b, cut, &raw, &e), HWF_ETRUNC);
	CU_ASSERT(has(&e, "s.img: truncated at 4.8 MiB of at least 16.0 MiB: chunk 1 of 1"));
	free(b);
}

/* Header fields that lie: total_blks, total_chunks, a chunk's size, its block count. */
static void test_header_lies(void)
{
	static uint8_t b[8192];
	struct hwf_err e = { 0 };
	uint64_t raw;
	size_t len;

	/* total_blks larger and smaller than the chunks. */
	len = build(b, 5, HWF_SPARSE_RAW);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "chunks cover 4 blocks, the header says 5 (total_blks is wrong)"));
	build(b, 3, HWF_SPARSE_RAW);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "chunk 3 of 3 goes past the 3 blocks"));
	build(b, 0x7fffffff, HWF_SPARSE_RAW);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "total_blks is wrong"));
	/* total_chunks larger and smaller. */
	build(b, 4, HWF_SPARSE_RAW);
	put_le32(b + 20, 4);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_ETRUNC);
	CU_ASSERT(has(&e, "the header says 4 chunks, the file ends after 3"));
	put_le32(b + 20, 2);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "the header says 2 chunks, but 12 bytes follow the last of them"));
	put_le32(b + 20, 0);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	/* Bytes appended after a whole image. */
	build(b, 4, HWF_SPARSE_RAW);
	CU_ASSERT_EQUAL(validate(b, len + 100, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "100 bytes follow"));
	/* Chunk sizes that lie: RAW one byte short / long, FILL and DONT_CARE with data. */
	put_le32(b + 28 + 8, 12 + 4095);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "chunk 1 of 3 (type 0xcac1, 1 blocks) has size 4107"));
	put_le32(b + 28 + 8, 12 + 4097);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	build(b, 4, HWF_SPARSE_RAW);
	put_le32(b + 28 + 12 + 4096 + 8, 20);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "chunk 2 of 3 (type 0xcac2"));
	build(b, 4, HWF_SPARSE_RAW);
	put_le32(b + 28 + 12 + 4096 + 16 + 8, 16);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_EFORMAT);
	CU_ASSERT(has(&e, "chunk 3 of 3 (type 0xcac3"));
	/* A RAW chunk whose block count and size both say 2 blocks: past the file. */
	build(b, 4, HWF_SPARSE_RAW);
	put_le32(b + 28 + 4, 2);
	put_le32(b + 28 + 8, 12 + 8192);
	CU_ASSERT_NOT_EQUAL(validate(b, len, &raw, &e), 0);
	/* A file header longer than the file. */
	build(b, 4, HWF_SPARSE_RAW);
	put_le16(b + 8, 9000);
	CU_ASSERT_EQUAL(validate(b, len, &raw, &e), HWF_ETRUNC);
	CU_ASSERT(has(&e, "truncated inside the sparse header"));
}

/* Apply a sparse piece onto @img (DONT_CARE leaves what is there). */
static void apply(struct hwf_source *piece, uint8_t *img, size_t cap)
{
	struct hwf_sparse_reader *r;
	struct hwf_sparse_chunk c;
	struct hwf_err e = { 0 };
	uint32_t bs;

	CU_ASSERT_EQUAL_FATAL(hwf_sparse_open(&r, piece, &e), 0);
	bs = hwf_sparse_header(r)->blk_sz;
	while (hwf_sparse_next(r, &c, &e) == 1) {
		uint64_t o = c.out_block * bs, len = (uint64_t)c.blocks * bs;

		CU_ASSERT_FATAL(o + len <= cap);
		if (c.type == HWF_SPARSE_RAW) {
			CU_ASSERT_EQUAL(hwf_source_read_exact(piece, img + o, len, c.data_off, &e), 0);
		} else if (c.type == HWF_SPARSE_FILL) {
			for (uint64_t k = 0; k < len; k += 4)
				put_le32(img + o + k, c.fill);
		}
	}
	hwf_sparse_close(r);
}

/* Random image with fill and zero runs -> pieces -> each valid -> reassembled equal. */
static void test_split_roundtrip(void)
{
	static const uint64_t maxes[] = { 28 + 36 + 4096, 10000, 65536, 300000, 1 << 20 };
	size_t size = 777 * 1024 + 123, cap = (size + 4095) / 4096 * 4096;
	uint8_t *img = malloc(cap), *out = malloc(cap), *piecebuf = malloc(1 << 20);
	struct hwf_source *src;
	struct hwf_err e = { 0 };

	memset(img, 0, cap);
	for (size_t i = 0; i < size; i++)
		img[i] = (uint8_t)((i * 2654435761u) >> 13);
	memset(img + 8192, 0, 40960);			/* zero blocks -> FILL 0 */
	for (size_t i = 100000 / 4 * 4; i < 200000; i += 4)	/* a pattern -> FILL */
		put_le32(img + i, 0xdeadbeef);
	CU_ASSERT_EQUAL_FATAL(hwf_source_open_mem(&src, img, size, "img", &e), 0);
	for (size_t m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		struct hwf_sparse_split *sp;
		size_t n;

		CU_ASSERT_EQUAL_FATAL(hwf_sparse_split(&sp, src, maxes[m], &e), 0);
		n = hwf_sparse_split_count(sp);
		CU_ASSERT(n >= 1);
		memset(out, 0x55, cap);
		for (size_t i = 0; i < n; i++) {
			struct hwf_source *p, *mem;
			uint64_t raw;

			CU_ASSERT_EQUAL_FATAL(hwf_sparse_split_piece(sp, i, &p, &e), 0);
			CU_ASSERT(hwf_source_size(p) <= maxes[m]);
			CU_ASSERT_FATAL(hwf_source_size(p) <= (1 << 20));
			/* Read it whole in odd-sized steps, as a download would. */
			for (uint64_t off = 0; off < hwf_source_size(p); off += 777)
				CU_ASSERT_EQUAL(hwf_source_read_exact(p, piecebuf + off,
					hwf_source_size(p) - off < 777 ? hwf_source_size(p) - off : 777,
					off, &e), 0);
			hwf_source_open_mem(&mem, piecebuf, hwf_source_size(p), "piece", &e);
			CU_ASSERT_EQUAL(hwf_sparse_validate(mem, &raw, &e), 0);
			CU_ASSERT_EQUAL(raw, cap);
			apply(mem, out, cap);
			hwf_source_close(mem);
			hwf_source_close(p);
		}
		CU_ASSERT_EQUAL(memcmp(out, img, cap), 0);
		hwf_sparse_split_free(sp);
	}
	CU_ASSERT_EQUAL(hwf_sparse_split(&(struct hwf_sparse_split *){ NULL }, src, 100, &e),
			HWF_EINVAL);
	hwf_source_close(src);
	free(img);
	free(out);
	free(piecebuf);
}

void hwf_suite_sparse(void)
{
	CU_pSuite s = CU_add_suite("sparse", NULL, NULL);

	CU_add_test(s, "reader: sums, types, truncation, header", test_reader);
	CU_add_test(s, "truncation at every kind of cut point is named", test_truncation_points);
	CU_add_test(s, "truncation message in MiB", test_truncation_in_mib);
	CU_add_test(s, "header lies: total_blks, total_chunks, chunk sizes, trailing bytes",
		    test_header_lies);
	CU_add_test(s, "split: pieces valid, bounded, reassemble to the image",
		    test_split_roundtrip);
}
