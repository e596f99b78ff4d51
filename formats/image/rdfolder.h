/* SPDX-License-Identifier: MIT */
/*
 * The folder side of a ramdisk folder (rdtree.h): paths walked from the
 * folder's descriptor one part at a time without following symlinks, the
 * folder's contents listed (lstat) and sorted, a folder removed.
 *
 * Memory: a struct hwf_rdfolder owns its paths (hwf_rdfolder_free).
 * Errors: HWF_EIO (naming the path and the system's reason), HWF_EINVAL (a
 * path too long, too many entries), HWF_ENOMEM.
 */
#ifndef HWF_RDFOLDER_H
#define HWF_RDFOLDER_H

#include <stdint.h>
#include <sys/types.h>

#include "formats/core/err.h"

/*
 * The folder that holds @path (relative to @rootfd, no "." or ".." parts):
 * a new descriptor (close it), or -errno: -ENOENT (a part is missing),
 * -ENOTDIR/-ELOOP (a part is a file or a symlink).  *@base: the last part
 * ("" for the folder itself, then the descriptor is a dup of @rootfd).
 */
int hwf_rdf_parent(int rootfd, const char *path, const char **base);

struct hwf_rdfile {
	char *path;
	mode_t mode; /* lstat's st_mode */
};

struct hwf_rdfolder {
	struct hwf_rdfile *f; /* sorted by path (bytes) */
	size_t n, cap;
};

/* Everything under @rootfd (@dir names it in messages), the folder itself excluded. */
int hwf_rdf_scan(int rootfd, const char *dir, struct hwf_rdfolder *out, struct hwf_err *e);
const struct hwf_rdfile *hwf_rdf_find(const struct hwf_rdfolder *fo, const char *path);
void hwf_rdfolder_free(struct hwf_rdfolder *fo);

/* Remove the folder @path and all it holds (symlinks are removed, never followed). */
void hwf_rdf_remove(const char *path);

/*
 * Does the file system of the folder open as @fd keep Unix permission bits?
 * Probed by flipping the folder's group-execute bit and back (FAT and
 * Windows report the same bits whatever chmod set).  1 when unsure.
 */
int hwf_rdf_keeps_modes(int fd);

/* The permission bits extraction gives an entry of @type with list mode @mode. */
uint32_t hwf_rdf_made_perm(char type, uint32_t mode);

#endif
