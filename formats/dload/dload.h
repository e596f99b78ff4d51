/* SPDX-License-Identifier: MIT */
/*
 * formats/dload: the dload SD card engine.  A card the phone's forced SD
 * update (Vol+ Vol- Power) takes, made from a SOURCE and checked.
 *
 * The folder holds:
 *   plan.c    what goes into dload/ from a SOURCE (UPDATE.APP, firmware
 *             zip, update_sd zip, zip of update_sd zips, folder with dload/)
 *   verify.c  verifying the sources (every package CRC, CRC-32 of the rest)
 *             and reading the copies back
 *   folder.c  a mounted folder TARGET: checks, .partial + fsync + read-back
 *             + rename
 *   image.c   an image file or block device TARGET: checks (content,
 *             damage, room, confirmation), MBR + FAT32 format, write and
 *             read back through formats/fat
 *   devgate.c whether a whole device may be written (the system's disk,
 *             mounted, fixed, > 256 GiB), from the facts os.c gathers
 *   prepare.c the order of it all (hwf_dload_prepare)
 *   check.c   dload check: findings on a folder, image or device
 *   os.c      the facts that need the OS: statfs of a folder,
 *             /proc/self/mounts, sysfs removable, BLKGETSIZE64, BLKRRPART,
 *             sync_file_range (win/src/dload_os.c is its Windows twin:
 *             \\.\PhysicalDriveN, its volumes locked before writing)
 *
 * The engine decides and never prints: it asks and reports through struct
 * hwf_dload_cb.  Nothing is written before every check of the target and
 * every source verification passed, so a refusal never follows a
 * HWF_DLOAD_EV_WRITING event.
 *
 * Errors (negative HWF_E*, with one sentence in the struct hwf_err, named
 * by path, ready to print as it is):
 *   HWF_EIO           a read, write, open, statfs failed
 *   HWF_ENOTFOUND     the SOURCE holds nothing for dload/
 *   HWF_EINVAL        a SOURCE too large or deep for a card, --format on a folder
 *   HWF_EUNSUPPORTED  FAT32 cannot hold a file (4 GiB), a folder not on FAT32,
 *                     a target that is no FAT32 card (without --format), a
 *                     target that is neither folder, file nor block device
 *   HWF_EACCES        not formatting it: foreign content, mounted, not removable,
 *                     larger than 256 GiB (without --force)
 *   HWF_ECANCELED     formatting not confirmed (or nobody to ask)
 *   HWF_ENOSPC        no room on the card, a device too small
 *   HWF_EEXIST        the card already has a file of the plan, or a file where a
 *                     folder goes
 *   HWF_EFORMAT       a damaged card, a package that is no UPDATE.APP
 *   HWF_ECRC          a package fails its CRCs; a copy does not read back right
 *   HWF_ENOMEM
 */
#ifndef HWF_DLOAD_H
#define HWF_DLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

/* FAT32 keeps a file's size in 32 bits. */
#define HWF_DLOAD_FAT_MAX_FILE 0xffffffffull
/* Files in one plan, and folder levels below a SOURCE's dload/. */
#define HWF_DLOAD_MAX_ITEMS 64
#define HWF_DLOAD_MAX_DEPTH 4

/* --- callbacks ------------------------------------------------------------ */

/* What the user answered to a confirm() question. */
enum hwf_dload_answer {
	HWF_DLOAD_CANNOT_ASK = -1, /* not on a terminal (and no --yes) */
	HWF_DLOAD_NO = 0,
	HWF_DLOAD_YES = 1,
};

enum hwf_dload_event {
	HWF_DLOAD_EV_WARNING,  /* what --force let through: "--force: X is on tmpfs, not FAT32" */
	HWF_DLOAD_EV_VERIFIED, /* every source verified: "Verified SRC: 1 file, 3000460 bytes" */
	HWF_DLOAD_EV_WRITING,  /* a file is next: "Writing dload/UPDATE.APP (3000460 bytes)" */
};

/*
 * How the engine asks and reports.  Every member may be NULL: no confirm()
 * means nobody can be asked; no tmp_add() means temporary files are not
 * registered anywhere.  Texts are borrowed for the call.
 */
struct hwf_dload_cb {
	void *ctx;
	/* "This erases everything on card.img (64.0 MiB, all zero)." */
	enum hwf_dload_answer (*confirm)(void *ctx, const char *question);
	void (*event)(void *ctx, enum hwf_dload_event kind, const char *text);
	/* A long step ("verifying UPDATE.APP", "copying", "writing", "reading back"). */
	void (*progress_begin)(void *ctx, const char *label);
	hwf_progress_fn progress;
	void (*progress_end)(void *ctx);
	/*
	 * A temporary file is about to be created at @path (0, or -1 with errno
	 * set: it is then not created), and is gone or renamed into place.
	 * Lets the caller remove it when interrupted.
	 */
	int (*tmp_add)(void *ctx, const char *path);
	void (*tmp_forget)(void *ctx, const char *path);
};

/* --- the plan: what goes into dload/ ---------------------------------------- */

enum hwf_dload_kind {
	HWF_DLOAD_APP,	 /* an UPDATE.APP (*.APP): every CRC verified */
	HWF_DLOAD_SDZIP, /* an update_sd*.zip (*.zip), copied as it is */
	HWF_DLOAD_OTHER, /* anything else in a folder SOURCE's dload/ */
};

struct hwf_dload_item {
	char rel[512];	  /* path below dload/: "UPDATE.APP", "X/update_sd_X.zip" */
	char path[4096];  /* the file, or the zip holding the member */
	char member[512]; /* zip member, "" for a file */
	enum hwf_dload_kind kind;
	uint64_t size;
	uint32_t crc; /* CRC-32 of the bytes (not for APP), set by hwf_dload_plan_verify() */
};

struct hwf_dload_plan;
struct hwf_download;

/*
 * What goes into dload/ from @source: an UPDATE.APP (or any file: it must
 * verify as one); a firmware zip holding one UPDATE.APP (dload/UPDATE.APP
 * or anywhere); an update_sd*.zip (as it is); a zip of update_sd*.zip
 * members (each to dload/, keeping its path below "dload/"); a folder with
 * a dload/ (any case) tree, copied as it is (hidden files skipped).  Sizes
 * are known after this; nothing is verified yet.  A zip's one package of
 * 4 GiB or more is refused here, before it is inflated.  The plan is the
 * caller's (hwf_dload_plan_close).
 */
int hwf_dload_plan_open(struct hwf_dload_plan **out, const char *source, struct hwf_err *e);
void hwf_dload_plan_close(struct hwf_dload_plan *p);
size_t hwf_dload_plan_count(const struct hwf_dload_plan *p);
/* Item @i (< count), borrowed from the plan. */
const struct hwf_dload_item *hwf_dload_plan_item(const struct hwf_dload_plan *p, size_t i);
uint64_t hwf_dload_plan_total(const struct hwf_dload_plan *p);
/*
 * The zip the plan's members come from, once hwf_dload_plan_verify() has
 * opened it (NULL before, or for files): its layers' statistics say how
 * often each deflated member was inflated (-v).  Borrowed from the plan.
 */
const struct hwf_download *hwf_dload_plan_download(const struct hwf_dload_plan *p);

/*
 * Read every source: each UPDATE.APP verified (header and every block
 * CRC), each update_sd zip on disk has its UPDATE.APP verified, the CRC-32
 * of everything that is not an UPDATE.APP kept for the read-back.  Reports
 * progress; fails naming the file and what is wrong, ending "nothing was
 * written to the card".  A plan must pass this before it is written.
 */
int hwf_dload_plan_verify(struct hwf_dload_plan *p, const struct hwf_dload_cb *cb,
			  struct hwf_err *e);

/* --- targets ------------------------------------------------------------------ */

enum hwf_dload_target_kind {
	HWF_DLOAD_FOLDER, /* a mounted card's folder */
	HWF_DLOAD_IMAGE,  /* an image file */
	HWF_DLOAD_DEVICE, /* a block device */
};

/*
 * What @path is, following symlinks.  HWF_EIO "PATH: No such file or
 * directory"; HWF_EUNSUPPORTED "PATH is a named pipe (FIFO): TARGET is the
 * card's folder, an image file or a device" for anything else.
 */
int hwf_dload_target_kind(const char *path, enum hwf_dload_target_kind *kind, struct hwf_err *e);

struct hwf_dload_opts {
	int format; /* a new MBR + FAT32 (image or device only) */
	int force;  /* go on with a folder not on FAT32; format what holds no card, or
		       a fixed or big device (a mounted one never) */
};

struct hwf_dload_target;

/*
 * Open @path for @p and decide everything that can be decided before the
 * sources are verified and the first byte is written (@o NULL: neither
 * format nor force).
 *
 * A folder: FAT32 (statfs; else refused, or a warning with force), no file
 * of 4 GiB or more, free space for the plan and 1 MiB (the old files stay
 * until the new ones verified).
 *
 * An image or device: no file of 4 GiB or more; a device must not be
 * mounted.  Without format: a FAT32 card (classified by content, never by
 * name) that checks out like fsck.fat -n, where no file of the plan is
 * yet, no folder on the way is a file, and everything fits.  With format:
 * a device must be removable and at most 256 GiB (unless force); the
 * content must be a card, a blank or a partition table (else refused
 * unless force: a warning); big enough for FAT32 and the plan; then
 * confirm() is asked (NO and CANNOT_ASK refuse with HWF_ECANCELED).
 */
int hwf_dload_target_open(struct hwf_dload_target **out, const char *path,
			  const struct hwf_dload_plan *p, const struct hwf_dload_opts *o,
			  const struct hwf_dload_cb *cb, struct hwf_err *e);

/*
 * Write the verified plan @p to @t (opened for @p).  A folder: each file
 * to dload/.NAME.partial (tmp_add first), fsync, read back past the page
 * cache and verified; only when all are good renamed into place and the
 * folders fsync'ed; on failure every .partial is removed and the message
 * ends "the card's dload/ was left as it was".  An image or device:
 * formatted when asked, the room checked again, every file written through
 * formats/fat, then read back through it past the page cache and
 * verified, and the volume checked.  HWF_EINVAL for a plan not verified.
 */
int hwf_dload_target_write(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			   const struct hwf_dload_cb *cb, struct hwf_err *e);
void hwf_dload_target_close(struct hwf_dload_target *t);

/*
 * All of it in order: plan, target checks, source verification (then a
 * HWF_DLOAD_EV_VERIFIED event), write.  On success *@plan_out is the plan
 * written (the caller closes it); on failure NULL.
 */
int hwf_dload_prepare(const char *source, const char *target, const struct hwf_dload_opts *o,
		      const struct hwf_dload_cb *cb, struct hwf_dload_plan **plan_out,
		      struct hwf_err *e);

/* --- dload check ------------------------------------------------------------ */

enum hwf_dload_level { HWF_DLOAD_OK, HWF_DLOAD_NOTE, HWF_DLOAD_PROBLEM };

#define HWF_DLOAD_MAX_FINDINGS 48

struct hwf_dload_finding {
	enum hwf_dload_level level;
	/* filesystem, partition, dload, package, name, zip, leftover, space, read */
	char check[16];
	char text[600]; /* one sentence */
};

struct hwf_dload_report {
	struct hwf_dload_finding f[HWF_DLOAD_MAX_FINDINGS];
	int n;
};

/*
 * Would a phone find a dload update on @target (a folder, image file or
 * block device, read through formats/fat the way the phone's loader sees
 * it)?  Fills @r (the caller's, about 30 KiB) with findings: file system
 * (FAT32, every chain checked), partition table, dload/ and its usual
 * misspellings and nesting, UPDATE.APP (its spelling, every CRC), zips not
 * unpacked, leftovers of an interrupted prepare, free space.  Returns 0
 * when the findings were made (whatever they say); a negative code when
 * @target cannot be opened or probed at all.
 */
int hwf_dload_check(const char *target, const struct hwf_dload_cb *cb, struct hwf_dload_report *r,
		    struct hwf_err *e);
/* The first PROBLEM, or NULL when a phone would update from the card. */
const struct hwf_dload_finding *hwf_dload_report_problem(const struct hwf_dload_report *r);
/* "ok", "note", "problem". */
const char *hwf_dload_level_name(enum hwf_dload_level l);

#endif
