// SPDX-License-Identifier: MIT
/* libFuzzer target: the sparse reader and expander. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "formats/image/sparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	uint64_t raw;

	if (hwf_source_open_mem(&src, data, size, "fuzz.img", &e))
		return 0;
	/* Expand only what is small, so the fuzzer does not write gigabytes. */
	if (hwf_sparse_validate(src, &raw, &e) == 0 && raw <= (16u << 20)) {
		int fd = open("/dev/null", O_WRONLY);

		hwf_sparse_expand(src, fd, NULL, NULL, &e);
		close(fd);
	}
	hwf_source_close(src);
	return 0;
}
