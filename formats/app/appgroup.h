/* SPDX-License-Identifier: MIT */
/*
 * Partitions that come in several UPDATE.APP entries of the same name, and
 * how their pieces join.  Two kinds are known (facts:
 * ../shared/reference/harmonyos-update-bin.md §2.4 and the note at its end,
 * updateapp-format.md §7 "Payload >= 4 GiB"):
 *  - split SUPER: every piece is a sparse image of the whole partition with
 *    DONT_CARE where the other pieces hold data; they are flashed one after
 *    the other, or joined by hwf_sparse_merge() (app extract --merge-super);
 *  - a partition over 4,160,749,568 bytes (HarmonyOS NEXT 5): raw pieces of
 *    one image, to be joined in order.
 * They are told apart by content, not size: when every piece starts with the
 * sparse magic the group is HWF_GROUP_SPARSE, else HWF_GROUP_RAW.  Only image
 * entries with a real name form groups (legacy packages name every entry
 * INPUT; those stay single).
 *
 * Memory: hwf_app_groups() allocates the array (hwf_app_groups_free());
 * the package is borrowed.  A group source borrows the package and closes
 * the windows it opened itself.  Errors: HWF_ENOMEM, and what reading the
 * package returns (HWF_EIO).
 */
#ifndef HWF_APPGROUP_H
#define HWF_APPGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/app/updateapp.h"

enum hwf_group_kind {
	HWF_GROUP_ONE,	  /* one entry */
	HWF_GROUP_SPARSE, /* sparse pieces of one partition (split SUPER) */
	HWF_GROUP_RAW,	  /* raw pieces of one image, joined in order */
};

struct hwf_app_group {
	const char *name; /* the entries' raw name (points into the package) */
	enum hwf_group_kind kind;
	size_t n;      /* pieces */
	size_t *entry; /* their indexes, in package order */
	uint64_t size; /* the pieces' bytes together */
};

/* Every entry in exactly one group, groups in the order of their first entry. */
int hwf_app_groups(struct hwf_app *app, struct hwf_app_group **out, size_t *n, struct hwf_err *e);
void hwf_app_groups_free(struct hwf_app_group *g, size_t n);

/* The group entry @i belongs to, or NULL. */
const struct hwf_app_group *hwf_app_group_of(const struct hwf_app_group *g, size_t n, size_t i);

const char *hwf_group_kind_name(enum hwf_group_kind kind);

/*
 * A HWF_GROUP_RAW (or ONE) group as one source: its pieces one after the
 * other, named @name.  Close it with hwf_source_close().
 */
int hwf_app_group_source(struct hwf_app *app, const struct hwf_app_group *g, const char *name,
			 struct hwf_source **out, struct hwf_err *e);

#endif
