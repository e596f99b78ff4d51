// SPDX-License-Identifier: MIT
/*
 * CRC-32 folded with PCLMULQDQ, as crc16.c folds CRC-16/X-25 (its comment
 * explains the lanes and the constants: {x^(D+63) mod P, x^(D-1) mod P},
 * degree d at bit 63-d, computed with a bitwise GF(2) reduction for
 * P = 0x104C11DB7).  The folded 16 bytes are congruent to the prefix they
 * replace; zlib's crc32() finishes over them from a zero register (zlib's
 * crc32(0xffffffff, ...) is the inverted raw register started at zero) and
 * over the tail.  tests/unit/test_zip_members.c compares it with zlib over
 * random lengths and alignments.
 */
#include "formats/core/crc32.h"

#include <zlib.h>

uint32_t hwf_crc32_zlib(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;

		crc = (uint32_t)crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define K128_LO 0x65673b4600000000ull
#define K128_HI 0x9ba54c6f00000000ull
#define K512_LO 0x653d982200000000ull
#define K512_HI 0xcad38e8f00000000ull

__attribute__((target("pclmul,sse2"))) static inline __m128i fold128(__m128i x, __m128i k,
								     __m128i next)
{
	__m128i a = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i b = _mm_clmulepi64_si128(x, k, 0x11);

	return _mm_xor_si128(_mm_xor_si128(a, b), next);
}

__attribute__((target("pclmul,sse2"))) static uint32_t crc32_pclmul(uint32_t crc, const void *buf,
								    size_t len)
{
	const uint8_t *p = buf;
	const __m128i k512 = _mm_set_epi64x((long long)K512_HI, (long long)K512_LO);
	const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
	__m128i x0, x1, x2, x3;
	uint8_t tmp[16];

	x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)~crc));
	x1 = _mm_loadu_si128((const __m128i *)(p + 16));
	x2 = _mm_loadu_si128((const __m128i *)(p + 32));
	x3 = _mm_loadu_si128((const __m128i *)(p + 48));
	p += 64;
	len -= 64;
	while (len >= 64) {
		x0 = fold128(x0, k512, _mm_loadu_si128((const __m128i *)p));
		x1 = fold128(x1, k512, _mm_loadu_si128((const __m128i *)(p + 16)));
		x2 = fold128(x2, k512, _mm_loadu_si128((const __m128i *)(p + 32)));
		x3 = fold128(x3, k512, _mm_loadu_si128((const __m128i *)(p + 48)));
		p += 64;
		len -= 64;
	}
	x1 = fold128(x0, k128, x1);
	x2 = fold128(x1, k128, x2);
	x3 = fold128(x2, k128, x3);
	while (len >= 16) {
		x3 = fold128(x3, k128, _mm_loadu_si128((const __m128i *)p));
		p += 16;
		len -= 16;
	}
	_mm_storeu_si128((__m128i *)tmp, x3);
	return hwf_crc32_zlib(hwf_crc32_zlib(0xffffffffu, tmp, sizeof(tmp)), p, len);
}

uint32_t hwf_crc32(uint32_t crc, const void *buf, size_t len)
{
	if (len >= 64 && __builtin_cpu_supports("pclmul"))
		return crc32_pclmul(crc, buf, len);
	return hwf_crc32_zlib(crc, buf, len);
}
#else
uint32_t hwf_crc32(uint32_t crc, const void *buf, size_t len)
{
	return hwf_crc32_zlib(crc, buf, len);
}
#endif
