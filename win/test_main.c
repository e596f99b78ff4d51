// SPDX-License-Identifier: MIT
/*
 * win/test_main.c: tests/unit/main.c for test_unit.exe, in verbose mode: each
 * test is named as it starts, so a log of a suite that hung under wine (win/check.sh
 * stops it) ends at the test that hung.  Otherwise the same runner: the
 * suites of suites.h, or "test_unit SUITE" for that suite alone.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(int argc, char **argv)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	HWF_ALL_SUITES
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		CU_pSuite one = CU_get_suite(argv[1]);

		if (!one) {
			fprintf(stderr, "test_unit: no suite %s\n", argv[1]);
			CU_cleanup_registry();
			return 2;
		}
		CU_basic_run_suite(one);
	} else {
		CU_basic_run_tests();
	}
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
