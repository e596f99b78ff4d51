// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: joining split sparse pieces (hwf_sparse_merge).  The
 * input is a u32 LE length, then that many bytes of the first piece, the
 * rest the second piece; the result goes to an unlinked temporary file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "formats/image/sparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src[2] = {NULL, NULL};
	struct hwf_err e = {0};
	size_t first;
	FILE *out;

	if (size < 4)
		return 0;
	first = get_le32(data);
	if (first > size - 4)
		first = size - 4;
	out = tmpfile();
	if (!out)
		return 0;
	if (!hwf_source_open_mem(&src[0], data + 4, first, "a", &e) &&
	    !hwf_source_open_mem(&src[1], data + 4 + first, size - 4 - first, "b", &e))
		(void)hwf_sparse_merge(src, NULL, 2, fileno(out), NULL, NULL, &e);
	hwf_source_close(src[0]);
	hwf_source_close(src[1]);
	fclose(out);
	return 0;
}
