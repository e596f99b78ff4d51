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
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/app/updateapp.h"

#define HWF_PART_MAX 64
#define HWF_PLAN_MAX_JOIN 32 /* raw pieces of one partition: 32 x 3.9 GiB */

struct hwf_plan_step {
	size_t entry;			/* index in the package */
	char partition[HWF_PART_MAX];	/* fastboot partition name */
	unsigned piece, pieces;		/* split entries (SUPER, SUPER#2): 1-based piece of n */
	/*
	 * Raw pieces of one image (formats/app/appgroup.h: a HarmonyOS partition
	 * over 4,160,749,568 bytes): @njoin entries, @join[0] == @entry, sent as
	 * one image (hwf_plan_step_source()).  0 for a step of one entry.
	 */
	size_t join[HWF_PLAN_MAX_JOIN];
	unsigned njoin;
	uint64_t size; /* the bytes this step sends (0 in a step not made here: the entry's) */
};

struct hwf_plan_map {
	const char *entry;		/* entry name as the user typed it */
	const char *partition;
};

/*
 * Build the plan.  @names (case-insensitive entry names; a base name such
 * as SUPER selects every piece) or, when @nnames is 0, every image entry.
 * @maps override the partition of an entry.  Split entries that are all
 * sparse images are flashed one after the other to the same partition, one
 * step each; raw pieces of one image become one step that sends them joined
 * (naming one raw piece alone is HWF_EINVAL: it would land at the
 * partition's start; more than HWF_PLAN_MAX_JOIN pieces too).  Also HWF_EINVAL, naming
 * both, when two entries would go to one partition (HISIUFS_GPT and EFI
 * both to ptable, a --map onto a taken partition), when pieces of one split
 * entry would go to different partitions, when @names select an entry
 * twice, or when two @maps apply to one entry.  *steps is allocated; free() it.
 */
int hwf_plan_build(struct hwf_app *app, const char *const *names, size_t nnames,
		   const struct hwf_plan_map *maps, size_t nmaps, struct hwf_plan_step **steps,
		   size_t *nsteps, struct hwf_err *e);

/* What step @st sends: its entry, or its raw pieces joined (formats/core/source.h concat). */
int hwf_plan_step_source(struct hwf_app *app, const struct hwf_plan_step *st,
			 struct hwf_source **out, struct hwf_err *e);
/* Its size in bytes. */
uint64_t hwf_plan_step_size(struct hwf_app *app, const struct hwf_plan_step *st);

/* The built-in partition for an entry name ("HISIUFS_GPT" -> "ptable"). */
void hwf_plan_default_partition(const char *entry_name, char *buf, size_t len);

#endif
