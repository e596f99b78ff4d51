/* SPDX-License-Identifier: MIT */
/*
 * A firmware download as it came: a zip that holds UPDATE.APP packages,
 * directly or in zips inside it (update_sd.zip, update_full_base.zip ...),
 * to HWF_DOWNLOAD_DEPTH levels of zips, stored or deflated, zip64.
 * Opening walks the central directories only and lists the packages, each
 * named by its path through the layers ("Software/update_sd.zip/UPDATE.APP":
 * the members joined by '/'), and the packages hwflash cannot read
 * (formats/app/foreign.h).  A package is then opened as a source: a stored
 * member is a window on its zip (read in place, no copy); a deflated one,
 * like a deflated inner zip, is inflated at most once per download into an
 * unlinked temporary file (formats/core/zip_members.h), and never past the
 * size its zip declares (a zip bomb is refused).
 *
 * Memory: the download is allocated by hwf_download_open() and freed by
 * hwf_download_close(); it owns the file, every layer's handle and their
 * temporary files.  Sources from hwf_download_source() borrow it: close them
 * first.  Errors: what reading the zips returns (HWF_EIO, HWF_EFORMAT,
 * HWF_ETRUNC, HWF_ECRC, HWF_EUNSUPPORTED, HWF_ENOSPC, HWF_ENOMEM), each
 * sentence naming the zip through its layers ("fw.zip:Software/update_sd.zip").
 */
#ifndef HWF_DOWNLOAD_H
#define HWF_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/core/zip_members.h"

/* Zips inside zips read at most this deep (the outer zip is level 1). */
#define HWF_DOWNLOAD_DEPTH 4
/* Packages (and foreign packages) listed at most. */
#define HWF_DOWNLOAD_MAX 32

struct hwf_download_pkg {
	char path[1024];     /* the members through the layers, joined by '/' */
	const char *foreign; /* NULL: an UPDATE.APP; else what it is (foreign.h) */
	uint64_t size;	     /* uncompressed, as its zip declares */
	int depth;	     /* 0: a member of the outer zip */
	int deflated;
	int group;    /* 1: part of the update hwf_download_group() names */
	size_t layer; /* the zip it lies in: hwf_download_layer(dl, layer) */
};

struct hwf_download;

/*
 * Open the zip @path and list its packages.  @tmpdir: where inflated bytes
 * go (NULL: $TMPDIR, else /tmp).  Zips deeper than HWF_DOWNLOAD_DEPTH are
 * not opened; hwf_download_too_deep() names the first one.
 */
int hwf_download_open(struct hwf_download **out, const char *path, const char *tmpdir,
		      struct hwf_err *e);

/* The outer zip's path, as given. */
const char *hwf_download_path(const struct hwf_download *dl);

/* Packages (UPDATE.APP and foreign ones), in the order of the zips. */
size_t hwf_download_count(const struct hwf_download *dl);
const struct hwf_download_pkg *hwf_download_pkg(const struct hwf_download *dl, size_t i);

/* Zips seen inside, at any depth (for a message when no package is found). */
size_t hwf_download_zips(const struct hwf_download *dl);

/*
 * The first inner zip that could not be read (broken, a zip bomb,
 * encrypted): its error code with @e filled (the sentence names it through
 * the layers), or 0.  Its packages are missing from the list; the others
 * are there.
 */
int hwf_download_skipped(const struct hwf_download *dl, struct hwf_err *e);

/* Files (not folders) in the outer zip. */
size_t hwf_download_files(const struct hwf_download *dl);

/* The first zip that lies deeper than HWF_DOWNLOAD_DEPTH, or NULL. */
const char *hwf_download_too_deep(const struct hwf_download *dl);

/*
 * When several packages make one update together (update_sd_base + cust +
 * preload, or update_full_base + data_public + all_hw): which, in words
 * ("base + cust + preload"); else NULL.
 */
const char *hwf_download_group(const struct hwf_download *dl);

/*
 * Find the package @want: its full path, or a unique path ending in
 * "/@want".  Returns its index, or -1.
 */
int hwf_download_find(const struct hwf_download *dl, const char *want);

/*
 * Add the member @path (its path through the zips) as a package, whatever
 * its name (--member on a member not named *.APP); its index, or
 * HWF_ENOTFOUND.
 */
int hwf_download_add(struct hwf_download *dl, const char *path, struct hwf_err *e);

/*
 * Package @i as a source named "ZIP:MEMBER" through the layers
 * ("fw.zip:Software/update_sd.zip:UPDATE.APP").
 */
int hwf_download_source(struct hwf_download *dl, size_t i, struct hwf_source **out,
			struct hwf_err *e);

/* The zip handles opened so far (outer first), for -v statistics and the tests. */
size_t hwf_download_layers(const struct hwf_download *dl);
struct hwf_zip_members *hwf_download_layer(const struct hwf_download *dl, size_t i);

void hwf_download_close(struct hwf_download *dl);

#endif
