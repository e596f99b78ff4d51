// SPDX-License-Identifier: MIT
#include "formats/core/zip.h"
#include "formats/core/zip_members.h"
#include "formats/core/text.h"
#include "formats/app/pkg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FOUND 16

struct zip_scan {
	char found[MAX_FOUND][512];
	int nfound;
	int nfiles;
	char zips[512];		/* nested zips, for the message */
};

static int scan_cb(void *ctx, const struct hwf_zip_member *m)
{
	struct zip_scan *z = ctx;

	z->nfiles++;
	if (hwf_ends_with_ci(m->name, ".app") && z->nfound < MAX_FOUND)
		snprintf(z->found[z->nfound++], sizeof(z->found[0]), "%s", m->name);
	else if (hwf_ends_with_ci(m->name, ".zip") && strlen(z->zips) + strlen(m->name) + 3 <
							 sizeof(z->zips))
		snprintf(z->zips + strlen(z->zips), sizeof(z->zips) - strlen(z->zips), "%s%s",
			 z->zips[0] ? ", " : "", m->name);
	return 0;
}

static int open_zip(struct hwf_pkg *pkg, const char *path, const char *member, int once,
		    const char *tmpdir, struct hwf_err *e)
{
	struct zip_scan z;
	const char *pick = member;
	int rc;

	memset(&z, 0, sizeof(z));
	rc = hwf_zip_walk(path, scan_cb, &z, e);
	if (rc)
		return rc;
	if (!pick) {
		int upd = -1, nupd = 0;

		for (int i = 0; i < z.nfound; i++) {
			const char *base = strrchr(z.found[i], '/');

			base = base ? base + 1 : z.found[i];
			if (!strcasecmp(base, "UPDATE.APP")) {
				upd = i;
				nupd++;
			}
		}
		if (z.nfound == 1)
			pick = z.found[0];
		else if (nupd == 1)
			pick = z.found[upd];
	}
	if (!pick && z.nfound == 0) {
		if (z.zips[0])
			return hwf_err_set(e, HWF_ENOTFOUND,
					   "%s: no UPDATE.APP inside; it holds zips (%s): unpack "
					   "the one with UPDATE.APP first",
					   path, z.zips);
		return hwf_err_set(e, HWF_ENOTFOUND,
				   "%s: no UPDATE.APP inside (%d file%s, none ends in .APP)", path,
				   z.nfiles, z.nfiles == 1 ? "" : "s");
	}
	if (!pick) {
		char list[2048] = "";

		for (int i = 0; i < z.nfound; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", z.found[i]);
		return hwf_err_set(e, HWF_EINVAL,
				   "%s holds %d packages: %s; choose one with --member NAME", path,
				   z.nfound, list);
	}
	if (once) {
		rc = hwf_zip_members_open(&pkg->members, path, tmpdir, e);
		if (!rc)
			rc = hwf_zip_members_source(pkg->members, pick, &pkg->src, e);
	} else {
		rc = hwf_source_open_zip_member(&pkg->src, path, pick, e);
	}
	if (rc)
		return rc;
	snprintf(pkg->label, sizeof(pkg->label), "%s:%s", path, pick);
	pkg->others[0] = '\0';
	for (int i = 0; i < z.nfound; i++)
		if (strcmp(z.found[i], pick))
			snprintf(pkg->others + strlen(pkg->others),
				 sizeof(pkg->others) - strlen(pkg->others), "%s%s",
				 pkg->others[0] ? ", " : "", z.found[i]);
	return 0;
}

static int pkg_open(struct hwf_pkg *pkg, const char *path, const char *member, int once,
		    const char *tmpdir, struct hwf_err *e)
{
	int rc;

	uint8_t magic[4];

	memset(pkg, 0, sizeof(*pkg));
	/*
	 * Open it as a file first: a missing file, a folder or a pipe is refused
	 * here in one line, before anything reads from it (a pipe read to sniff
	 * would lose those bytes).
	 */
	rc = hwf_source_open_file(&pkg->src, path, e);
	if (rc)
		return rc;
	snprintf(pkg->label, sizeof(pkg->label), "%s", path);
	if (hwf_source_pread(pkg->src, magic, 4, 0, NULL) == 4 && !memcmp(magic, "PK\3\4", 4)) {
		hwf_source_close(pkg->src);
		pkg->src = NULL;
		rc = open_zip(pkg, path, member, once, tmpdir, e);
		if (rc) {
			hwf_pkg_close(pkg);
			return rc;
		}
	} else if (member) {
		hwf_pkg_close(pkg);
		return hwf_err_set(e, HWF_EINVAL, "%s: --member needs a zip", path);
	}
	rc = hwf_app_open(&pkg->app, pkg->src, e);
	if (rc) {
		hwf_pkg_close(pkg);
		return rc;
	}
	return 0;
}

int hwf_pkg_open(struct hwf_pkg *pkg, const char *path, const char *member, struct hwf_err *e)
{
	return pkg_open(pkg, path, member, 0, NULL, e);
}

int hwf_pkg_open_once(struct hwf_pkg *pkg, const char *path, const char *member,
		      const char *tmpdir, struct hwf_err *e)
{
	return pkg_open(pkg, path, member, 1, tmpdir, e);
}

void hwf_pkg_close(struct hwf_pkg *pkg)
{
	hwf_app_close(pkg->app);
	hwf_source_close(pkg->src);
	hwf_zip_members_close(pkg->members);
	pkg->app = NULL;
	pkg->src = NULL;
	pkg->members = NULL;
}
