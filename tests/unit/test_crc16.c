// SPDX-License-Identifier: MIT
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/crc16.h"
#include "tests/unit/testutil.h"

static void test_check_values(void)
{
	CU_ASSERT_EQUAL(hwf_crc16("123456789", 9), 0x906e);
	CU_ASSERT_EQUAL(hwf_crc16("test", 4), 0x0788);
	CU_ASSERT_EQUAL(hwf_crc16("", 0), 0x0000);
}

static void test_every_impl_has_check_value(void)
{
	const struct hwf_crc16_impl *l;
	size_t n = hwf_crc16_impls(&l);

	CU_ASSERT(n >= 2);
	for (size_t i = 0; i < n; i++) {
		if (!l[i].usable())
			continue;
		CU_ASSERT_EQUAL(l[i].update(0xffff, "123456789", 9) ^ 0xffff, 0x906e);
		CU_ASSERT_EQUAL(l[i].update(0xffff, "test", 4) ^ 0xffff, 0x0788);
	}
}

/* Every implementation against the bitwise reference: random lengths
 * 0..100 KiB, every misalignment 0..63, random starting registers. */
static void test_impls_match_bitwise(void)
{
	const struct hwf_crc16_impl *l;
	size_t n = hwf_crc16_impls(&l), len = 100 * 1024 + 64;
	uint8_t *buf = malloc(len);
	uint64_t seed = 12345;
	unsigned mismatches = 0;

	CU_ASSERT_STRING_EQUAL(l[0].name, "bitwise");
	tu_random(buf, len, 7);
	for (int it = 0; it < 600; it++) {
		size_t sz, off;
		uint16_t reg, ref;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		sz = (size_t)(seed >> 33) % (100 * 1024 + 1);
		if (it < 300)
			sz = (size_t)it;	/* all the short lengths around the fold thresholds */
		off = (size_t)(seed >> 20) % 64;
		reg = (uint16_t)(seed >> 8);
		ref = l[0].update(reg, buf + off, sz);
		for (size_t i = 1; i < n; i++)
			if (l[i].usable() && l[i].update(reg, buf + off, sz) != ref)
				mismatches++;
		if (hwf_crc16_update(reg, buf + off, sz) != ref)
			mismatches++;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	free(buf);
}

/* Splitting a buffer anywhere and chaining the register gives the same CRC. */
static void test_chaining(void)
{
	uint8_t buf[5000];
	uint16_t whole;

	tu_random(buf, sizeof(buf), 3);
	whole = hwf_crc16(buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 97) {
		uint16_t r = hwf_crc16_update(HWF_CRC16_INIT, buf, cut);

		r = hwf_crc16_update(r, buf + cut, sizeof(buf) - cut);
		CU_ASSERT_EQUAL((uint16_t)(r ^ 0xffff), whole);
	}
}

static void test_best_impl_named(void)
{
	CU_ASSERT_PTR_NOT_NULL(hwf_crc16_impl_name());
}

void hwf_suite_crc16(void)
{
	CU_pSuite s = CU_add_suite("crc16", NULL, NULL);

	CU_add_test(s, "check values 123456789 and test", test_check_values);
	CU_add_test(s, "every implementation has the check values", test_every_impl_has_check_value);
	CU_add_test(s, "implementations match bitwise reference", test_impls_match_bitwise);
	CU_add_test(s, "chained updates equal one pass", test_chaining);
	CU_add_test(s, "selected implementation is named", test_best_impl_named);
}
