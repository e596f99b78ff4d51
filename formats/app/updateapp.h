/* SPDX-License-Identifier: MIT */
/*
 * formats/app: Huawei UPDATE.APP packages.  updateapp.h (this file: parse,
 * verify, extract an entry, pack), pkg.h (an UPDATE.APP or the one inside a
 * firmware .zip), appplan.h (which entries go to which partitions, for app
 * flash), and the engines of two commands, appextract.h and apppack.h.
 * Format facts: ../shared/reference/updateapp-format.md.
 *
 * An entry is a 98-byte header (magic 55 AA 5A A5), a table of one u16 LE
 * CRC-16/X-25 per block of block_size bytes, then the data, then zero
 * padding to a 4-byte boundary.  Opening parses the headers only; data is
 * read on demand through the package's hwf_source.
 *
 * Memory: hwf_app_open() allocates the package handle (hwf_app_close())
 * and borrows the source; entries and warnings belong to the handle; a
 * check's per-entry results are allocated by hwf_app_verify() and freed by
 * hwf_app_check_free().  Errors: HWF_EFORMAT (not a package, or no valid
 * header where one must be, naming the offset), HWF_ETRUNC (ends before
 * its headers say), HWF_ECRC (extract: a bad block), HWF_EIO and
 * HWF_ENOSPC (writing), HWF_EINVAL (pack: a name or a package it cannot
 * write), HWF_ENOMEM.
 */
#ifndef HWF_UPDATEAPP_H
#define HWF_UPDATEAPP_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"

#define HWF_APP_MAGIC 0xa55aaa55u	/* 55 AA 5A A5 read as u32 LE */
#define HWF_APP_HDR_LEN 98
#define HWF_APP_PREAMBLE 92
#define HWF_APP_CRC_CHUNK 32768		/* the CRC entry's chunk size */
#define HWF_APP_MAX_BAD 32		/* bad block numbers kept per entry */

enum hwf_app_kind {
	HWF_APP_IMAGE,		/* something a device flashes */
	HWF_APP_SIGNATURE,	/* SHA256RSA / MD5RSA: opaque, never flashed */
	HWF_APP_CRC,		/* CRC: CRC-16 per 32 KiB of every other entry */
	HWF_APP_METADATA,	/* CURVER, VERLIST, PACKAGE_TYPE, ...: never flashed */
};

struct hwf_app_entry {
	unsigned index;
	char name[48];		/* display name, unique ignoring case: SUPER, SUPER#2 */
	char file_name[64];	/* extract's file name, unique ignoring case: super_2.img */
	char raw_name[33];	/* the 32-byte field up to NUL/0xFF */
	char hwid[9];		/* hardware id up to 0xFF/NUL */
	char date[17], time[17];
	uint32_t seq;		/* u32 LE at 0x14 */
	uint64_t header_off;	/* where the magic is */
	uint32_t header_len;	/* 98 + 2 * nblocks */
	uint64_t data_off;	/* where the data starts */
	uint64_t data_len;
	uint32_t block_size;
	uint32_t nblocks;
	uint16_t header_crc;	/* as stored */
	uint16_t header_crc_calc;
	unsigned dup;		/* 0 for the first entry of a name, 1 for the next ... */
	enum hwf_app_kind kind;
	/* Named only by sequence id: the profile's name for it ("SIGNATURE?" when unconfirmed). */
	char seq_name[32];
};

struct hwf_app;

/*
 * Parse the entry headers of @src (borrowed; keep it open while @out is).
 * Entries get display names and file names unique among the package's
 * entries ignoring case (see name_entries() in updateapp.c for the scheme:
 * SUPER, SUPER#2 ...; sub_dir.img, sub_dir_2.img ...).
 * The walk is strict: anything but a valid header where one must be is an
 * error naming the offset.  Header CRC mismatches do not stop opening;
 * they are recorded (header_crc != header_crc_calc) for verify to report.
 */
int hwf_app_open(struct hwf_app **out, struct hwf_source *src, struct hwf_err *e);
void hwf_app_close(struct hwf_app *app);

size_t hwf_app_count(const struct hwf_app *app);
const struct hwf_app_entry *hwf_app_entry(const struct hwf_app *app, size_t i);
/* By display name (SUPER#2) or raw name, case-insensitive; NULL if none. */
const struct hwf_app_entry *hwf_app_find(const struct hwf_app *app, const char *name);
struct hwf_source *hwf_app_source(const struct hwf_app *app);

/* Where the first entry starts and whether the bytes before it are non-zero. */
uint64_t hwf_app_first_offset(const struct hwf_app *app);
int hwf_app_preamble_nonzero(const struct hwf_app *app);

const char *hwf_app_kind_name(enum hwf_app_kind kind);
/* What an entry named @raw (the FileType field) with sequence id @seq is. */
enum hwf_app_kind hwf_app_kind_of(const char *raw, uint32_t seq);

/*
 * Legacy packages, whose entries are named INPUT or nothing: entries are
 * named by sequence id from a profile (formats/app/appprofiles.h), the best
 * fit when the package is opened.  Their file names are the profile's
 * (boot.img), or "<index>_<seq in hex>.img" for an id it does not name.
 * hwf_app_use_profile() picks one by name (HWF_EINVAL naming the profiles
 * when there is none of that name) and names the entries again.
 * hwf_app_profile_used(): the profile's name, or NULL; *@known of *@legacy
 * entries it names, *@forced when picked by name (each may be NULL).
 */
int hwf_app_entry_legacy(const struct hwf_app_entry *ent);
int hwf_app_use_profile(struct hwf_app *app, const char *name, struct hwf_err *e);
const char *hwf_app_profile_used(const struct hwf_app *app, size_t *known, size_t *legacy,
				 int *forced);

/*
 * Every field of an entry header as stored, for people reverse-engineering
 * packages (app list --raw): hwf_app_fields[] lists them, offset order,
 * covering all 98 bytes.  hwf_app_read_header() reads entry @i's 98 bytes.
 */
enum hwf_app_field_type { HWF_FIELD_HEX, HWF_FIELD_U32, HWF_FIELD_U16, HWF_FIELD_TEXT };
struct hwf_app_field {
	unsigned off, len;
	const char *name; /* "header_crc"; "unknown1" for the field at 0x08 */
	enum hwf_app_field_type type;
	const char *what; /* a few words */
};
extern const struct hwf_app_field hwf_app_fields[];
extern const size_t hwf_app_nfields;
int hwf_app_read_header(struct hwf_app *app, size_t i, uint8_t *hdr, struct hwf_err *e);

/* Things worth telling that did not stop parsing (non-zero preamble...). */
size_t hwf_app_warning_count(const struct hwf_app *app);
const char *hwf_app_warning(const struct hwf_app *app, size_t i);

/* Read the stored block CRC table of entry @i into @table (nblocks u16). */
int hwf_app_read_table(struct hwf_app *app, size_t i, uint16_t *table, struct hwf_err *e);

/* --- verification --- */

struct hwf_app_entry_check {
	int header_ok;
	int io_error;		/* reading failed: msg says why */
	uint64_t nbad;		/* bad blocks in total */
	uint32_t bad[HWF_APP_MAX_BAD];	/* the first ones, ascending */
	int crc_entry_ok;	/* -1 no CRC entry / not covered, 0 bad, 1 ok */
	uint64_t crc_entry_bad_chunk;	/* first bad 32 KiB chunk when crc_entry_ok == 0 */
	char msg[HWF_ERR_MSG_MAX];	/* one line when not ok */
};

struct hwf_app_check {
	int ok;
	int has_crc_entry;
	int crc_entry_ok;	/* -1 none, 0 bad, 1 ok */
	char crc_entry_msg[256];
	struct hwf_app_entry_check *entries;	/* hwf_app_count() of them */
};

/*
 * Verify header CRC and every block CRC of the selected entries (@select
 * is an array of hwf_app_count() flags, or NULL for all), and the CRC entry
 * when present and all entries are selected.  Reads with @threads threads
 * when the source allows it (0 = pick).  @res->entries is allocated here;
 * free with hwf_app_check_free().  Returns 0 when the check ran (look at
 * res->ok), negative when it could not run at all.
 */
int hwf_app_verify(struct hwf_app *app, const unsigned char *select, unsigned threads,
		   struct hwf_app_check *res, hwf_progress_fn progress, void *pctx,
		   struct hwf_err *e);
void hwf_app_check_free(struct hwf_app_check *res);
/* An entry passed: header CRC, every block, readable, and the CRC entry where it covers it. */
static inline int hwf_app_entry_ok(const struct hwf_app_entry_check *r)
{
	return r->header_ok && !r->io_error && !r->nbad && r->crc_entry_ok != 0;
}

/*
 * Copy entry @i to @fd (at its current position), verifying each block
 * against the table before it is written.  A bad block stops the copy with
 * HWF_ECRC unless @keep_bad, in which case the copy completes and
 * *nbad counts the bad blocks.
 */
int hwf_app_extract(struct hwf_app *app, size_t i, int fd, int keep_bad, uint64_t *nbad,
		    hwf_progress_fn progress, void *pctx, struct hwf_err *e);

/* An entry's data as a source (a window on the package). */
int hwf_app_entry_source(struct hwf_app *app, size_t i, struct hwf_source **out,
			 struct hwf_err *e);

/* --- writing --- */

struct hwf_app_pack_item {
	const char *name;	/* up to 32 bytes */
	struct hwf_source *src;
	uint32_t seq;
};

struct hwf_app_pack_opts {
	const char *hwid;	/* up to 8 bytes, padded with 0xFF */
	const char *date;	/* "yyyy.MM.dd" */
	const char *time;	/* "HH.mm.ss" */
	int crc_entry;		/* put a CRC entry first, as official packages do */
};

/*
 * Write a package to @fd (seekable, positioned at 0, empty).  Each item is
 * read once; its header is written after its data, by seeking back.
 */
int hwf_app_pack(int fd, const struct hwf_app_pack_item *items, size_t n,
		 const struct hwf_app_pack_opts *opts, hwf_progress_fn progress, void *pctx,
		 struct hwf_err *e);

/*
 * The entry's file name (ent->file_name: lower case, safe to join to a
 * folder, unique in its package: "super_2.img").  For an entry not made by
 * hwf_app_open(), the name its display name would give.
 */
void hwf_app_output_name(const struct hwf_app_entry *ent, char *buf, size_t len);

#endif
