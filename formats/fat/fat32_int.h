/* SPDX-License-Identifier: MIT */
/*
 * FAT32 internals shared by fat32.c (probe, format), fat32_vol.c (the FAT
 * table, open/close), fat32_dir.c (names, directories, creating entries)
 * and fat32_file.c (file data in and out).  Not for use outside formats/fat32*.
 */
#ifndef HWF_FAT32_INT_H
#define HWF_FAT32_INT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/fat/fat32.h"

#define SECTOR		   512u
#define IO_BUF		   (1024u * 1024u) /* data moves in chunks of this */
#define WIN_ENTRIES	   (256u * 1024u)  /* FAT window: 1 MiB of entries */
#define PROBE_HEAD	   4096u
#define PROBE_ZERO	   (128u * 1024u) /* "empty" = this much is zero */
#define RESERVED	   32u		  /* reserved sectors we write */
#define FAT_MASK	   0x0FFFFFFFu
#define FAT_EOC		   0x0FFFFFFFu
#define FAT_EOC_MIN	   0x0FFFFFF8u
#define FAT32_MAX_CLUSTERS 0x0FFFFFF5u
#define DIR_MAX_SLOTS	   65536u /* FAT32's limit on entries per directory */
#define LFN_MAX_UNITS	   255u
#define PATH_MAX_BYTES	   4096u

#define ATTR_RO	     0x01
#define ATTR_HIDDEN  0x02
#define ATTR_SYSTEM  0x04
#define ATTR_LABEL   0x08
#define ATTR_DIR     0x10
#define ATTR_ARCHIVE 0x20
#define ATTR_LFN     0x0F

/* One run of a file: file cluster @file_cl onwards is at disk cluster @disk_cl onwards. */
struct src_run {
	uint32_t file_cl;
	uint32_t disk_cl;
};

/* Context of a source from hwf_fat_open_source(); owned by the volume. */
struct fat_src {
	struct fat_src *next;
	struct hwf_fat *fs;
	uint64_t size;
	uint32_t nclusters; /* clusters the file uses */
	uint32_t nruns;
	struct src_run *runs;
};

struct hwf_fat {
	int fd;
	int writable;
	uint64_t off, size; /* partition, bytes */
	uint32_t bps, spc, csize;
	uint32_t reserved, nfats, fatsz, total;
	uint32_t root_cl, fsinfo_sec;
	uint32_t nclusters;   /* data clusters: 2 .. nclusters + 1 */
	uint32_t fat_entries; /* entries we use in each FAT */
	uint32_t active_fat;
	int mirror;
	uint64_t data_off; /* from the partition start */
	char label[12];
	/* FAT window: entries [win_first, win_first + win_count) of the active FAT */
	uint8_t *win;
	uint32_t win_first, win_count;
	uint32_t dirty_lo, dirty_hi;
	int dirty;
	int64_t free_count; /* -1 until counted */
	uint32_t hint;	    /* where to look for a free cluster */
	uint8_t *io;	    /* IO_BUF bytes, for writing */
	struct fat_src *srcs;
};

static inline uint64_t cluster_off(const struct hwf_fat *fs, uint32_t c)
{
	return fs->off + fs->data_off + (uint64_t)(c - 2) * fs->csize;
}

static inline int cluster_ok(const struct hwf_fat *fs, uint32_t c)
{
	return c >= 2 && c <= fs->nclusters + 1;
}

/* The geometry in a FAT boot sector (hwf_fat32_parse_bpb()). */
struct hwf_fat32_bpb {
	uint32_t bps, spc, reserved, nfats, root_ents, total, fatsz;
	uint64_t clusters;
};

/* An 8.3 entry as read, with its long name (if any) in d.name. */
struct dir_ent {
	struct hwf_fat_dirent d;
	uint8_t raw[32];
	uint32_t slot; /* index of the 8.3 entry in its directory */
};

/* The long name (UTF-16) and 8.3 name of an entry about to be created. */
struct new_name {
	uint8_t sfn[11];
	uint16_t lfn[LFN_MAX_UNITS];
	uint32_t lfn_len; /* 0: no long name */
	uint32_t nslots;  /* long-name entries + the 8.3 entry */
};

/* Where @n entries go in a directory: from slot @first, after growing it by @grow clusters. */
struct slot_plan {
	uint32_t first;
	uint32_t grow;
	uint32_t nslots;  /* slots in the directory now */
	uint32_t end;	  /* slot of the end marker, or nslots */
	uint32_t last_cl; /* last cluster of the directory */
};

/* A new entry being created: its folder, names and slots. */
struct hwf_fat32_create {
	uint32_t dir_cl;
	struct new_name nn;
	struct slot_plan plan;
};

/* --- fat32.c --- */

/*
 * pread()/pwrite() all of @len bytes at @off, retrying on EINTR.  Reading
 * past the end of the file fails with HWF_ETRUNC, or with @zero_past_end
 * gives zeros (for probing).
 */
int hwf_fat32_read(int fd, void *buf, size_t len, uint64_t off, int zero_past_end,
		   struct hwf_err *e);
int hwf_fat32_write(int fd, const void *buf, size_t len, uint64_t off, struct hwf_err *e);
/* fdatasync(); fine on files that cannot be synced (EINVAL, EROFS). */
int hwf_fat32_sync(int fd, struct hwf_err *e);
int hwf_fat32_all_zero(const uint8_t *p, size_t n);
/* 1 and *b filled when @h (512 bytes) is a plausible FAT boot sector, else 0. */
int hwf_fat32_parse_bpb(const uint8_t *h, struct hwf_fat32_bpb *b);
/* The file system whose first 4 KiB are @h (never HWF_FS_EMPTY); *csize for FAT/exFAT. */
enum hwf_fs_kind hwf_fat32_detect(const uint8_t *h, uint32_t *csize);
/* A-Z, 0-9 and !#$%&'()-@^_`{}~: what 8.3 names and labels may hold. */
int hwf_fat32_short_char_ok(int c);
/* A 32-byte 8.3 directory entry stamped with the current local time. */
void hwf_fat32_make_short(uint8_t *d, const uint8_t name[11], uint8_t attr, uint32_t cl,
			  uint32_t size);

/* --- fat32_vol.c: the FAT, through a 1 MiB window written back to every FAT --- */

int hwf_fat32_flush(struct hwf_fat *fs, struct hwf_err *e);
/* Set the 28 bits of entry @n (the top 4 bits are kept). */
int hwf_fat32_set(struct hwf_fat *fs, uint32_t n, uint32_t v, struct hwf_err *e);
/* The cluster after @c in its chain, 0 at its end; HWF_EFORMAT for a broken chain. */
int hwf_fat32_chain_next(struct hwf_fat *fs, uint32_t c, uint32_t *next, struct hwf_err *e);
/*
 * Walk the whole chain from @first to its end mark without keeping anything per
 * cluster (at most ~3x its length in FAT lookups, never more than 3x the volume's
 * clusters): *len is its length.  HWF_EFORMAT with "@what: ..." for a first
 * cluster outside the volume, a chain that runs into a free or bad cluster or
 * out of the volume, or one that loops ("its cluster chain loops at cluster 5
 * (it points back to cluster 3)").
 */
int hwf_fat32_chain_check(struct hwf_fat *fs, uint32_t first, const char *what, uint32_t *len,
			  struct hwf_err *e);
/* Free clusters, counted once by streaming the FAT and kept up to date afterwards. */
int hwf_fat32_count_free(struct hwf_fat *fs, uint32_t *out, struct hwf_err *e);
/* The first free cluster at or after @from (0: none) and how many free ones follow, up to @max. */
int hwf_fat32_find_free_run(struct hwf_fat *fs, uint32_t from, uint32_t max, uint32_t *start,
			    uint32_t *len, struct hwf_err *e);
/* Take one free cluster, zeroed on disk, its entry EOC. */
int hwf_fat32_alloc_cluster(struct hwf_fat *fs, uint32_t *out, struct hwf_err *e);
/* Undo an allocation: free the chain from @c (errors ignored: the caller has one already). */
void hwf_fat32_free_chain(struct hwf_fat *fs, uint32_t c);
/* Write the free count and next-free hint to FSInfo, when it has valid signatures. */
int hwf_fat32_fsinfo_update(struct hwf_fat *fs, struct hwf_err *e);

/* --- fat32_file.c --- */

/*
 * The chain of file @path (@first, @size bytes from its entry): sound
 * (hwf_fat32_chain_check) and exactly as long as the size needs, as
 * fsck.fat wants it.  *len is its length in clusters.  HWF_EFORMAT "@path: ...".
 */
int hwf_fat32_check_file_chain(struct hwf_fat *fs, const char *path, uint32_t first, uint64_t size,
			       uint32_t *len, struct hwf_err *e);

/* --- fat32_dir.c --- */

/* Called for every used 8.3 entry, labels and dot entries included; non-zero stops. */
typedef int (*hwf_fat32_dir_fn)(void *ctx, const struct dir_ent *de, struct hwf_err *e);
/*
 * Every entry of the folder at @dir_cl, whose path is the first @namelen
 * bytes of @name ("" for the root; for messages).  Its whole chain is
 * checked first (hwf_fat32_chain_check); the walk stops at the end marker.
 */
int hwf_fat32_dir_walk(struct hwf_fat *fs, uint32_t dir_cl, const char *name, size_t namelen,
		       hwf_fat32_dir_fn fn, void *ctx, struct hwf_err *e);
/* Look up the first @len bytes of @path; the root when there is no component. */
int hwf_fat32_resolve(struct hwf_fat *fs, const char *path, size_t len, struct dir_ent *out,
		      struct hwf_err *e);
/*
 * For a new entry @path: its folder, names (HWF_EEXIST, HWF_EINVAL) and
 * slots.  Nothing is written.
 */
int hwf_fat32_create_prepare(struct hwf_fat *fs, const char *path, struct hwf_fat32_create *cr,
			     struct hwf_err *e);
/* Grow the folder if needed, write the entries, flush the FAT, FSInfo and the disk. */
int hwf_fat32_create_commit(struct hwf_fat *fs, struct hwf_fat32_create *cr,
			    const uint8_t *short_ent, struct hwf_err *e);

#endif
