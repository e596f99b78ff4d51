/* SPDX-License-Identifier: MIT */
/*
 * Members written into a minizip zipFile for the unit tests (zip_members,
 * download): plain ones, and deflated data stored raw with whatever size
 * and CRC-32 the zip should claim (a bomb, a bad CRC, short data).
 * Both return 0, or -1 when minizip or zlib failed.
 */
#ifndef HWF_TEST_ZIPFIX_H
#define HWF_TEST_ZIPFIX_H

#include <stddef.h>
#include <zip.h>

/* @len bytes of @buf as member @name, stored (@method 0) or deflated (Z_DEFLATED). */
int zf_add(zipFile z, const char *name, const void *buf, size_t len, int method);

/* @buf deflated and stored raw, the zip saying @usize bytes and @crc. */
int zf_add_raw(zipFile z, const char *name, const void *buf, size_t len, uLong usize, uLong crc);

#endif
