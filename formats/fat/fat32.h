/* SPDX-License-Identifier: MIT */
/*
 * FAT32 for the dload SD card: probe what is on a card, format it (MBR +
 * FAT32), create dload/UPDATE.APP and read it back, all through our own
 * code so the card is checked the way the phone's bootloader will see it.
 *
 * Sectors are 512 bytes on everything this module writes (SD cards); the
 * reader also accepts 1024/2048/4096-byte sectors.  Nothing here holds a
 * file or a whole FAT in memory: the FAT is streamed in 1 MiB windows and
 * data moves through 1 MiB buffers.  Names are UTF-8; lookups fold ASCII
 * case only (like FAT's upper-cased short names).
 */
#ifndef HWF_FAT32_H
#define HWF_FAT32_H

#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

/* --- what is on a device ------------------------------------------------ */

/* Partition table and file system of the first/main partition. */
enum hwf_pt_kind {
	HWF_PT_NONE, /* superfloppy: the file system starts at sector 0 */
	HWF_PT_MBR,
	HWF_PT_GPT,
	HWF_PT_UNKNOWN,
};

enum hwf_fs_kind {
	HWF_FS_UNKNOWN,
	HWF_FS_FAT12,
	HWF_FS_FAT16,
	HWF_FS_FAT32,
	HWF_FS_EXFAT,
	HWF_FS_NTFS,
	HWF_FS_EXT,
	HWF_FS_EMPTY, /* the first 128 KiB are all zero */
};

struct hwf_disk_probe {
	enum hwf_pt_kind pt;
	uint8_t part_type;    /* MBR type byte of the partition used (0x0C, 0x0B, 0x07 ...);
				 0xEE for GPT (the protective entry); 0 if none */
	uint64_t part_offset; /* bytes */
	uint64_t part_size;   /* bytes (as the table says; may reach past the device) */
	enum hwf_fs_kind fs;
	uint32_t cluster_size; /* bytes, for FAT and exFAT; 0 otherwise */
	uint32_t part_count;   /* non-empty MBR primary entries / GPT entries */
};

/* "FAT12", "FAT16", "FAT32", "exFAT", "NTFS", "ext2/3/4", "empty (all zero)", "unknown". */
const char *hwf_fs_kind_name(enum hwf_fs_kind k);
/* "none", "MBR", "GPT", "unknown". */
const char *hwf_pt_kind_name(enum hwf_pt_kind k);

/*
 * Probe @fd (image file or block device of @size bytes).  A boot sector of
 * FAT/exFAT/NTFS at sector 0 is a superfloppy (pt NONE).  A protective MBR
 * (type 0xEE) with "EFI PART" at LBA 1 (512- or 4096-byte sectors) is GPT:
 * the first used GPT entry is probed.  Otherwise an MBR: the first
 * non-empty primary partition that is not an extended container.  Bytes
 * past @size read as zero.  Returns 0 (even for "unknown") or HWF_EIO.
 */
int hwf_disk_probe(int fd, uint64_t size, struct hwf_disk_probe *out, struct hwf_err *e);

/* --- may it be formatted? ---------------------------------------------- */

enum hwf_card_kind {
	HWF_CARD_BLANK,	  /* empty, or all zero / all 0xFF wherever looked at */
	HWF_CARD_IMAGE,	  /* an MBR or GPT partition table, or FAT12/16/32 or exFAT at sector 0 */
	HWF_CARD_FOREIGN, /* anything else: firmware, archive, partition image, text ... */
};

struct hwf_card_class {
	enum hwf_card_kind kind;
	char what[200]; /* "MBR partition table, first partition FAT32", "Huawei UPDATE.APP" */
};

/*
 * Is @fd (image file or block device of @size bytes) a card, a blank, or
 * something that must not be formatted?  Decided from the content only,
 * never from a name, so that "card.img" holding an UPDATE.APP is FOREIGN.
 * Firmware and archive magic (formats/sniff: UPDATE.APP, boot, vendor_boot,
 * sparse, vbmeta, AVB footer, zip, gzip, lz4, ELF) outranks a partition
 * table; ext2/3/4 or NTFS without a partition table, text, HTML and
 * unrecognised data are FOREIGN.  BLANK is decided from the first MiB, the
 * last 64 KiB, 4 KiB at 255 points in between and the start of each data
 * extent of a sparse file (not every byte: a 64 GiB card would take
 * minutes).  Reads only.  Returns 0, HWF_EIO, HWF_ENOMEM.
 */
int hwf_card_classify(int fd, uint64_t size, struct hwf_card_class *out, struct hwf_err *e);

/* --- formatting --------------------------------------------------------- */

#define HWF_FAT32_MIN_CLUSTERS 65525u
#define HWF_FAT32_PART_OFFSET  (1024u * 1024u) /* where hwf_fat32_format() puts the partition */

/*
 * Cluster size (bytes) for a FAT32 volume of @vol_bytes, Microsoft's table
 * (fatgen103, "FAT32 disk size to sectors per cluster", 512-byte sectors):
 *
 *	volume size		cluster
 *	<= 260 MiB		512 B	(below ~32.5 MiB FAT32 is impossible anyway)
 *	<= 8 GiB		4 KiB
 *	<= 16 GiB		8 KiB
 *	<= 32 GiB		16 KiB
 *	larger			32 KiB
 */
uint32_t hwf_fat32_cluster_size(uint64_t vol_bytes);

/* The smallest device hwf_fat32_format() accepts, in bytes (about 33 MiB). */
uint64_t hwf_fat32_min_device_size(void);

/*
 * Format @fd (image file or block device of @dev_size bytes): an MBR with
 * one primary partition of type 0x0C (FAT32 LBA) from 1 MiB to the end of
 * the device (at most 2^32 - 1 sectors, i.e. 2 TiB), and in it FAT32 with
 * 32 reserved sectors (boot sector at 0, FSInfo at 1, backups at 6 and 7),
 * 2 FATs, media 0xF8, the root directory at cluster 2, the data area aligned
 * to a cluster, volume label @label (up to 11 characters, upper-cased,
 * space padded; NULL or "" = "NO NAME") and volume serial @serial (also the
 * MBR disk signature).  Writes only the MBR and the rest of the first MiB
 * (zeroed, so no stale GPT header survives), the reserved area, the zeroed
 * FATs and root cluster; a stale backup GPT header in the last sector is
 * zeroed too.  Ends with fdatasync().
 *
 * Errors: HWF_EINVAL for a bad label or a device too small for FAT32 (fewer
 * than 65525 clusters; the message gives the minimum size),
 * HWF_EUNSUPPORTED for a block device whose logical sectors are not 512
 * bytes, HWF_EIO.
 */
int hwf_fat32_format(int fd, uint64_t dev_size, const char *label, uint32_t serial,
		     struct hwf_err *e);

/* --- an opened FAT32 volume --------------------------------------------- */

struct hwf_fat;

/*
 * Open the FAT32 volume at byte @part_offset of @fd (partition of
 * @part_size bytes).  @writable allows the write functions (@fd must then
 * be open for writing).  Fails with HWF_EFORMAT and a sentence when the
 * partition is not FAT32 ("holds exFAT, not FAT32", "is not formatted (all
 * zero)", "holds FAT16 (4000 clusters), not FAT32" ...) or the boot sector
 * is inconsistent; HWF_EIO, HWF_ENOMEM.  @fd is borrowed.
 */
int hwf_fat_open(struct hwf_fat **out, int fd, uint64_t part_offset, uint64_t part_size,
		 int writable, struct hwf_err *e);

/* Flush and free.  Sources from hwf_fat_open_source() must be closed first. */
void hwf_fat_close(struct hwf_fat *fs);

/*
 * Check the volume the way fsck.fat -n does, changing nothing: every folder
 * from the root down (at most 32 levels) and every cluster chain in them,
 * each walk bounded by the cluster count.  0 when sound; HWF_EFORMAT with a
 * sentence naming the file or folder and the cluster for a chain that
 * loops ("root directory: its cluster chain loops at cluster 2 (it points
 * to itself)"), leaves the volume, runs into a free or bad cluster, is
 * shorter or longer than its file's size, or shares clusters with another
 * ("dload/A.BIN and dload/B.BIN share cluster 700 (cross-linked)");
 * HWF_EIO; HWF_ENOMEM (it keeps a bit per cluster: 32 MiB at most).
 */
int hwf_fat_check(struct hwf_fat *fs, struct hwf_err *e);

/* Free space from counting free FAT entries (streamed; not FSInfo).  0 on a read error. */
uint64_t hwf_fat_free_bytes(struct hwf_fat *fs);
/* Bytes per cluster, and the number of data clusters. */
uint32_t hwf_fat_cluster_size(const struct hwf_fat *fs);
uint32_t hwf_fat_cluster_count(const struct hwf_fat *fs);
/* The volume label from the boot sector, trailing spaces removed. */
const char *hwf_fat_label(const struct hwf_fat *fs);

/*
 * An entry.  @name is the long name (UTF-8) when there is one, else the
 * 8.3 name as "NAME.EXT" (lower-cased where the Windows NT case bits say
 * so).  A 255-unit long name takes up to 765 bytes of UTF-8.
 */
#define HWF_FAT_NAME_MAX 766
struct hwf_fat_dirent {
	char name[HWF_FAT_NAME_MAX];
	char short_name[13]; /* always the 8.3 name, "NAME.EXT" */
	int is_dir;
	uint8_t attr; /* 0x01 read-only, 0x02 hidden, 0x04 system, 0x10 dir, 0x20 archive */
	uint64_t size;
	uint32_t first_cluster;
};

/*
 * Call @cb for every entry of directory @path ("" or "/" = root, "dload",
 * "dload/sub"; case-insensitive), skipping ".", "..", deleted entries and
 * the volume label.  A non-zero return from @cb stops the walk and is
 * returned.  HWF_ENOTFOUND when @path is absent, HWF_EINVAL when it is a
 * file, HWF_EFORMAT for a broken cluster chain.
 */
int hwf_fat_list(struct hwf_fat *fs, const char *path,
		 int (*cb)(void *ctx, const struct hwf_fat_dirent *d), void *ctx,
		 struct hwf_err *e);

/*
 * Look up one path, case-insensitively, matching long or 8.3 names.  The
 * root ("" or "/") is a directory named "".  HWF_ENOTFOUND when absent.
 */
int hwf_fat_stat(struct hwf_fat *fs, const char *path, struct hwf_fat_dirent *out,
		 struct hwf_err *e);

/*
 * Create directory @path (the parent must exist).  A long-name entry set is
 * written whenever the name is not a valid upper-case 8.3 name, so "dload"
 * gets the short name DLOAD plus the long name "dload" (as Windows and
 * mtools do); lossy short names get a "~N" tail.  HWF_EEXIST when it
 * exists, HWF_ENOTFOUND when the parent does not, HWF_EINVAL for a name FAT
 * cannot hold, HWF_ENOSPC, HWF_EIO.  Updates both FATs and FSInfo.
 */
int hwf_fat_mkdir(struct hwf_fat *fs, const char *path, struct hwf_err *e);

/*
 * Create file @path (HWF_EEXIST if it exists; nothing is replaced) with all
 * bytes of @src, in one contiguous run of clusters when there is one (the
 * first that fits), else in the free runs in order.  HWF_ENOSPC is decided
 * before anything is written: the file (plus any cluster the directory
 * must grow by) does not fit, or @src is larger than 4 GiB - 1 (FAT32's
 * limit).  Data goes first, then the FAT chain, then the directory entry,
 * then FSInfo and fdatasync(); on a read/write error the clusters are
 * freed again.  @progress (may be NULL) gets bytes written so far.
 */
int hwf_fat_write_file(struct hwf_fat *fs, const char *path, struct hwf_source *src,
		       hwf_progress_fn progress, void *pctx, struct hwf_err *e);

/*
 * Open file @path as a read-only, random-access, thread-safe source (via
 * hwf_source_open_callback).  The whole cluster chain is checked here
 * (bounded; a loop is found even past the clusters the size needs) and
 * turned into a run list (one run for a contiguous file; reads are then
 * one pread).  The source borrows @fs: close it before hwf_fat_close(),
 * which frees the run lists.  HWF_ENOTFOUND, HWF_EINVAL (a directory),
 * HWF_EFORMAT (the chain loops, leaves the volume, or is shorter or longer
 * than the file size needs).
 */
int hwf_fat_open_source(struct hwf_fat *fs, const char *path, struct hwf_source **out,
			struct hwf_err *e);

#endif
