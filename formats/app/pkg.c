// SPDX-License-Identifier: MIT
#include "formats/core/zip.h"
#include "formats/core/zip_members.h"
#include "formats/core/text.h"
#include "formats/app/foreign.h"
#include "formats/app/pkg.h"
#include "formats/app/updatebin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *base_of(const char *name)
{
	const char *b = strrchr(name, '/');

	return b ? b + 1 : name;
}

static void list_pkgs(const struct hwf_download *dl, char *buf, size_t len, int skip)
{
	buf[0] = '\0';
	for (size_t i = 0; i < hwf_download_count(dl); i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		if ((int)i == skip || p->foreign)
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "", p->path);
	}
}

/* Which package of @dl to open: the one asked for, or the only UPDATE.APP. */
int hwf_pkg_pick(struct hwf_download *dl, const char *member, struct hwf_err *e)
{
	const char *path = hwf_download_path(dl);
	size_t n = hwf_download_count(dl);
	int napp = 0, app = -1, nupd = 0, upd = -1, foreign = -1;
	char list[2048];

	if (member) {
		int i = hwf_download_find(dl, member);

		if (i >= 0)
			return i;
		i = hwf_download_add(dl, member, NULL);
		if (i >= 0)
			return i;
		list_pkgs(dl, list, sizeof(list), -1);
		return hwf_err_set(e, HWF_ENOTFOUND, "%s: no package %s inside (it holds %s)", path,
				   member, list[0] ? list : "none");
	}
	for (size_t i = 0; i < n; i++) {
		const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);

		if (p->foreign) {
			if (foreign < 0)
				foreign = (int)i;
			continue;
		}
		napp++;
		app = (int)i;
		if (!strcasecmp(base_of(p->path), "UPDATE.APP")) {
			nupd++;
			upd = (int)i;
		}
	}
	if (napp == 1)
		return app;
	if (nupd == 1 && !hwf_download_group(dl))
		return upd;
	if (napp == 0 && foreign >= 0)
		return foreign; /* said in words by the caller */
	if (napp == 0) {
		if (hwf_download_skipped(dl, e))
			return hwf_download_skipped(dl, NULL);
		if (hwf_download_too_deep(dl))
			return hwf_err_set(e, HWF_ENOTFOUND,
					   "%s: no UPDATE.APP inside; %s lies deeper than %d zips "
					   "and was not read",
					   path, hwf_download_too_deep(dl), HWF_DOWNLOAD_DEPTH);
		if (hwf_download_zips(dl))
			return hwf_err_set(
			    e, HWF_ENOTFOUND,
			    "%s: no UPDATE.APP inside, nor in the %zu zip%s it holds", path,
			    hwf_download_zips(dl), hwf_download_zips(dl) == 1 ? "" : "s");
		return hwf_err_set(e, HWF_ENOTFOUND,
				   "%s: no UPDATE.APP inside (%zu file%s, none ends in .APP)", path,
				   hwf_download_files(dl), hwf_download_files(dl) == 1 ? "" : "s");
	}
	list_pkgs(dl, list, sizeof(list), -1);
	if (hwf_download_group(dl))
		return hwf_err_set(e, HWF_EINVAL,
				   "%s holds %d packages that make one update (%s): %s; choose "
				   "one with --member PATH",
				   path, napp, hwf_download_group(dl), list);
	return hwf_err_set(e, HWF_EINVAL, "%s holds %d packages: %s; choose one with --member PATH",
			   path, napp, list);
}

int hwf_pkg_download(const char *path, const char *tmpdir, struct hwf_download **dl,
		     struct hwf_err *e)
{
	struct hwf_source *src;
	uint8_t magic[4];
	int zip, rc;

	*dl = NULL;
	/*
	 * Open it as a file first: a missing file, a folder or a pipe is refused
	 * here in one line, before anything reads from it (a pipe read to sniff
	 * would lose those bytes).
	 */
	rc = hwf_source_open_file(&src, path, e);
	if (rc)
		return rc;
	zip = hwf_source_pread(src, magic, 4, 0, NULL) == 4 && !memcmp(magic, "PK\3\4", 4);
	hwf_source_close(src);
	if (!zip)
		return 0;
	rc = hwf_download_open(dl, path, tmpdir, e);
	return rc ? rc : 1;
}

/* Say what a package hwflash cannot read is, from its name and first bytes. */
static int refuse_foreign(struct hwf_source *src, const char *label, const char *by_name,
			  struct hwf_err *e)
{
	uint8_t head[HWF_FOREIGN_HEAD];
	int64_t n = hwf_source_pread(src, head, sizeof(head), 0, NULL);
	const char *what = hwf_foreign_what(label, head, n > 0 ? (size_t)n : 0);

	if (!what)
		what = by_name;
	if (!what)
		return 0;
	return hwf_err_set(e, HWF_EUNSUPPORTED, "%s: this is %s, not an UPDATE.APP", label, what);
}

/* A foreign package that is a HarmonyOS update.bin, when the caller reads those. */
static int is_ubin(const struct hwf_pkg *pkg, int any)
{
	return any && hwf_ubin_sniff(pkg->src);
}

/* Parse the package: an UPDATE.APP, or with @any an update.bin (pkg->ubin). */
static int parse_pkg(struct hwf_pkg *pkg, int any, struct hwf_err *e)
{
	if (is_ubin(pkg, any))
		return hwf_ubin_open(&pkg->ubin, pkg->src, e);
	return hwf_app_open(&pkg->app, pkg->src, e);
}

static int open_in(struct hwf_pkg *pkg, struct hwf_download *dl, size_t i, int once, int any,
		   struct hwf_err *e)
{
	const struct hwf_download_pkg *p = hwf_download_pkg(dl, i);
	const char *path = hwf_download_path(dl);
	int rc;

	pkg->dl = dl;
	pkg->depth = p->depth;
	if (p->depth == 0 && !once && p->deflated) {
		/* One pass over a member of the outer zip: inflate it as a stream. */
		rc = hwf_source_open_zip_member(&pkg->src, path, p->path, e);
	} else {
		rc = hwf_download_source(dl, i, &pkg->src, e);
		pkg->members = hwf_download_layer(dl, p->layer);
	}
	if (rc)
		return rc;
	snprintf(pkg->label, sizeof(pkg->label), "%s", hwf_source_name(pkg->src));
	list_pkgs(dl, pkg->others, sizeof(pkg->others), (int)i);
	if (p->foreign && !is_ubin(pkg, any))
		return refuse_foreign(pkg->src, pkg->label, p->foreign, e);
	return 0;
}

static int pkg_open_in(struct hwf_pkg *pkg, struct hwf_download *dl, size_t i, int once, int any,
		       struct hwf_err *e)
{
	int rc;

	memset(pkg, 0, sizeof(*pkg));
	rc = open_in(pkg, dl, i, once, any, e);
	if (!rc)
		rc = parse_pkg(pkg, any, e);
	if (rc)
		hwf_pkg_close(pkg);
	return rc;
}

int hwf_pkg_open_in(struct hwf_pkg *pkg, struct hwf_download *dl, size_t i, int once,
		    struct hwf_err *e)
{
	return pkg_open_in(pkg, dl, i, once, 0, e);
}

int hwf_pkg_open_in_any(struct hwf_pkg *pkg, struct hwf_download *dl, size_t i, int once,
			struct hwf_err *e)
{
	return pkg_open_in(pkg, dl, i, once, 1, e);
}

static int pkg_open(struct hwf_pkg *pkg, const char *path, const char *member, int once,
		    int any, const char *tmpdir, struct hwf_err *e)
{
	struct hwf_download *dl;
	int rc;

	memset(pkg, 0, sizeof(*pkg));
	rc = hwf_pkg_download(path, tmpdir, &dl, e);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		pkg->own_dl = 1;
		pkg->dl = dl;
		rc = hwf_pkg_pick(dl, member, e);
		if (rc >= 0)
			rc = open_in(pkg, dl, (size_t)rc, once, any, e);
	} else if (member) {
		rc = hwf_err_set(e, HWF_EINVAL, "%s: --member needs a zip", path);
	} else {
		rc = hwf_source_open_file(&pkg->src, path, e);
		snprintf(pkg->label, sizeof(pkg->label), "%s", path);
		if (!rc && !is_ubin(pkg, any))
			rc = refuse_foreign(pkg->src, path, NULL, e);
	}
	if (!rc)
		rc = parse_pkg(pkg, any, e);
	if (rc) {
		hwf_pkg_close(pkg);
		return rc;
	}
	return 0;
}

int hwf_pkg_open(struct hwf_pkg *pkg, const char *path, const char *member, struct hwf_err *e)
{
	return pkg_open(pkg, path, member, 0, 0, NULL, e);
}

int hwf_pkg_open_once(struct hwf_pkg *pkg, const char *path, const char *member, const char *tmpdir,
		      struct hwf_err *e)
{
	return pkg_open(pkg, path, member, 1, 0, tmpdir, e);
}

int hwf_pkg_open_any(struct hwf_pkg *pkg, const char *path, const char *member, int once,
		     const char *tmpdir, struct hwf_err *e)
{
	return pkg_open(pkg, path, member, once, 1, tmpdir, e);
}

void hwf_pkg_close(struct hwf_pkg *pkg)
{
	hwf_ubin_close(pkg->ubin);
	pkg->ubin = NULL;
	hwf_app_close(pkg->app);
	hwf_source_close(pkg->src);
	if (pkg->own_dl)
		hwf_download_close(pkg->dl);
	pkg->app = NULL;
	pkg->src = NULL;
	pkg->members = NULL;
	pkg->dl = NULL;
	pkg->own_dl = 0;
}
