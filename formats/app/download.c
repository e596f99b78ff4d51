// SPDX-License-Identifier: MIT
#include "formats/app/download.h"
#include "formats/app/foreign.h"
#include "formats/core/text.h"
#include "formats/core/zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LAYERS 32

struct layer {
	struct hwf_zip_members *zm;
	struct hwf_source *src; /* the zip's bytes: the file, or a member of the layer above */
	char prefix[1024];	/* its path through the layers, "" for the outer zip */
};

struct pkg_at {
	size_t layer;
	char member[512];
};

struct hwf_download {
	char *path;
	char *tmpdir;
	struct layer layer[MAX_LAYERS];
	size_t nlayers;
	struct hwf_download_pkg pkg[HWF_DOWNLOAD_MAX];
	struct pkg_at at[HWF_DOWNLOAD_MAX];
	size_t npkg;
	size_t nzips;
	size_t nfiles;
	char too_deep[1024];
	const char *group;
	int skipped_rc;
	struct hwf_err skipped;
};

static const char *base_of(const char *name)
{
	const char *b = strrchr(name, '/');

	return b ? b + 1 : name;
}

/* The zip (a path through the layers) a package lies in, by its base name. */
static void zip_base(const char *path, char *buf, size_t len)
{
	const char *end = strrchr(path, '/'), *start;
	size_t n;

	buf[0] = '\0';
	if (!end)
		return;
	for (start = end; start > path && start[-1] != '/'; start--)
		;
	n = (size_t)(end - start);
	if (n >= len)
		n = len - 1;
	memcpy(buf, start, n);
	buf[n] = '\0';
}

static int zip_has(const struct hwf_download *dl, const char *word)
{
	char z[256];

	for (size_t i = 0; i < dl->npkg; i++) {
		zip_base(dl->pkg[i].path, z, sizeof(z));
		if (!dl->pkg[i].foreign && strcasestr(z, word))
			return 1;
	}
	return 0;
}

static void mark_group(struct hwf_download *dl, const char *const *words, const char *name)
{
	char z[256];

	for (size_t i = 0; i < dl->npkg; i++) {
		zip_base(dl->pkg[i].path, z, sizeof(z));
		for (size_t w = 0; words[w]; w++)
			if (!dl->pkg[i].foreign && strcasestr(z, words[w]))
				dl->pkg[i].group = 1;
	}
	dl->group = name;
}

/* base + cust (+ preload), or full_base + data_public (+ all_hw). */
static void find_group(struct hwf_download *dl)
{
	static const char *const sd[] = {"update_sd_base", "update_sd_cust", "update_sd_preload",
					 NULL};
	static const char *const full[] = {"update_full_base", "update_data_public",
					   "update_all_hw", NULL};

	if (zip_has(dl, "update_sd_base") && (zip_has(dl, "_cust") || zip_has(dl, "_preload")))
		mark_group(dl, sd,
			   zip_has(dl, "_preload") ? "base + cust + preload" : "base + cust");
	else if (zip_has(dl, "update_full_base") &&
		 (zip_has(dl, "update_data_public") || zip_has(dl, "update_all_hw")))
		mark_group(dl, full,
			   zip_has(dl, "update_all_hw") ? "full_base + data_public + all_hw"
							: "full_base + data_public");
}

static int add_layer(struct hwf_download *dl, struct hwf_source *src, const char *label,
		     const char *prefix, size_t *idx, struct hwf_err *e)
{
	struct layer *l;
	int rc;

	if (dl->nlayers == MAX_LAYERS) {
		hwf_source_close(src);
		return hwf_err_set(e, HWF_EUNSUPPORTED, "%s: more than %d zips inside", dl->path,
				   MAX_LAYERS - 1);
	}
	l = &dl->layer[dl->nlayers];
	l->src = src;
	snprintf(l->prefix, sizeof(l->prefix), "%s", prefix);
	rc = hwf_zip_members_open_source(&l->zm, src, label, dl->tmpdir, e);
	if (rc) {
		hwf_source_close(src);
		l->src = NULL;
		return rc;
	}
	*idx = dl->nlayers++;
	return 0;
}

static void add_pkg(struct hwf_download *dl, size_t layer, const struct hwf_zip_entry *ent,
		    const char *path, const char *foreign, int depth)
{
	struct hwf_download_pkg *p;

	if (dl->npkg == HWF_DOWNLOAD_MAX)
		return;
	p = &dl->pkg[dl->npkg];
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->foreign = foreign;
	p->size = ent->usize;
	p->depth = depth;
	p->deflated = ent->method != 0;
	p->layer = layer;
	dl->at[dl->npkg].layer = layer;
	snprintf(dl->at[dl->npkg].member, sizeof(dl->at[0].member), "%s", ent->name);
	dl->npkg++;
}

/* The zips a layer holds, listed after its packages: names copied, the walk closed. */
struct inner {
	char name[512];
};

static int walk(struct hwf_download *dl, size_t li, int depth, struct hwf_err *e)
{
	struct hwf_zip *z;
	struct hwf_zip_entry ent;
	struct inner *inner = NULL;
	size_t ninner = 0;
	char path[1024];
	int rc;

	rc = hwf_zip_open(&z, dl->layer[li].src, e);
	if (rc)
		return rc;
	while ((rc = hwf_zip_next(z, &ent, e)) == 1) {
		const char *b = base_of(ent.name);
		const char *f = hwf_foreign_by_name(ent.name);

		if (!*b)
			continue; /* a folder */
		if (depth == 0)
			dl->nfiles++;
		snprintf(path, sizeof(path), "%s%s", dl->layer[li].prefix, ent.name);
		if (hwf_ends_with_ci(b, ".app") || f) {
			add_pkg(dl, li, &ent, path, f, depth);
		} else if (hwf_ends_with_ci(b, ".zip")) {
			struct inner *n;

			dl->nzips++;
			if (depth + 1 >= HWF_DOWNLOAD_DEPTH) {
				if (!dl->too_deep[0])
					snprintf(dl->too_deep, sizeof(dl->too_deep), "%s", path);
				continue;
			}
			n = realloc(inner, (ninner + 1) * sizeof(*inner));
			if (!n) {
				rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
				break;
			}
			inner = n;
			snprintf(inner[ninner++].name, sizeof(inner->name), "%s", ent.name);
		}
	}
	hwf_zip_close(z);
	for (size_t i = 0; rc == 0 && i < ninner; i++) {
		struct hwf_source *src;
		char prefix[1024];
		size_t idx;

		struct hwf_err ie = {0};

		rc = hwf_zip_members_source(dl->layer[li].zm, inner[i].name, &src, &ie);
		if (!rc) {
			snprintf(prefix, sizeof(prefix), "%s%s/", dl->layer[li].prefix,
				 inner[i].name);
			rc = add_layer(dl, src, hwf_source_name(src), prefix, &idx, &ie);
		}
		if (!rc)
			rc = walk(dl, idx, depth + 1, &ie);
		/*
		 * An inner zip that cannot be read (broken, a bomb, encrypted) does not
		 * hide the packages beside it: its error is kept for the caller.
		 */
		if (rc && rc != HWF_ENOMEM && rc != HWF_ENOSPC) {
			if (!dl->skipped_rc) {
				dl->skipped_rc = rc;
				dl->skipped = ie;
			}
			rc = 0;
		} else if (rc) {
			*e = ie;
		}
	}
	free(inner);
	return rc < 0 ? rc : 0;
}

int hwf_download_open(struct hwf_download **out, const char *path, const char *tmpdir,
		      struct hwf_err *e)
{
	struct hwf_download *dl = calloc(1, sizeof(*dl));
	struct hwf_source *file;
	size_t idx;
	int rc;

	*out = NULL;
	if (!dl || !(dl->path = strdup(path)) || (tmpdir && !(dl->tmpdir = strdup(tmpdir)))) {
		hwf_download_close(dl);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	rc = hwf_source_open_file(&file, path, e);
	if (!rc)
		rc = add_layer(dl, file, path, "", &idx, e);
	if (!rc)
		rc = walk(dl, idx, 0, e);
	if (rc) {
		hwf_download_close(dl);
		return rc;
	}
	find_group(dl);
	*out = dl;
	return 0;
}

const char *hwf_download_path(const struct hwf_download *dl)
{
	return dl->path;
}

size_t hwf_download_count(const struct hwf_download *dl)
{
	return dl->npkg;
}

const struct hwf_download_pkg *hwf_download_pkg(const struct hwf_download *dl, size_t i)
{
	return i < dl->npkg ? &dl->pkg[i] : NULL;
}

size_t hwf_download_zips(const struct hwf_download *dl)
{
	return dl->nzips;
}

int hwf_download_skipped(const struct hwf_download *dl, struct hwf_err *e)
{
	if (dl->skipped_rc && e)
		*e = dl->skipped;
	return dl->skipped_rc;
}

size_t hwf_download_files(const struct hwf_download *dl)
{
	return dl->nfiles;
}

const char *hwf_download_too_deep(const struct hwf_download *dl)
{
	return dl->too_deep[0] ? dl->too_deep : NULL;
}

const char *hwf_download_group(const struct hwf_download *dl)
{
	return dl->group;
}

int hwf_download_find(const struct hwf_download *dl, const char *want)
{
	size_t wl = strlen(want);
	int found = -1;

	for (size_t i = 0; i < dl->npkg; i++)
		if (!strcmp(dl->pkg[i].path, want))
			return (int)i;
	for (size_t i = 0; i < dl->npkg; i++) {
		size_t pl = strlen(dl->pkg[i].path);

		if (pl > wl && dl->pkg[i].path[pl - wl - 1] == '/' &&
		    !strcmp(dl->pkg[i].path + pl - wl, want)) {
			if (found >= 0)
				return -1;
			found = (int)i;
		}
	}
	return found;
}

int hwf_download_add(struct hwf_download *dl, const char *path, struct hwf_err *e)
{
	for (size_t li = dl->nlayers; li-- > 0;) {
		const char *pre = dl->layer[li].prefix;
		struct hwf_zip_entry ent;
		struct hwf_zip *z;
		int rc;

		if (strncmp(path, pre, strlen(pre)) || dl->npkg == HWF_DOWNLOAD_MAX)
			continue;
		rc = hwf_zip_open(&z, dl->layer[li].src, e);
		if (rc)
			return rc;
		rc = hwf_zip_find(z, path + strlen(pre), &ent, NULL);
		if (rc == 0) {
			int depth = 0;

			for (const char *c = pre; *c; c++)
				depth +=
				    *c == '/' && c - pre >= 4 && !strncasecmp(c - 4, ".zip", 4);
			add_pkg(dl, li, &ent, path, NULL, depth);
		}
		hwf_zip_close(z);
		if (rc == 0)
			return (int)dl->npkg - 1;
	}
	return hwf_err_set(e, HWF_ENOTFOUND, "%s: no member %s", dl->path, path);
}

int hwf_download_source(struct hwf_download *dl, size_t i, struct hwf_source **out,
			struct hwf_err *e)
{
	if (i >= dl->npkg)
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: no package %zu", dl->path, i);
	return hwf_zip_members_source(dl->layer[dl->at[i].layer].zm, dl->at[i].member, out, e);
}

size_t hwf_download_layers(const struct hwf_download *dl)
{
	return dl->nlayers;
}

struct hwf_zip_members *hwf_download_layer(const struct hwf_download *dl, size_t i)
{
	return i < dl->nlayers ? dl->layer[i].zm : NULL;
}

void hwf_download_close(struct hwf_download *dl)
{
	if (!dl)
		return;
	/* Inner layers first: each borrows a source of the layer above. */
	for (size_t i = dl->nlayers; i-- > 0;) {
		hwf_zip_members_close(dl->layer[i].zm);
		hwf_source_close(dl->layer[i].src);
	}
	free(dl->path);
	free(dl->tmpdir);
	free(dl);
}
