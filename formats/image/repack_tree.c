// SPDX-License-Identifier: MIT
/* The ramdisk of a repack: the file as is, or its folder packed when it changed. */
#include "formats/image/repack_tree.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

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

/* SHA-256 of the sources @v[0..@n) one after another, into @d. */
static int concat_digest(struct hwf_source *const *v, size_t n, uint8_t *d, struct hwf_err *e)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *buf = malloc(1u << 16);
	int rc = 0;

	if (!md || !buf || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t size = hwf_source_size(v[i]);

		for (uint64_t at = 0; at < size && !rc; at += 1u << 16) {
			size_t k = size - at < (1u << 16) ? (size_t)(size - at) : (1u << 16);

			rc = hwf_source_read_exact(v[i], buf, k, at, e);
			if (!rc)
				EVP_DigestUpdate(md, buf, k);
		}
	}
	if (!rc)
		EVP_DigestFinal_ex(md, d, NULL);
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

int hwf_repack_vendor_whole(const char *dir, const struct hwf_manifest *m,
			    struct hwf_source *const *vrd, struct hwf_err *e)
{
	char path[HWF_PATH_MAX + 32];
	struct hwf_source *w;
	uint8_t d[32], c[32];
	uint64_t size = 0;
	struct stat st;
	int rc;

	if (!m->vendor || !m->has_vrd_table || !m->has_ramdisk_sha256 || !m->nvrd)
		return 0;
	snprintf(path, sizeof(path), "%s/vendor_ramdisk", dir);
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	rc = hwf_source_open_file(&w, path, e);
	if (rc)
		return rc;
	rc = hwf_digest_source(w, EVP_sha256(), NULL, 0, hwf_source_size(w), d, NULL, NULL, e);
	hwf_source_close(w);
	if (rc || !memcmp(d, m->ramdisk_sha256, 32))
		return rc;
	for (size_t i = 0; i < m->nvrd; i++)
		size += hwf_source_size(vrd[i]);
	if (size == (uint64_t)st.st_size) {
		rc = concat_digest(vrd, m->nvrd, c, e);
		if (rc || !memcmp(c, d, 32))
			return rc;
	}
	return hwf_err_set(e, HWF_EINVAL,
			   "%s was changed, but a vendor_boot v4 image is built from its %zu "
			   "per-ramdisk files (%s/%s%s%s), which do not hold the same bytes: make "
			   "the change there, or put %s back as unpacked",
			   path, m->nvrd, dir, m->vrd[0].file, m->nvrd > 1 ? " to " : "",
			   m->nvrd > 1 ? m->vrd[m->nvrd - 1].file : "", path);
}
