// SPDX-License-Identifier: MIT
/*
 * An image file or a block device as TARGET: the FAT32 file system already
 * on it (checked first like fsck.fat: a damaged one is refused), or with
 * format a new MBR + FAT32 (formats/fat); the files are written through
 * our own FAT code and read back through it.  Devices are judged by
 * hwf_dl_device_gate() (the system's disk never; mounted ones not; not
 * removable or larger than 256 GiB ones not formatted without force) and
 * taken from the OS (hwf_dl_claim_device) right before the first write.
 * Formatting needs confirm() to say yes; before it is asked, the target's
 * content (hwf_card_classify, never its name) must be a card, a blank or a
 * partition table: a firmware file, an archive, a partition image... is
 * refused unless force.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/core/text.h"
#include "formats/dload/dload_int.h"

static int confirm(const struct hwf_dload_target *t, const struct hwf_dload_cb *cb,
		   struct hwf_err *e)
{
	enum hwf_dload_answer a = HWF_DLOAD_CANNOT_ASK;
	char sz[32], question[4096 + 512];

	hwf_size_text(t->size, sz, sizeof(sz));
	hwf_dl_say(question, sizeof(question), "This erases everything on %s (%s, %s).", t->path,
		   sz, t->cls.what);
	if (cb && cb->confirm)
		a = cb->confirm(cb->ctx, question);
	if (a == HWF_DLOAD_YES)
		return 0;
	if (a == HWF_DLOAD_CANNOT_ASK)
		return hwf_err_set(e, HWF_ECANCELED,
				   "%s: formatting erases everything on it; give --yes when not on "
				   "a terminal (nothing was changed)",
				   t->path);
	return hwf_err_set(e, HWF_ECANCELED, "%s: not confirmed; nothing was changed", t->path);
}

/* Would @p fit a FAT32 volume made on @dev_size bytes?  (Before formatting.) */
static int fits_new_volume(const struct hwf_dload_plan *p, uint64_t dev_size)
{
	uint64_t vol = dev_size - HWF_FAT32_PART_OFFSET, cs = hwf_fat32_cluster_size(vol);
	uint64_t data = vol - 32 * 512, clusters = data / (cs + 8), need = 2 * cs;

	for (size_t i = 0; i < p->n; i++)
		need += (p->it[i].size + cs - 1) / cs * cs + cs;
	return clusters * cs > need;
}

/* Does any item before @i also live below folder @dir (@len bytes of "dload/...")? */
static int dir_counted(const struct hwf_dload_plan *p, size_t i, const char *dir, size_t len)
{
	for (size_t j = 0; j < i; j++)
		if (!strncmp(p->it[j].rel, dir + 6, len - 6) && p->it[j].rel[len - 6] == '/')
			return 1;
	return 0;
}

/*
 * The folders on the way to item @i ("dload", "dload/X"): none may be a
 * file; those that are not there yet (and not counted for an earlier item)
 * add to *@need.  @path is "dload/REL", restored on return.
 */
static int card_room_dirs(const struct hwf_dload_plan *p, size_t i, char *path, const char *target,
			  struct hwf_fat *fs, uint64_t grow, uint64_t *need, struct hwf_err *e)
{
	for (char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		struct hwf_fat_dirent d;
		struct hwf_err se = {0};
		int rc;

		*s = '\0';
		rc = hwf_fat_stat(fs, path, &d, &se);
		if (!rc && !d.is_dir) {
			rc = hwf_err_set(e, HWF_EEXIST,
					 "%s: the card has a file %s where the folder %s/ goes; "
					 "nothing was written",
					 target, path, path);
			*s = '/';
			return rc;
		}
		if (rc && rc != HWF_ENOTFOUND) {
			hwf_err_set(e, rc, "%s: %s; nothing was written", target, se.msg);
			*s = '/';
			return rc;
		}
		if (rc && !dir_counted(p, i, path, strlen(path)))
			*need += 1 + grow;
		*s = '/';
	}
	return 0;
}

/*
 * Before the first byte goes to the volume: no file of @p is there yet, no
 * folder on the way is a file, and everything fits, counted in clusters
 * with room for the folders to grow (an entry set takes up to 21 slots).
 */
static int card_room(const struct hwf_dload_plan *p, const char *target, struct hwf_fat *fs,
		     struct hwf_err *e)
{
	uint64_t cs = hwf_fat_cluster_size(fs), grow = (21 * 32 + cs - 1) / cs, need = 0, have;
	char a[32], b[32];

	for (size_t i = 0; i < p->n; i++) {
		struct hwf_fat_dirent d;
		struct hwf_err se = {0};
		char path[600];
		int rc;

		snprintf(path, sizeof(path), "dload/%s", p->it[i].rel);
		rc = card_room_dirs(p, i, path, target, fs, grow, &need, e);
		if (rc)
			return rc;
		rc = hwf_fat_stat(fs, path, &d, &se);
		if (!rc)
			return hwf_err_set(
			    e, HWF_EEXIST,
			    "%s: the card already has %s: add --format to start over, "
			    "or prepare the mounted folder (which replaces it safely); "
			    "nothing was written",
			    target, path);
		if (rc != HWF_ENOTFOUND)
			return hwf_err_set(e, rc, "%s: %s; nothing was written", target, se.msg);
		need += (p->it[i].size + cs - 1) / cs + grow;
	}
	have = hwf_fat_free_bytes(fs);
	if (need * cs > have) {
		hwf_size_text(have, a, sizeof(a));
		hwf_size_text(need * cs, b, sizeof(b));
		return hwf_err_set(e, HWF_ENOSPC,
				   "%s: %s free on the card, the package needs %s; nothing was "
				   "written",
				   target, a, b);
	}
	return 0;
}

/* With format: is it a card (by its content), is it big enough, and does the user agree? */
static int check_format(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	char have[32], need[32];
	int rc = hwf_card_classify(t->fd, t->size, &t->cls, e);

	if (rc) {
		hwf_err_prefix(e, "%s", t->path);
		return rc;
	}
	if (t->cls.kind == HWF_CARD_FOREIGN) {
		if (!t->force)
			return hwf_err_set(
			    e, HWF_EACCES,
			    "%s is not an SD card image (content: %s): not formatting "
			    "it; nothing was changed (--force formats it anyway)",
			    t->path, t->cls.what);
		hwf_dl_event(cb, HWF_DLOAD_EV_WARNING,
			     "--force: formatting %s although it holds %s", t->path, t->cls.what);
	}
	hwf_size_text(t->size, have, sizeof(have));
	if (t->size < hwf_fat32_min_device_size()) {
		hwf_size_text(hwf_fat32_min_device_size(), need, sizeof(need));
		return hwf_err_set(e, HWF_ENOSPC,
				   "%s: %s is too small for FAT32 (a card of at least %s); nothing "
				   "was changed",
				   t->path, have, need);
	}
	if (!fits_new_volume(p, t->size)) {
		hwf_size_text(p->total, need, sizeof(need));
		return hwf_err_set(e, HWF_ENOSPC,
				   "%s: %s is too small for the package (%s) on FAT32; nothing was "
				   "changed",
				   t->path, have, need);
	}
	return confirm(t, cb, e);
}

/* Not FAT32 (and no format): say what it is instead. */
static int not_a_fat32_card(struct hwf_dload_target *t, struct hwf_err *e)
{
	int rc = hwf_card_classify(t->fd, t->size, &t->cls, e);

	if (rc) {
		hwf_err_prefix(e, "%s", t->path);
		return rc;
	}
	if (t->cls.kind == HWF_CARD_FOREIGN && t->kind == HWF_DLOAD_DEVICE)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s holds no card (content: %s); nothing was changed "
				   "(--format --force makes a new card of it, erasing it)",
				   t->path, t->cls.what);
	if (t->cls.kind == HWF_CARD_FOREIGN)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s is not an SD card image (content: %s); nothing was "
				   "changed: TARGET is the card's folder, image file or device",
				   t->path, t->cls.what);
	return hwf_err_set(e, HWF_EUNSUPPORTED,
			   "%s is not a FAT32 card (%s): add --format to make a new card (it "
			   "erases the card)",
			   t->path, t->cls.what);
}

/* Without format: a sound FAT32 volume with room for everything. */
static int check_existing(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
			  struct hwf_err *e)
{
	char msg[HWF_ERR_MSG_MAX];
	struct hwf_disk_probe probe;
	struct hwf_fat *fs;
	int rc = hwf_disk_probe(t->fd, t->size, &probe, e);

	if (rc) {
		hwf_err_prefix(e, "%s", t->path);
		return rc;
	}
	if (probe.fs != HWF_FS_FAT32)
		return not_a_fat32_card(t, e);
	rc = hwf_fat_open(&fs, t->fd, probe.part_offset, probe.part_size, 0, e);
	if (rc) {
		memcpy(msg, e->msg, sizeof(msg));
		return hwf_err_set(e, rc,
				   "%s: %s; nothing was written (add --format to start over)",
				   t->path, msg);
	}
	rc = hwf_fat_check(fs, e);
	if (rc) {
		memcpy(msg, e->msg, sizeof(msg));
		hwf_err_set(e, rc,
			    "%s: %s: %s; nothing was written (repair it with fsck.fat -a, or "
			    "start over with --format)",
			    t->path,
			    rc == HWF_EFORMAT ? "the card's file system is damaged"
					      : "the card's file system cannot be read",
			    msg);
	} else {
		rc = card_room(p, t->path, fs, e);
	}
	hwf_fat_close(fs);
	return rc;
}

int hwf_dl_image_check(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
		       const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	struct hwf_dl_device dev = {0};
	int rc = hwf_dl_open_target(t, e);

	if (rc)
		return rc;
	if (S_ISBLK(t->st.st_mode)) {
		t->kind = HWF_DLOAD_DEVICE;
		t->size = hwf_dl_blkdev_size(t->fd);
	} else if (S_ISREG(t->st.st_mode)) {
		t->kind = HWF_DLOAD_IMAGE;
		t->size = (uint64_t)t->st.st_size;
	} else {
		return hwf_err_set(
		    e, HWF_EUNSUPPORTED,
		    "%s is %s: TARGET is the card's folder, an image file or a device", t->path,
		    hwf_dl_odd_file(t->st.st_mode));
	}
	rc = hwf_dl_too_big(p, e);
	if (rc)
		return rc;
	if (t->kind == HWF_DLOAD_DEVICE) {
		dev.size = t->size;
		hwf_dl_holds_system(&t->st, dev.system, sizeof(dev.system));
		hwf_dl_is_mounted(&t->st, dev.mounted, sizeof(dev.mounted));
		dev.removable = hwf_dl_is_removable(&t->st);
		rc = hwf_dl_device_gate(t->path, &dev, t->format, t->force, e);
		if (rc)
			return rc;
	}
	return t->format ? check_format(t, p, cb, e) : check_existing(t, p, e);
}

/* Every file of @p to the volume, folders first. */
static int write_files(struct hwf_fat *fs, int fd, const struct hwf_dload_plan *p,
		       const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < p->n; i++) {
		const struct hwf_dload_item *it = &p->it[i];
		struct hwf_dl_writeback wb = {cb, fd, 0};
		struct hwf_source *src;
		char path[600], *s;

		snprintf(path, sizeof(path), "dload/%s", it->rel);
		/* Folders first: dload, then any below it. */
		for (s = strchr(path, '/'); !rc && s; s = strchr(s + 1, '/')) {
			*s = '\0';
			rc = hwf_fat_mkdir(fs, path, e);
			if (rc == HWF_EEXIST)
				rc = 0;
			*s = '/';
		}
		if (rc)
			break;
		rc = hwf_dl_open_item(p, it, &src, e);
		if (rc)
			break;
		hwf_dl_event(cb, HWF_DLOAD_EV_WRITING, "Writing dload/%s (%llu bytes)", it->rel,
			     (unsigned long long)it->size);
		hwf_dl_begin(cb, "writing");
		rc = hwf_fat_write_file(fs, path, src, hwf_dl_writeback_progress, &wb, e);
		hwf_dl_end(cb);
		hwf_source_close(src);
	}
	return rc;
}

/* Read every file back through our own FAT reader, past the page cache; then check the volume. */
static int read_back(const struct hwf_disk_probe *probe, int fd, const struct hwf_dload_plan *p,
		     const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	char why[HWF_ERR_MSG_MAX] = "";
	struct hwf_fat *fs = NULL;
	int rc;

	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	rc = hwf_fat_open(&fs, fd, probe->part_offset, probe->part_size, 0, e);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < p->n; i++) {
		struct hwf_source *copy;
		char path[600];

		snprintf(path, sizeof(path), "dload/%s", p->it[i].rel);
		rc = hwf_fat_open_source(fs, path, &copy, e);
		if (rc)
			break;
		rc = hwf_dl_verify_copy(&p->it[i], copy, cb, why, sizeof(why));
		hwf_source_close(copy);
		if (rc)
			hwf_err_set(e, rc, "%s read back from the card does not verify: %s", path,
				    why);
	}
	if (!rc) {
		rc = hwf_fat_check(fs, e);
		if (rc)
			hwf_err_prefix(e,
				       "the card's file system does not check out after writing");
	}
	hwf_fat_close(fs);
	return rc;
}

/*
 * The OS sees a new partition table once everything is written (Windows
 * would mount the new volume at once and refuse writes into it).
 */
static void reread(const struct hwf_dload_target *t)
{
	if (t->format && t->kind == HWF_DLOAD_DEVICE)
		hwf_dl_reread_partitions(t->fd);
}

int hwf_dl_image_write(struct hwf_dload_target *t, const struct hwf_dload_plan *p,
		       const struct hwf_dload_cb *cb, struct hwf_err *e)
{
	struct hwf_disk_probe probe;
	struct hwf_fat *fs = NULL;
	int rc;

	if (t->kind == HWF_DLOAD_DEVICE) {
		rc = hwf_dl_claim_device(t, e);
		if (rc)
			return rc; /* the message names the target already */
	}
	if (t->format) {
		rc = hwf_fat32_format(t->fd, t->size, "HWFLASH", (uint32_t)time(NULL), e);
		if (rc)
			goto fail;
	}
	hwf_err_clear(e);
	rc = hwf_disk_probe(t->fd, t->size, &probe, e);
	if (!rc && probe.fs != HWF_FS_FAT32)
		rc = hwf_err_set(e, HWF_EFORMAT, "no FAT32 file system where it was a moment ago");
	if (!rc)
		rc = hwf_fat_open(&fs, t->fd, probe.part_offset, probe.part_size, 1, e);
	if (rc)
		goto fail;
	rc = card_room(p, t->path, fs, e);
	if (rc) {
		hwf_fat_close(fs);
		reread(t);
		return rc; /* the message names the target already */
	}
	rc = write_files(fs, t->fd, p, cb, e);
	hwf_fat_close(fs);
	if (!rc)
		rc = read_back(&probe, t->fd, p, cb, e);
fail:
	reread(t);
	if (!rc)
		return 0;
	hwf_err_prefix(e, "%s", t->path);
	return rc;
}
