/* SPDX-License-Identifier: MIT */
/* Internal to formats/app/updateapp*.c: the package handle. */
#ifndef HWF_UPDATEAPP_INT_H
#define HWF_UPDATEAPP_INT_H

#include <stdarg.h>

#include "formats/app/updateapp.h"

#define HWF_APP_MAX_WARN 16

struct hwf_app {
	struct hwf_source *src;
	struct hwf_app_entry *ent;
	size_t count, cap;
	uint64_t first;
	int preamble_nonzero;
	size_t nwarn;
	char warn[HWF_APP_MAX_WARN][200];
	const struct hwf_app_profile *profile; /* naming legacy entries, or NULL */
	size_t profile_known, legacy;
	int profile_forced;
};

/* "41.0 MiB" */
void hwf_app_human_size(uint64_t n, char *buf, size_t len);

/*
 * The CRC entry's checksums (CRC-16 per 32 KiB, restarting per entry) of
 * bytes fed in pieces of any length: each finished chunk's CRC goes to
 * @out[2 * n] (u16 LE), n counting up.  hwf_app_chunks_end() closes the
 * entry (its last, short chunk).  @out NULL: nothing is kept.
 */
struct hwf_app_chunks {
	uint8_t *out;
	uint64_t n;
	uint16_t reg;
	uint32_t fill;
};
void hwf_app_chunks_feed(struct hwf_app_chunks *c, const uint8_t *p, size_t len);
void hwf_app_chunks_end(struct hwf_app_chunks *c);

/* Bytes written so far of @total, for a progress callback across entries. */
struct hwf_app_wprog {
	hwf_progress_fn fn;
	void *ctx;
	uint64_t done, total;
};

/*
 * Write one entry at @pos of @fd (seekable): the 98-byte header @hdr as
 * given but for its header length, data length and header CRC (set here),
 * the block table for the block size at 0x5E (0: 4096), the data read once
 * from @src (or @mem), zero padding to 4 bytes.  The data's 32 KiB
 * checksums go to @chunks (may be NULL).  *@next: where the next entry
 * starts.  The file is left at an undefined position.
 */
int hwf_app_write_entry(int fd, uint64_t pos, const uint8_t *hdr, struct hwf_source *src,
			const uint8_t *mem, uint64_t len, struct hwf_app_chunks *chunks,
			struct hwf_app_wprog *wp, uint64_t *next, struct hwf_err *e);

/*
 * Copy entry @i of @app to @fd at @pos as stored (header and block table
 * byte for byte), checking every data block against the table while it is
 * copied (HWF_ECRC names the entry and the block), then zero padding.
 * @chunks and *@next as hwf_app_write_entry().
 */
int hwf_app_copy_entry(struct hwf_app *app, size_t i, int fd, uint64_t pos,
		       struct hwf_app_chunks *chunks, struct hwf_app_wprog *wp, uint64_t *next,
		       struct hwf_err *e);

#endif
