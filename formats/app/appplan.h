/* SPDX-License-Identifier: MIT */
/*
 * Which UPDATE.APP entries go to which fastboot partitions, in which order.
 * Knowledge from ../shared/reference/updateapp-format.md §5.3: lower-case
 * names by default, HISUFS_GPT/EFI -> ptable, the partition table and the
 * bootloader pieces first, then the rest in package order; signature, CRC
 * and metadata entries are never flashed.
 *
 * Memory: the steps are allocated here and freed by the caller (free());
 * the package is borrowed.  Errors: HWF_EINVAL with a sentence for a plan
 * that cannot be (see hwf_plan_build), HWF_ENOTFOUND (a name not in the
 * package), HWF_ENOMEM.
 */
#ifndef HWF_APPPLAN_H
#define HWF_APPPLAN_H

#include <stddef.h>

#include "formats/core/err.h"
#include "formats/app/updateapp.h"

#define HWF_PART_MAX 64

struct hwf_plan_step {
	size_t entry;			/* index in the package */
	char partition[HWF_PART_MAX];	/* fastboot partition name */
	unsigned piece, pieces;		/* split entries (SUPER, SUPER#2): 1-based piece of n */
};

struct hwf_plan_map {
	const char *entry;		/* entry name as the user typed it */
	const char *partition;
};

/*
 * Build the plan.  @names (case-insensitive entry names; a base name such
 * as SUPER selects every piece) or, when @nnames is 0, every image entry.
 * @maps override the partition of an entry.  Split entries must all be
 * sparse images (they are flashed one after the other to the same
 * partition); otherwise HWF_EINVAL with a sentence.  Also HWF_EINVAL, naming
 * both, when two entries would go to one partition (HISIUFS_GPT and EFI
 * both to ptable, a --map onto a taken partition), when pieces of one split
 * entry would go to different partitions, when @names select an entry
 * twice, or when two @maps apply to one entry.  *steps is allocated; free() it.
 */
int hwf_plan_build(struct hwf_app *app, const char *const *names, size_t nnames,
		   const struct hwf_plan_map *maps, size_t nmaps, struct hwf_plan_step **steps,
		   size_t *nsteps, struct hwf_err *e);

/* The built-in partition for an entry name ("HISIUFS_GPT" -> "ptable"). */
void hwf_plan_default_partition(const char *entry_name, char *buf, size_t len);

#endif
