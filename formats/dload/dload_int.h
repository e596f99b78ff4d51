/* SPDX-License-Identifier: MIT */
/*
 * Inside formats/dload: the plan and target structs and the helpers the
 * files of the folder share.  Not for use outside formats/dload.
 */
#ifndef HWF_DLOAD_INT_H
#define HWF_DLOAD_INT_H

#include <stdint.h>
#include <sys/stat.h>

#include "formats/app/download.h"
#include "formats/dload/dload.h"
#include "formats/fat/fat32.h"

#define HWF_DL_COPY_BUF (1u << 20)

struct hwf_dload_plan {
	struct hwf_dload_item it[HWF_DLOAD_MAX_ITEMS];
	size_t n;
	uint64_t total;
	int verified; /* hwf_dload_plan_verify() passed */
	/*
	 * The zip the members come from, opened by hwf_dload_plan_verify():
	 * each deflated member is inflated once, for the verify, and the copy
	 * reads the same bytes again from its temporary file.
	 */
	struct hwf_download *dl;
};

struct hwf_dload_target {
	enum hwf_dload_target_kind kind;
	char path[4096];
	int format, force;
	/* an image or device */
	int fd;
	uint64_t size;
	struct stat st;
	struct hwf_card_class cls; /* what it holds (asked with format) */
};

/* snprintf that says nothing about truncation (messages may be cut). */
void hwf_dl_say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Report through @cb (NULL-safe). */
void hwf_dl_event(const struct hwf_dload_cb *cb, enum hwf_dload_event kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hwf_dl_begin(const struct hwf_dload_cb *cb, const char *label);
void hwf_dl_update(const struct hwf_dload_cb *cb, uint64_t done, uint64_t total);
void hwf_dl_end(const struct hwf_dload_cb *cb);

/* The dload/ folder of @dir, in any case: 0 and its path in @out, or -1. */
int hwf_dl_find_dload(const char *dir, char *out, size_t len);
/* Open item @it of @p (a file or a zip member: through @p's download once it is open). */
int hwf_dl_open_item(const struct hwf_dload_plan *p, const struct hwf_dload_item *it,
		     struct hwf_source **src, struct hwf_err *e);
/* Open @p's download when its items are zip members (hwf_dload_plan_verify). */
int hwf_dl_plan_download(struct hwf_dload_plan *p, struct hwf_err *e);
/* A file of @p FAT32 cannot hold: HWF_EUNSUPPORTED naming it. */
int hwf_dl_too_big(const struct hwf_dload_plan *p, struct hwf_err *e);

/*
 * Verify the UPDATE.APP @src: header and every block CRC, progress under
 * @label.  0 when sound; else a negative code and @why says what is wrong
 * in a sentence that does not start with the source's name.
 */
int hwf_dl_verify_app(struct hwf_source *src, const char *label, const struct hwf_dload_cb *cb,
		      char *why, size_t whylen);
/* The same for the UPDATE.APP inside the zip @path; HWF_ENOTFOUND when it holds none. */
int hwf_dl_verify_zip(const char *path, const struct hwf_dload_cb *cb, char *why, size_t whylen);
/*
 * The same for the UPDATE.APP inside the zip @member of the download @dl
 * (an update_sd zip inside it); HWF_ENOTFOUND when it holds none.
 */
int hwf_dl_verify_inner(struct hwf_download *dl, const char *member, const struct hwf_dload_cb *cb,
			char *why, size_t whylen);
/* Read @copy back (the file on the card) and compare with what @it promised. */
int hwf_dl_verify_copy(const struct hwf_dload_item *it, struct hwf_source *copy,
		       const struct hwf_dload_cb *cb, char *why, size_t whylen);

/* folder.c and image.c: hwf_dload_target_open() and _write() for each kind. */
int hwf_dl_folder_check(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			const struct hwf_dload_cb *cb, struct hwf_err *e);
int hwf_dl_folder_write(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			const struct hwf_dload_cb *cb, struct hwf_err *e);
int hwf_dl_image_check(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
		       const struct hwf_dload_cb *cb, struct hwf_err *e);
int hwf_dl_image_write(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
		       const struct hwf_dload_cb *cb, struct hwf_err *e);

/* --- devgate.c --------------------------------------------------------------- */

/* What the OS says about a whole device as TARGET (os.c gathers it). */
struct hwf_dl_device {
	uint64_t size;
	int removable;	    /* a card: removable media, or an SD/MMC card */
	char system[128];   /* not empty: it holds the running system ("Windows (C:\)") */
	char mounted[2048]; /* not empty: mounted there (Linux) */
};
/*
 * May prepare write onto the device @path (@format: make a new card,
 * @force: the user is sure)?  0, or HWF_EACCES with the sentence: the
 * system's disk never; a mounted one not (unmount it first); with format, one
 * that is not removable or larger than 256 GiB only with force.  No I/O.
 */
int hwf_dl_device_gate(const char *path, const struct hwf_dl_device *d, int format, int force,
		       struct hwf_err *e);

/* --- os.c ------------------------------------------------------------------ */

/*
 * Open TARGET @t->path read-write for image.c: @t->fd and @t->st (fstat).
 * 0, or HWF_EIO with the sentence.  (Windows: \\.\PhysicalDriveN too.)
 */
int hwf_dl_open_target(struct hwf_dload_target *t, struct hwf_err *e);
/* Does block device @dev hold the running system?  1 and @what ("Windows (C:\)"), else 0. */
int hwf_dl_holds_system(const struct stat *dev, char *what, size_t len);
/*
 * Right before the first byte goes to device @t: take it from the OS
 * (Windows: lock and dismount its volumes until @t->fd is closed; Linux:
 * nothing, mounted devices were refused).  0, or HWF_EACCES with the
 * sentence; nothing was written then.
 */
int hwf_dl_claim_device(struct hwf_dload_target *t, struct hwf_err *e);

/* What file system holds a folder. */
struct hwf_dl_fs {
	char name[64]; /* "FAT32", "FAT12/16", "exFAT", "NTFS", "ext2/3/4", "tmpfs" ... */
	int is_fat32;
	uint64_t free;	  /* bytes available */
	uint64_t size;	  /* bytes in all */
	uint32_t cluster; /* f_bsize: the cluster size on vfat */
};

/* statfs(@dir).  Returns 0 or -errno (errno set). */
int hwf_dl_statfs(const char *dir, struct hwf_dl_fs *out);
/* "a named pipe (FIFO)", "a character device", "a socket", "not a regular file". */
const char *hwf_dl_odd_file(mode_t m);
/* Is block device @dev (or a partition of it) mounted?  Fills @where with the mount point. */
int hwf_dl_is_mounted(const struct stat *dev, char *where, size_t len);
/* Removable media: the removable flag, or an SD card behind an MMC host. */
int hwf_dl_is_removable(const struct stat *dev);
/* Size of the block device @fd (BLKGETSIZE64), 0 when unknown. */
uint64_t hwf_dl_blkdev_size(int fd);
/*
 * Let the OS see a new partition table on block device @fd (BLKRRPART;
 * Windows: IOCTL_DISK_UPDATE_PROPERTIES), once everything is written.
 */
void hwf_dl_reread_partitions(int fd);
/* fsync the folder @dir (its entries are durable); 0 or -1. */
int hwf_dl_fsync_dir(const char *dir);

/*
 * Progress of a write to @fd that starts writeback every 32 MiB without
 * waiting: the card is busy while the rest is copied, and the fsync at the
 * end has little left to do.  hwf_dl_writeback_progress is a
 * hwf_progress_fn over a struct hwf_dl_writeback.
 */
struct hwf_dl_writeback {
	const struct hwf_dload_cb *cb;
	int fd;
	uint64_t last;
};
void hwf_dl_writeback_kick(struct hwf_dl_writeback *wb, uint64_t done);
void hwf_dl_writeback_progress(void *ctx, uint64_t done, uint64_t total);

#endif
