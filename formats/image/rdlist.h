/* SPDX-License-Identifier: MIT */
/*
 * The pieces of a ramdisk folder (rdtree.h) that read and write text and
 * headers: the list file (its format is described in rdtree.h), the rules
 * for names (what may become a path in the folder) and the cpio "newc"
 * header.  The list and the cpio header are untrusted input: every field
 * is checked (tests/fuzz/fuzz_cpio.c).
 *
 * Memory: a struct hwf_rdlist owns its entries and their strings, freed by
 * hwf_rdlist_free().  Errors: HWF_EFORMAT (a bad line or header, naming
 * the line), HWF_EIO (reading the list), HWF_ENOMEM.
 */
#ifndef HWF_RDLIST_H
#define HWF_RDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/image/ramdisk.h"

#define HWF_RD_NAME_MAX	   4096	 /* a cpio name with its NUL */
#define HWF_RD_DEPTH_MAX   128	 /* parts of a path */
#define HWF_RD_LINE_MAX	   40000 /* a list line: two escaped names and numbers */
#define HWF_RD_ENTRIES_MAX 1000000u
#define HWF_RD_LIST_MAX	   (512u << 20) /* bytes of a list file */

/* One cpio newc header, decoded. */
struct hwf_cpio_hdr {
	int crc;	  /* magic 070702 */
	int lower, upper; /* hex letters seen in either case */
	uint32_t ino, mode, uid, gid, nlink, mtime, size, dmaj, dmin, rmaj, rmin, namesize, check;
};

/* Decode the 110 bytes at @h; HWF_EFORMAT (with a message) when they are not a newc header. */
int hwf_cpio_parse(const uint8_t *h, struct hwf_cpio_hdr *c, struct hwf_err *e);

/* Encode @c into 110 bytes at @h (upper- or lowercase hex). */
void hwf_cpio_format(const struct hwf_cpio_hdr *c, int upper, uint8_t *h);

/*
 * The folder path of the archive name @name: @name without a leading "./",
 * "" for "." (the folder itself).  NULL when @name may not become a path:
 * empty, absolute, with an empty, "." or ".." component, too long or with
 * more than HWF_RD_DEPTH_MAX parts.
 */
const char *hwf_rdname_path(const char *name);

/* The list's type letter of a cpio mode (0 when the type is not one cpio stores). */
char hwf_rd_type_of_mode(uint32_t mode);
uint32_t hwf_rd_mode_of_type(char type);

struct hwf_rdent {
	char type;     /* f d l c b p s D T */
	uint32_t mode; /* permission bits (T: the whole field) */
	uint32_t uid, gid, mtime, ino, nlink, dmaj, dmin, rmaj, rmin, size;
	uint8_t sha[32];
	char *name;	  /* as in the archive */
	const char *path; /* in the folder: points into name */
	char *target;	  /* l: the link target */
};

struct hwf_rdlist {
	enum hwf_ramdisk_comp comp;
	int crc, upper;
	uint32_t pad;
	size_t n, cap;
	struct hwf_rdent *ent;
	struct hwf_rdkey {
		const char *path;
		size_t i;
	} * sorted; /* the entries by path (T excluded), after parse */
	size_t nsorted;
};

/* Parse @len bytes of list text; @name names it in messages.  @l is filled (free it). */
int hwf_rdlist_parse(struct hwf_rdlist *l, const char *buf, size_t len, const char *name,
		     struct hwf_err *e);

/* Read and parse the list file @path. */
int hwf_rdlist_load(struct hwf_rdlist *l, const char *path, struct hwf_err *e);

void hwf_rdlist_free(struct hwf_rdlist *l);

/* The entry for folder path @path (D entries only when no other has it), or NULL. */
const struct hwf_rdent *hwf_rdlist_find(const struct hwf_rdlist *l, const char *path);

/*
 * One list line for @en, newline included, into @out (HWF_RD_LINE_MAX
 * bytes); returns its length.
 */
size_t hwf_rdlist_format(const struct hwf_rdent *en, char *out);

/* @n bytes of @s escaped as the list writes names, NUL-terminated, into @out (4 * @n + 1). */
size_t hwf_rd_escape(const char *s, size_t n, char *out);

#endif
