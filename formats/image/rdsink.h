/* SPDX-License-Identifier: MIT */
/*
 * Compressed output for a packed ramdisk: bytes written through a sink are
 * compressed with gzip (zlib level 9), lz4 legacy (8 MiB blocks, lz4hc level
 * 12, as `lz4 -l -12` writes them), lz4 frame (liblz4, level 12, content
 * checksum) or not at all, and written to a file descriptor.
 *
 * Memory: hwf_rdsink_open allocates, hwf_rdsink_close frees (also after a
 * failure).  Errors: HWF_EIO / HWF_ENOSPC (writing), HWF_ENOMEM, HWF_EINVAL
 * (a compression not written here).
 */
#ifndef HWF_RDSINK_H
#define HWF_RDSINK_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/image/ramdisk.h"

struct hwf_rdsink;

int hwf_rdsink_open(struct hwf_rdsink **out, enum hwf_ramdisk_comp comp, int fd, struct hwf_err *e);
int hwf_rdsink_write(struct hwf_rdsink *s, const void *buf, size_t n);
/* Flush what the compressor holds and write its end; *@written = bytes written to the fd. */
int hwf_rdsink_finish(struct hwf_rdsink *s, uint64_t *written);
/* Uncompressed bytes written so far. */
uint64_t hwf_rdsink_total(const struct hwf_rdsink *s);
void hwf_rdsink_close(struct hwf_rdsink *s);

#endif
