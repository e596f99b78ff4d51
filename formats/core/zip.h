/* SPDX-License-Identifier: MIT */
/*
 * Zip archives as hwflash reads them: the end records (zip64 too), the
 * central directory, the local headers and deflated data, with every size
 * and offset checked against the file and against each other; a member as
 * a source (a window when stored, an inflating stream when deflated), and a
 * walk over the members for the commands.  Reading only: hwflash never
 * writes zips.
 *
 * Memory: hwf_zip and hwf_zip_stream handles are allocated by their open
 * calls and freed by their close calls; they borrow the file source.  An
 * entry's name belongs to the hwf_zip until the next call.  Errors:
 * HWF_EFORMAT (not a zip, a record that contradicts another or the file),
 * HWF_ETRUNC, HWF_ECRC (a member's CRC-32), HWF_ENOTFOUND (no such member),
 * HWF_EUNSUPPORTED (spanned, encrypted, other compression), HWF_EIO, HWF_ENOMEM.
 */
#ifndef HWF_ZIP_H
#define HWF_ZIP_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

struct hwf_zip;

/* One central directory entry, every 64-bit field already resolved. */
struct hwf_zip_entry {
	const char *name;   /* NUL-terminated; owned by the zip, valid until the next call */
	uint64_t index;	    /* 0-based position in the central directory */
	uint16_t flags;	    /* general purpose bits: 1 encrypted, 8 data descriptor */
	uint16_t method;    /* 0 stored, 8 deflated */
	uint32_t crc;	    /* CRC-32 of the uncompressed bytes */
	uint64_t csize;	    /* compressed size */
	uint64_t usize;	    /* uncompressed size */
	uint64_t local_off; /* the local header, in bytes from the start of the file */
	int zip64;	    /* the central entry had a zip64 extra field */
};

/*
 * Read the end records of the zip in @file (borrowed: keep it open until
 * hwf_zip_close).  Accepts data before the archive (a self-extracting stub)
 * as unzip does.  Errors: HWF_EFORMAT (no end record: not a zip, or cut
 * short), HWF_EUNSUPPORTED (spanned archives), HWF_EIO, HWF_ENOMEM.
 */
int hwf_zip_open(struct hwf_zip **out, struct hwf_source *file, struct hwf_err *e);

/* Number of entries the end record announces. */
uint64_t hwf_zip_count(const struct hwf_zip *z);

/*
 * The next central directory entry (the first after open).  Returns 1 with
 * @ent filled, 0 after the last one, or a negative HWF_E* code for a
 * corrupt entry (zip64 fields missing or short, sizes past the data...).
 */
int hwf_zip_next(struct hwf_zip *z, struct hwf_zip_entry *ent, struct hwf_err *e);

/* The first entry named exactly @name; HWF_ENOTFOUND when there is none. */
int hwf_zip_find(struct hwf_zip *z, const char *name, struct hwf_zip_entry *ent, struct hwf_err *e);

/*
 * Where @ent's data starts in the file: reads its local header (30 bytes +
 * name + extra field, zip64 extra field included), checks it against the
 * central directory (method, CRC-32, sizes, or the data descriptor that
 * follows the data when bit 3 is set), and that the data lies inside the
 * file before the central directory.
 */
int hwf_zip_data_offset(struct hwf_zip *z, const struct hwf_zip_entry *ent, uint64_t *off,
			struct hwf_err *e);

void hwf_zip_close(struct hwf_zip *z);

/*
 * A deflated member inflated as a stream: @file (borrowed) holds the
 * compressed bytes at @data_off.  Reads go forwards; reading backwards
 * restarts the stream.  The read that reaches the end checks that the
 * deflate stream ends there and that the CRC-32 of all the bytes matches
 * @ent's (HWF_ECRC).  @label names the member in messages.
 */
struct hwf_zip_stream;
int hwf_zip_stream_open(struct hwf_zip_stream **out, struct hwf_source *file,
			const struct hwf_zip_entry *ent, uint64_t data_off, const char *label,
			struct hwf_err *e);
int64_t hwf_zip_stream_read(struct hwf_zip_stream *zs, void *buf, size_t len, uint64_t off,
			    struct hwf_err *e);
/*
 * How often @zs started inflating from the member's first byte (1 after
 * open, one more per restart) and how many bytes it inflated in all.
 */
void hwf_zip_stream_counts(const struct hwf_zip_stream *zs, uint64_t *passes, uint64_t *bytes);
void hwf_zip_stream_close(struct hwf_zip_stream *zs);

/* --- for the commands: members as sources, listing --- */

/*
 * Member @member (exact path inside the archive) of the zip file @zip_path.
 * Stored members become a window on the zip file (random access, parallel
 * reads); deflated members are inflated as a stream (reading backwards
 * restarts the stream).  Zip64 is supported.  For one pass; a command that
 * reads a member more than once opens it through formats/core/zip_members.h,
 * which inflates it once.
 */
int hwf_source_open_zip_member(struct hwf_source **out, const char *zip_path, const char *member,
			       struct hwf_err *e);

/* True when the first bytes of @path are a zip local header ("PK\3\4"). */
int hwf_zip_sniff(const char *path);

struct hwf_zip_member {
	const char *name;
	uint64_t size;		/* uncompressed */
	uint64_t csize;		/* compressed */
	int method;		/* 0 stored, 8 deflated */
	int encrypted;
};

/*
 * Call @cb for every member of @zip_path.  A non-zero return from @cb stops
 * the walk and is returned.
 */
int hwf_zip_walk(const char *zip_path, int (*cb)(void *ctx, const struct hwf_zip_member *m),
		 void *ctx, struct hwf_err *e);

#endif
