// SPDX-License-Identifier: MIT
/*
 * Header checks for raw partition images.  Field offsets:
 *  - ext4 superblock at 1024 (Linux fs/ext4/ext4.h): s_blocks_count_lo at 4,
 *    s_log_block_size at 24 (block = 1024 << it), s_feature_incompat at 0x60
 *    (0x80 = 64bit), s_blocks_count_hi at 0x150.
 *  - erofs superblock at 1024 (erofs_fs.h): blkszbits (u8) at 12, blocks
 *    (u32, the image's size in blocks; mkfs.erofs sizes the file to it) at 36.
 *  - f2fs superblock at 1024 (f2fs_fs.h): log_blocksize at 16, block_count
 *    (u64) at 36.
 *  - liblp (../shared/reference/dynamic-partitions.md): geometry at 4096 in a
 *    full super image (backup at 8192), at 0 in super_empty.img; magic,
 *    struct_size, SHA-256 checksum of the struct with the field zeroed,
 *    metadata_max_size, metadata_slot_count, logical_block_size; the
 *    metadata copies start at 12288 (primaries, then backups).
 *  - DTBO (AOSP dt_table_header, big-endian): magic, total_size, header_size,
 *    dt_entry_size, dt_entry_count, dt_entries_offset, page_size, version.
 * All little-endian except DTBO.  Everything read is untrusted: sizes are
 * checked for overflow before they are multiplied.
 */
#include "formats/image/partimage.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "formats/core/bytes.h"

#define LP_GEOMETRY_MAGIC 0x616c4467u
#define LP_HEADER_MAGIC 0x414c5030u
#define LP_GEOMETRY_SIZE 4096u
#define LP_RESERVED 4096u

static double mib(uint64_t n)
{
	return (double)n / (1024.0 * 1024.0);
}

static int truncated(struct hwf_err *e, const char *fn, const char *what, uint64_t needed,
		     uint64_t limit)
{
	return hwf_err_set(e, HWF_ETRUNC,
			   "%s: truncated: the %s says %.1f MiB (%llu bytes), the file has %.1f "
			   "MiB (%llu bytes)",
			   fn, what, mib(needed), (unsigned long long)needed, mib(limit),
			   (unsigned long long)limit);
}

/* needed = blocks * block size, both from the header; 0 on overflow. */
static uint64_t span(uint64_t blocks, unsigned shift)
{
	return shift < 64 && blocks <= (UINT64_MAX >> shift) ? blocks << shift : 0;
}

static int check_fs(struct hwf_source *src, enum hwf_kind kind, uint64_t limit,
		    struct hwf_partimage_info *out, struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	const char *name = kind == HWF_KIND_EXT4 ? "ext4" : kind == HWF_KIND_EROFS ? "erofs" : "f2fs";
	uint8_t sb[1024];
	uint64_t blocks;
	unsigned shift;
	int rc = hwf_source_read_exact(src, sb, sizeof(sb), 1024, e);

	if (rc)
		return rc == HWF_ETRUNC ? hwf_err_set(e, rc, "%s: truncated inside the %s superblock",
						      fn, name)
					: rc;
	if (kind == HWF_KIND_EXT4) {
		uint32_t log = get_le32(sb + 24);

		if (log > 6)	/* ext4 blocks are 1 to 64 KiB */
			return hwf_err_set(e, HWF_EFORMAT, "%s: ext4 block size 1024 << %u is "
							   "impossible", fn, log);
		shift = 10 + log;
		blocks = get_le32(sb + 4);
		if (get_le32(sb + 0x60) & 0x80)
			blocks |= (uint64_t)get_le32(sb + 0x150) << 32;
	} else if (kind == HWF_KIND_EROFS) {
		shift = sb[12];
		if (shift < 9 || shift > 16)
			return hwf_err_set(e, HWF_EFORMAT, "%s: erofs block size 1 << %u is "
							   "impossible", fn, shift);
		blocks = get_le32(sb + 36);
	} else {
		uint32_t log = get_le32(sb + 16);

		if (log < 9 || log > 16)
			return hwf_err_set(e, HWF_EFORMAT, "%s: f2fs block size 1 << %u is "
							   "impossible", fn, log);
		shift = log;
		blocks = get_le64(sb + 36);
	}
	out->needed = span(blocks, shift);
	if (!blocks || !out->needed)
		return hwf_err_set(e, HWF_EFORMAT, "%s: the %s superblock says %llu blocks", fn, name,
				   (unsigned long long)blocks);
	snprintf(out->what, sizeof(out->what), "%s, %llu blocks of %u bytes (%.1f MiB)",
		 hwf_kind_name(kind),
		 (unsigned long long)blocks, 1u << shift, mib(out->needed));
	if (out->needed > limit) {
		char what[64];

		snprintf(what, sizeof(what), "%s superblock", name);
		return truncated(e, fn, what, out->needed, limit);
	}
	return 0;
}

/* 1 when the geometry at @g (LP_GEOMETRY_SIZE bytes) is whole and its checksum holds. */
static int geometry_ok(uint8_t *g)
{
	uint32_t n = get_le32(g + 4);
	uint8_t want[32], got[32];
	unsigned int len = 0;

	if (get_le32(g) != LP_GEOMETRY_MAGIC || n < 52 || n > LP_GEOMETRY_SIZE)
		return 0;
	memcpy(want, g + 8, 32);
	memset(g + 8, 0, 32);
	if (!EVP_Digest(g, n, got, &len, EVP_sha256(), NULL) || len != 32)
		return 0;
	memcpy(g + 8, want, 32);
	return !memcmp(want, got, 32);
}

static int check_super(struct hwf_source *src, uint64_t limit, struct hwf_partimage_info *out,
		       struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	uint8_t g[LP_GEOMETRY_SIZE], h[4];
	uint64_t at, maxsz, slots;
	int rc, backup = 0;

	rc = hwf_source_read_exact(src, h, 4, 0, e);
	if (rc)
		return rc;
	out->super_empty = get_le32(h) == LP_GEOMETRY_MAGIC;
	at = out->super_empty ? 0 : LP_RESERVED;
	rc = hwf_source_read_exact(src, g, sizeof(g), at, e);
	if (rc == HWF_ETRUNC)
		return hwf_err_set(e, rc, "%s: truncated inside the liblp geometry", fn);
	if (rc)
		return rc;
	if (!geometry_ok(g)) {
		/* A full image keeps a backup right after the primary. */
		if (out->super_empty ||
		    hwf_source_read_exact(src, g, sizeof(g), at + LP_GEOMETRY_SIZE, NULL) ||
		    !geometry_ok(g))
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: the liblp geometry at byte %llu is damaged (its "
					   "SHA-256 checksum does not match)%s",
					   fn, (unsigned long long)at,
					   out->super_empty ? "" : ", and so is its backup");
		backup = 1;
	}
	maxsz = get_le32(g + 40);
	slots = get_le32(g + 44);
	if (!maxsz || maxsz % 512 || !slots || slots > 16)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: liblp geometry says %llu metadata slots of %llu bytes", fn,
				   (unsigned long long)slots, (unsigned long long)maxsz);
	/* super_empty.img: geometry, then one metadata copy; a full image: the
	 * reserved 4 KiB, two geometries, then every slot twice. */
	out->needed = out->super_empty ? LP_GEOMETRY_SIZE + 4
				       : LP_RESERVED + 2 * LP_GEOMETRY_SIZE + 2 * slots * maxsz;
	snprintf(out->what, sizeof(out->what), "%s, %llu metadata slot%s of %llu bytes%s",
		 out->super_empty ? "super_empty (liblp metadata only)" : "super image (liblp)",
		 (unsigned long long)slots, slots == 1 ? "" : "s", (unsigned long long)maxsz,
		 backup ? "; the primary geometry is damaged, the backup is good" : "");
	if (out->needed > limit)
		return truncated(e, fn, "liblp geometry", out->needed, limit);
	rc = hwf_source_read_exact(src, h, 4, at + (out->super_empty ? 1 : 2) * LP_GEOMETRY_SIZE,
				   e);
	if (rc)
		return rc;
	if (get_le32(h) != LP_HEADER_MAGIC)
		return hwf_err_set(e, HWF_EFORMAT, "%s: no liblp metadata header after the geometry",
				   fn);
	return 0;
}

static int check_dtbo(struct hwf_source *src, uint64_t limit, struct hwf_partimage_info *out,
		      struct hwf_err *e)
{
	const char *fn = hwf_source_name(src);
	uint32_t total, hsize, esize, count, eoff;
	uint8_t h[32];
	int rc = hwf_source_read_exact(src, h, sizeof(h), 0, e);

	if (rc)
		return rc == HWF_ETRUNC ? hwf_err_set(e, rc, "%s: truncated inside the DTBO header",
						      fn)
					: rc;
	total = get_be32(h + 4);
	hsize = get_be32(h + 8);
	esize = get_be32(h + 12);
	count = get_be32(h + 16);
	eoff = get_be32(h + 20);
	if (hsize < 32 || esize < 32 || eoff < hsize || total < eoff ||
	    (uint64_t)count * esize > total - eoff)
		return hwf_err_set(e, HWF_EFORMAT,
				   "%s: DTBO header is inconsistent (%u entries of %u bytes at %u, "
				   "total %u bytes)",
				   fn, count, esize, eoff, total);
	out->needed = total;
	snprintf(out->what, sizeof(out->what), "DTBO image, %u entr%s, %u bytes", count,
		 count == 1 ? "y" : "ies", total);
	if (total > limit)
		return truncated(e, fn, "DTBO header", total, limit);
	return 0;
}

int hwf_partimage_check(struct hwf_source *src, enum hwf_kind kind, uint64_t limit,
			struct hwf_partimage_info *out, struct hwf_err *e)
{
	memset(out, 0, sizeof(*out));
	switch (kind) {
	case HWF_KIND_EXT4:
	case HWF_KIND_EROFS:
	case HWF_KIND_F2FS:
		return check_fs(src, kind, limit, out, e);
	case HWF_KIND_SUPER:
		return check_super(src, limit, out, e);
	case HWF_KIND_DTBO:
		return check_dtbo(src, limit, out, e);
	default:
		return hwf_err_set(e, HWF_EINVAL, "%s: not a partition image kind",
				   hwf_source_name(src));
	}
}
