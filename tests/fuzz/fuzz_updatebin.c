// SPDX-License-Identifier: MIT
/* libFuzzer target: HarmonyOS update.bin sniff, parse, names, SHA-256 check, component reads. */
#include <stdint.h>
#include <stdlib.h>

#include "formats/app/updatebin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src, *w;
	struct hwf_err e = {0};
	struct hwf_ubin_check res;
	struct hwf_ubin *u;

	if (hwf_source_open_mem(&src, data, size, "fuzz", &e))
		return 0;
	(void)hwf_ubin_sniff(src);
	if (hwf_ubin_open(&u, src, &e) == 0) {
		for (size_t i = 0; i < hwf_ubin_count(u); i++) {
			const struct hwf_ubin_comp *c = hwf_ubin_comp(u, i);
			uint8_t b[64];

			(void)hwf_ubin_find(u, c->name);
			if (hwf_ubin_comp_source(u, i, &w, &e) == 0) {
				(void)hwf_source_pread(w, b, sizeof(b), 0, &e);
				hwf_source_close(w);
			}
		}
		(void)hwf_ubin_check(u, NULL, &res, NULL, NULL, &e);
		hwf_ubin_check_free(&res);
		hwf_ubin_close(u);
	}
	hwf_source_close(src);
	return 0;
}
