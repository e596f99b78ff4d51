// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: what-is-this-file.  hwf_sniff_buf on the input as a
 * whole file and as the head of a larger one, hwf_sniff_source (head and
 * tail reads), and the explanation into a roomy and a tiny buffer.
 */
#include <stdint.h>
#include <string.h>

#include "formats/image/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src;
	struct hwf_sniff s;
	struct hwf_err e = { 0 };
	char why[256], tiny[8];
	size_t small = size ? data[0] % sizeof(tiny) + 1 : 1;

	hwf_sniff_buf(data, size, size, &s);
	hwf_sniff_explain(&s, why, sizeof(why));
	if (strlen(why) >= sizeof(why))
		__builtin_trap();
	hwf_sniff_explain(&s, tiny, small);
	if (strlen(tiny) >= small)
		__builtin_trap();
	hwf_kind_name(s.kind);
	/* The head of something larger (a 4 GiB UPDATE.APP, a truncated read). */
	hwf_sniff_buf(data, size, (uint64_t)size + 0x100000000ull, &s);
	hwf_sniff_explain(&s, why, sizeof(why));
	if (hwf_source_open_mem(&src, data, size, "fuzz.bin", &e))
		return 0;
	if (hwf_sniff_source(src, &s, &e) == 0) {
		hwf_sniff_explain(&s, why, sizeof(why));
		hwf_kind_name(s.kind);
	}
	hwf_source_close(src);
	return 0;
}
