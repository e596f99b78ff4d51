/* SPDX-License-Identifier: MIT */
/*
 * Factory images as one view, whatever holds them: an update zip
 * (boot.img, system.img ... android-info.txt at its top), Google's outer
 * factory zip (bootloader-*.img, radio-*.img and an inner image-*.zip,
 * usually all in one folder: the inner zip is read in place when stored,
 * inflated once into an unlinked temporary file when deflated), or a folder
 * ($ANDROID_PRODUCT_OUT for flashall).  The view lists the images with
 * their sizes, holds android-info.txt and fastboot-info.txt when present,
 * and opens an image as a source.  Nothing is extracted.
 *
 * fastboot-info.txt (Android 14+, AOSP fastboot README "Flashing Logic")
 * is parsed here too: version <= 1; flash [--slot-other] [--apply-vbmeta]
 * PART [FILE], reboot bootloader|fastboot, update-super, erase PART, each
 * optionally after "if-wipe"; '#' comments.  A line it does not know is
 * an error naming the file and the line.
 *
 * Memory: hwf_factory_open allocates the view, hwf_factory_close frees it
 * and everything in it; sources from hwf_factory_open_image are the
 * caller's (close them before the view).  Errors: HWF_ENOTFOUND (no such
 * file or image), HWF_EFORMAT (not a zip, no images, two inner zips, a
 * bad fastboot-info.txt line), HWF_EUNSUPPORTED (fastboot-info version),
 * the zip reader's and the file's (HWF_EIO, HWF_ECRC, HWF_ETRUNC),
 * HWF_ENOMEM.
 */
#ifndef HWF_FACTORY_H
#define HWF_FACTORY_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"
#include "formats/core/source.h"
#include "formats/core/zip_members.h"

#define HWF_FACTORY_MAX	     128 /* images in one input, at most */
#define HWF_FACTORY_NAME_MAX 128

enum hwf_factory_kind {
	HWF_FACTORY_ZIP,    /* an update zip: images at its top */
	HWF_FACTORY_OUTER,  /* an outer factory zip: bootloader, radio, inner image zip */
	HWF_FACTORY_FOLDER, /* a folder of images ($ANDROID_PRODUCT_OUT) */
};

struct hwf_factory_image {
	char name[HWF_FACTORY_NAME_MAX]; /* "boot.img"; an outer zip's "bootloader-x.img" */
	uint64_t size;			 /* bytes as stored (a sparse image's file size) */
	int outer;			 /* 1: the outer zip's bootloader, 2: its radio */
};

/* Read only for callers. */
struct hwf_factory {
	enum hwf_factory_kind kind;
	char path[1024];  /* as given */
	char label[1600]; /* what messages call the images' container: "f.zip:x/image-y.zip" */
	size_t n;
	struct hwf_factory_image img[HWF_FACTORY_MAX]; /* outer ones first, then by name */
	char *android_info;			       /* NUL-terminated, NULL when absent */
	char *fastboot_info;			       /* the same */
	/* private */
	char inner[512]; /* the outer zip's image-*.zip member */
	struct hwf_source *file, *inner_src;
	struct hwf_zip_members *zm, *zm_inner; /* each deflated member inflated once */
};

/*
 * The view of @path: a folder, an update zip or an outer factory zip (one
 * with an image-*.zip member).  Only top-level *.img members count in an
 * update zip (and in the inner zip); the outer zip's bootloader-*.img and
 * radio-*.img may sit in one folder with the inner zip.  More than
 * HWF_FACTORY_MAX images is HWF_EFORMAT.
 */
int hwf_factory_open(struct hwf_factory **out, const char *path, struct hwf_err *e);
void hwf_factory_close(struct hwf_factory *f);

/* Index of image @name, or -1. */
int hwf_factory_find(const struct hwf_factory *f, const char *name);

/*
 * Image @i as a source named "LABEL:NAME" (close it before the view): a
 * window when the bytes are stored; when deflated, inflated once into an
 * unlinked temporary file under $TMPDIR however often it is read.  All member
 * access of the view goes through one function (factory.c member_open).
 */
int hwf_factory_open_image(struct hwf_factory *f, size_t i, struct hwf_source **out,
			   struct hwf_err *e);

/*
 * The zip member handles behind the view, for -v statistics: @inner 0 the
 * zip itself (an update zip or the outer zip), 1 the inner image zip.
 * NULL for a folder, or when there is none.
 */
const struct hwf_zip_members *hwf_factory_members(const struct hwf_factory *f, int inner);

/* What messages call image @i: "f.zip:boot.img". */
void hwf_factory_image_label(const struct hwf_factory *f, size_t i, char *buf, size_t len);

/* --- fastboot-info.txt -------------------------------------------------- */

enum hwf_fbinfo_op {
	HWF_FBINFO_FLASH,
	HWF_FBINFO_REBOOT,	 /* @part: "bootloader" or "fastboot" */
	HWF_FBINFO_UPDATE_SUPER, /* update-super (super_empty.img) */
	HWF_FBINFO_ERASE,
};

struct hwf_fbinfo_cmd {
	enum hwf_fbinfo_op op;
	unsigned line;			 /* 1-based, for messages */
	int if_wipe;			 /* only with -w */
	int slot_other;			 /* flash --slot-other: the other slot */
	int apply_vbmeta;		 /* flash --apply-vbmeta */
	char part[64];			 /* flash, erase: the partition; reboot: the target */
	char file[HWF_FACTORY_NAME_MAX]; /* flash: the image (PART.img when not given) */
};

/*
 * Parse @text (fastboot-info.txt; @label names it in messages).  *@out is
 * malloc'd (free() it), *@n its commands.  HWF_EFORMAT "LABEL line 3:
 * unknown command 'flsh'" for a line it does not know, HWF_EUNSUPPORTED
 * for a version above 1.
 */
int hwf_fbinfo_parse(const char *text, const char *label, struct hwf_fbinfo_cmd **out, size_t *n,
		     struct hwf_err *e);

#endif
