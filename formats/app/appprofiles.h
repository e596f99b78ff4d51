/* SPDX-License-Identifier: MIT */
/*
 * Sequence-id profiles: names for the entries of legacy UPDATE.APP
 * packages, whose name field is empty or "INPUT" so that the 4-byte
 * sequence id at 0x14 is the only way to tell what an entry is
 * (reference updateapp-format.md §5.2).  Ids are device-family specific
 * (0x40000000 is system on a U8220 but recovery later), so there is one
 * table per chipset family, each row citing its source; rows that the
 * sources contradict or only suggest are marked unconfirmed (shown with a
 * '?').  The one table lives in appprofiles.c.
 *
 * Memory: everything is static and read-only.  Nothing fails.
 */
#ifndef HWF_APPPROFILES_H
#define HWF_APPPROFILES_H

#include <stddef.h>
#include <stdint.h>

struct hwf_app_profile_row {
	uint32_t seq;	  /* the u32 LE value at 0x14 (stored bytes reversed: 00 00 00 FE) */
	const char *name; /* "SYSTEM": file name system.img */
	int confirmed;	  /* 0: the sources disagree or it is an inference */
};

struct hwf_app_profile {
	const char *name; /* what --profile takes: "msm8x25" */
	const char *what; /* the devices, in words */
	const struct hwf_app_profile_row *rows;
	size_t nrows;
};

/* The profiles, in table order. */
size_t hwf_app_profile_count(void);
const struct hwf_app_profile *hwf_app_profile_at(size_t i);

/* By name (case-insensitive), or NULL. */
const struct hwf_app_profile *hwf_app_profile_find(const char *name);

/* The row of @p for sequence id @seq, or NULL. */
const struct hwf_app_profile_row *hwf_app_profile_row(const struct hwf_app_profile *p,
						      uint32_t seq);

/*
 * The profile that names most of the sequence ids @seqs[0..n) (ties: the
 * one with fewer rows left unused, then table order); *@known: how many it
 * names.  NULL when no profile names any.
 */
const struct hwf_app_profile *hwf_app_profile_best(const uint32_t *seqs, size_t n, size_t *known);

/* "u8220, msm8x25, ..." into @buf, for messages. */
void hwf_app_profile_names(char *buf, size_t len);

#endif
