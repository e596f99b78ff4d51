// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <string.h>

#include "bytes.h"
#include "sparse.h"

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

void hwf_suite_sparse(void)
{
	CU_pSuite s = CU_add_suite("sparse", NULL, NULL);

	CU_add_test(s, "reader: sums, types, truncation, header", test_reader);
}
