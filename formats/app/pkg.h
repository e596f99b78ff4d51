/* SPDX-License-Identifier: MIT */
/*
 * Opening "an UPDATE.APP, or a firmware download that holds one" for the
 * commands: the download may nest zips (formats/app/download.h).
 *
 * Memory: struct hwf_pkg is the caller's; hwf_pkg_open() opens its source,
 * package and download, hwf_pkg_close() closes them (a download given to
 * hwf_pkg_open_in() stays the caller's).  Errors: what opening the file or
 * the package returns (HWF_EIO, HWF_EFORMAT, HWF_ETRUNC ...), for a zip
 * HWF_ENOTFOUND (no package in it, or not the --member asked for) and
 * HWF_EINVAL (several packages and no --member, or --member on a file that
 * is no zip), and HWF_EUNSUPPORTED for a package hwflash cannot read yet
 * ("this is a HarmonyOS update.bin, not an UPDATE.APP"), each with the
 * sentence naming what the zip holds.
 */
#ifndef HWF_PKG_H
#define HWF_PKG_H

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/app/download.h"
#include "formats/app/updateapp.h"
#include "formats/core/zip_members.h"

struct hwf_ubin;

struct hwf_pkg {
	struct hwf_source *src;
	struct hwf_app *app;
	struct hwf_ubin *ubin; /* hwf_pkg_open_any(): a HarmonyOS update.bin (app is NULL) */
	char label[1024];		 /* "fw.zip:dload/UPDATE.APP" or the path */
	char others[1024];		 /* other packages in the same download, for a note */
	struct hwf_zip_members *members; /* the zip the package lies in (NULL: none, or read
					    as a stream): its counters */
	struct hwf_download *dl;	 /* the download it came from, or NULL */
	int own_dl;
	int depth; /* zips around the package inside the download: 0 in the outer zip */
};

/*
 * Open @path as a package.  A zip is searched for packages through its
 * inner zips; @member picks one when there are several (its path through
 * the zips, or a unique end of it).  On failure @e says why in one line
 * (what the file is instead, which packages a zip holds, ...).
 */
int hwf_pkg_open(struct hwf_pkg *pkg, const char *path, const char *member, struct hwf_err *e);

/*
 * The same for a command that reads the package more than once (app flash:
 * the verify, then the send): a package deflated in a zip is inflated once,
 * into an unlinked temporary file under @tmpdir (NULL: $TMPDIR, else /tmp;
 * formats/core/zip_members.h), and pkg->members says how it went.  Also
 * HWF_ENOSPC when that folder is full.
 */
int hwf_pkg_open_once(struct hwf_pkg *pkg, const char *path, const char *member, const char *tmpdir,
		      struct hwf_err *e);

/*
 * Package @i of the open download @dl (borrowed: close the package first).
 * Inner packages are read through @dl (each deflated zip or package
 * inflated once); a deflated member of the outer zip too when @once, else
 * it is inflated as a stream for one pass.
 */
int hwf_pkg_open_in(struct hwf_pkg *pkg, struct hwf_download *dl, size_t i, int once,
		    struct hwf_err *e);

/*
 * Which package of @dl a command opens: @member (its path, or a unique end
 * of it), else the only UPDATE.APP; the index, or the error (several
 * packages, none, only packages hwflash cannot read ...).
 */
int hwf_pkg_pick(struct hwf_download *dl, const char *member, struct hwf_err *e);

/*
 * Open @path as a download when it is a zip: 1 with *@dl set, 0 when it is
 * no zip (then open it with hwf_pkg_open), or the error.
 */
int hwf_pkg_download(const char *path, const char *tmpdir, struct hwf_download **dl,
		     struct hwf_err *e);

/*
 * hwf_pkg_open() (@once 0) or hwf_pkg_open_once() (@once 1), and
 * hwf_pkg_open_in(), for a command that reads a HarmonyOS update.bin too
 * (formats/app/updatebin.h): when the package is one, pkg->ubin is open
 * and pkg->app NULL; any other foreign package is refused as before.
 */
int hwf_pkg_open_any(struct hwf_pkg *pkg, const char *path, const char *member, int once,
		     const char *tmpdir, struct hwf_err *e);
int hwf_pkg_open_in_any(struct hwf_pkg *pkg, struct hwf_download *dl, size_t i, int once,
			struct hwf_err *e);

void hwf_pkg_close(struct hwf_pkg *pkg);

#endif
