// SPDX-License-Identifier: MIT
/* Members for test zips (see zipfix.h). */
#include "tests/unit/zipfix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int zf_add(zipFile z, const char *name, const void *buf, size_t len, int method)
{
	zip_fileinfo zi;

	memset(&zi, 0, sizeof(zi));
	if (zipOpenNewFileInZip64(z, name, &zi, NULL, 0, NULL, 0, NULL, method,
				  method ? Z_DEFAULT_COMPRESSION : 0,
				  len >= 0xffffffffu) != ZIP_OK ||
	    zipWriteInFileInZip(z, buf, (unsigned)len) != ZIP_OK)
		return -1;
	return zipCloseFileInZip(z) == ZIP_OK ? 0 : -1;
}

int zf_add_raw(zipFile z, const char *name, const void *buf, size_t len, uLong usize, uLong crc)
{
	uLongf clen = compressBound(len);
	uint8_t *c = malloc(clen);
	z_stream zs;
	zip_fileinfo zi;
	int rc = -1;

	memset(&zs, 0, sizeof(zs));
	memset(&zi, 0, sizeof(zi));
	if (c && deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
		zs.next_in = (Bytef *)buf;
		zs.avail_in = (uInt)len;
		zs.next_out = c;
		zs.avail_out = (uInt)clen;
		if (deflate(&zs, Z_FINISH) == Z_STREAM_END &&
		    zipOpenNewFileInZip2(z, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 1) ==
			ZIP_OK &&
		    zipWriteInFileInZip(z, c, (unsigned)zs.total_out) == ZIP_OK &&
		    zipCloseFileInZipRaw(z, usize, crc) == ZIP_OK)
			rc = 0;
		deflateEnd(&zs);
	}
	free(c);
	return rc;
}
