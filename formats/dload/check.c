// SPDX-License-Identifier: MIT
/*
 * dload check: would a phone find a dload update on this card?  A folder,
 * an image file or a block device (read through formats/fat, the way the
 * phone's loader sees it).  Each check gives a finding; the card is right
 * when none is a PROBLEM.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/text.h"
#include "formats/dload/dload_int.h"

#define MAX_NAMES 128

static void add(struct hwf_dload_report *r, enum hwf_dload_level l, const char *check,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(struct hwf_dload_report *r, enum hwf_dload_level l, const char *check,
		const char *fmt, ...)
{
	struct hwf_dload_finding *f;
	va_list ap;

	if (r->n == HWF_DLOAD_MAX_FINDINGS)
		return;
	f = &r->f[r->n++];
	f->level = l;
	snprintf(f->check, sizeof(f->check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

const struct hwf_dload_finding *hwf_dload_report_problem(const struct hwf_dload_report *r)
{
	for (int i = 0; i < r->n; i++)
		if (r->f[i].level == HWF_DLOAD_PROBLEM)
			return &r->f[i];
	return NULL;
}

const char *hwf_dload_level_name(enum hwf_dload_level l)
{
	return l == HWF_DLOAD_OK ? "ok" : l == HWF_DLOAD_NOTE ? "note" : "problem";
}

/* A card seen as a folder or through our FAT reader. */
struct card {
	const char *root;   /* folder */
	struct hwf_fat *fs; /* or a FAT32 volume */
	const struct hwf_dload_cb *cb;
};

struct name {
	char name[HWF_FAT_NAME_MAX];
	int is_dir;
	uint64_t size;
};

struct names {
	struct name v[MAX_NAMES];
	int n;
};

static int fat_cb(void *ctx, const struct hwf_fat_dirent *d)
{
	struct names *ns = ctx;

	if (ns->n < MAX_NAMES) {
		snprintf(ns->v[ns->n].name, sizeof(ns->v[0].name), "%s", d->name);
		ns->v[ns->n].is_dir = d->is_dir;
		ns->v[ns->n].size = d->size;
		ns->n++;
	}
	return 0;
}

static int card_list(struct card *c, const char *rel, struct names *ns, struct hwf_err *e)
{
	char path[4096];
	struct dirent *d;
	DIR *dp;

	ns->n = 0;
	if (c->fs)
		return hwf_fat_list(c->fs, rel, fat_cb, ns, e);
	snprintf(path, sizeof(path), "%s/%s", c->root, rel);
	dp = opendir(path);
	if (!dp)
		return hwf_err_set(e, HWF_EIO, "%s", strerror(errno));
	while ((d = readdir(dp)) && ns->n < MAX_NAMES) {
		char p[4096 + 256];
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, d->d_name);
		if (stat(p, &st))
			continue;
		snprintf(ns->v[ns->n].name, sizeof(ns->v[0].name), "%s", d->d_name);
		ns->v[ns->n].is_dir = S_ISDIR(st.st_mode);
		ns->v[ns->n].size = (uint64_t)st.st_size;
		ns->n++;
	}
	closedir(dp);
	return 0;
}

static int card_open(struct card *c, const char *rel, struct hwf_source **out, struct hwf_err *e)
{
	char path[4096];

	if (c->fs)
		return hwf_fat_open_source(c->fs, rel, out, e);
	snprintf(path, sizeof(path), "%s/%s", c->root, rel);
	return hwf_source_open_file(out, path, e);
}

/* What check_packages() found in dload/ itself. */
enum { PKG_NONE, PKG_BAD, PKG_GOOD };

/* An UPDATE.APP (any *.app) in folder @rel's listing. */
static void check_app(struct card *c, const struct name *n, const char *rel,
		      struct hwf_dload_report *r, int *found, int depth)
{
	char why[HWF_ERR_MSG_MAX];
	struct hwf_err e = {0};
	struct hwf_source *src;
	int rc;

	if (depth == 0 && strcmp(n->name, "UPDATE.APP") && !strcasecmp(n->name, "UPDATE.APP"))
		add(r, HWF_DLOAD_NOTE, "name",
		    "%s: spelled '%s'; FAT ignores case, but UPDATE.APP is the usual spelling", rel,
		    n->name);
	rc = card_open(c, rel, &src, &e);
	if (rc) {
		add(r, HWF_DLOAD_PROBLEM, "package", "%s: cannot be read: %s", rel, e.msg);
	} else {
		rc = hwf_dl_verify_app(src, "verifying", c->cb, why, sizeof(why));
		hwf_source_close(src);
		if (rc)
			add(r, HWF_DLOAD_PROBLEM, "package", "%s: %s", rel, why);
		else
			add(r, HWF_DLOAD_OK, "package", "%s: %llu bytes, every CRC matches", rel,
			    (unsigned long long)n->size);
	}
	if (depth == 0 && !strcasecmp(n->name, "UPDATE.APP"))
		*found = !rc ? PKG_GOOD : *found == PKG_NONE ? PKG_BAD : *found;
}

/* A zip in folder @rel's listing: an update_sd package, or one to unpack. */
static void check_zip(struct card *c, const struct name *n, const char *rel,
		      struct hwf_dload_report *r, int *found, int depth)
{
	char why[HWF_ERR_MSG_MAX];

	if (strncasecmp(n->name, "update_sd", 9)) {
		add(r, HWF_DLOAD_PROBLEM, "zip",
		    "%s: a zip the phone does not open: unpack it and put its UPDATE.APP in dload/",
		    rel);
		return;
	}
	if (!c->fs) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", c->root, rel);
		if (hwf_dl_verify_zip(path, c->cb, why, sizeof(why)) < 0) {
			add(r, HWF_DLOAD_PROBLEM, "package", "%s: %s", rel, why);
			if (depth == 0 && *found == PKG_NONE)
				*found = PKG_BAD;
			return;
		}
		add(r, HWF_DLOAD_OK, "package", "%s: the UPDATE.APP inside verifies", rel);
	} else {
		add(r, HWF_DLOAD_NOTE, "package",
		    "%s: an update_sd package (its contents are not checked inside an image)", rel);
	}
	if (depth == 0)
		*found = PKG_GOOD;
}

/*
 * The package checks in one folder: dload/ itself, or dload/SUB for
 * update_sd sets.  *found becomes PKG_GOOD for a sound UPDATE.APP (or an
 * update_sd zip) in dload/, PKG_BAD when the one there is named as broken.
 */
static void check_packages(struct card *c, const char *dir, struct hwf_dload_report *r, int *found,
			   int depth)
{
	struct names *ns = calloc(1, sizeof(*ns));
	struct hwf_err e = {0};

	if (!ns) {
		add(r, HWF_DLOAD_PROBLEM, "read", "out of memory");
		return;
	}
	if (card_list(c, dir, ns, &e)) {
		add(r, HWF_DLOAD_PROBLEM, "read", "%s/ cannot be read: %s", dir, e.msg);
		if (!depth && *found == PKG_NONE)
			*found = PKG_BAD;
		free(ns);
		return;
	}
	for (int i = 0; i < ns->n; i++) {
		const struct name *n = &ns->v[i];
		char rel[600];

		snprintf(rel, sizeof(rel), "%s/%s", dir, n->name);
		if (n->is_dir) {
			if (!strcasecmp(n->name, "dload"))
				add(r, HWF_DLOAD_PROBLEM, "dload",
				    "%s: a dload folder inside dload/: the phone looks only at "
				    "/dload; move its files up",
				    rel);
			else if (depth < 2)
				check_packages(c, rel, r, found, depth + 1);
		} else if (n->name[0] == '.' && hwf_ends_with_ci(n->name, ".partial")) {
			add(r, HWF_DLOAD_NOTE, "leftover",
			    "%s: an unfinished copy from an interrupted 'dload prepare'; phones "
			    "ignore it, delete it",
			    rel);
		} else if (hwf_ends_with_ci(n->name, ".app")) {
			check_app(c, n, rel, r, found, depth);
		} else if (hwf_ends_with_ci(n->name, ".zip")) {
			check_zip(c, n, rel, r, found, depth);
		}
	}
	free(ns);
}

/* A name at the top of the card that is a dload folder gone wrong. */
static void check_top_name(const struct name *n, struct hwf_dload_report *r)
{
	const char *nm = n->name;

	if (!strcasecmp(nm, "download") || !strcasecmp(nm, "dowload") || !strcasecmp(nm, "dlaod") ||
	    !strcasecmp(nm, "d-load") || !strncasecmp(nm, "dload", 5))
		add(r, HWF_DLOAD_PROBLEM, "dload",
		    "'%s' is not 'dload': the phone looks for a folder named exactly dload%s", nm,
		    hwf_ends_with_ci(nm, ".zip") ? " (unpack the zip)" : "");
	else if (!n->is_dir && !strcasecmp(nm, "UPDATE.APP"))
		add(r, HWF_DLOAD_PROBLEM, "dload",
		    "UPDATE.APP is at the top of the card: it goes in a folder named dload");
	else if (!n->is_dir && hwf_ends_with_ci(nm, ".zip") && !strncasecmp(nm, "update", 6))
		add(r, HWF_DLOAD_PROBLEM, "zip",
		    "%s at the top of the card: unpack it; its UPDATE.APP goes in dload/", nm);
}

static void check_card(struct card *c, struct hwf_dload_report *r)
{
	struct names *ns = calloc(1, sizeof(*ns));
	struct hwf_err e = {0};
	int dload = -1, found = PKG_NONE;

	if (!ns || card_list(c, "", ns, &e)) {
		add(r, HWF_DLOAD_PROBLEM, "read", "the card's top folder cannot be read: %s",
		    ns ? e.msg : "out of memory");
		free(ns);
		return;
	}
	for (int i = 0; i < ns->n; i++) {
		if (ns->v[i].is_dir && !strcasecmp(ns->v[i].name, "dload"))
			dload = i;
		else
			check_top_name(&ns->v[i], r);
	}
	if (dload < 0) {
		add(r, HWF_DLOAD_PROBLEM, "dload", "no dload folder at the top of the card");
		free(ns);
		return;
	}
	if (strcmp(ns->v[dload].name, "dload"))
		add(r, HWF_DLOAD_NOTE, "dload",
		    "the folder is spelled '%s'; FAT ignores case, so it is found",
		    ns->v[dload].name);
	else
		add(r, HWF_DLOAD_OK, "dload", "dload/ is there");
	check_packages(c, ns->v[dload].name, r, &found, 0);
	/* A broken one was named already: saying "no UPDATE.APP" too would contradict it. */
	if (found == PKG_NONE)
		add(r, HWF_DLOAD_PROBLEM, "package", "no UPDATE.APP (or update_sd*.zip) in dload/");
	free(ns);
}

static void free_space(struct hwf_dload_report *r, uint64_t bytes)
{
	char sz[32];

	hwf_size_text(bytes, sz, sizeof(sz));
	add(r, HWF_DLOAD_OK, "space", "%s free", sz);
}

static int check_folder(const char *target, const struct hwf_dload_cb *cb,
			struct hwf_dload_report *r, struct hwf_err *e)
{
	struct card c = {target, NULL, cb};
	struct hwf_dl_fs fs;

	if (hwf_dl_statfs(target, &fs))
		return hwf_err_set(e, HWF_EIO, "%s: %s", target, strerror(errno));
	if (fs.is_fat32)
		add(r, HWF_DLOAD_OK, "filesystem", "FAT32 (%u-byte clusters)", fs.cluster);
	else
		add(r, HWF_DLOAD_PROBLEM, "filesystem",
		    "%s, not FAT32: phones read dload only from FAT32", fs.name);
	add(r, HWF_DLOAD_NOTE, "partition",
	    "not visible from a mounted folder (check the device, e.g. hwflash dload check "
	    "/dev/sdX)");
	check_card(&c, r);
	free_space(r, fs.free);
	return 0;
}

static void check_partition(const struct hwf_disk_probe *pr, struct hwf_dload_report *r)
{
	switch (pr->pt) {
	case HWF_PT_MBR:
		if (pr->part_type == 0x0b || pr->part_type == 0x0c)
			add(r, HWF_DLOAD_OK, "partition",
			    "MBR, partition type 0x%02x (FAT32) at %llu KiB", pr->part_type,
			    (unsigned long long)(pr->part_offset >> 10));
		else
			add(r, HWF_DLOAD_NOTE, "partition",
			    "MBR, partition type 0x%02x, not 0x0c (FAT32 LBA): some loaders go by "
			    "the type",
			    pr->part_type);
		break;
	case HWF_PT_GPT:
		/* No public source says dload reads GPT cards; every working report is MBR. */
		add(r, HWF_DLOAD_PROBLEM, "partition",
		    "GPT partition table: phones' dload expects an MBR card ('dload prepare "
		    "--format' makes one)");
		break;
	case HWF_PT_NONE:
		add(r, HWF_DLOAD_NOTE, "partition",
		    "no partition table (the file system starts at sector 0); SD cards normally "
		    "have an MBR");
		break;
	default:
		add(r, HWF_DLOAD_PROBLEM, "partition", "no partition table hwflash recognises");
		break;
	}
}

/* The FAT32 volume of an image or device, once probed. */
static void check_volume(int fd, const struct hwf_disk_probe *pr, const struct hwf_dload_cb *cb,
			 struct hwf_dload_report *r)
{
	struct hwf_err e = {0};
	struct hwf_fat *fs;
	struct card c = {NULL, NULL, cb};
	int rc;

	if (pr->fs != HWF_FS_FAT32) {
		add(r, HWF_DLOAD_PROBLEM, "filesystem",
		    "%s, not FAT32: phones read dload only from FAT32", hwf_fs_kind_name(pr->fs));
		return;
	}
	if (hwf_fat_open(&fs, fd, pr->part_offset, pr->part_size, 0, &e)) {
		add(r, HWF_DLOAD_PROBLEM, "filesystem", "%s", e.msg);
		return;
	}
	/* Every chain first: a loop or a cross-link makes everything read from it suspect. */
	rc = hwf_fat_check(fs, &e);
	if (rc) {
		add(r, HWF_DLOAD_PROBLEM, "filesystem",
		    "FAT32, %s: %s; run fsck.fat -a on it (or 'dload prepare --format' to start "
		    "over)",
		    rc == HWF_EFORMAT ? "damaged" : "cannot be read", e.msg);
		hwf_fat_close(fs);
		return;
	}
	add(r, HWF_DLOAD_OK, "filesystem", "FAT32 (%u-byte clusters, label '%s')",
	    hwf_fat_cluster_size(fs), hwf_fat_label(fs));
	c.fs = fs;
	check_card(&c, r);
	free_space(r, hwf_fat_free_bytes(fs));
	hwf_fat_close(fs);
}

static int check_image(const char *target, const struct hwf_dload_cb *cb,
		       struct hwf_dload_report *r, struct hwf_err *e)
{
	struct hwf_disk_probe pr;
	uint64_t size = 0;
	struct stat st;
	int fd = open(target, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0 || fstat(fd, &st)) {
		rc = hwf_err_set(e, HWF_EIO, "%s: %s", target, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		close(fd);
		return hwf_err_set(e, HWF_EUNSUPPORTED, "%s is not an image file or a device",
				   target);
	}
	size = S_ISBLK(st.st_mode) ? hwf_dl_blkdev_size(fd) : (uint64_t)st.st_size;
	rc = hwf_disk_probe(fd, size, &pr, e);
	if (rc) {
		hwf_err_prefix(e, "%s", target);
		close(fd);
		return rc;
	}
	check_partition(&pr, r);
	check_volume(fd, &pr, cb, r);
	close(fd);
	return 0;
}

int hwf_dload_check(const char *target, const struct hwf_dload_cb *cb, struct hwf_dload_report *r,
		    struct hwf_err *e)
{
	enum hwf_dload_target_kind kind;
	struct hwf_err local = {0};
	int rc;

	if (!e)
		e = &local;
	r->n = 0;
	rc = hwf_dload_target_kind(target, &kind, e);
	if (rc)
		return rc;
	return kind == HWF_DLOAD_FOLDER ? check_folder(target, cb, r, e)
					: check_image(target, cb, r, e);
}
