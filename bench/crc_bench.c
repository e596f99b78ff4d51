// SPDX-License-Identifier: MIT
/* CRC-16/X-25 throughput of every implementation on 4 KiB blocks (the
 * UPDATE.APP block size), over a 1 MiB buffer that stays in cache. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "formats/core/crc16.h"

int main(void)
{
	const struct hwf_crc16_impl *l;
	size_t n = hwf_crc16_impls(&l), len = 1 << 20;
	unsigned char *buf = malloc(len);

	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	printf("%-14s %10s\n", "crc16 impl", "GB/s");
	for (size_t k = 0; k < n; k++) {
		struct timespec a, b;
		unsigned reps = k == 0 ? 8 : 400, acc = 0;
		double s;

		if (!l[k].usable())
			continue;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (unsigned r = 0; r < reps; r++)
			for (size_t o = 0; o < len; o += 4096)
				acc ^= l[k].update(0xffff, buf + o, 4096);
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		printf("%-14s %10.2f%s\n", l[k].name, (double)reps * (double)len / s / 1e9,
		       acc == 0x12345 ? " " : "");
	}
	printf("selected: %s\n", hwf_crc16_impl_name());
	free(buf);
	return 0;
}
