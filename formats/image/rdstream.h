/* SPDX-License-Identifier: MIT */
/*
 * A ramdisk's decompressed bytes as a pull stream: gzip (zlib), lz4 legacy
 * and lz4 frame (liblz4), or a bare cpio archive, read from a range of a
 * source in bounded buffers (64 KiB of input; an lz4 block, at most 8 MiB).
 * Used by the ramdisk inspector (ramdisk.c) and the ramdisk folder
 * (rdtree.c).
 *
 * Memory: hwf_rdstream_open allocates the stream, hwf_rdstream_close frees
 * it; the source is borrowed.  Errors: HWF_EUNSUPPORTED (neither gzip, lz4
 * nor cpio), HWF_EFORMAT (corrupt data), HWF_ETRUNC, HWF_EIO, HWF_ENOMEM.
 */
#ifndef HWF_RDSTREAM_H
#define HWF_RDSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/image/ramdisk.h"

struct hwf_rdstream;

/* The compression of @len bytes starting with @m (at least 6 bytes, zero-padded). */
enum hwf_ramdisk_comp hwf_rdstream_sniff(const uint8_t *m, uint64_t len);

/*
 * Open the ramdisk at [@off, @off + @len) of @src.  *@comp (may be NULL)
 * gets its compression even when it is not one read here.  @e stays the
 * stream's error context until it is closed.
 */
int hwf_rdstream_open(struct hwf_rdstream **out, struct hwf_source *src, uint64_t off, uint64_t len,
		      enum hwf_ramdisk_comp *comp, struct hwf_err *e);

/*
 * Read exactly @n decompressed bytes into @dst (skip them when @dst is
 * NULL).  HWF_ETRUNC with no message when the data ended cleanly (the
 * caller names what was cut); with a message when the compressed stream
 * itself was cut (then hwf_rdstream_cut() is true).
 */
int hwf_rdstream_read(struct hwf_rdstream *s, void *dst, size_t n);

/*
 * Read what is left, up to @max bytes (the padding after a cpio trailer),
 * to the end of the compressed stream, where gzip and lz4 frame check
 * their checksums.  *@got: the bytes read, *@nonzero: how many of them
 * were not zero.  Stops once more than @max bytes were read (*@got > @max).
 */
int hwf_rdstream_rest(struct hwf_rdstream *s, uint64_t max, uint64_t *got, uint64_t *nonzero);

int hwf_rdstream_cut(const struct hwf_rdstream *s);

/* Decompressed bytes read so far. */
uint64_t hwf_rdstream_total(const struct hwf_rdstream *s);

void hwf_rdstream_close(struct hwf_rdstream *s);

#endif
