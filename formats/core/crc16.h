/* SPDX-License-Identifier: MIT */
/*
 * CRC-16/X-25 (CRC-16/IBM-SDLC): poly 0x1021 reflected (0x8408), init 0xFFFF,
 * xorout 0xFFFF.  check("123456789") = 0x906E.  This is the checksum of every
 * Huawei UPDATE.APP header and data block, and the hot loop of `app check`.
 *
 * The fastest implementation the CPU supports is picked at run time
 * (PCLMULQDQ or AVX2+VPCLMULQDQ folding on x86-64, PMULL folding on arm64,
 * slicing-by-8 elsewhere).
 *
 * Pure functions over the caller's buffers: nothing allocated, nothing fails.
 */
#ifndef HWF_CRC16_H
#define HWF_CRC16_H

#include <stddef.h>
#include <stdint.h>

#define HWF_CRC16_INIT 0xffffu

/* Advance a raw CRC register (no init, no final xor) over @len bytes. */
uint16_t hwf_crc16_update(uint16_t reg, const void *buf, size_t len);

/* The finished CRC-16/X-25 of a buffer. */
static inline uint16_t hwf_crc16(const void *buf, size_t len)
{
	return (uint16_t)(hwf_crc16_update(HWF_CRC16_INIT, buf, len) ^ 0xffffu);
}

/* One implementation; @usable says whether this CPU can run it. */
struct hwf_crc16_impl {
	const char *name;
	uint16_t (*update)(uint16_t reg, const void *buf, size_t len);
	int (*usable)(void);
};

/* All implementations, slowest (bitwise reference) first.  Returns the count. */
size_t hwf_crc16_impls(const struct hwf_crc16_impl **list);

/* Name of the implementation hwf_crc16_update() uses on this CPU. */
const char *hwf_crc16_impl_name(void);

#endif
