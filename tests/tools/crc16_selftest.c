// SPDX-License-Identifier: MIT
/*
 * Stand-alone CRC-16/X-25 self test (no CUnit), for architectures the
 * build machine can only emulate: tests/integration/t_crc16_arm64.sh
 * cross-compiles it for arm64 and runs it under qemu-user to prove the
 * PMULL path.  Prints TAP-like lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/core/crc16.h"

int main(int argc, char **argv)
{
	const struct hwf_crc16_impl *l;
	size_t n = hwf_crc16_impls(&l), len = 100 * 1024 + 64;
	unsigned char *buf = malloc(len);
	unsigned long long x = 88172645463325252ull;
	const char *must = argc > 1 ? argv[1] : NULL;
	int failed = 0, found = 0;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
	for (size_t k = 0; k < n; k++) {
		unsigned bad = 0;

		if (must && !strcmp(l[k].name, must))
			found = l[k].usable();
		if (!l[k].usable())
			continue;
		{
			unsigned v = l[k].update(0xffff, "123456789", 9);

			if ((v ^ 0xffffu) != 0x906eu)
				bad++;
		}
		for (int it = 0; it < 400; it++) {
			size_t sz, off;
			unsigned short reg;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			sz = it < 200 ? (size_t)it : (size_t)(x % (100 * 1024 + 1));
			off = (size_t)(x >> 40) % 64;
			reg = (unsigned short)(x >> 20);
			if (l[k].update(reg, buf + off, sz) != l[0].update(reg, buf + off, sz))
				bad++;
		}
		printf("%s - crc16 %s matches the bitwise reference\n", bad ? "not ok" : "ok",
		       l[k].name);
		failed |= bad != 0;
	}
	if (must) {
		printf("%s - implementation %s is present and usable\n", found ? "ok" : "not ok",
		       must);
		failed |= !found;
	}
	printf("%s - selected implementation: %s\n", "ok", hwf_crc16_impl_name());
	free(buf);
	return failed;
}
