/* SPDX-License-Identifier: MIT */
/*
 * liblp: the metadata of Android's dynamic partitions, kept in the "super"
 * partition.  This header reads it (liblp.c), checks it (liblp_check.c)
 * and gives each logical partition as a source; liblp_build.h builds and
 * writes it.  Facts: ../shared/reference/dynamic-partitions.md and AOSP
 * fs_mgr/liblp (metadata_format.h, reader.cpp, writer.cpp, images.cpp).
 *
 * A super partition, and a full super.img (its image), is laid out as
 *   0                   4096 reserved bytes
 *   4096, 8192          the geometry and its backup (52 bytes used, padded to 4096)
 *   12288               metadata slot 0 .. N-1 (metadata_max_size bytes each),
 *                       then the backups of slot 0 .. N-1
 *   first_logical_sector * 512 ...   the logical partitions' extents
 * A super_empty.img is the geometry at 0 (padded to 4096) and one metadata
 * copy after it, no data.  All fields are little-endian; sectors are 512
 * bytes.  A metadata copy is a header (128 bytes, 256 from version 10.2,
 * which adds flags), then four tables: partitions (52-byte entries),
 * extents (24), groups (48) and block devices (64).  The header and the
 * tables each carry a SHA-256.
 *
 * Everything read is untrusted: every index and size is checked before it
 * is used, every loop is bounded by a table that was checked.
 *
 * Memory: hwf_lp_open() allocates the handle (freed by hwf_lp_close());
 * it borrows the source.  The metadata it returns belongs to the handle.
 * A partition source borrows the handle: close it first.
 * Errors: HWF_EFORMAT (not liblp, or metadata that breaks the format, in a
 * sentence naming the copy and the field), HWF_ECRC (a checksum), HWF_ETRUNC
 * (the file ends inside a copy), HWF_ENOTFOUND (no such partition),
 * HWF_EINVAL (a slot the geometry does not have; data asked of a
 * super_empty.img), HWF_EIO, HWF_ENOMEM.
 */
#ifndef HWF_LIBLP_H
#define HWF_LIBLP_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

#define HWF_LP_SECTOR	     512u
#define HWF_LP_GEOMETRY_SIZE 4096u
#define HWF_LP_RESERVED	     4096u
#define HWF_LP_NAME_LEN	     36 /* names are 36 bytes, NUL-padded */
#define HWF_LP_MAJOR	     10
#define HWF_LP_MINOR_MAX     2

/* Partition attributes (minor 0: the first two; minor 1 adds the others). */
enum {
	HWF_LP_ATTR_READONLY = 1 << 0,
	HWF_LP_ATTR_SLOT_SUFFIXED = 1 << 1,
	HWF_LP_ATTR_UPDATED = 1 << 2,
	HWF_LP_ATTR_DISABLED = 1 << 3,
};

enum { HWF_LP_TARGET_LINEAR = 0, HWF_LP_TARGET_ZERO = 1 };

#define HWF_LP_HEADER_FLAG_VIRTUAL_AB 0x1u /* header flags (10.2) */
#define HWF_LP_GROUP_SLOT_SUFFIXED    0x1u /* group flags */
#define HWF_LP_DEVICE_SLOT_SUFFIXED   0x1u /* block device flags */

struct hwf_lp_geometry {
	uint32_t metadata_max_size; /* bytes of one metadata copy, a multiple of 512 */
	uint32_t slot_count;	    /* metadata slots (each has a backup) */
	uint32_t block_size;	    /* logical block size */
};

struct hwf_lp_extent {
	uint64_t sectors; /* length in 512-byte sectors */
	uint32_t type;	  /* HWF_LP_TARGET_* */
	uint64_t target;  /* LINEAR: first sector on the block device */
	uint32_t source;  /* LINEAR: index into the block devices */
};

struct hwf_lp_partition {
	char name[HWF_LP_NAME_LEN + 1];
	uint32_t attributes; /* HWF_LP_ATTR_* */
	uint32_t first_extent, num_extents;
	uint32_t group;
	uint64_t size; /* bytes: the sum of its extents */
};

struct hwf_lp_group {
	char name[HWF_LP_NAME_LEN + 1];
	uint32_t flags;
	uint64_t maximum_size; /* bytes; 0 = no limit */
};

struct hwf_lp_device {
	char name[HWF_LP_NAME_LEN + 1]; /* the GPT partition ("super") */
	uint64_t first_logical_sector;	/* first sector extents may use */
	uint32_t alignment, alignment_offset;
	uint64_t size; /* bytes */
	uint32_t flags;
};

/* One decoded metadata copy. */
struct hwf_lp_metadata {
	struct hwf_lp_geometry geo;
	uint16_t major, minor;
	uint32_t header_size; /* 128, or 256 from minor 2 */
	uint32_t flags;	      /* HWF_LP_HEADER_FLAG_* (minor 2) */
	uint8_t header_sha[32];
	uint32_t npart, next, ngroup, ndev;
	struct hwf_lp_partition *part;
	struct hwf_lp_extent *ext;
	struct hwf_lp_group *group;
	struct hwf_lp_device *dev;
};

/* Byte offsets of the metadata copies of @slot (a full super image). */
uint64_t hwf_lp_primary_offset(const struct hwf_lp_geometry *g, uint32_t slot);
uint64_t hwf_lp_backup_offset(const struct hwf_lp_geometry *g, uint32_t slot);
/* Bytes the reserved area, both geometries and every copy take from the start. */
uint64_t hwf_lp_metadata_area(const struct hwf_lp_geometry *g);

/*
 * Decode and check a geometry (@g: its 4096 bytes).  0, or HWF_ECRC /
 * HWF_EFORMAT with @why ("its SHA-256 does not match") filled.
 */
int hwf_lp_parse_geometry(const uint8_t *g, struct hwf_lp_geometry *out, char *why, size_t len);

/*
 * Decode and check the metadata copy at byte @off of @src, which may take
 * at most @limit bytes (metadata_max_size in a super, the rest of the file
 * in a super_empty.img): header, versions, both checksums, table bounds and
 * entry sizes, every index, attributes the version allows, the metadata
 * area before the first logical sector.  @what names the copy in messages
 * ("slot 0 (primary, at byte 12288)").  On success @out is filled (free it
 * with hwf_lp_metadata_free()); on failure it holds nothing.
 */
int hwf_lp_parse_metadata(struct hwf_source *src, uint64_t off, uint64_t limit,
			  const struct hwf_lp_geometry *geo, const char *what,
			  struct hwf_lp_metadata *out, struct hwf_err *e);
void hwf_lp_metadata_free(struct hwf_lp_metadata *m);

/* Index of partition @name (exact), or -1. */
int hwf_lp_find_partition(const struct hwf_lp_metadata *m, const char *name);

/* "readonly,updated" or "none" into @buf. */
void hwf_lp_attr_text(uint32_t attributes, char *buf, size_t len);

/* --- an opened super image or super_empty.img --- */

struct hwf_lp;

/* Which copies were read, and why the first choice was not. */
struct hwf_lp_info {
	int empty;		/* a super_empty.img (geometry at 0, no data) */
	int sparse;		/* the file is a sparse image: read through its expansion */
	uint32_t slot;		/* the metadata slot read */
	int geometry_backup;	/* the primary geometry was damaged */
	int metadata_backup;	/* the slot's primary copy was damaged */
	char geometry_why[200]; /* why the primary geometry was not used */
	char metadata_why[HWF_ERR_MSG_MAX];
	uint64_t size; /* bytes of the (expanded) image */
};

/*
 * Open @src (borrowed): a super_empty.img, a full super image, or either
 * as a sparse image (read through formats/image/sparse.h's view).  Reads
 * the geometry (the backup when the primary is damaged, as liblp does)
 * and metadata slot @slot (its backup when the primary is damaged).
 * HWF_EFORMAT "FILE: not a liblp super image ..." when there is no
 * geometry; otherwise the sentence of the copy that failed last.
 */
int hwf_lp_open(struct hwf_lp **out, struct hwf_source *src, uint32_t slot, struct hwf_err *e);
/*
 * Does @src (raw, or a sound sparse image once expanded) start like a liblp
 * image: the geometry magic at byte 0 or 4096?  1 or 0; nothing is checked.
 */
int hwf_lp_probe(struct hwf_source *src);
const struct hwf_lp_metadata *hwf_lp_metadata(const struct hwf_lp *lp);
const struct hwf_lp_info *hwf_lp_info(const struct hwf_lp *lp);
/* The bytes the metadata describes: @src, or its sparse expansion. */
struct hwf_source *hwf_lp_source(const struct hwf_lp *lp);
void hwf_lp_close(struct hwf_lp *lp);

/*
 * The name partition @i has in the slot read: its name, with "_a", "_b" ...
 * appended when it is slot-suffixed (as liblp's ReadMetadata does).
 */
void hwf_lp_partition_name(const struct hwf_lp *lp, uint32_t i, char *buf, size_t len);

/*
 * Partition @i as a source of its size: reads map to its extents (LINEAR
 * from the super image, ZERO as zeros), nothing is copied.  Refused with
 * HWF_EINVAL for a super_empty.img, HWF_ETRUNC when an extent lies past the
 * end of the image, HWF_EFORMAT for an extent of unknown type.  The source
 * borrows @lp.
 */
int hwf_lp_open_partition(struct hwf_lp *lp, uint32_t i, struct hwf_source **out,
			  struct hwf_err *e);

/* --- the full check (liblp_check.c) --- */

enum { HWF_LP_INFO, HWF_LP_WARN, HWF_LP_ERROR };

/* One finding: a sentence, and how bad it is (HWF_LP_*). */
typedef void (*hwf_lp_finding_fn)(void *ctx, int severity, const char *text);

/*
 * Check everything of @lp: both geometries, every slot's primary and
 * backup copy (all checksums), then each distinct copy's content: extents
 * inside their block device and after the metadata, extents of the super
 * device inside the image, no two extents overlapping, group limits,
 * names unique and printable, block sizes.  Each finding goes to @fn.
 * Returns the number of HWF_LP_ERROR findings, or a negative code when the
 * image could not be read.
 */
int hwf_lp_check(struct hwf_lp *lp, hwf_lp_finding_fn fn, void *ctx, struct hwf_err *e);

#endif
