// SPDX-License-Identifier: MIT
/*
 * What goes into dload/ from a SOURCE, and the small helpers the folder
 * shares (messages, callbacks).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "formats/app/pkg.h"
#include "formats/core/text.h"
#include "formats/core/zip.h"
#include "formats/dload/dload_int.h"

/* --- shared helpers --- */

void hwf_dl_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void hwf_dl_event(const struct hwf_dload_cb *cb, enum hwf_dload_event kind, const char *fmt, ...)
{
	char text[4096 + 512]; /* a path and a few words */
	va_list ap;

	if (!cb || !cb->event)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cb->event(cb->ctx, kind, text);
}

void hwf_dl_begin(const struct hwf_dload_cb *cb, const char *label)
{
	if (cb && cb->progress_begin)
		cb->progress_begin(cb->ctx, label);
}

void hwf_dl_update(const struct hwf_dload_cb *cb, uint64_t done, uint64_t total)
{
	if (cb && cb->progress)
		cb->progress(cb->ctx, done, total);
}

void hwf_dl_end(const struct hwf_dload_cb *cb)
{
	if (cb && cb->progress_end)
		cb->progress_end(cb->ctx);
}

int hwf_dl_find_dload(const char *dir, char *out, size_t len)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int rc = -1;

	if (!dp)
		return -1;
	while ((d = readdir(dp)))
		if (!strcasecmp(d->d_name, "dload")) {
			snprintf(out, len, "%s/%s", dir, d->d_name);
			rc = 0;
			break;
		}
	closedir(dp);
	return rc;
}

/* A file, or a zip member read as a stream (one pass; cheap to open). */
static int open_plain(const struct hwf_dload_item *it, struct hwf_source **src, struct hwf_err *e)
{
	if (it->member[0])
		return hwf_source_open_zip_member(src, it->path, it->member, e);
	return hwf_source_open_file(src, it->path, e);
}

int hwf_dl_open_item(const struct hwf_dload_plan *p, const struct hwf_dload_item *it,
		     struct hwf_source **src, struct hwf_err *e)
{
	if (it->member[0] && p->dl && !strcmp(hwf_download_path(p->dl), it->path))
		return hwf_zip_members_source(hwf_download_layer(p->dl, 0), it->member, src, e);
	return open_plain(it, src, e);
}

int hwf_dl_plan_download(struct hwf_dload_plan *p, struct hwf_err *e)
{
	for (size_t i = 0; i < p->n && !p->dl; i++)
		if (p->it[i].member[0])
			return hwf_download_open(&p->dl, p->it[i].path, NULL, e);
	return 0;
}

const struct hwf_download *hwf_dload_plan_download(const struct hwf_dload_plan *p)
{
	return p->dl;
}

int hwf_dl_too_big(const struct hwf_dload_plan *p, struct hwf_err *e)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->it[i].size > HWF_DLOAD_FAT_MAX_FILE)
			return hwf_err_set(e, HWF_EUNSUPPORTED,
					   "%s: %llu bytes: FAT32 cannot hold a file of 4 GiB or "
					   "more; nothing was written",
					   p->it[i].rel, (unsigned long long)p->it[i].size);
	return 0;
}

/* --- the plan --- */

size_t hwf_dload_plan_count(const struct hwf_dload_plan *p)
{
	return p->n;
}

const struct hwf_dload_item *hwf_dload_plan_item(const struct hwf_dload_plan *p, size_t i)
{
	return i < p->n ? &p->it[i] : NULL;
}

uint64_t hwf_dload_plan_total(const struct hwf_dload_plan *p)
{
	return p->total;
}

void hwf_dload_plan_close(struct hwf_dload_plan *p)
{
	if (p)
		hwf_download_close(p->dl);
	free(p);
}

static enum hwf_dload_kind kind_of_name(const char *name)
{
	if (hwf_ends_with_ci(name, ".app"))
		return HWF_DLOAD_APP;
	if (hwf_ends_with_ci(name, ".zip"))
		return HWF_DLOAD_SDZIP;
	return HWF_DLOAD_OTHER;
}

static int add_item(struct hwf_dload_plan *p, const char *rel, const char *path, const char *member,
		    enum hwf_dload_kind kind, struct hwf_err *e)
{
	struct hwf_dload_item *it;

	if (p->n == HWF_DLOAD_MAX_ITEMS)
		return hwf_err_set(e, HWF_EINVAL, "%s: more than %d files for dload/", path,
				   HWF_DLOAD_MAX_ITEMS);
	it = &p->it[p->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->rel, sizeof(it->rel), "%s", rel);
	snprintf(it->path, sizeof(it->path), "%s", path);
	snprintf(it->member, sizeof(it->member), "%s", member ? member : "");
	it->kind = kind;
	return 0;
}

/* A folder SOURCE: everything under its dload/ (any case), as it is. */
static int plan_tree(struct hwf_dload_plan *p, const char *dir, const char *rel, int depth,
		     struct hwf_err *e)
{
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	if (depth > HWF_DLOAD_MAX_DEPTH)
		return hwf_err_set(e, HWF_EINVAL, "%s: folders nested deeper than %d", dir,
				   HWF_DLOAD_MAX_DEPTH);
	dp = opendir(dir);
	if (!dp)
		return hwf_err_set(e, HWF_EIO, "%s: %s", dir, strerror(errno));
	while (!rc && (d = readdir(dp))) {
		char path[PATH_MAX], sub[512];
		struct stat st;

		if (d->d_name[0] == '.')
			continue; /* ., .., and our own .partial leftovers */
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", d->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			rc = plan_tree(p, path, sub, depth + 1, e);
		else if (S_ISREG(st.st_mode))
			rc = add_item(p, sub, path, NULL, kind_of_name(d->d_name), e);
	}
	closedir(dp);
	return rc;
}

/* The *.app members of a zip: how many, and the size of the last one. */
struct zipapps {
	int n;
	uint64_t size;
	char name[512];
};

static int zipapps_cb(void *ctx, const struct hwf_zip_member *m)
{
	struct zipapps *a = ctx;

	if (hwf_ends_with_ci(m->name, ".app")) {
		a->n++;
		a->size = m->size;
		snprintf(a->name, sizeof(a->name), "%s", m->name);
	}
	return 0;
}

struct zipsd {
	struct hwf_dload_plan *p;
	const char *zip;
	struct hwf_err e;
	int rc;
};

/* update_sd*.zip members of a service package: keep their path below "dload/". */
static int zipsd_cb(void *ctx, const struct hwf_zip_member *m)
{
	struct zipsd *z = ctx;
	const char *base = strrchr(m->name, '/'), *d;

	base = base ? base + 1 : m->name;
	if (!hwf_ends_with_ci(base, ".zip") || strncasecmp(base, "update_sd", 9))
		return 0;
	d = strcasestr(m->name, "dload/");
	/* A path that would climb out of dload/ (or is no path on a card): its name alone. */
	if (d && (strstr(d, "..") || strchr(d, '\\') || d[6] == '/'))
		d = NULL;
	z->rc = add_item(z->p, d ? d + 6 : base, z->zip, m->name, HWF_DLOAD_SDZIP, &z->e);
	return z->rc;
}

static int plan_zip(struct hwf_dload_plan *p, const char *source, const char *base,
		    struct hwf_err *e)
{
	struct zipsd z = {p, source, {0, ""}, 0};
	struct zipapps apps = {0, 0, ""};
	const struct hwf_download_pkg *pk;
	struct hwf_download *dl;
	struct hwf_pkg pkg;
	int rc;

	/* An EMUI update_sd*.zip goes into dload/ as it is. */
	if (!strncasecmp(base, "update_sd", 9))
		return add_item(p, base, source, NULL, HWF_DLOAD_SDZIP, e);
	/*
	 * The one package of a zip past the FAT32 limit: refused from the zip's
	 * directory, before opening it (a deflated 5 GiB member would be
	 * inflated whole to read its headers).
	 */
	if (hwf_zip_walk(source, zipapps_cb, &apps, NULL) == 0 && apps.n == 1 &&
	    apps.size > HWF_DLOAD_FAT_MAX_FILE)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s:%s: %llu bytes: FAT32 cannot hold a file of 4 GiB or more; "
				   "nothing was written",
				   source, apps.name, (unsigned long long)apps.size);
	/*
	 * Which package, from the zips' directories: the download stays open
	 * for the verify and the copy, so that a deflated member is inflated
	 * once (its header is read by the verify, not here).
	 */
	rc = hwf_pkg_download(source, NULL, &dl, e);
	if (rc <= 0)
		return rc ? rc : hwf_err_set(e, HWF_EFORMAT, "%s: not a zip that can be read", source);
	rc = hwf_pkg_pick(dl, NULL, e);
	pk = rc >= 0 ? hwf_download_pkg(dl, (size_t)rc) : NULL;
	if (pk && pk->foreign) {
		/* Said in words by the package opener. */
		rc = hwf_pkg_open(&pkg, source, NULL, e);
		if (!rc) {
			hwf_pkg_close(&pkg);
			rc = hwf_err_set(e, HWF_EFORMAT, "%s: no UPDATE.APP inside", source);
		}
	} else if (pk && pk->depth > 0) {
		/* Inside an inner zip: the update_sd zips go to the card as they are. */
		rc = hwf_err_set(e, HWF_EUNSUPPORTED,
				 "%s: its UPDATE.APP lies in a zip inside; dload/ takes UPDATE.APP "
				 "or update_sd zips",
				 source);
	} else if (pk) {
		rc = add_item(p, "UPDATE.APP", source, pk->path, HWF_DLOAD_APP, e);
		if (!rc)
			p->dl = dl;
		else
			hwf_download_close(dl);
		return rc;
	}
	p->dl = dl;
	/* No one package: a zip of update_sd zips?  Else the package's error. */
	if (hwf_zip_walk(source, zipsd_cb, &z, NULL) == 0 && !z.rc && p->n) {
		hwf_err_clear(e);
		return 0;
	}
	if (z.rc) {
		*e = z.e;
		return z.rc;
	}
	return rc < 0 ? rc : HWF_EFORMAT;
}

static int plan_build(struct hwf_dload_plan *p, const char *source, struct hwf_err *e)
{
	const char *base = strrchr(source, '/');
	struct stat st;

	base = base ? base + 1 : source;
	if (stat(source, &st))
		return hwf_err_set(e, HWF_EIO, "%s: %s", source, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		char dl[PATH_MAX];

		if (hwf_dl_find_dload(source, dl, sizeof(dl)))
			return hwf_err_set(e, HWF_ENOTFOUND,
					   "%s: a folder SOURCE must hold a dload/ folder", source);
		return plan_tree(p, dl, "", 0, e);
	}
	if (hwf_zip_sniff(source))
		return plan_zip(p, source, base, e);
	return add_item(p, "UPDATE.APP", source, NULL, HWF_DLOAD_APP, e);
}

/* Sizes of everything in @p (cheap: nothing is read yet), for the checks of the target. */
static int plan_sizes(struct hwf_dload_plan *p, struct hwf_err *e)
{
	p->total = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct hwf_source *src;
		int rc = open_plain(&p->it[i], &src, e);

		if (rc)
			return rc;
		p->it[i].size = hwf_source_size(src);
		p->total += p->it[i].size;
		hwf_source_close(src);
	}
	return 0;
}

int hwf_dload_plan_open(struct hwf_dload_plan **out, const char *source, struct hwf_err *e)
{
	struct hwf_dload_plan *p = calloc(1, sizeof(*p));
	struct hwf_err local = {0};
	int rc;

	if (!e)
		e = &local;
	*out = NULL;
	if (!p)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	rc = plan_build(p, source, e);
	if (!rc && !p->n)
		rc = hwf_err_set(e, HWF_ENOTFOUND, "%s: nothing to put in dload/", source);
	if (!rc)
		rc = plan_sizes(p, e);
	if (rc) {
		hwf_dload_plan_close(p);
		return rc < 0 ? rc : HWF_EIO;
	}
	*out = p;
	return 0;
}
