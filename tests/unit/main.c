// SPDX-License-Identifier: MIT
/*
 * CUnit runner.  Every tests/unit/test_<module>.c defines
 * "void hwf_suite_<module>(void)" that adds its suite; the Makefile collects
 * them into suites.h, so adding a file is all it takes.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	HWF_ALL_SUITES
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
