// SPDX-License-Identifier: MIT
/*
 * win/multi_win.c: multi_run() of the Windows build.  host/multi.c runs one
 * child per device made with fork(), which Windows does not have; until a
 * CreateProcess version exists, several devices at once are refused in one
 * line.  host/multi.c is still compiled (its multi_applies() decides when
 * this applies) with its multi_run() renamed away (win/Makefile).
 */
#include "host/cli.h"

int multi_run(struct hwf_cli *cli, int *is_child)
{
	*is_child = 0;
	ui_error(&cli->ui, "several devices at once (-s A -s B ..., --all) are not supported on "
			   "Windows yet: run hwflash once per device");
	return HWF_EXIT_FAIL;
}
