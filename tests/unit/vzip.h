/* SPDX-License-Identifier: MIT */
/*
 * Zips assembled byte by byte for the zip reader's tests (test_zip.c),
 * where each field can be set or broken on purpose.  They live in memory
 * with holes: a 5 GiB member costs nothing.
 */
#ifndef HWF_TEST_VZIP_H
#define HWF_TEST_VZIP_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/source.h"
#include "formats/core/zip.h"

/* A file in memory; what lies between segments reads as zeros. */
struct seg {
	uint64_t off;
	size_t len;
	uint8_t *data;
};

struct vzip {
	struct seg seg[64];
	int nseg;
	uint64_t pos;	 /* the file's size so far */
	uint64_t prefix; /* bytes before the archive */
	uint8_t cd[16384];
	size_t cdlen;
	uint64_t count;
	/* where things went, for tests that break them */
	uint64_t local[8], central[8], cen_extra[8], data[8], end, end64, loc64;
};

struct mopt {
	const char *name;
	const void *data; /* real bytes, or NULL: @zeros zero bytes never stored */
	size_t len;
	uint64_t zeros;
	int method;  /* 0 or 8 */
	int local64; /* local sizes 0xFFFFFFFF and a zip64 extra field */
	int cen64;   /* central fields in the zip64 extra: 1 size, 2 csize, 4 offset */
	int desc;    /* data descriptor: 0, 32 or 64-bit sizes */
};

/* An empty zip after @prefix bytes of 'S' (a self-extractor's stub). */
struct vzip *vz_new(size_t prefix);
void vz_free(struct vzip *v);
/* Add member @m: local header, data (or a hole of zeros), descriptor; central header kept. */
void vz_add(struct vzip *v, const struct mopt *m);
/* Central directory and end records; @z64 adds the zip64 end record and locator. */
void vz_finish(struct vzip *v, int z64);
/* Overwrite bytes at @off (inside what was written). */
void vz_poke(struct vzip *v, uint64_t off, const void *p, size_t n);
void vz_poke32(struct vzip *v, uint64_t off, uint32_t x);
void vz_poke64(struct vzip *v, uint64_t off, uint64_t x);
/* An hwf_source_read_fn over the zip: what lies between segments reads as zeros. */
int vz_read(void *ctx, void *buf, size_t len, uint64_t off, struct hwf_err *e);
/* CRC-32 of @n zero bytes, without the bytes. */
uint32_t crc_zeros(uint64_t n);
/* The zip as a source ("v.zip"). */
struct hwf_source *vz_source(struct vzip *v);
/* Open entry @name of @v as a source (window or stream); 0 or the error. */
int vz_member(struct vzip *v, struct hwf_source *file, const char *name, struct hwf_zip_entry *ent,
	      struct hwf_source **win, struct hwf_zip_stream **zs, struct hwf_err *e);
/* Read from what vz_member opened. */
int64_t vz_member_read(struct hwf_source *win, struct hwf_zip_stream *zs, void *buf, size_t len,
		       uint64_t off, struct hwf_err *e);

#endif
