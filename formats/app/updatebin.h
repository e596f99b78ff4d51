/* SPDX-License-Identifier: MIT */
/*
 * HarmonyOS update.bin (the OpenHarmony "upgrade package", L2 variant):
 * parse, check, extract.  Layout and sources:
 * ../shared/reference/harmonyos-update-bin.md §2.2-§2.5; every field is
 * read where that table puts it, each with the public source cited beside
 * the code (formats/app/updatebin.c).  Little-endian throughout.
 *
 *   [TLV 0xAA + build_tools.zip]   optional streaming-update prefix
 *   0    TLV 0x0001/0x0011 len 136: pkgInfoLength, updateFileVersion,
 *        productUpdateId[64], softwareVersion[64]
 *   140  TLV 0x0002 len 32: date[16], time[16]
 *   176  TLV 0x0005 len L: component table, N records of 87 bytes (L2) or 71
 *   180+L  describePackageId[16]
 *   then [TLV 0x06 hash info + TLV 0x07 block hashes] TLV 0x08 signature
 *        (u16 type, u32 length), or the legacy 640-byte signature slot
 *   then the components' bytes, in table order, no padding.
 *
 * Opening reads the headers only and checks every length against the file:
 * the component sizes must add up to exactly what follows the header, read
 * as u32 (the official unpacker) or as u64 (SimomYung's reading for very
 * large partitions: size | originalSize << 32); the reading that fits is
 * used, and the package says which.  Component data is read on demand.
 *
 * Memory: hwf_ubin_open() allocates the handle (hwf_ubin_close()) and
 * borrows the source; components belong to the handle.  Errors: HWF_EFORMAT
 * (not an update.bin, or a field that breaks the layout, naming the offset),
 * HWF_ETRUNC (a length reaching past the end of the file), HWF_EIO,
 * HWF_ENOMEM; extraction also HWF_EEXIST, HWF_EINVAL (a name that would
 * leave the output folder), HWF_ECRC, HWF_ENOSPC.
 */
#ifndef HWF_UPDATEBIN_H
#define HWF_UPDATEBIN_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/outfile.h"
#include "formats/core/source.h"

struct hwf_ubin_comp {
	unsigned index;
	char address[33];   /* as stored, up to its NUL ("/system"); odd bytes shown as '?' */
	char name[33];	    /* the address without its leading '/' ("system") */
	char file_name[48]; /* what extract writes ("system.img"); "" when unsafe */
	const char *unsafe; /* why the name cannot be a file name here, or NULL */
	uint16_t id;
	uint8_t res_type, flags, type; /* type 0: raw image, 1: zip */
	char version[11];
	uint64_t size, original_size;
	uint8_t digest[32]; /* SHA-256 of the component */
	uint64_t offset;    /* where its bytes are in the file */
};

enum hwf_ubin_sign { HWF_UBIN_SIGN_TLV, HWF_UBIN_SIGN_SLOT };

struct hwf_ubin_info {
	uint64_t base; /* bytes of the streaming-update prefix (TLV 0xAA) before the header */
	uint16_t header_type;
	uint32_t pkg_info_len, file_version;
	char product[65], version[65], date[17], time[17], describe_id[17];
	unsigned rec_size; /* 87 (L2, address[32]) or 71 (address[16]) */
	int size64;	   /* sizes were read as u64 (the u32 reading did not fit) */
	int block_hashes;  /* TLV 0x06/0x07 (SD-card package) present */
	uint64_t hash_off, hash_len;
	enum hwf_ubin_sign sign;
	uint64_t sign_off, sign_len; /* the signature bytes */
	uint64_t data_start;
};

struct hwf_ubin;

/* Does @src look like an update.bin (the detector of reference §2.5)? */
int hwf_ubin_sniff(struct hwf_source *src);

int hwf_ubin_open(struct hwf_ubin **out, struct hwf_source *src, struct hwf_err *e);
void hwf_ubin_close(struct hwf_ubin *u);
const struct hwf_ubin_info *hwf_ubin_info(const struct hwf_ubin *u);
size_t hwf_ubin_count(const struct hwf_ubin *u);
const struct hwf_ubin_comp *hwf_ubin_comp(const struct hwf_ubin *u, size_t i);
/* By name ("system", "/system" or "system.img"), case-insensitive; NULL if none. */
const struct hwf_ubin_comp *hwf_ubin_find(const struct hwf_ubin *u, const char *name);
struct hwf_source *hwf_ubin_source(const struct hwf_ubin *u);
/* A component's bytes as a source (a window on the file). */
int hwf_ubin_comp_source(struct hwf_ubin *u, size_t i, struct hwf_source **out, struct hwf_err *e);

/* --- check (updatebin_extract.c) --- */

struct hwf_ubin_check {
	int ok; /* every selected component's SHA-256 matches */
	size_t checked, bad;
	unsigned char *bad_comp; /* hwf_ubin_count() flags */
	/* One sentence on the signature: reported, never checked (no public key). */
	char signature[256];
};

/*
 * SHA-256 of every selected component (@select: hwf_ubin_count() flags or
 * NULL for all) against its table digest; @res->bad_comp is allocated
 * (hwf_ubin_check_free()).  Returns 0 when the check ran, negative when
 * reading failed.
 */
int hwf_ubin_check(struct hwf_ubin *u, const unsigned char *select, struct hwf_ubin_check *res,
		   hwf_progress_fn progress, void *pctx, struct hwf_err *e);
void hwf_ubin_check_free(struct hwf_ubin_check *res);

/* --- extract (updatebin_extract.c) --- */

enum hwf_ubin_event_kind {
	HWF_UBEV_WRITING, /* the checks passed, files go to @path now; @msg the label */
	HWF_UBEV_STEP,	  /* a component is copied: @comp, progress follows */
	HWF_UBEV_STEP_END,
	HWF_UBEV_WRITTEN, /* @comp is at @path, its SHA-256 matched */
	HWF_UBEV_BAD,	  /* @comp's SHA-256 does not match: @msg; not kept */
};

struct hwf_ubin_event {
	enum hwf_ubin_event_kind kind;
	long comp;
	const char *path, *msg;
};

struct hwf_ubin_extract_opts {
	const char *dir;	     /* created with its parents */
	const unsigned char *select; /* hwf_ubin_count() flags; NULL = every component */
	const char *label;	     /* the package in messages */
	int force;		     /* replace files that exist */
	const struct hwf_file_hooks *files;
	void (*event)(void *ctx, const struct hwf_ubin_event *ev);
	hwf_progress_fn progress;
	void *ctx;
};

/*
 * Write each selected component to DIR/<file_name>, streaming: the bytes go
 * to a temporary file while their SHA-256 is computed, and it gets its name
 * only when the digest matches the table.  Before anything is written:
 * every selected name must be safe (HWF_EINVAL, naming the component) and no
 * file to write may exist unless @force (HWF_EEXIST).  *@written and *@bad
 * count the outcome; a bad component is not kept and the call returns
 * HWF_ECRC after the others were written.
 */
int hwf_ubin_extract(struct hwf_ubin *u, const struct hwf_ubin_extract_opts *o, size_t *written,
		     size_t *bad, struct hwf_err *e);

#endif
