/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 as zip and zlib define it (reflected 0x04C11DB7, inverted in and
 * out): hwf_crc32(crc, buf, len) gives what zlib's crc32() gives, folded
 * with PCLMULQDQ where the CPU has it (several times zlib 1.2's speed: a
 * zip member's check no longer costs as much as inflating it), else
 * zlib's.  Nothing allocated; no errors.
 */
#ifndef HWF_CRC32_H
#define HWF_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t hwf_crc32(uint32_t crc, const void *buf, size_t len);

/* The same, never folded (zlib's): the reference for the tests. */
uint32_t hwf_crc32_zlib(uint32_t crc, const void *buf, size_t len);

#endif
