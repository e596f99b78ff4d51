// SPDX-License-Identifier: MIT
/* The ramdisk of a repack: the file as is, or its folder packed when it changed. */
#include "formats/image/repack_tree.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/core/digest.h"
#include "formats/image/rdtree.h"

/* DIR/@name into @path; it must stay inside @root once symlinks are followed. */
static int inside(const char *dir, const char *root, const char *name, char *path, size_t len,
		  struct hwf_err *e)
{
	char real[PATH_MAX];
	size_t n = strlen(root);

	snprintf(path, len, "%s/%s", dir, name);
	if (!realpath(path, real))
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: %s", path, strerror(errno));
	if (strncmp(real, root, n) || real[n] != '/')
		return hwf_err_set(e, HWF_EINVAL,
				   "%s: a symlink pointing outside the folder (to %s)", path, real);
	return 0;
}

/* Did the ramdisk file change since unpack (its SHA-256 differs from the manifest's)? */
static int file_changed(const struct hwf_manifest *m, struct hwf_source *ramdisk, int *changed,
			struct hwf_err *e)
{
	uint8_t d[32];
	int rc;

	*changed = 0;
	if (!ramdisk || !m->has_ramdisk_sha256)
		return 0;
	rc = hwf_digest_source(ramdisk, EVP_sha256(), NULL, 0, hwf_source_size(ramdisk), d, NULL,
			       NULL, e);
	*changed = !rc && memcmp(d, m->ramdisk_sha256, 32) != 0;
	return rc;
}

int hwf_repack_tree_pick(struct hwf_repack_tree *t, const char *dir, const char *root,
			 const struct hwf_manifest *m, struct hwf_source *ramdisk, const char *out,
			 const struct hwf_file_hooks *hooks, struct hwf_err *e)
{
	char tree[HWF_PATH_MAX + HWF_MF_FILE_MAX + 2], list[sizeof(tree)], tmp[HWF_PATH_MAX];
	struct hwf_err why = {0};
	struct stat st;
	int rc, changed = 0, fchanged;

	memset(t, 0, sizeof(*t));
	t->tmp.fd = -1;
	if (!m->ramdisk_tree[0])
		return 0;
	snprintf(tree, sizeof(tree), "%s/%s", dir, m->ramdisk_tree);
	if (lstat(tree, &st) != 0 && errno == ENOENT)
		return 0; /* the folder was removed: the file is the ramdisk */
	rc = inside(dir, root, m->ramdisk_tree, tree, sizeof(tree), e);
	if (!rc)
		rc = inside(dir, root, m->ramdisk_list, list, sizeof(list), e);
	if (!rc)
		rc = hwf_rdtree_changed(tree, list, &changed, &why);
	if (rc) {
		*e = why.code ? why : *e;
		return rc;
	}
	if (!changed)
		return 0;
	snprintf(t->change, sizeof(t->change), "%.199s", why.msg[0] ? why.msg : "changed");
	rc = file_changed(m, ramdisk, &fchanged, e);
	if (rc)
		return rc;
	if (fchanged)
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "%s/%s and %s both changed since unpack (%s): keep the change in "
		    "one of them",
		    dir, m->file[HWF_MF_RAMDISK], tree, t->change);
	if (m->comp == HWF_RD_UNKNOWN)
		return hwf_err_set(
		    e, HWF_EINVAL,
		    "%s: the ramdisk's compression is unknown (ramdisk_compression): "
		    "cannot pack %s",
		    dir, tree);
	snprintf(tmp, sizeof(tmp), "%s.ramdisk", out);
	rc = hwf_outfile_create(&t->tmp, tmp, HWF_OUTFILE_HIDDEN, hooks, e);
	if (!rc)
		rc = hwf_rdtree_pack(tree, list, m->comp, t->tmp.fd, NULL, e);
	if (!rc)
		rc = hwf_source_open_file(&t->src, t->tmp.tmp, e);
	return rc;
}

void hwf_repack_tree_done(struct hwf_repack_tree *t)
{
	hwf_source_close(t->src);
	t->src = NULL;
	if (t->tmp.tmp[0] || t->tmp.fd >= 0)
		hwf_outfile_discard(&t->tmp);
}
