// SPDX-License-Identifier: MIT
/*
 * CUnit runner.  Every tests/unit/test_<module>.c defines
 * "void hwf_suite_<module>(void)" that adds its suite; the Makefile collects
 * them into suites.h, so adding a file is all it takes.  "test_unit SUITE"
 * runs that suite alone.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

/* The Windows build names each test as it starts (win/Makefile). */
#ifndef HWF_TEST_MODE
#define HWF_TEST_MODE CU_BRM_NORMAL
#endif

int main(int argc, char **argv)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	HWF_ALL_SUITES
	CU_basic_set_mode(HWF_TEST_MODE);
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
