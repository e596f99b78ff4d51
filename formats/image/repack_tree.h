/* SPDX-License-Identifier: MIT */
/*
 * Which ramdisk "image repack" takes: the ramdisk file as is, or the
 * ramdisk folder (the manifest's ramdisk_tree and ramdisk_list, written by
 * unpack through formats/image/rdtree.h) packed again when it changed,
 * with the manifest's compression, into a temporary file beside OUT.  When
 * the file changed too (its SHA-256 differs from the manifest's), the repack
 * cannot know which one is meant: refused, naming both.
 *
 * Memory: struct hwf_repack_tree is the caller's; hwf_repack_tree_done
 * closes its source and removes its temporary file.  Errors: HWF_EINVAL
 * (both changed; the folder outside DIR), what rdtree returns, HWF_EIO,
 * HWF_ENOSPC, HWF_ENOMEM.
 */
#ifndef HWF_REPACK_TREE_H
#define HWF_REPACK_TREE_H

#include "formats/core/outfile.h"
#include "formats/core/source.h"
#include "formats/image/manifest.h"

struct hwf_repack_tree {
	struct hwf_source *src; /* the packed ramdisk; NULL: take the file */
	char change[200];	/* what changed in the folder, first */
	struct hwf_outfile tmp;
};

/*
 * Decide for the manifest @m of folder @dir (@root: its real path);
 * @ramdisk is the ramdisk file's source (NULL when the manifest names none);
 * @out the image to be written (the temporary file goes beside it).
 */
int hwf_repack_tree_pick(struct hwf_repack_tree *t, const char *dir, const char *root,
			 const struct hwf_manifest *m, struct hwf_source *ramdisk, const char *out,
			 const struct hwf_file_hooks *hooks, struct hwf_err *e);

/*
 * vendor_boot v4: the image is built from the per-ramdisk files (the
 * manifest's vendor_ramdisk.N.file); DIR/vendor_ramdisk, the whole section
 * as unpacked, is not read for the image.  When it was changed (its SHA-256
 * differs from the manifest's ramdisk_sha256) and does not hold exactly the
 * per-ramdisk files @vrd one after another, the change would be lost
 * without a word: HWF_EINVAL, naming both.  0 otherwise (also when the file
 * is gone, or the manifest is older and has no ramdisk_sha256).
 */
int hwf_repack_vendor_whole(const char *dir, const struct hwf_manifest *m,
			    struct hwf_source *const *vrd, struct hwf_err *e);

/* Close and remove what pick made (safe on a zeroed struct). */
void hwf_repack_tree_done(struct hwf_repack_tree *t);

#endif
