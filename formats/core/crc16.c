// SPDX-License-Identifier: MIT
/*
 * CRC-16/X-25 in three speeds.
 *
 * Folding (PCLMULQDQ): a 128-bit lane A loaded little-endian holds message
 * bit q as the coefficient of x^(127-q) (the reflected order).  Moving A
 * forward by D bits is A*x^D mod P; splitting A into its low qword H (the
 * high powers) and high qword L gives H*x^(D+64) + L*x^D.  The constants are
 * x^(D+63) mod P and x^(D-1) mod P with degree d stored at bit 63-d: the
 * extra x^-1 compensates the one-bit offset of a carry-less product of two
 * reflected 64-bit values, so no shift is needed.  The folded 16 bytes are
 * congruent to the prefix they replace, so the last step simply runs the
 * table CRC over them from a zero register (the initial register was xored
 * into the first two message bytes).  Constants were computed with a
 * bitwise GF(2) reduction; tests/unit/test_crc16.c checks every path against
 * the bitwise reference over random lengths and alignments.
 */
#include "formats/core/crc16.h"

#include <string.h>

#include "formats/core/crc16_table.h"

static uint16_t crc16_bitwise(uint16_t reg, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len--) {
		reg ^= *p++;
		for (int i = 0; i < 8; i++)
			reg = (reg & 1) ? (uint16_t)((reg >> 1) ^ 0x8408) : (uint16_t)(reg >> 1);
	}
	return reg;
}

static uint16_t crc16_slice8(uint16_t reg, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len >= 8) {
		reg = crc16_tab[7][(p[0] ^ reg) & 0xff] ^ crc16_tab[6][(p[1] ^ (reg >> 8)) & 0xff] ^
		      crc16_tab[5][p[2]] ^ crc16_tab[4][p[3]] ^ crc16_tab[3][p[4]] ^
		      crc16_tab[2][p[5]] ^ crc16_tab[1][p[6]] ^ crc16_tab[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		reg = (uint16_t)((reg >> 8) ^ crc16_tab[0][(reg ^ *p++) & 0xff]);
	return reg;
}

static int always(void)
{
	return 1;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* {x^(D+63) mod P, x^(D-1) mod P}, reflected as described above. */
#define K128_LO 0xa95d000000000000ull
#define K128_HI 0x7eea000000000000ull
#define K512_LO 0x9822000000000000ull
#define K512_HI 0x7f90000000000000ull
#define K1024_LO 0x471c000000000000ull
#define K1024_HI 0x46d8000000000000ull

__attribute__((target("pclmul,sse2"))) static inline __m128i fold128(__m128i x, __m128i k,
								      __m128i next)
{
	__m128i a = _mm_clmulepi64_si128(x, k, 0x00);
	__m128i b = _mm_clmulepi64_si128(x, k, 0x11);

	return _mm_xor_si128(_mm_xor_si128(a, b), next);
}

/* Fold the 16-byte remainder loop and the tail; @x is the lane at @p - 16. */
__attribute__((target("pclmul,sse2"))) static uint16_t fold_finish(__m128i x, const uint8_t *p,
								 size_t len)
{
	const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
	uint8_t tmp[16];

	while (len >= 16) {
		x = fold128(x, k128, _mm_loadu_si128((const __m128i *)p));
		p += 16;
		len -= 16;
	}
	_mm_storeu_si128((__m128i *)tmp, x);
	return crc16_slice8(crc16_slice8(0, tmp, sizeof(tmp)), p, len);
}

__attribute__((target("pclmul,sse2"))) static uint16_t crc16_pclmul(uint16_t reg, const void *buf,
								  size_t len)
{
	const uint8_t *p = buf;
	const __m128i k512 = _mm_set_epi64x((long long)K512_HI, (long long)K512_LO);
	const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
	__m128i x0, x1, x2, x3;

	if (len < 64)
		return crc16_slice8(reg, p, len);
	x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128(reg));
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
	return fold_finish(x3, p, len);
}

__attribute__((target("avx2,vpclmulqdq,pclmul"))) static inline __m256i fold256(__m256i x, __m256i k,
									   __m256i next)
{
	__m256i a = _mm256_clmulepi64_epi128(x, k, 0x00);
	__m256i b = _mm256_clmulepi64_epi128(x, k, 0x11);

	return _mm256_xor_si256(_mm256_xor_si256(a, b), next);
}

__attribute__((target("avx2,vpclmulqdq,pclmul"))) static uint16_t
crc16_vpclmul(uint16_t reg, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	const __m256i k1024 = _mm256_set_epi64x((long long)K1024_HI, (long long)K1024_LO,
						(long long)K1024_HI, (long long)K1024_LO);
	const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
	__m256i y0, y1, y2, y3;
	__m128i x;

	if (len < 256)
		return crc16_pclmul(reg, p, len);
	y0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)p),
			      _mm256_set_epi32(0, 0, 0, 0, 0, 0, 0, (int)reg));
	y1 = _mm256_loadu_si256((const __m256i *)(p + 32));
	y2 = _mm256_loadu_si256((const __m256i *)(p + 64));
	y3 = _mm256_loadu_si256((const __m256i *)(p + 96));
	p += 128;
	len -= 128;
	while (len >= 128) {
		y0 = fold256(y0, k1024, _mm256_loadu_si256((const __m256i *)p));
		y1 = fold256(y1, k1024, _mm256_loadu_si256((const __m256i *)(p + 32)));
		y2 = fold256(y2, k1024, _mm256_loadu_si256((const __m256i *)(p + 64)));
		y3 = fold256(y3, k1024, _mm256_loadu_si256((const __m256i *)(p + 96)));
		p += 128;
		len -= 128;
	}
	/* Eight lanes in message order, folded one into the next. */
	x = _mm256_castsi256_si128(y0);
	x = fold128(x, k128, _mm256_extracti128_si256(y0, 1));
	x = fold128(x, k128, _mm256_castsi256_si128(y1));
	x = fold128(x, k128, _mm256_extracti128_si256(y1, 1));
	x = fold128(x, k128, _mm256_castsi256_si128(y2));
	x = fold128(x, k128, _mm256_extracti128_si256(y2, 1));
	x = fold128(x, k128, _mm256_castsi256_si128(y3));
	x = fold128(x, k128, _mm256_extracti128_si256(y3, 1));
	return fold_finish(x, p, len);
}

static int has_pclmul(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
}

static int has_vpclmul(void)
{
	__builtin_cpu_init();
	return has_pclmul() && __builtin_cpu_supports("avx2") &&
	       __builtin_cpu_supports("vpclmulqdq");
}
#endif

#if defined(__aarch64__) && defined(__GNUC__)
#include <arm_neon.h>
#include <sys/auxv.h>

#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)
#endif

/* Same folding as the PCLMULQDQ path, with PMULL (vmull_p64). */
#define A64_K128_LO 0xa95d000000000000ull
#define A64_K128_HI 0x7eea000000000000ull
#define A64_K512_LO 0x9822000000000000ull
#define A64_K512_HI 0x7f90000000000000ull

__attribute__((target("+crypto"))) static inline uint64x2_t fold_pmull(uint64x2_t x, poly64_t lo,
								   poly64_t hi, uint64x2_t next)
{
	poly128_t a = vmull_p64((poly64_t)vgetq_lane_u64(x, 0), lo);
	poly128_t b = vmull_p64((poly64_t)vgetq_lane_u64(x, 1), hi);

	return veorq_u64(veorq_u64(vreinterpretq_u64_p128(a), vreinterpretq_u64_p128(b)), next);
}

static inline uint64x2_t load16(const uint8_t *p)
{
	return vreinterpretq_u64_u8(vld1q_u8(p));
}

__attribute__((target("+crypto"))) static uint16_t crc16_pmull(uint16_t reg, const void *buf,
							       size_t len)
{
	const uint8_t *p = buf;
	uint64x2_t x0, x1, x2, x3;
	uint8_t tmp[16];

	if (len < 64)
		return crc16_slice8(reg, p, len);
	x0 = veorq_u64(load16(p), vcombine_u64(vcreate_u64(reg), vcreate_u64(0)));
	x1 = load16(p + 16);
	x2 = load16(p + 32);
	x3 = load16(p + 48);
	p += 64;
	len -= 64;
	while (len >= 64) {
		x0 = fold_pmull(x0, A64_K512_LO, A64_K512_HI, load16(p));
		x1 = fold_pmull(x1, A64_K512_LO, A64_K512_HI, load16(p + 16));
		x2 = fold_pmull(x2, A64_K512_LO, A64_K512_HI, load16(p + 32));
		x3 = fold_pmull(x3, A64_K512_LO, A64_K512_HI, load16(p + 48));
		p += 64;
		len -= 64;
	}
	x1 = fold_pmull(x0, A64_K128_LO, A64_K128_HI, x1);
	x2 = fold_pmull(x1, A64_K128_LO, A64_K128_HI, x2);
	x3 = fold_pmull(x2, A64_K128_LO, A64_K128_HI, x3);
	while (len >= 16) {
		x3 = fold_pmull(x3, A64_K128_LO, A64_K128_HI, load16(p));
		p += 16;
		len -= 16;
	}
	vst1q_u8(tmp, vreinterpretq_u8_u64(x3));
	return crc16_slice8(crc16_slice8(0, tmp, sizeof(tmp)), p, len);
}

static int has_pmull(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_PMULL) != 0;
}
#endif

static const struct hwf_crc16_impl impls[] = {
	{ "bitwise", crc16_bitwise, always },
	{ "slice8", crc16_slice8, always },
#if defined(__x86_64__) && defined(__GNUC__)
	{ "pclmul", crc16_pclmul, has_pclmul },
	{ "vpclmul-avx2", crc16_vpclmul, has_vpclmul },
#endif
#if defined(__aarch64__) && defined(__GNUC__)
	{ "pmull", crc16_pmull, has_pmull },
#endif
};

size_t hwf_crc16_impls(const struct hwf_crc16_impl **list)
{
	*list = impls;
	return sizeof(impls) / sizeof(impls[0]);
}

/*
 * The choice is re-derived on each call from the CPU feature bits that
 * libgcc caches at start-up: a few loads, negligible next to a 4 KiB block,
 * and no mutable state of our own.
 */
static const struct hwf_crc16_impl *best(void)
{
	size_t i = sizeof(impls) / sizeof(impls[0]);

	while (--i > 0)
		if (impls[i].usable())
			return &impls[i];
	return &impls[0];
}

uint16_t hwf_crc16_update(uint16_t reg, const void *buf, size_t len)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= 256 && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("pclmul"))
		return crc16_vpclmul(reg, buf, len);
	if (len >= 64 && __builtin_cpu_supports("pclmul"))
		return crc16_pclmul(reg, buf, len);
#endif
#if defined(__aarch64__) && defined(__GNUC__)
	if (len >= 64 && has_pmull())
		return crc16_pmull(reg, buf, len);
#endif
	return crc16_slice8(reg, buf, len);
}

const char *hwf_crc16_impl_name(void)
{
	return best()->name;
}
