/* SPDX-License-Identifier: MIT */
/*
 * Opening "an UPDATE.APP, or a firmware .zip that holds one" for the commands.
 *
 * Memory: struct hwf_pkg is the caller's; hwf_pkg_open() opens its source
 * and package, hwf_pkg_close() closes them.  Errors: what opening the file
 * or the package returns (HWF_EIO, HWF_EFORMAT, HWF_ETRUNC ...), and for a
 * zip HWF_ENOTFOUND (no package in it, or not the --member asked for) and
 * HWF_EINVAL (several packages and no --member, or --member on a file that
 * is no zip), each with the sentence naming what the zip holds.
 */
#ifndef HWF_PKG_H
#define HWF_PKG_H

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/app/updateapp.h"
#include "formats/core/zip_members.h"

struct hwf_pkg {
	struct hwf_source *src;
	struct hwf_app *app;
	char label[1024];	/* "fw.zip:dload/UPDATE.APP" or the path */
	char others[1024];	/* other packages in the same zip, for a note */
	struct hwf_zip_members *members; /* hwf_pkg_open_once of a zip: its counters */
};

/*
 * Open @path as a package.  A zip is searched for members named *.APP;
 * @member picks one when there are several.  On failure @e says why in one
 * line (what the file is instead, which packages a zip holds, ...).
 */
int hwf_pkg_open(struct hwf_pkg *pkg, const char *path, const char *member, struct hwf_err *e);

/*
 * The same for a command that reads the package more than once (app flash:
 * the verify, then the send): a package deflated in a zip is inflated once,
 * into an unlinked temporary file under @tmpdir (NULL: $TMPDIR, else /tmp;
 * formats/core/zip_members.h), and pkg->members says how it went.  Also
 * HWF_ENOSPC when that folder is full.
 */
int hwf_pkg_open_once(struct hwf_pkg *pkg, const char *path, const char *member,
		      const char *tmpdir, struct hwf_err *e);
void hwf_pkg_close(struct hwf_pkg *pkg);

#endif
