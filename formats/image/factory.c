// SPDX-License-Identifier: MIT
/*
 * Factory images as one view: an update zip, an outer factory zip (its
 * inner image-*.zip read in place) or a folder.  See factory.h.
 *
 * Facts: AOSP fastboot.cpp (ZipImageSource, LocalImageSource, do_update)
 * and Google's flash-all.sh (bootloader, radio, then update image-*.zip).
 */
#include "formats/image/factory.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "formats/core/zip.h"
#include "formats/core/zip_members.h"

#define TEXT_MAX 65536 /* android-info.txt, fastboot-info.txt */

/* --- members ------------------------------------------------------------------ */

/*
 * Member @member of the zip behind @zm, named "ZIPLABEL:@member": a window
 * when stored; when deflated, inflated once into an unlinked temporary file
 * however often it is read (formats/core/zip_members.h).  The one place the
 * view opens zip members.
 */
static int member_open(struct hwf_zip_members *zm, const char *member, struct hwf_source **out,
		       struct hwf_err *e)
{
	*out = NULL;
	return hwf_zip_members_source(zm, member, out, e);
}

/* A whole small text from @src (closed here): malloc'd, NUL-terminated. */
static int read_text(struct hwf_source *src, char **out, struct hwf_err *e)
{
	uint64_t size = hwf_source_size(src);
	char *text;
	int rc;

	*out = NULL;
	if (size > TEXT_MAX) {
		rc =
		    hwf_err_set(e, HWF_EFORMAT, "%s: %llu bytes; a text of at most %u was expected",
				hwf_source_name(src), (unsigned long long)size, TEXT_MAX);
		hwf_source_close(src);
		return rc;
	}
	text = malloc(size + 1);
	if (!text) {
		hwf_source_close(src);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	rc = hwf_source_read_exact(src, text, size, 0, e);
	hwf_source_close(src);
	if (rc) {
		free(text);
		return rc;
	}
	text[size] = '\0';
	*out = text;
	return 0;
}

/* --- listing ------------------------------------------------------------------ */

static const char *base_of(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

static int starts_ends(const char *s, const char *pre, const char *suf)
{
	size_t l = strlen(s), lp = strlen(pre), ls = strlen(suf);

	return l > lp + ls && !strncmp(s, pre, lp) && !strcasecmp(s + l - ls, suf);
}

static int is_img(const char *name)
{
	return starts_ends(name, "", ".img");
}

static int add_image(struct hwf_factory *f, const char *name, uint64_t size, int outer,
		     struct hwf_err *e)
{
	struct hwf_factory_image *im;

	if (strlen(name) >= HWF_FACTORY_NAME_MAX)
		return hwf_err_set(e, HWF_EFORMAT, "%s: image name '%s' is too long", f->label,
				   name);
	if (f->n == HWF_FACTORY_MAX)
		return hwf_err_set(e, HWF_EFORMAT, "%s: more than %d images", f->label,
				   HWF_FACTORY_MAX);
	im = &f->img[f->n++];
	snprintf(im->name, sizeof(im->name), "%s", name);
	im->size = size;
	im->outer = outer;
	return 0;
}

/* The entries of the zip in @zsrc, as @fn(f, name, size) until one fails. */
static int walk(struct hwf_factory *f, struct hwf_source *zsrc,
		int (*fn)(struct hwf_factory *f, const char *name, uint64_t size,
			  struct hwf_err *e),
		struct hwf_err *e)
{
	struct hwf_zip_entry ent;
	struct hwf_zip *z;
	int rc = hwf_zip_open(&z, zsrc, e);

	while (!rc && (rc = hwf_zip_next(z, &ent, e)) == 1)
		rc = fn(f, ent.name, ent.usize, e);
	hwf_zip_close(z);
	return rc;
}

/* An update zip's (or the inner zip's) top-level images and text files. */
static int top_entry(struct hwf_factory *f, const char *name, uint64_t size, struct hwf_err *e)
{
	if (strchr(name, '/') || !is_img(name))
		return 0;
	return add_image(f, name, size, 0, e);
}

/* The outer zip: its image-*.zip, bootloader-*.img and radio-*.img, wherever they sit. */
static int outer_entry(struct hwf_factory *f, const char *name, uint64_t size, struct hwf_err *e)
{
	const char *b = base_of(name);

	if (starts_ends(b, "image-", ".zip")) {
		if (f->inner[0])
			return hwf_err_set(e, HWF_EFORMAT,
					   "%s: two inner image zips (%s and %s): which one is "
					   "meant?",
					   f->path, f->inner, name);
		if (strlen(name) >= sizeof(f->inner))
			return hwf_err_set(e, HWF_EFORMAT, "%s: member name too long", f->path);
		snprintf(f->inner, sizeof(f->inner), "%s", name);
	} else if (starts_ends(b, "bootloader-", ".img")) {
		return add_image(f, name, size, 1, e);
	} else if (starts_ends(b, "radio-", ".img")) {
		return add_image(f, name, size, 2, e);
	}
	return 0;
}

static int has_inner(struct hwf_factory *f, const char *name, uint64_t size, struct hwf_err *e)
{
	(void)size;
	(void)e;
	if (starts_ends(base_of(name), "image-", ".zip"))
		f->inner[0] = 1;
	return 0;
}

/* android-info.txt and fastboot-info.txt of a zip, when there. */
static int zip_texts(struct hwf_factory *f, struct hwf_zip_members *zm, struct hwf_err *e)
{
	static const char *const names[] = {"android-info.txt", "fastboot-info.txt"};
	char **dst[] = {&f->android_info, &f->fastboot_info};

	for (int i = 0; i < 2; i++) {
		struct hwf_source *src;
		struct hwf_err le = {0};
		int rc = member_open(zm, names[i], &src, &le);

		if (rc == HWF_ENOTFOUND)
			continue;
		if (!rc)
			rc = read_text(src, dst[i], &le);
		if (rc) {
			*e = le;
			return rc;
		}
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct hwf_factory_image *x = a, *y = b;

	if (x->outer != y->outer)
		return (x->outer ? x->outer : 3) - (y->outer ? y->outer : 3);
	return strcmp(x->name, y->name);
}

static int open_zip(struct hwf_factory *f, struct hwf_err *e)
{
	int rc = hwf_source_open_file(&f->file, f->path, e);

	if (rc)
		return rc;
	snprintf(f->label, sizeof(f->label), "%s", f->path);
	rc = hwf_zip_members_open_source(&f->zm, f->file, f->path, NULL, e);
	if (!rc)
		rc = walk(f, f->file, has_inner, e);
	if (rc)
		return rc;
	if (!f->inner[0]) {
		f->kind = HWF_FACTORY_ZIP;
		rc = walk(f, f->file, top_entry, e);
		return rc ? rc : zip_texts(f, f->zm, e);
	}
	f->kind = HWF_FACTORY_OUTER;
	f->inner[0] = '\0';
	rc = walk(f, f->file, outer_entry, e);
	/* A deflated inner zip is inflated once, then read at random like a stored one. */
	if (!rc)
		rc = member_open(f->zm, f->inner, &f->inner_src, e);
	if (rc)
		return rc;
	snprintf(f->label, sizeof(f->label), "%s:%s", f->path, f->inner);
	rc = hwf_zip_members_open_source(&f->zm_inner, f->inner_src, f->label, NULL, e);
	if (!rc)
		rc = walk(f, f->inner_src, top_entry, e);
	return rc ? rc : zip_texts(f, f->zm_inner, e);
}

static int open_folder(struct hwf_factory *f, struct hwf_err *e)
{
	static const char *const names[] = {"android-info.txt", "fastboot-info.txt"};
	char **dst[] = {&f->android_info, &f->fastboot_info};
	char p[2048];
	struct dirent *d;
	struct stat st;
	DIR *dir = opendir(f->path);
	int rc = 0;

	f->kind = HWF_FACTORY_FOLDER;
	snprintf(f->label, sizeof(f->label), "%s", f->path);
	if (!dir)
		return hwf_err_set(e, HWF_EIO, "%s: cannot read the folder", f->path);
	while (!rc && (d = readdir(dir))) {
		snprintf(p, sizeof(p), "%s/%s", f->path, d->d_name);
		if (is_img(d->d_name) && !stat(p, &st) && S_ISREG(st.st_mode))
			rc = add_image(f, d->d_name, (uint64_t)st.st_size, 0, e);
	}
	closedir(dir);
	for (int i = 0; i < 2 && !rc; i++) {
		struct hwf_source *src;

		snprintf(p, sizeof(p), "%s/%s", f->path, names[i]);
		if (stat(p, &st))
			continue;
		rc = hwf_source_open_file(&src, p, e);
		if (!rc)
			rc = read_text(src, dst[i], e);
	}
	return rc;
}

int hwf_factory_open(struct hwf_factory **out, const char *path, struct hwf_err *e)
{
	struct hwf_factory *f;
	struct stat st;
	int rc;

	*out = NULL;
	if (strlen(path) >= sizeof(f->path))
		return hwf_err_set(e, HWF_EINVAL, "%s: path too long", path);
	f = calloc(1, sizeof(*f));
	if (!f)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	snprintf(f->path, sizeof(f->path), "%s", path);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		rc = open_folder(f, e);
	else
		rc = open_zip(f, e);
	if (!rc && !f->n)
		rc = hwf_err_set(e, HWF_EFORMAT, "%s: no *.img %s", f->label,
				 f->kind == HWF_FACTORY_FOLDER ? "in the folder"
							       : "at the top of the zip");
	if (rc) {
		hwf_factory_close(f);
		return rc;
	}
	qsort(f->img, f->n, sizeof(f->img[0]), by_name);
	*out = f;
	return 0;
}

void hwf_factory_close(struct hwf_factory *f)
{
	if (!f)
		return;
	hwf_zip_members_close(f->zm_inner);
	hwf_source_close(f->inner_src);
	hwf_zip_members_close(f->zm);
	hwf_source_close(f->file);
	free(f->android_info);
	free(f->fastboot_info);
	free(f);
}

int hwf_factory_find(const struct hwf_factory *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->img[i].name, name))
			return (int)i;
	return -1;
}

void hwf_factory_image_label(const struct hwf_factory *f, size_t i, char *buf, size_t len)
{
	if (f->kind == HWF_FACTORY_FOLDER)
		snprintf(buf, len, "%s/%s", f->path, f->img[i].name);
	else
		snprintf(buf, len, "%s:%s", f->img[i].outer ? f->path : f->label, f->img[i].name);
}

int hwf_factory_open_image(struct hwf_factory *f, size_t i, struct hwf_source **out,
			   struct hwf_err *e)
{
	char p[2048];

	*out = NULL;
	if (i >= f->n)
		return hwf_err_set(e, HWF_EINVAL, "no image %zu", i);
	if (f->kind == HWF_FACTORY_FOLDER) {
		snprintf(p, sizeof(p), "%s/%s", f->path, f->img[i].name);
		return hwf_source_open_file(out, p, e);
	}
	if (f->img[i].outer || f->kind == HWF_FACTORY_ZIP)
		return member_open(f->zm, f->img[i].name, out, e);
	return member_open(f->zm_inner, f->img[i].name, out, e);
}

const struct hwf_zip_members *hwf_factory_members(const struct hwf_factory *f, int inner)
{
	return inner ? f->zm_inner : f->zm;
}
