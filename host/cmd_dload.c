// SPDX-License-Identifier: MIT
/*
 * hwflash dload prepare SOURCE TARGET: a card the phone's forced SD update
 * (Vol+ Vol- Power) will take.
 *
 * SOURCE: an UPDATE.APP; a firmware .zip holding one (dload/UPDATE.APP or
 * UPDATE.APP anywhere); an EMUI update_sd*.zip (copied as is into dload/);
 * or a folder with a dload/ tree (copied as it is, every package in it
 * verified).  Every package is verified before anything is written.
 *
 * TARGET a mounted folder: FAT32 only (unless --force); every file goes to
 * dload/.NAME.partial, is fsync'ed, read back past the page cache and
 * verified; only when all are good are they renamed into place and the
 * folder fsync'ed.  What was on the card stays untouched until then.
 *
 * TARGET an image file or a block device: the FAT32 file system already on
 * it (checked first like fsck.fat: a damaged one is refused), or with
 * --format a new MBR + FAT32 (formats/fat32); the files are written through
 * our own FAT code and read back through it.  Devices that are mounted, not
 * removable or larger than 256 GiB are refused without --force.  Formatting
 * needs a typed "yes" on a terminal or --yes off one; before that, the
 * target's content (hwf_card_classify, never its name) must be a card, a
 * blank or a partition table: a firmware file, an archive, a partition
 * image... is refused even with --yes unless --force.
 *
 * Order: every check of the target (and of free space) comes before the
 * long verification of the sources, and all of them before the first byte
 * is written, so a refusal never follows a "Writing" line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "formats/core/zip.h"
#include "formats/core/text.h"
#include "host/cli.h"
#include "host/dload.h"
#include "formats/fat/fat32.h"
#include "formats/app/pkg.h"
#include "formats/app/updateapp.h"

#define COPY_BUF (1u << 20)
#define MAX_ITEMS 64
#define MAX_DEPTH 4
#define BIG_DEVICE (256ull << 30)

static int dload_prepare(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv);

const struct hwf_command hwf_dload_commands[] = {
	{ "prepare", dload_prepare, "dload prepare SOURCE TARGET [--format] [--yes] [--force] [--json]",
	  "Put a firmware package on an SD card for the forced dload update.\n"
	  "SOURCE: an UPDATE.APP, a firmware .zip holding one, an update_sd*.zip, or a\n"
	  "folder with a dload/ tree.  TARGET: the card's mounted folder (must be FAT32),\n"
	  "or an image file / block device (with --format: a new MBR and FAT32).\n"
	  "--format asks on a terminal and needs --yes off one; a target that holds\n"
	  "no card (a firmware file, a zip, a boot or partition image...) is refused\n"
	  "even then, unless --force.  A damaged FAT32 is refused without --format.\n"
	  "Every package is verified first; every file is written under a temporary\n"
	  "name, read back past the page cache and verified, and only then takes its\n"
	  "place, so a failure leaves the card as it was.",
	  NULL },
	{ "check", dload_check, "dload check TARGET [--json]",
	  "Say whether a phone would find a dload update on this card (a folder, an\n"
	  "image or a device): FAT32 (every cluster chain, as fsck.fat), partition\n"
	  "table, dload/ (and its usual misspellings), UPDATE.APP (or a zip still to\n"
	  "unpack), every package CRC, free space.  Exit status 0 only when the card\n"
	  "is right.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* --- shared with dload_check.c --- */

void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int dl_statfs(const char *dir, struct dl_fs *out)
{
	static const struct {
		long magic;
		const char *name;
	} names[] = {
		{ 0x2011BAB0, "exFAT" },     { 0x5346544e, "NTFS" },   { 0x7366746e, "NTFS" },
		{ 0xEF53, "ext2/3/4" },	     { 0x01021994, "tmpfs" },  { 0x9123683E, "btrfs" },
		{ 0x58465342, "XFS" },	     { 0x794c7630, "overlayfs" },
		{ 0x65735546, "FUSE (exFAT or NTFS through FUSE)" },	{ 0x6969, "NFS" },
		{ 0xFF534D42, "CIFS" },	     { 0x2FC12FC1, "ZFS" },    { 0xF2F52010, "F2FS" },
	};
	struct statfs sf;

	memset(out, 0, sizeof(*out));
	if (statfs(dir, &sf))
		return -errno;
	out->free = (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize;
	out->size = (uint64_t)sf.f_blocks * (uint64_t)sf.f_bsize;
	out->cluster = (uint32_t)sf.f_bsize;
	if (sf.f_type == 0x4d44) {	/* MSDOS_SUPER_MAGIC: vfat/msdos reports clusters */
		int fat32 = sf.f_blocks >= HWF_FAT32_MIN_CLUSTERS;

		snprintf(out->name, sizeof(out->name), "%s", fat32 ? "FAT32" : "FAT12/16");
		out->is_fat32 = fat32;
		return 0;
	}
	snprintf(out->name, sizeof(out->name), "file system 0x%lx", (long)sf.f_type);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((unsigned long)sf.f_type == (unsigned long)names[i].magic)
			snprintf(out->name, sizeof(out->name), "%s", names[i].name);
	return 0;
}

/* Drop "@name: " from the start of @why: the caller names the file itself. */
static void drop_name(char *why, const char *name)
{
	size_t n = strlen(name);

	if (n && !strncmp(why, name, n) && why[n] == ':') {
		n++;
		while (why[n] == ' ')
			n++;
		memmove(why, why + n, strlen(why + n) + 1);
	}
}

int dl_verify_app(struct hwf_cli *cli, struct hwf_source *src, const char *label, char *why,
		  size_t whylen)
{
	struct hwf_err e = { 0 };
	struct hwf_app_check res;
	struct hwf_app *app;
	int rc;

	why[0] = '\0';
	rc = hwf_app_open(&app, src, &e);
	if (rc) {
		say(why, whylen, "%s", e.msg);
		drop_name(why, hwf_source_name(src));
		return rc;
	}
	ui_progress_begin(&cli->ui, label);
	rc = hwf_app_verify(app, NULL, 0, &res, ui_progress_cb, &cli->ui, &e);
	ui_progress_end(&cli->ui);
	if (rc) {
		say(why, whylen, "%s", e.msg);
		drop_name(why, hwf_source_name(src));
		hwf_app_close(app);
		return rc;
	}
	if (!res.ok) {
		rc = HWF_ECRC;
		for (size_t i = 0; i < hwf_app_count(app) && !why[0]; i++) {
			const struct hwf_app_entry_check *r = &res.entries[i];

			if (!hwf_app_entry_ok(r))
				say(why, whylen, "entry %s: %s", hwf_app_entry(app, i)->name,
					 r->msg);
		}
		if (!why[0])
			say(why, whylen, "%s", res.crc_entry_msg);
	}
	hwf_app_check_free(&res);
	hwf_app_close(app);
	return rc;
}

int dl_verify_zip(struct hwf_cli *cli, const char *path, char *why, size_t whylen)
{
	struct hwf_err e = { 0 };
	struct hwf_pkg pkg;
	int rc = hwf_pkg_open(&pkg, path, NULL, &e);

	if (rc) {
		say(why, whylen, "%s", e.msg);
		drop_name(why, path);
		return rc;
	}
	rc = dl_verify_app(cli, pkg.src, "verifying", why, whylen);
	hwf_pkg_close(&pkg);
	return rc;
}

/* --- what goes on the card --- */

enum item_kind { IT_APP, IT_SDZIP, IT_OTHER };

struct item {
	char rel[512];		/* path below dload/: "UPDATE.APP", "X/update_sd_X.zip" */
	char path[PATH_MAX];	/* the file, or the zip holding the member */
	char member[512];	/* zip member, "" for a file */
	enum item_kind kind;
	uint64_t size;
	uint32_t crc;		/* CRC-32 of the bytes (IT_OTHER, IT_SDZIP), for the read-back */
};

struct plan {
	struct item it[MAX_ITEMS];
	size_t n;
	uint64_t total;
};

static int open_item(const struct item *it, struct hwf_source **src, struct hwf_err *e)
{
	if (it->member[0])
		return hwf_source_open_zip_member(src, it->path, it->member, e);
	return hwf_source_open_file(src, it->path, e);
}

static enum item_kind kind_of_name(const char *name)
{
	if (hwf_ends_with_ci(name, ".app"))
		return IT_APP;
	if (hwf_ends_with_ci(name, ".zip"))
		return IT_SDZIP;
	return IT_OTHER;
}

static int add_item(struct hwf_cli *cli, struct plan *p, const char *rel, const char *path,
		    const char *member, enum item_kind kind)
{
	struct item *it;

	if (p->n == MAX_ITEMS) {
		ui_error(&cli->ui, "%s: more than %d files for dload/", path, MAX_ITEMS);
		return HWF_EXIT_FAIL;
	}
	it = &p->it[p->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->rel, sizeof(it->rel), "%s", rel);
	snprintf(it->path, sizeof(it->path), "%s", path);
	snprintf(it->member, sizeof(it->member), "%s", member ? member : "");
	it->kind = kind;
	return 0;
}

/* A folder SOURCE: everything under its dload/ (any case), as it is. */
static int plan_tree(struct hwf_cli *cli, struct plan *p, const char *dir, const char *rel,
		     int depth)
{
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		ui_error(&cli->ui, "%s: folders nested deeper than %d", dir, MAX_DEPTH);
		return HWF_EXIT_FAIL;
	}
	dp = opendir(dir);
	if (!dp) {
		ui_error(&cli->ui, "%s: %s", dir, strerror(errno));
		return HWF_EXIT_FAIL;
	}
	while (!rc && (d = readdir(dp))) {
		char path[PATH_MAX], sub[512];
		struct stat st;

		if (d->d_name[0] == '.')
			continue;	/* ., .., and our own .partial leftovers */
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", d->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			rc = plan_tree(cli, p, path, sub, depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = add_item(cli, p, sub, path, NULL, kind_of_name(d->d_name));
	}
	closedir(dp);
	return rc;
}

/* The dload/ folder of @dir, in any case; 0 when there is one. */
static int find_dload(const char *dir, char *out, size_t len)
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
	struct hwf_cli *cli;
	struct plan *p;
	const char *zip;
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
	z->rc = add_item(z->cli, z->p, d ? d + 6 : base, z->zip, m->name, IT_SDZIP);
	return z->rc;
}

static int build_plan(struct hwf_cli *cli, const char *source, struct plan *p)
{
	struct hwf_err e = { 0 };
	struct stat st;
	const char *base = strrchr(source, '/');

	base = base ? base + 1 : source;
	if (stat(source, &st)) {
		ui_error(&cli->ui, "%s: %s", source, strerror(errno));
		return HWF_EXIT_FAIL;
	}
	if (S_ISDIR(st.st_mode)) {
		char dl[PATH_MAX];

		if (find_dload(source, dl, sizeof(dl))) {
			ui_error(&cli->ui, "%s: a folder SOURCE must hold a dload/ folder", source);
			return HWF_EXIT_FAIL;
		}
		return plan_tree(cli, p, dl, "", 0);
	}
	if (hwf_zip_sniff(source)) {
		struct hwf_pkg pkg;
		struct zipsd z = { cli, p, source, 0 };
		struct zipapps apps = { 0, 0, "" };

		/* An EMUI update_sd*.zip goes into dload/ as it is. */
		if (!strncasecmp(base, "update_sd", 9))
			return add_item(cli, p, base, source, NULL, IT_SDZIP);
		/*
		 * The one package of a zip past the FAT32 limit: refused from the
		 * zip's directory, before opening it (a deflated 5 GiB member would
		 * be inflated whole to read its headers).
		 */
		if (hwf_zip_walk(source, zipapps_cb, &apps, NULL) == 0 && apps.n == 1 &&
		    apps.size > DL_FAT_MAX_FILE) {
			ui_error(&cli->ui,
				 "%s:%s: %llu bytes: FAT32 cannot hold a file of 4 GiB or more; "
				 "nothing was written",
				 source, apps.name, (unsigned long long)apps.size);
			return HWF_EXIT_FAIL;
		}
		if (hwf_pkg_open(&pkg, source, NULL, &e) == 0) {
			const char *m = strchr(pkg.label, ':');

			add_item(cli, p, "UPDATE.APP", source, m ? m + 1 : "", IT_APP);
			hwf_pkg_close(&pkg);
			return 0;
		}
		if (hwf_zip_walk(source, zipsd_cb, &z, NULL) == 0 && !z.rc && p->n)
			return 0;
		if (z.rc)
			return z.rc;
		ui_error(&cli->ui, "%s", e.msg);
		return HWF_EXIT_FAIL;
	}
	return add_item(cli, p, "UPDATE.APP", source, NULL, IT_APP);
}

/* Sizes, CRC-32 of what is not an UPDATE.APP, and every UPDATE.APP verified. */
static int verify_sources(struct hwf_cli *cli, struct plan *p)
{
	uint8_t *buf = malloc(COPY_BUF);
	int rc = 0;

	if (!buf) {
		ui_error(&cli->ui, "out of memory");
		return HWF_EXIT_FAIL;
	}
	p->total = 0;
	for (size_t i = 0; i < p->n && !rc; i++) {
		struct item *it = &p->it[i];
		struct hwf_source *src;
		struct hwf_err e = { 0 };
		char why[HWF_ERR_MSG_MAX], label[64];
		int zrc;

		if (open_item(it, &src, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			rc = HWF_EXIT_FAIL;
			break;
		}
		it->size = hwf_source_size(src);
		p->total += it->size;
		/* Before reading gigabytes: no card can take it (zip64 members, big files). */
		if (it->size > DL_FAT_MAX_FILE) {
			ui_error(&cli->ui,
				 "%s: %llu bytes: FAT32 cannot hold a file of 4 GiB or "
				 "more; nothing was written",
				 hwf_source_name(src), (unsigned long long)it->size);
			hwf_source_close(src);
			rc = HWF_EXIT_FAIL;
			break;
		}
		if (it->kind == IT_APP) {
			snprintf(label, sizeof(label), "verifying %.40s", it->rel);
			if (dl_verify_app(cli, src, label, why, sizeof(why))) {
				ui_error(&cli->ui, "%s: %s; nothing was written to the card",
					 hwf_source_name(src), why);
				rc = HWF_EXIT_FAIL;
			}
		} else {
			uLong crc = crc32(0, NULL, 0);

			for (uint64_t off = 0; off < it->size && !rc;) {
				size_t n = it->size - off < COPY_BUF ? (size_t)(it->size - off)
								     : COPY_BUF;

				if (hwf_source_read_exact(src, buf, n, off, &e)) {
					ui_error(&cli->ui, "%s", e.msg);
					rc = HWF_EXIT_FAIL;
				}
				crc = crc32(crc, buf, (uInt)n);
				off += n;
			}
			it->crc = (uint32_t)crc;
			/*
			 * A zip on disk can be opened: verify the UPDATE.APP inside too
			 * (a zip without one, HWF_ENOTFOUND, is copied as it is).
			 */
			zrc = !rc && it->kind == IT_SDZIP && !it->member[0]
				      ? dl_verify_zip(cli, it->path, why, sizeof(why))
				      : 0;
			if (zrc < 0 && zrc != HWF_ENOTFOUND) {
				ui_error(&cli->ui, "%s: %s; nothing was written to the card", it->path,
					 why);
				rc = HWF_EXIT_FAIL;
			}
		}
		hwf_source_close(src);
	}
	free(buf);
	return rc;
}

/* Read back @src (the copy on the card) and compare with what @it promised. */
static int verify_copy(struct hwf_cli *cli, const struct item *it, struct hwf_source *src,
		       char *why, size_t whylen)
{
	uint8_t *buf;
	uLong crc = crc32(0, NULL, 0);
	struct hwf_err e = { 0 };
	int rc = 0;

	why[0] = '\0';
	if (hwf_source_size(src) != it->size) {
		say(why, whylen, "%llu bytes on the card, %llu expected",
			 (unsigned long long)hwf_source_size(src), (unsigned long long)it->size);
		return HWF_ETRUNC;
	}
	if (it->kind == IT_APP)
		return dl_verify_app(cli, src, "reading back", why, whylen);
	buf = malloc(COPY_BUF);
	if (!buf) {
		say(why, whylen, "out of memory");
		return HWF_ENOMEM;
	}
	ui_progress_begin(&cli->ui, "reading back");
	for (uint64_t off = 0; off < it->size && !rc;) {
		size_t n = it->size - off < COPY_BUF ? (size_t)(it->size - off) : COPY_BUF;

		rc = hwf_source_read_exact(src, buf, n, off, &e);
		if (rc)
			say(why, whylen, "%s", e.msg);
		crc = crc32(crc, buf, (uInt)n);
		off += n;
		ui_progress_update(&cli->ui, off, it->size);
	}
	ui_progress_end(&cli->ui);
	free(buf);
	if (!rc && (uint32_t)crc != it->crc) {
		say(why, whylen, "the bytes read back differ from the source (CRC-32 %08x, "
				      "expected %08x)",
			 (unsigned)crc, it->crc);
		rc = HWF_ECRC;
	}
	return rc;
}

/*
 * Start writing back what is dirty every WRITEBACK_STEP bytes, without
 * waiting: the card is busy while we copy the rest, and the fsync at the
 * end has little left to do.
 */
#define WRITEBACK_STEP (32u << 20)

struct writeback {
	struct hwf_cli *cli;
	int fd;
	uint64_t last;
};

static void kick_writeback(struct writeback *wb, uint64_t done)
{
	if (done - wb->last >= WRITEBACK_STEP) {
		sync_file_range(wb->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		wb->last = done;
	}
}

static void writeback_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct writeback *wb = ctx;

	kick_writeback(wb, done);
	ui_progress_update(&wb->cli->ui, done, total);
}

/* --- a mounted folder --- */

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static void split_rel(const char *dload, const char *rel, char *dir, size_t dlen, char *final,
		      size_t flen, char *partial, size_t plen)
{
	const char *slash = strrchr(rel, '/');

	if (slash)
		snprintf(dir, dlen, "%s/%.*s", dload, (int)(slash - rel), rel);
	else
		snprintf(dir, dlen, "%s", dload);
	snprintf(final, flen, "%s/%s", dir, slash ? slash + 1 : rel);
	snprintf(partial, plen, "%s/.%s.partial", dir, slash ? slash + 1 : rel);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Copy @it to @dst; fsync; drop it from the page cache. */
static int copy_to(struct hwf_cli *cli, const struct item *it, const char *dst, uint8_t *buf,
		   char *why, size_t whylen)
{
	struct writeback wb;
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	int fd, rc = 0;

	if (open_item(it, &src, &e)) {
		say(why, whylen, "%s", e.msg);
		return e.code ? e.code : HWF_EIO;
	}
	/* Known before it exists: Ctrl-C from here on removes it. */
	fd = cleanup_add(&cli->cleanup, dst) ? -1
					     : open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		say(why, whylen, "%s: %s", dst, strerror(errno));
		hwf_source_close(src);
		return HWF_EIO;
	}
	wb.cli = cli;
	wb.fd = fd;
	wb.last = 0;
	ui_progress_begin(&cli->ui, "copying");
	for (uint64_t off = 0; off < it->size && !rc;) {
		size_t n = it->size - off < COPY_BUF ? (size_t)(it->size - off) : COPY_BUF;
		ssize_t w = 0;

		rc = hwf_source_read_exact(src, buf, n, off, &e);
		if (rc) {
			say(why, whylen, "%s", e.msg);
			break;
		}
		for (size_t k = 0; k < n && !rc; k += (size_t)w) {
			w = write(fd, buf + k, n - k);
			if (w <= 0) {
				int err = w < 0 ? errno : ENOSPC;

				say(why, whylen, "%s: %s after %llu of %llu bytes", dst,
				    err == EFBIG ? "file too large for this file system (or a size "
						   "limit)"
						 : strerror(err),
				    (unsigned long long)(off + k), (unsigned long long)it->size);
				rc = err == ENOSPC || err == EFBIG ? HWF_ENOSPC : HWF_EIO;
			}
		}
		if (rc)
			break;
		off += n;
		kick_writeback(&wb, off);
		ui_progress_update(&cli->ui, off, it->size);
	}
	ui_progress_end(&cli->ui);
	if (!rc && fsync(fd)) {
		say(why, whylen, "%s: %s", dst, strerror(errno));
		rc = HWF_EIO;
	}
	if (!rc)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (close(fd) && !rc) {
		say(why, whylen, "%s: %s", dst, strerror(errno));
		rc = HWF_EIO;
	}
	hwf_source_close(src);
	return rc;
}

/* A file FAT32 cannot hold: refuse before anything is written. */
static int too_big_for_fat(struct hwf_cli *cli, const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->it[i].size > DL_FAT_MAX_FILE) {
			ui_error(&cli->ui, "%s: %llu bytes: FAT32 cannot hold a file of 4 GiB or "
					   "more; nothing was written",
				 p->it[i].rel, (unsigned long long)p->it[i].size);
			return 1;
		}
	return 0;
}

/* Everything about a folder target that can be known before the first byte is written. */
static int folder_check(struct hwf_cli *cli, const struct plan *p, const char *target)
{
	struct dl_fs fs;

	if (dl_statfs(target, &fs)) {
		ui_error(&cli->ui, "%s: %s", target, strerror(errno));
		return HWF_EXIT_FAIL;
	}
	if (!fs.is_fat32) {
		if (!cli->force) {
			ui_error(&cli->ui, "%s is on %s, not FAT32: phones read dload only from "
					   "FAT32 (format the card FAT32, or --force)",
				 target, fs.name);
			return HWF_EXIT_FAIL;
		}
		ui_warn(&cli->ui, "--force: %s is on %s, not FAT32", target, fs.name);
	}
	if (too_big_for_fat(cli, p))
		return HWF_EXIT_FAIL;
	/* The old files stay until the new ones are verified: room for both. */
	if (fs.free < p->total + (1u << 20)) {
		char need[32], have[32];

		ui_size(p->total, need, sizeof(need));
		ui_size(fs.free, have, sizeof(have));
		ui_error(&cli->ui, "%s: %s free, the package needs %s; nothing was written", target,
			 have, need);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* Copy @p into @target's dload/ (folder_check() passed, the sources are verified). */
static int prepare_folder(struct hwf_cli *cli, struct plan *p, const char *target)
{
	char dload[PATH_MAX], why[HWF_ERR_MSG_MAX];
	uint8_t *buf = NULL;
	size_t done = 0;
	int rc = 0;

	if (find_dload(target, dload, sizeof(dload)))
		snprintf(dload, sizeof(dload), "%s/dload", target);
	buf = malloc(COPY_BUF);
	if (!buf || mkdirs(dload)) {
		ui_error(&cli->ui, "%s: %s", dload, buf ? strerror(errno) : "out of memory");
		free(buf);
		return HWF_EXIT_FAIL;
	}
	/* 1. Every file to its .partial name, read back and verified. */
	for (; done < p->n && !rc; done++) {
		struct item *it = &p->it[done];
		char dir[PATH_MAX], final[PATH_MAX], partial[PATH_MAX];
		struct hwf_source *copy;
		struct hwf_err e = { 0 };

		split_rel(dload, it->rel, dir, sizeof(dir), final, sizeof(final), partial,
			  sizeof(partial));
		if (mkdirs(dir)) {
			say(why, sizeof(why), "%s: %s", dir, strerror(errno));
			rc = HWF_EIO;
			break;
		}
		if (!cli->json)
			fprintf(cli->ui.err, "Writing dload/%s (%llu bytes)\n", it->rel,
				(unsigned long long)it->size);
		rc = copy_to(cli, it, partial, buf, why, sizeof(why));
		if (rc) {
			unlink(partial);
			cleanup_forget(&cli->cleanup, partial);
			break;
		}
		rc = hwf_source_open_file(&copy, partial, &e);
		if (rc) {
			say(why, sizeof(why), "%s", e.msg);
			break;
		}
		rc = verify_copy(cli, it, copy, why, sizeof(why));
		hwf_source_close(copy);
		if (rc) {
			char w2[HWF_ERR_MSG_MAX];

			say(w2, sizeof(w2), "the copy on the card does not verify: %s", why);
			say(why, sizeof(why), "%s", w2);
			break;
		}
	}
	/* 2. All good: rename into place, then make the folders durable. */
	for (size_t i = 0; !rc && i < p->n; i++) {
		char dir[PATH_MAX], final[PATH_MAX], partial[PATH_MAX];

		split_rel(dload, p->it[i].rel, dir, sizeof(dir), final, sizeof(final), partial,
			  sizeof(partial));
		if (cleanup_rename(&cli->cleanup, partial, final)) {
			say(why, sizeof(why), "%s: %s", final, strerror(errno));
			rc = HWF_EIO;
		}
		fsync_dir(dir);
	}
	if (rc) {
		/* Nothing renamed yet (a rename failure aside): remove what we made. */
		for (size_t i = 0; i < p->n; i++) {
			char dir[PATH_MAX], final[PATH_MAX], partial[PATH_MAX];

			split_rel(dload, p->it[i].rel, dir, sizeof(dir), final, sizeof(final),
				  partial, sizeof(partial));
			unlink(partial);
			cleanup_forget(&cli->cleanup, partial);
		}
		ui_error(&cli->ui, "%s; the card's dload/ was left as it was", why);
		free(buf);
		return HWF_EXIT_FAIL;
	}
	fsync_dir(target);
	free(buf);
	return 0;
}

/* --- an image file or a block device --- */

/* Is @dev (or a partition of it) mounted?  Fills @where with the mount point. */
static int is_mounted(const struct stat *dev, char *where, size_t len)
{
	char sys[128], real[PATH_MAX], line[4096];
	FILE *f = fopen("/proc/self/mounts", "re");
	size_t rl;
	int hit = 0;

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(dev->st_rdev),
		 minor(dev->st_rdev));
	if (!realpath(sys, real))
		real[0] = '\0';
	rl = strlen(real);
	while (f && !hit && fgets(line, sizeof(line), f)) {
		char src[2048], mnt[2048], sys2[128], real2[PATH_MAX];
		struct stat st;

		if (sscanf(line, "%2047s %2047s", src, mnt) != 2 || strncmp(src, "/dev/", 5) ||
		    stat(src, &st) || !S_ISBLK(st.st_mode))
			continue;
		snprintf(sys2, sizeof(sys2), "/sys/dev/block/%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		if (st.st_rdev == dev->st_rdev ||
		    (rl && realpath(sys2, real2) && !strncmp(real2, real, rl) && real2[rl] == '/')) {
			snprintf(where, len, "%s", mnt);
			hit = 1;
		}
	}
	if (f)
		fclose(f);
	return hit;
}

/* Removable media: the removable flag, or an SD card behind an MMC host. */
static int is_removable(const struct stat *dev)
{
	char p[160], v[16] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/removable", major(dev->st_rdev),
		 minor(dev->st_rdev));
	f = fopen(p, "re");
	if (f) {
		if (fgets(v, sizeof(v), f) && v[0] == '1') {
			fclose(f);
			return 1;
		}
		fclose(f);
	}
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/device/type", major(dev->st_rdev),
		 minor(dev->st_rdev));
	f = fopen(p, "re");
	v[0] = '\0';
	if (f) {
		if (!fgets(v, sizeof(v), f))
			v[0] = '\0';
		fclose(f);
	}
	return !strncmp(v, "SD", 2);
}

/* An image file or block device being prepared. */
struct img_target {
	const char *path;
	int fd;
	int is_dev;
	uint64_t size;
	struct stat st;
	struct hwf_card_class cls; /* what it holds (asked with --format) */
};

static int confirm(struct hwf_cli *cli, const struct img_target *t)
{
	char sz[32], answer[16] = "";
	FILE *tty;

	if (cli->yes)
		return 0;
	if (!isatty(0) || !isatty(2)) {
		ui_error(&cli->ui, "%s: formatting erases everything on it; give --yes when not on a "
				   "terminal (nothing was changed)",
			 t->path);
		return HWF_EXIT_FAIL;
	}
	ui_size(t->size, sz, sizeof(sz));
	fprintf(stderr, "This erases everything on %s (%s, %s). Type yes to go on: ", t->path, sz,
		t->cls.what);
	fflush(stderr);
	tty = fopen("/dev/tty", "re");
	if (tty && fgets(answer, sizeof(answer), tty))
		answer[strcspn(answer, "\r\n")] = '\0';
	if (tty)
		fclose(tty);
	if (strcmp(answer, "yes")) {
		ui_error(&cli->ui, "%s: not confirmed; nothing was changed", t->path);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* Would @p fit a FAT32 volume made on @dev_size bytes?  (Before formatting.) */
static int fits_new_volume(const struct plan *p, uint64_t dev_size)
{
	uint64_t vol = dev_size - HWF_FAT32_PART_OFFSET, cs = hwf_fat32_cluster_size(vol);
	uint64_t data = vol - 32 * 512, clusters = data / (cs + 8), need = 2 * cs;

	for (size_t i = 0; i < p->n; i++)
		need += (p->it[i].size + cs - 1) / cs * cs + cs;
	return clusters * cs > need;
}

/* Does any item before @i also live below folder @dir (@len bytes of "dload/...")? */
static int dir_counted(const struct plan *p, size_t i, const char *dir, size_t len)
{
	for (size_t j = 0; j < i; j++)
		if (!strncmp(p->it[j].rel, dir + 6, len - 6) && p->it[j].rel[len - 6] == '/')
			return 1;
	return 0;
}

/*
 * Before the first byte goes to the volume: no file of @p is there yet, no
 * folder on the way is a file, and everything fits, counted in clusters
 * with room for the folders to grow (an entry set takes up to 21 slots).
 */
static int card_room(struct hwf_cli *cli, const struct plan *p, const char *target,
		     struct hwf_fat *fs)
{
	uint64_t cs = hwf_fat_cluster_size(fs), grow = (21 * 32 + cs - 1) / cs, need = 0, have;
	char a[32], b[32];

	for (size_t i = 0; i < p->n; i++) {
		struct hwf_fat_dirent d;
		struct hwf_err e = { 0 };
		char path[600];
		int rc;

		snprintf(path, sizeof(path), "dload/%s", p->it[i].rel);
		for (char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			rc = hwf_fat_stat(fs, path, &d, &e);
			if (!rc && !d.is_dir) {
				ui_error(&cli->ui, "%s: the card has a file %s where the folder %s/ "
						   "goes; nothing was written",
					 target, path, path);
				return HWF_EXIT_FAIL;
			}
			if (rc && rc != HWF_ENOTFOUND) {
				ui_error(&cli->ui, "%s: %s; nothing was written", target, e.msg);
				return HWF_EXIT_FAIL;
			}
			if (rc && !dir_counted(p, i, path, strlen(path)))
				need += 1 + grow;
			*s = '/';
		}
		rc = hwf_fat_stat(fs, path, &d, &e);
		if (!rc) {
			ui_error(&cli->ui, "%s: the card already has %s: add --format to start over, or "
					   "prepare the mounted folder (which replaces it safely); "
					   "nothing was written",
				 target, path);
			return HWF_EXIT_FAIL;
		}
		if (rc != HWF_ENOTFOUND) {
			ui_error(&cli->ui, "%s: %s; nothing was written", target, e.msg);
			return HWF_EXIT_FAIL;
		}
		need += (p->it[i].size + cs - 1) / cs + grow;
	}
	have = hwf_fat_free_bytes(fs);
	if (need * cs > have) {
		ui_size(have, a, sizeof(a));
		ui_size(need * cs, b, sizeof(b));
		ui_error(&cli->ui, "%s: %s free on the card, the package needs %s; nothing was "
				   "written",
			 target, a, b);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* With --format: is it a card (by its content), is it big enough, and does the user agree? */
static int img_check_format(struct hwf_cli *cli, const struct plan *p, struct img_target *t)
{
	struct hwf_err e = { 0 };
	char have[32], need[32];

	if (hwf_card_classify(t->fd, t->size, &t->cls, &e)) {
		ui_error(&cli->ui, "%s: %s", t->path, e.msg);
		return HWF_EXIT_FAIL;
	}
	if (t->cls.kind == HWF_CARD_FOREIGN) {
		if (!cli->force) {
			ui_error(&cli->ui, "%s is not an SD card image (content: %s): not formatting "
					   "it; nothing was changed (--force formats it anyway)",
				 t->path, t->cls.what);
			return HWF_EXIT_FAIL;
		}
		ui_warn(&cli->ui, "--force: formatting %s although it holds %s", t->path,
			t->cls.what);
	}
	ui_size(t->size, have, sizeof(have));
	if (t->size < hwf_fat32_min_device_size()) {
		ui_size(hwf_fat32_min_device_size(), need, sizeof(need));
		ui_error(&cli->ui, "%s: %s is too small for FAT32 (a card of at least %s); nothing "
				   "was changed",
			 t->path, have, need);
		return HWF_EXIT_FAIL;
	}
	if (!fits_new_volume(p, t->size)) {
		ui_size(p->total, need, sizeof(need));
		ui_error(&cli->ui, "%s: %s is too small for the package (%s) on FAT32; nothing was "
				   "changed",
			 t->path, have, need);
		return HWF_EXIT_FAIL;
	}
	return confirm(cli, t);
}

/* Without --format: a sound FAT32 volume with room for everything. */
static int img_check_existing(struct hwf_cli *cli, const struct plan *p, struct img_target *t)
{
	struct hwf_disk_probe probe;
	struct hwf_err e = { 0 };
	struct hwf_fat *fs;
	int rc;

	if (hwf_disk_probe(t->fd, t->size, &probe, &e)) {
		ui_error(&cli->ui, "%s: %s", t->path, e.msg);
		return HWF_EXIT_FAIL;
	}
	if (probe.fs != HWF_FS_FAT32) {
		if (hwf_card_classify(t->fd, t->size, &t->cls, &e)) {
			ui_error(&cli->ui, "%s: %s", t->path, e.msg);
		} else if (t->cls.kind == HWF_CARD_FOREIGN && t->is_dev) {
			ui_error(&cli->ui, "%s holds no card (content: %s); nothing was changed "
					   "(--format --force makes a new card of it, erasing it)",
				 t->path, t->cls.what);
		} else if (t->cls.kind == HWF_CARD_FOREIGN) {
			ui_error(&cli->ui, "%s is not an SD card image (content: %s); nothing was "
					   "changed: TARGET is the card's folder, image file or device",
				 t->path, t->cls.what);
		} else {
			ui_error(&cli->ui, "%s is not a FAT32 card (%s): add --format to make a new "
					   "card (it erases the card)",
				 t->path, t->cls.what);
		}
		return HWF_EXIT_FAIL;
	}
	if (hwf_fat_open(&fs, t->fd, probe.part_offset, probe.part_size, 0, &e)) {
		ui_error(&cli->ui, "%s: %s; nothing was written (add --format to start over)",
			 t->path, e.msg);
		return HWF_EXIT_FAIL;
	}
	rc = hwf_fat_check(fs, &e);
	if (rc)
		ui_error(&cli->ui, "%s: %s: %s; nothing was written (repair it with fsck.fat -a, or "
				   "start over with --format)",
			 t->path, rc == HWF_EFORMAT ? "the card's file system is damaged"
						    : "the card's file system cannot be read",
			 e.msg);
	else
		rc = card_room(cli, p, t->path, fs);
	hwf_fat_close(fs);
	return rc ? HWF_EXIT_FAIL : 0;
}

/* "a named pipe (FIFO)" ... for a TARGET that is neither a folder, a file nor a block device. */
static const char *odd_file(mode_t m)
{
	if (S_ISFIFO(m))
		return "a named pipe (FIFO)";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * Open an image or device TARGET and decide everything that can be decided
 * before the sources are verified and the first byte is written.  On
 * success t->fd is open (the caller closes it).
 */
static int img_open(struct hwf_cli *cli, const struct plan *p, const char *target, int format,
		    struct img_target *t)
{
	char where[2048];
	int rc = HWF_EXIT_FAIL;

	memset(t, 0, sizeof(*t));
	t->path = target;
	t->fd = open(target, O_RDWR | O_CLOEXEC);
	if (t->fd < 0 || fstat(t->fd, &t->st)) {
		ui_error(&cli->ui, "%s: %s", target, strerror(errno));
		goto out;
	}
	t->is_dev = S_ISBLK(t->st.st_mode);
	if (!t->is_dev && !S_ISREG(t->st.st_mode)) {
		ui_error(&cli->ui, "%s is %s: TARGET is the card's folder, an image file or a device",
			 target, odd_file(t->st.st_mode));
		goto out;
	}
	if (t->is_dev) {
		if (ioctl(t->fd, BLKGETSIZE64, &t->size))
			t->size = 0;
	} else {
		t->size = (uint64_t)t->st.st_size;
	}
	if (too_big_for_fat(cli, p))
		goto out;
	if (t->is_dev && is_mounted(&t->st, where, sizeof(where))) {
		ui_error(&cli->ui, "%s is mounted on %s: unmount it first, or prepare the mounted "
				   "folder instead",
			 target, where);
		goto out;
	}
	if (t->is_dev && format && !cli->force &&
	    (!is_removable(&t->st) || t->size > BIG_DEVICE)) {
		ui_error(&cli->ui, "%s %s: refusing to format it (--force if you are sure)", target,
			 t->size > BIG_DEVICE ? "is larger than 256 GiB, which no SD card for a phone is"
					      : "is not a removable device");
		goto out;
	}
	rc = format ? img_check_format(cli, p, t) : img_check_existing(cli, p, t);
out:
	if (rc && t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
	return rc;
}

/* Format (with --format), write every file, read it back: img_open() passed, sources verified. */
static int prepare_image(struct hwf_cli *cli, struct plan *p, struct img_target *t, int format)
{
	char why[HWF_ERR_MSG_MAX] = "";
	const char *target = t->path;
	struct hwf_disk_probe probe;
	struct hwf_err e = { 0 };
	struct hwf_fat *fs = NULL;
	int fd = t->fd, rc = 0;

	if (format) {
		if (hwf_fat32_format(fd, t->size, "HWFLASH", (uint32_t)time(NULL), &e)) {
			ui_error(&cli->ui, "%s: %s", target, e.msg);
			return HWF_EXIT_FAIL;
		}
		if (t->is_dev)
			ioctl(fd, BLKRRPART, 0);	/* let the kernel see the new table */
	}
	if (hwf_disk_probe(fd, t->size, &probe, &e) || probe.fs != HWF_FS_FAT32) {
		ui_error(&cli->ui, "%s: %s", target,
			 e.msg[0] ? e.msg : "no FAT32 file system where it was a moment ago");
		return HWF_EXIT_FAIL;
	}
	rc = hwf_fat_open(&fs, fd, probe.part_offset, probe.part_size, 1, &e);
	if (rc) {
		ui_error(&cli->ui, "%s: %s", target, e.msg);
		return HWF_EXIT_FAIL;
	}
	if (card_room(cli, p, target, fs)) {
		hwf_fat_close(fs);
		return HWF_EXIT_FAIL;
	}
	for (size_t i = 0; !rc && i < p->n; i++) {
		struct item *it = &p->it[i];
		char path[600], *s;
		struct hwf_source *src;
		struct writeback wb;

		snprintf(path, sizeof(path), "dload/%s", it->rel);
		/* Folders first: dload, then any below it. */
		for (s = strchr(path, '/'); !rc && s; s = strchr(s + 1, '/')) {
			*s = '\0';
			rc = hwf_fat_mkdir(fs, path, &e);
			if (rc == HWF_EEXIST)
				rc = 0;
			*s = '/';
		}
		if (rc)
			break;
		rc = open_item(it, &src, &e);
		if (rc)
			break;
		if (!cli->json)
			fprintf(cli->ui.err, "Writing dload/%s (%llu bytes)\n", it->rel,
				(unsigned long long)it->size);
		ui_progress_begin(&cli->ui, "writing");
		wb.cli = cli;
		wb.fd = fd;
		wb.last = 0;
		rc = hwf_fat_write_file(fs, path, src, writeback_progress, &wb, &e);
		ui_progress_end(&cli->ui);
		hwf_source_close(src);
	}
	hwf_fat_close(fs);
	fs = NULL;
	if (rc) {
		ui_error(&cli->ui, "%s: %s", target, e.msg);
		return HWF_EXIT_FAIL;
	}
	/* Read back through our own FAT reader, past the page cache; then check the volume. */
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	rc = hwf_fat_open(&fs, fd, probe.part_offset, probe.part_size, 0, &e);
	for (size_t i = 0; !rc && i < p->n; i++) {
		char path[600];
		struct hwf_source *copy;

		snprintf(path, sizeof(path), "dload/%s", p->it[i].rel);
		rc = hwf_fat_open_source(fs, path, &copy, &e);
		if (rc)
			break;
		rc = verify_copy(cli, &p->it[i], copy, why, sizeof(why));
		hwf_source_close(copy);
		if (rc)
			hwf_err_set(&e, rc, "%s read back from the card does not verify: %s", path,
				    why);
	}
	if (!rc) {
		rc = hwf_fat_check(fs, &e);
		if (rc)
			hwf_err_prefix(&e, "the card's file system does not check out after writing");
	}
	if (fs)
		hwf_fat_close(fs);
	if (rc) {
		ui_error(&cli->ui, "%s: %s", target, e.msg);
		return HWF_EXIT_FAIL;
	}
	return 0;
}

/* Sizes of everything in @p (cheap: nothing is read yet), for the checks of the target. */
static int plan_sizes(struct hwf_cli *cli, struct plan *p)
{
	p->total = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct hwf_source *src;
		struct hwf_err e = { 0 };

		if (open_item(&p->it[i], &src, &e)) {
			ui_error(&cli->ui, "%s", e.msg);
			return HWF_EXIT_FAIL;
		}
		p->it[i].size = hwf_source_size(src);
		p->total += p->it[i].size;
		hwf_source_close(src);
	}
	return 0;
}

static int on_format(void *ctx, int id, const char *v)
{
	(void)id;
	(void)v;
	*(int *)ctx = 1;	/* --format, the only option of its own */
	return 0;
}

static int dload_prepare(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "format", 0, 0, 0 },
		{ NULL, 0, 0, 0 },
	};
	const char *args[2] = { NULL, NULL };
	struct img_target t = { .fd = -1 };
	struct plan *p;
	struct stat st;
	int format = 0, rc;
	double t0 = ui_now();

	rc = cli_parse(cli, self, opts, &argc, argv, on_format, &format);
	if (rc)
		return rc;
	if (argc != 3)
		return cli_usage(cli, self, "dload prepare takes SOURCE TARGET");
	args[0] = argv[1];
	args[1] = argv[2];
	if (stat(args[1], &st)) {
		ui_error(&cli->ui, "%s: %s (give the card's folder, an image file or a device)",
			 args[1], strerror(errno));
		return HWF_EXIT_FAIL;
	}
	if (format && S_ISDIR(st.st_mode))
		return cli_usage(cli, self,
				 "--format takes an image file or a device, not a folder");
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return cli_usage(cli, self,
				 "%s is %s: TARGET is the card's folder, an image file or a device",
				 args[1], odd_file(st.st_mode));
	p = calloc(1, sizeof(*p));
	if (!p) {
		ui_error(&cli->ui, "out of memory");
		return HWF_EXIT_FAIL;
	}
	rc = build_plan(cli, args[0], p);
	if (!rc && !p->n) {
		ui_error(&cli->ui, "%s: nothing to put in dload/", args[0]);
		rc = HWF_EXIT_FAIL;
	}
	/* The target first: it is quick, and a refusal should not wait for a long verification. */
	if (!rc)
		rc = plan_sizes(cli, p);
	if (!rc)
		rc = S_ISDIR(st.st_mode) ? folder_check(cli, p, args[1])
					 : img_open(cli, p, args[1], format, &t);
	if (!rc)
		rc = verify_sources(cli, p);
	if (!rc && !cli->json)
		fprintf(cli->ui.err, "Verified %s: %zu file%s, %llu bytes\n", args[0], p->n,
			p->n == 1 ? "" : "s", (unsigned long long)p->total);
	if (!rc)
		rc = S_ISDIR(st.st_mode) ? prepare_folder(cli, p, args[1])
					 : prepare_image(cli, p, &t, format);
	if (t.fd >= 0)
		close(t.fd);
	if (!rc) {
		if (cli->json) {
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "command", "dload prepare");
			json_kv_bool(&cli->ui, "ok", 1);
			json_kv_str(&cli->ui, "source", args[0]);
			json_kv_str(&cli->ui, "target", args[1]);
			json_kv_bool(&cli->ui, "formatted", format);
			json_key(&cli->ui, "files");
			json_begin_array(&cli->ui);
			for (size_t i = 0; i < p->n; i++) {
				char rel[600];

				snprintf(rel, sizeof(rel), "dload/%s", p->it[i].rel);
				json_begin_object(&cli->ui);
				json_kv_str(&cli->ui, "path", rel);
				json_kv_uint(&cli->ui, "size", p->it[i].size);
				json_kv_bool(&cli->ui, "verified", 1);
				json_end_object(&cli->ui);
			}
			json_end_array(&cli->ui);
			json_key(&cli->ui, "seconds");
			json_double(&cli->ui, ui_now() - t0);
			json_end_object(&cli->ui);
			json_done(&cli->ui);
		} else {
			ui_info(&cli->ui, "%s is ready: dload/%s written, read back and verified "
					  "(%.1fs).\n"
					  "Put the card in the phone, switch it off, hold Vol+ Vol- Power "
					  "together.\n",
				args[1], p->n == 1 ? p->it[0].rel : "*", ui_now() - t0);
		}
	}
	free(p);
	return rc;
}
