// SPDX-License-Identifier: MIT
/*
 * hwflash dload check TARGET: would a phone find a dload update on this
 * card?  TARGET is the card's mounted folder, an image file or a block
 * device (read through formats/fat32, the way the phone's loader sees it).
 * Each check gives a line; exit status 0 only when nothing is wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/core/text.h"
#include "host/cli.h"
#include "host/dload.h"
#include "formats/fat/fat32.h"

#define MAX_FINDINGS 48
#define MAX_NAMES 128

enum level { L_OK, L_NOTE, L_PROBLEM };

struct finding {
	enum level level;
	char check[16];
	char text[600];
};

struct report {
	struct finding f[MAX_FINDINGS];
	int n;
};

static void add(struct report *r, enum level l, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct report *r, enum level l, const char *check, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (r->n == MAX_FINDINGS)
		return;
	f = &r->f[r->n++];
	f->level = l;
	snprintf(f->check, sizeof(f->check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

/* A card seen as a folder or through our FAT reader. */
struct card {
	const char *root;	/* folder */
	struct hwf_fat *fs;	/* or a FAT32 volume */
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

/*
 * The package checks in one folder: dload/ itself, or dload/SUB for
 * update_sd sets.  *found becomes PKG_GOOD for a sound UPDATE.APP (or an
 * update_sd zip) in dload/, PKG_BAD when the one there is named as broken.
 */
static void check_packages(struct hwf_cli *cli, struct card *c, const char *dir,
			   struct report *r, int *found, int depth)
{
	struct names *ns = calloc(1, sizeof(*ns));
	struct hwf_err e = { 0 };
	char why[HWF_ERR_MSG_MAX];

	if (!ns) {
		add(r, L_PROBLEM, "read", "out of memory");
		return;
	}
	if (card_list(c, dir, ns, &e)) {
		add(r, L_PROBLEM, "read", "%s/ cannot be read: %s", dir, e.msg);
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
				add(r, L_PROBLEM, "dload", "%s: a dload folder inside dload/: the phone "
							   "looks only at /dload; move its files up",
				    rel);
			else if (depth < 2)
				check_packages(cli, c, rel, r, found, depth + 1);
			continue;
		}
		if (n->name[0] == '.' && hwf_ends_with_ci(n->name, ".partial")) {
			add(r, L_NOTE, "leftover", "%s: an unfinished copy from an interrupted "
						   "'dload prepare'; phones ignore it, delete it",
			    rel);
			continue;
		}
		if (hwf_ends_with_ci(n->name, ".app")) {
			struct hwf_source *src;
			int rc;

			if (depth == 0 && strcmp(n->name, "UPDATE.APP") && !strcasecmp(n->name,
											 "UPDATE.APP"))
				add(r, L_NOTE, "name", "%s: spelled '%s'; FAT ignores case, but "
						       "UPDATE.APP is the usual spelling",
				    rel, n->name);
			hwf_err_clear(&e);
			rc = card_open(c, rel, &src, &e);
			if (rc) {
				add(r, L_PROBLEM, "package", "%s: cannot be read: %s", rel, e.msg);
			} else {
				rc = dl_verify_app(cli, src, "verifying", why, sizeof(why));
				hwf_source_close(src);
				if (rc)
					add(r, L_PROBLEM, "package", "%s: %s", rel, why);
				else
					add(r, L_OK, "package", "%s: %llu bytes, every CRC matches",
					    rel, (unsigned long long)n->size);
			}
			if (depth == 0 && !strcasecmp(n->name, "UPDATE.APP"))
				*found = !rc ? PKG_GOOD : *found == PKG_NONE ? PKG_BAD : *found;
			continue;
		}
		if (hwf_ends_with_ci(n->name, ".zip")) {
			if (!strncasecmp(n->name, "update_sd", 9)) {
				if (!c->fs) {
					char path[4096];

					snprintf(path, sizeof(path), "%s/%s", c->root, rel);
					if (dl_verify_zip(cli, path, why, sizeof(why)) < 0) {
						add(r, L_PROBLEM, "package", "%s: %s", rel, why);
						if (depth == 0 && *found == PKG_NONE)
							*found = PKG_BAD;
						continue;
					}
					add(r, L_OK, "package", "%s: the UPDATE.APP inside verifies",
					    rel);
				} else {
					add(r, L_NOTE, "package", "%s: an update_sd package (its "
								  "contents are not checked inside "
								  "an image)",
					    rel);
				}
				if (depth == 0)
					*found = PKG_GOOD;
			} else {
				add(r, L_PROBLEM, "zip", "%s: a zip the phone does not open: unpack it "
							 "and put its UPDATE.APP in dload/",
				    rel);
			}
		}
	}
	free(ns);
}

static void check_card(struct hwf_cli *cli, struct card *c, struct report *r)
{
	struct names *ns = calloc(1, sizeof(*ns));
	struct hwf_err e = { 0 };
	int dload = -1, found = PKG_NONE;

	if (!ns || card_list(c, "", ns, &e)) {
		add(r, L_PROBLEM, "read", "the card's top folder cannot be read: %s",
		    ns ? e.msg : "out of memory");
		free(ns);
		return;
	}
	for (int i = 0; i < ns->n; i++) {
		const char *nm = ns->v[i].name;

		if (ns->v[i].is_dir && !strcasecmp(nm, "dload")) {
			dload = i;
			continue;
		}
		if (!strcasecmp(nm, "download") || !strcasecmp(nm, "dowload") ||
		    !strcasecmp(nm, "dlaod") || !strcasecmp(nm, "d-load") ||
		    !strncasecmp(nm, "dload", 5))
			add(r, L_PROBLEM, "dload", "'%s' is not 'dload': the phone looks for a "
						   "folder named exactly dload%s",
			    nm, hwf_ends_with_ci(nm, ".zip") ? " (unpack the zip)" : "");
		else if (!ns->v[i].is_dir && !strcasecmp(nm, "UPDATE.APP"))
			add(r, L_PROBLEM, "dload", "UPDATE.APP is at the top of the card: it goes "
						   "in a folder named dload");
		else if (!ns->v[i].is_dir && hwf_ends_with_ci(nm, ".zip") &&
			 !strncasecmp(nm, "update", 6))
			add(r, L_PROBLEM, "zip", "%s at the top of the card: unpack it; its "
						 "UPDATE.APP goes in dload/",
			    nm);
	}
	if (dload < 0) {
		add(r, L_PROBLEM, "dload", "no dload folder at the top of the card");
		free(ns);
		return;
	}
	if (strcmp(ns->v[dload].name, "dload"))
		add(r, L_NOTE, "dload", "the folder is spelled '%s'; FAT ignores case, so it is "
					"found", ns->v[dload].name);
	else
		add(r, L_OK, "dload", "dload/ is there");
	check_packages(cli, c, ns->v[dload].name, r, &found, 0);
	/* A broken one was named already: saying "no UPDATE.APP" too would contradict it. */
	if (found == PKG_NONE)
		add(r, L_PROBLEM, "package", "no UPDATE.APP (or update_sd*.zip) in dload/");
	free(ns);
}

static void free_space(struct report *r, uint64_t bytes)
{
	char sz[32];

	ui_size(bytes, sz, sizeof(sz));
	add(r, L_OK, "space", "%s free", sz);
}

static int check_folder(struct hwf_cli *cli, const char *target, struct report *r)
{
	struct card c = { target, NULL };
	struct dl_fs fs;

	if (dl_statfs(target, &fs)) {
		ui_error(&cli->ui, "%s: %s", target, strerror(errno));
		return HWF_EXIT_FAIL;
	}
	if (fs.is_fat32)
		add(r, L_OK, "filesystem", "FAT32 (%u-byte clusters)", fs.cluster);
	else
		add(r, L_PROBLEM, "filesystem", "%s, not FAT32: phones read dload only from FAT32",
		    fs.name);
	add(r, L_NOTE, "partition", "not visible from a mounted folder (check the device, "
				    "e.g. hwflash dload check /dev/sdX)");
	check_card(cli, &c, r);
	free_space(r, fs.free);
	return 0;
}

static int check_image(struct hwf_cli *cli, const char *target, struct report *r)
{
	struct hwf_disk_probe pr;
	struct hwf_err e = { 0 };
	struct hwf_fat *fs;
	uint64_t size = 0;
	struct stat st;
	int fd = open(target, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0 || fstat(fd, &st)) {
		ui_error(&cli->ui, "%s: %s", target, strerror(errno));
		if (fd >= 0)
			close(fd);
		return HWF_EXIT_FAIL;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode)) {
		ui_error(&cli->ui, "%s is not an image file or a device", target);
		close(fd);
		return HWF_EXIT_FAIL;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size))
			size = 0;
	} else {
		size = (uint64_t)st.st_size;
	}
	if (hwf_disk_probe(fd, size, &pr, &e)) {
		ui_error(&cli->ui, "%s: %s", target, e.msg);
		close(fd);
		return HWF_EXIT_FAIL;
	}
	switch (pr.pt) {
	case HWF_PT_MBR:
		if (pr.part_type == 0x0b || pr.part_type == 0x0c)
			add(r, L_OK, "partition", "MBR, partition type 0x%02x (FAT32) at %llu KiB",
			    pr.part_type, (unsigned long long)(pr.part_offset >> 10));
		else
			add(r, L_NOTE, "partition", "MBR, partition type 0x%02x, not 0x0c (FAT32 "
						    "LBA): some loaders go by the type",
			    pr.part_type);
		break;
	case HWF_PT_GPT:
		/* No public source says dload reads GPT cards; every working report is MBR. */
		add(r, L_PROBLEM, "partition", "GPT partition table: phones' dload expects an MBR "
					       "card ('dload prepare --format' makes one)");
		break;
	case HWF_PT_NONE:
		add(r, L_NOTE, "partition", "no partition table (the file system starts at sector "
					    "0); SD cards normally have an MBR");
		break;
	default:
		add(r, L_PROBLEM, "partition", "no partition table hwflash recognises");
		break;
	}
	if (pr.fs != HWF_FS_FAT32) {
		add(r, L_PROBLEM, "filesystem", "%s, not FAT32: phones read dload only from FAT32",
		    hwf_fs_kind_name(pr.fs));
		close(fd);
		return 0;
	}
	if (hwf_fat_open(&fs, fd, pr.part_offset, pr.part_size, 0, &e)) {
		add(r, L_PROBLEM, "filesystem", "%s", e.msg);
		close(fd);
		return 0;
	}
	/* Every chain first: a loop or a cross-link makes everything read from it suspect. */
	rc = hwf_fat_check(fs, &e);
	if (rc) {
		add(r, L_PROBLEM, "filesystem", "FAT32, %s: %s; run fsck.fat -a on it (or 'dload "
						"prepare --format' to start over)",
		    rc == HWF_EFORMAT ? "damaged" : "cannot be read", e.msg);
		hwf_fat_close(fs);
		close(fd);
		return 0;
	}
	add(r, L_OK, "filesystem", "FAT32 (%u-byte clusters, label '%s')",
	    hwf_fat_cluster_size(fs), hwf_fat_label(fs));
	{
		struct card c = { NULL, fs };

		check_card(cli, &c, r);
	}
	free_space(r, hwf_fat_free_bytes(fs));
	hwf_fat_close(fs);
	close(fd);
	return 0;
}

int dload_check(struct hwf_cli *cli, const struct hwf_command *self, int argc, char **argv)
{
	static const char *const mark[] = { "ok     ", "note   ", "PROBLEM" };
	struct report *r;
	struct stat st;
	int rc, bad = 0;

	int rc0 = cli_parse(cli, self, NULL, &argc, argv, NULL, NULL);

	if (rc0)
		return rc0;
	if (argc != 2)
		return cli_usage(cli, self, "dload check takes one TARGET (folder, image or device)");
	if (stat(argv[1], &st)) {
		ui_error(&cli->ui, "%s: %s", argv[1], strerror(errno));
		return HWF_EXIT_FAIL;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return cli_usage(cli, self,
				 "%s is %s: TARGET is the card's folder, an image file or a device",
				 argv[1], S_ISFIFO(st.st_mode) ? "a named pipe (FIFO)"
					  : S_ISCHR(st.st_mode)	 ? "a character device"
								 : "not a regular file");
	r = calloc(1, sizeof(*r));
	if (!r) {
		ui_error(&cli->ui, "out of memory");
		return HWF_EXIT_FAIL;
	}
	rc = S_ISDIR(st.st_mode) ? check_folder(cli, argv[1], r) : check_image(cli, argv[1], r);
	if (rc) {
		free(r);
		return rc;
	}
	for (int i = 0; i < r->n && !bad; i++)
		if (r->f[i].level == L_PROBLEM)
			bad = i + 1;
	if (cli->json) {
		json_begin_object(&cli->ui);
		json_kv_str(&cli->ui, "command", "dload check");
		json_kv_str(&cli->ui, "target", argv[1]);
		json_kv_bool(&cli->ui, "ok", !bad);
		json_key(&cli->ui, "error");
		if (bad)
			json_str(&cli->ui, r->f[bad - 1].text);
		else
			json_null(&cli->ui);
		json_key(&cli->ui, "findings");
		json_begin_array(&cli->ui);
		for (int i = 0; i < r->n; i++) {
			json_begin_object(&cli->ui);
			json_kv_str(&cli->ui, "check", r->f[i].check);
			json_kv_str(&cli->ui, "level",
				    r->f[i].level == L_OK ? "ok"
							  : r->f[i].level == L_NOTE ? "note" : "problem");
			json_kv_str(&cli->ui, "text", r->f[i].text);
			json_end_object(&cli->ui);
		}
		json_end_array(&cli->ui);
		json_end_object(&cli->ui);
		json_done(&cli->ui);
	} else {
		for (int i = 0; i < r->n; i++)
			ui_info(&cli->ui, "  %s %-10s %s\n", mark[r->f[i].level], r->f[i].check,
				r->f[i].text);
		ui_info(&cli->ui, "%s: %s\n", argv[1],
			bad ? "a phone would NOT update from this card (see PROBLEM lines)"
			    : "a phone would find its update on this card");
	}
	free(r);
	return bad ? HWF_EXIT_FAIL : HWF_EXIT_OK;
}
