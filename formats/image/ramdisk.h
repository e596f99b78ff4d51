/* SPDX-License-Identifier: MIT */
/*
 * A boot image's ramdisk: cpio "newc", bare or compressed with gzip (zlib)
 * or lz4 (legacy format, as Android's mkbootimg/lz4 -l writes it, or frame
 * format; liblz4).  Walked as a stream (formats/image/rdstream.c) to list
 * what it holds and whether it looks like a recovery.  Unpacking it into a
 * folder and packing it again: formats/image/rdtree.h.
 *
 * Memory: the info is the caller's; buffers live for the call.  Errors:
 * HWF_EFORMAT (not gzip/lz4/cpio, or a broken archive), HWF_ETRUNC,
 * HWF_EUNSUPPORTED (a compression hwflash does not read), HWF_EIO,
 * HWF_ENOMEM.
 */
#ifndef HWF_RAMDISK_H
#define HWF_RAMDISK_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

enum hwf_ramdisk_comp { HWF_RD_UNKNOWN, HWF_RD_GZIP, HWF_RD_LZ4_LEGACY, HWF_RD_LZ4_FRAME,
			HWF_RD_CPIO };

struct hwf_ramdisk_info {
	enum hwf_ramdisk_comp comp;
	uint64_t files;			/* cpio entries, TRAILER!!! excluded */
	uint64_t bytes;			/* decompressed bytes read */
	int recovery;			/* a recovery marker was found */
	char marker[64];		/* the first one: "sbin/recovery", ... */
	int has_init;			/* "init" at the top */
};

/*
 * Inspect the ramdisk at [@off, @off + @len) of @src.  HWF_EUNSUPPORTED
 * for a compression not read here (xz, zstd...), HWF_EFORMAT for corrupt
 * data.
 */
int hwf_ramdisk_inspect(struct hwf_source *src, uint64_t off, uint64_t len,
			struct hwf_ramdisk_info *info, struct hwf_err *e);

const char *hwf_ramdisk_comp_name(enum hwf_ramdisk_comp c);

#endif
