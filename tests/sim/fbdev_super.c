// SPDX-License-Identifier: MIT
/*
 * The device model's super partition (--super): real liblp metadata in
 * STORE/super.img, read and written with formats/image/liblp*.c, the
 * logical partitions' bytes in their extents there, and fastbootd's
 * commands on it, answered as AOSP's fastbootd answers them
 * (fastboot/device/commands.cpp CreatePartitionHandler,
 * DeletePartitionHandler, ResizePartitionHandler; flashing.cpp
 * UpdateSuper; variables.cpp).  What the model adds to a real device:
 * the reason a command failed goes to commands.log as "(super: ...)".
 * Not modelled: retrofit devices (super over several block devices),
 * slot-suffixed names in the metadata, virtual A/B snapshots (cow).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/image/liblp_build.h"
#include "tests/sim/fbdev_int.h"

#define META_MAX   (64u << 10) /* bytes of one metadata copy (lpmake's default) */
#define SUPER_NAME "super"

/* A line in commands.log: why the model answered as it did. */
static void note(const struct fbdev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct fbdev *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->log)
		return;
	va_start(ap, fmt);
	fputs("(super: ", d->log);
	vfprintf(d->log, fmt, ap);
	fputs(")\n", d->log);
	va_end(ap);
	fflush(d->log);
}

static void drop(struct fbdev *d)
{
	hwf_lp_close(d->lp);
	hwf_source_close(d->lpsrc);
	free(d->lparts);
	d->lp = NULL;
	d->lpsrc = NULL;
	d->lparts = NULL;
	d->nlparts = 0;
}

/* The metadata slot of the current slot (SlotNumberForSlotSuffix). */
static uint32_t slot_number(const struct fbdev *d)
{
	return d->slot ? (uint32_t)(d->slot - 'a') : 0;
}

/* Read STORE/super.img again: its metadata and its logical partitions. */
static void reload(struct fbdev *d)
{
	const struct hwf_lp_metadata *m;
	struct hwf_err e = {0};
	char path[4096];

	drop(d);
	fbdev_path(d, "super.img", path, sizeof(path));
	if (hwf_source_open_file(&d->lpsrc, path, &e) ||
	    hwf_lp_open(&d->lp, d->lpsrc, slot_number(d), &e) || hwf_lp_info(d->lp)->empty) {
		note(d, "no metadata: %s", e.msg[0] ? e.msg : "a super_empty image");
		drop(d);
		return;
	}
	m = hwf_lp_metadata(d->lp);
	d->lparts = calloc(m->npart ? m->npart : 1, sizeof(*d->lparts));
	if (!d->lparts) {
		drop(d);
		return;
	}
	for (uint32_t i = 0; i < m->npart; i++) {
		struct fbdev_part *p = &d->lparts[i];

		hwf_lp_partition_name(d->lp, i, p->name, sizeof(p->name));
		p->size = m->part[i].size;
		p->logical = 1;
	}
	d->nlparts = m->npart;
}

/* @m as the metadata of STORE/super.img (every slot, every backup), then read again. */
static int write_meta(struct fbdev *d, const struct hwf_lp_metadata *m)
{
	struct hwf_err e = {0};
	char path[4096];
	int fd, rc;

	fbdev_path(d, "super.img", path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		note(d, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = hwf_lp_write_metadata(m, fd, &e);
	if (!rc && ftruncate(fd, (off_t)d->o.super_size) < 0)
		rc = -1;
	close(fd);
	if (rc)
		note(d, "writing the metadata: %s", e.msg);
	reload(d);
	return rc ? -1 : 0;
}

/* Export @b and write it; the UPDATED attribute of @clear (a name, or NULL) is dropped. */
static int commit(struct fbdev *d, const struct hwf_lp_builder *b, const char *clear)
{
	struct hwf_lp_metadata m;
	struct hwf_err e = {0};
	int rc, i;

	if (hwf_lp_builder_export(b, &m, &e)) {
		note(d, "%s", e.msg);
		return -1;
	}
	if (clear && (i = hwf_lp_find_partition(&m, clear)) >= 0)
		m.part[i].attributes &= ~(uint32_t)HWF_LP_ATTR_UPDATED;
	rc = write_meta(d, &m);
	hwf_lp_metadata_free(&m);
	return rc;
}

/* @name of the --logical list on this device: NAME_a and NAME_b on an A/B device (AOSP's build). */
static int add_initial(struct fbdev *d, struct hwf_lp_builder *b, const struct fbdev_part *p,
		       struct hwf_err *e)
{
	size_t l = strlen(p->name);
	int suffixed = l > 2 && p->name[l - 2] == '_' && p->name[l - 1] >= 'a' &&
		       p->name[l - 1] < 'a' + d->o.slots;
	char name[80], group[16];
	int rc = 0;

	if (!d->o.slots || suffixed) {
		snprintf(group, sizeof(group), "%s%s", suffixed ? "main" : HWF_LP_DEFAULT_GROUP,
			 suffixed ? p->name + l - 2 : "");
		rc = hwf_lp_builder_add_partition(b, p->name, group, HWF_LP_ATTR_READONLY, e);
		return rc ? rc : hwf_lp_builder_resize_partition(b, p->name, p->size, e);
	}
	for (int s = 0; s < d->o.slots && !rc; s++) {
		snprintf(name, sizeof(name), "%.60s_%c", p->name, 'a' + s);
		snprintf(group, sizeof(group), "main_%c", 'a' + s);
		rc = hwf_lp_builder_add_partition(b, name, group, HWF_LP_ATTR_READONLY, e);
		if (!rc && !s)
			rc = hwf_lp_builder_resize_partition(b, name, p->size, e);
	}
	return rc;
}

/* A new store: super.img with the --logical partitions (@pend, @np) in its metadata. */
static void create(struct fbdev *d, const struct fbdev_part *pend, size_t np)
{
	struct hwf_lp_device_opts o = {.size = d->o.super_size,
				       .metadata_max_size = META_MAX,
				       .slot_count = d->o.slots > 0 ? 3 : 2};
	struct hwf_lp_builder *b = NULL;
	struct hwf_err e = {0};
	char group[16];
	int rc = hwf_lp_builder_new(&b, &o, &e);

	for (int s = 0; s < d->o.slots && !rc; s++) {
		snprintf(group, sizeof(group), "main_%c", 'a' + s);
		rc = hwf_lp_builder_add_group(b, group, 0, &e);
	}
	for (size_t i = 0; i < np && !rc; i++)
		rc = add_initial(d, b, &pend[i], &e);
	if (rc)
		note(d, "cannot make super: %s", e.msg);
	else
		commit(d, b, NULL);
	hwf_lp_builder_free(b);
}

void fbdev_super_init(struct fbdev *d)
{
	struct fbdev_part pend[FBDEV_MAX_PARTS];
	size_t np = 0, k = 0;
	char path[4096];

	if (!d->o.super_size)
		return;
	/* The --logical partitions leave the physical table: they live in super now. */
	for (size_t i = 0; i < d->o.nparts; i++) {
		if (d->o.parts[i].logical)
			pend[np++] = d->o.parts[i];
		else
			d->o.parts[k++] = d->o.parts[i];
	}
	d->o.nparts = k;
	if (!fbdev_find_part(d, SUPER_NAME) && k < FBDEV_MAX_PARTS) {
		struct fbdev_part *s = &d->o.parts[d->o.nparts++];

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", SUPER_NAME);
		s->size = d->o.super_size;
	}
	fbdev_path(d, "super.img", path, sizeof(path));
	if (access(path, F_OK))
		create(d, pend, np);
	else
		reload(d);
}

void fbdev_super_free(struct fbdev *d)
{
	drop(d);
}

/* --- a partition's bytes ----------------------------------------------------------- */

int fbdev_io_open(const struct fbdev *d, const struct fbdev_part *p, int write, struct fbdev_io *io)
{
	char path[4096];

	memset(io, 0, sizeof(*io));
	io->size = p->size;
	if (d->lp && d->lparts && p >= d->lparts && p < d->lparts + d->nlparts) {
		const struct hwf_lp_metadata *m = hwf_lp_metadata(d->lp);
		size_t i = (size_t)(p - d->lparts);

		io->ext = m->ext + m->part[i].first_extent;
		io->next = m->part[i].num_extents;
		fbdev_path(d, "super.img", path, sizeof(path));
	} else {
		snprintf(path, sizeof(path), "%s/%s.img", d->o.store, p->name);
	}
	io->fd = open(path, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
	return io->fd < 0 && (write || errno != ENOENT) ? -1 : 0;
}

/*
 * The piece of [@off, @off + @n) of the partition that lies in one extent:
 * its bytes in the file at *@at (-1 for a ZERO extent), *@len of them.
 */
static void map(const struct fbdev_io *io, uint64_t off, size_t n, int64_t *at, size_t *len)
{
	uint64_t start = 0;

	*at = -1;
	*len = n;
	if (!io->ext) {
		*at = (int64_t)off;
		return;
	}
	for (uint32_t k = 0; k < io->next; k++) {
		uint64_t l = io->ext[k].sectors * HWF_LP_SECTOR;

		if (off < start + l) {
			if (n > start + l - off)
				*len = (size_t)(start + l - off);
			if (io->ext[k].type == HWF_LP_TARGET_LINEAR)
				*at = (int64_t)(io->ext[k].target * HWF_LP_SECTOR + off - start);
			return;
		}
		start += l;
	}
}

int fbdev_io_pwrite(const struct fbdev_io *io, const void *buf, size_t n, uint64_t off)
{
	const uint8_t *b = buf;

	if (io->ext && (off > io->size || n > io->size - off))
		return -1;
	while (n) {
		int64_t at;
		size_t len;

		map(io, off, n, &at, &len);
		if (at >= 0 && pwrite(io->fd, b, len, (off_t)at) != (ssize_t)len)
			return -1;
		b += len;
		off += len;
		n -= len;
	}
	return 0;
}

int fbdev_io_pread(const struct fbdev_io *io, void *buf, size_t n, uint64_t off)
{
	uint8_t *b = buf;

	while (n) {
		ssize_t got = 0;
		int64_t at;
		size_t len;

		map(io, off, n, &at, &len);
		if (at >= 0 && io->fd >= 0)
			got = pread(io->fd, b, len, (off_t)at);
		if (got < 0)
			return -1;
		memset(b + got, 0, len - (size_t)got);
		b += len;
		off += len;
		n -= len;
	}
	return 0;
}

void fbdev_io_close(struct fbdev_io *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
}

int fbdev_super_written(struct fbdev *d, const struct fbdev_part *p, int erase)
{
	char path[4096];
	struct fbdev_io io;
	int fd;

	if (!d->o.super_size)
		return 0;
	if (!strcmp(p->name, SUPER_NAME) && p >= d->o.parts && p < d->o.parts + d->o.nparts) {
		/* A flashed super.img keeps the partition's size; an erased one reads as zeros. */
		fbdev_path(d, "super.img", path, sizeof(path));
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0) {
			if ((erase && ftruncate(fd, 0) < 0) ||
			    ftruncate(fd, (off_t)d->o.super_size) < 0)
				note(d, "%s: %s", path, strerror(errno));
			close(fd);
		}
		reload(d);
		return 1;
	}
	if (!erase || fbdev_io_open(d, p, 1, &io) || !io.ext)
		return 0;
	/* Erase as wipe_block_device: the extents read as zeros (holes punched). */
	for (uint32_t k = 0; k < io.next; k++)
		if (io.ext[k].type == HWF_LP_TARGET_LINEAR &&
		    fallocate(io.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(io.ext[k].target * HWF_LP_SECTOR),
			      (off_t)(io.ext[k].sectors * HWF_LP_SECTOR)) < 0)
			note(d, "erase %s: %s", p->name, strerror(errno));
	fbdev_io_close(&io);
	return 1;
}

/* --- fastbootd's commands ------------------------------------------------------------ */

int fbdev_super_var(const struct fbdev *d, const char *name, char *out, size_t len)
{
	if (!d->o.super_size || d->mode != FBDEV_FASTBOOTD)
		return 0;
	if (!strcmp(name, "super-partition-name"))
		snprintf(out, len, "%s", SUPER_NAME);
	else if (!strcmp(name, "dynamic-partition"))
		snprintf(out, len, "true");
	else
		return 0;
	return 1;
}

/* "NAME:SIZE" (@size may be NULL: "NAME" alone) into @name; -1 when a part is missing. */
static int split(const char *arg, char *name, size_t len, const char **size)
{
	const char *c = strchr(arg, ':');
	size_t n = c ? (size_t)(c - arg) : strlen(arg);

	if (size)
		*size = c ? c + 1 : NULL;
	if ((size && !c) || n >= len)
		return -1;
	memcpy(name, arg, n);
	name[n] = '\0';
	return 0;
}

/* The device's metadata as a builder (PartitionBuilder); NULL when super has none. */
static struct hwf_lp_builder *builder(struct fbdev *d)
{
	struct hwf_lp_builder *b = NULL;
	struct hwf_err e = {0};

	if (d->lp && hwf_lp_builder_import(&b, hwf_lp_metadata(d->lp), &e))
		note(d, "%s", e.msg);
	return b;
}

/* Would resizing @name to @size need space (super-full refuses it)? */
static int grows(const struct fbdev *d, const char *name, uint64_t size)
{
	const struct hwf_lp_metadata *m = hwf_lp_metadata(d->lp);
	int i = hwf_lp_find_partition(m, name);
	uint64_t bs = m->geo.block_size;

	return size && (size + bs - 1) / bs * bs > (i >= 0 ? m->part[i].size : 0);
}

#define FAIL(...) fbdev_reply(send, ctx, "FAIL", __VA_ARGS__)

int fbdev_c_create_lp(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	struct hwf_lp_builder *b;
	struct hwf_err e = {0};
	const char *sz;
	char name[64];
	uint64_t size;
	int rc;

	if (split(arg, name, sizeof(name), &sz))
		return FAIL("Invalid partition name and size");
	if (fbdev_parse_u64(sz, &size))
		return FAIL("Invalid partition size");
	if (!(b = builder(d)))
		return FAIL("Could not open super partition");
	if (hwf_lp_find_partition(hwf_lp_metadata(d->lp), name) >= 0)
		rc = FAIL("Partition already exists");
	else if (hwf_lp_builder_add_partition(b, name, NULL, 0, &e))
		rc = (note(d, "%s", e.msg), FAIL("Failed to add partition"));
	else if ((d->o.fault == FBDEV_FAULT_SUPER_FULL && grows(d, name, size)) ||
		 hwf_lp_builder_resize_partition(b, name, size, &e))
		rc = (note(d, "%s", e.msg[0] ? e.msg : "super-full"),
		      FAIL("Not enough space for partition"));
	else if (commit(d, b, NULL))
		rc = FAIL("Failed to write partition table");
	else
		rc = fbdev_reply(send, ctx, "OKAY", "Partition created");
	hwf_lp_builder_free(b);
	return rc;
}

int fbdev_c_delete_lp(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	struct hwf_lp_builder *b;
	struct hwf_err e = {0};
	char name[64];
	int rc;

	if (split(arg, name, sizeof(name), NULL))
		return FAIL("Invalid partition name and size");
	if (!(b = builder(d)))
		return FAIL("Could not open super partition");
	/* AOSP removes what is there and says so either way. */
	if (hwf_lp_builder_remove_partition(b, name, &e))
		note(d, "%s", e.msg);
	rc = commit(d, b, NULL) ? FAIL("Failed to write partition table")
				: fbdev_reply(send, ctx, "OKAY", "Partition deleted");
	hwf_lp_builder_free(b);
	return rc;
}

int fbdev_c_resize_lp(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	struct hwf_lp_builder *b;
	struct hwf_err e = {0};
	const char *sz;
	char name[64];
	uint64_t size;
	int rc;

	if (split(arg, name, sizeof(name), &sz))
		return FAIL("Invalid partition name and size");
	if (fbdev_parse_u64(sz, &size))
		return FAIL("Invalid partition size");
	if (!(b = builder(d)))
		return FAIL("Could not open super partition");
	if (hwf_lp_find_partition(hwf_lp_metadata(d->lp), name) < 0)
		rc = FAIL("Partition does not exist");
	else if ((d->o.fault == FBDEV_FAULT_SUPER_FULL && grows(d, name, size)) ||
		 hwf_lp_builder_resize_partition(b, name, size, &e))
		rc = (note(d, "%s", e.msg[0] ? e.msg : "super-full"),
		      FAIL("Not enough space to resize partition"));
	else if (d->o.fault == FBDEV_FAULT_RESIZE_REFUSED)
		rc = (note(d, "resize-refused"), FAIL("Failed to write partition table"));
	else if (commit(d, b, name))
		rc = FAIL("Failed to write partition table");
	else
		rc = fbdev_reply(send, ctx, "OKAY", "Partition resized");
	hwf_lp_builder_free(b);
	return rc;
}

/* FlashPartitionTable's checks: the block device is this super, of its size. */
static int fits_device(const struct fbdev *d, const struct hwf_lp_metadata *m)
{
	if (m->ndev != 1 || strcmp(m->dev[0].name, SUPER_NAME)) {
		note(d, "the image's block devices are not this device's %s", SUPER_NAME);
		return 0;
	}
	if (m->dev[0].size != d->o.super_size) {
		note(d, "block device %s size mismatch (expected %llu, got %llu)", SUPER_NAME,
		     (unsigned long long)m->dev[0].size, (unsigned long long)d->o.super_size);
		return 0;
	}
	return 1;
}

/* Without wipe: the new layout with the partitions of the other slot kept (UpdateSuper). */
static int update(struct fbdev *d, const struct hwf_lp_metadata *nm, fbdev_send_fn send, void *ctx)
{
	const struct hwf_lp_metadata *old = hwf_lp_metadata(d->lp);
	struct hwf_lp_builder *b = NULL;
	struct hwf_lp_metadata m;
	struct hwf_err e = {0};
	char suffix[3] = "", why[256];
	int rc;

	if (d->slot)
		snprintf(suffix, sizeof(suffix), "_%c", d->slot);
	if (hwf_lp_builder_import(&b, nm, &e) ||
	    hwf_lp_builder_merge_update(b, old, suffix, 0, &e)) {
		note(d, "%s", e.msg);
		hwf_lp_builder_free(b);
		return FAIL("Old partitions are not compatible with the new super layout; wipe "
			    "needed");
	}
	rc = hwf_lp_builder_export(b, &m, &e);
	hwf_lp_builder_free(b);
	if (rc)
		return (note(d, "%s", e.msg),
			FAIL("Unable to build new partition table; wipe needed"));
	rc = hwf_lp_compatible(old, &m, why, sizeof(why));
	if (rc)
		note(d, "%s", why);
	if (rc || !fits_device(d, &m) || write_meta(d, &m))
		rc = FAIL("Unable to write new partition table");
	else
		rc = fbdev_reply(send, ctx, "OKAY", "Successfully updated partition table");
	hwf_lp_metadata_free(&m);
	return rc;
}

/*
 * update-super:NAME[:wipe] with a super_empty.img downloaded: with wipe
 * (or over a super without metadata) the image's table as it is, else the
 * new layout keeping the partitions of the other slot (AOSP's UpdateSuper).
 * The download is used up, as fastbootd moves it away.
 */
int fbdev_c_update_super(struct fbdev *d, const char *arg, fbdev_send_fn send, void *ctx)
{
	struct hwf_source *src = NULL;
	struct hwf_lp *lp = NULL;
	struct hwf_err e = {0};
	const char *opt;
	char name[64], dl[4096];
	int rc, wipe;

	if (!*arg || split(arg, name, sizeof(name), NULL))
		return FAIL("Invalid arguments");
	opt = strchr(arg, ':');
	wipe = opt && !strcmp(opt + 1, "wipe");
	if (!d->dl_size || d->dl_left)
		return FAIL("No data available");
	d->dl_size = 0;
	fbdev_path(d, ".download", dl, sizeof(dl));
	if (hwf_source_open_file(&src, dl, &e) || hwf_lp_open(&lp, src, 0, &e) ||
	    !hwf_lp_info(lp)->empty) {
		note(d, "%s", e.msg[0] ? e.msg : "not a super_empty image");
		rc = FAIL("Data is not a valid logical partition metadata image");
	} else if (strcmp(name, SUPER_NAME) || !d->o.super_size) {
		rc = FAIL("Cannot find %s, build may be missing broken or missing boot_devices",
			  name);
	} else if (wipe || !d->lp) {
		const struct hwf_lp_metadata *nm = hwf_lp_metadata(lp);

		if (!fits_device(d, nm) || write_meta(d, nm))
			rc = FAIL("Unable to flash new partition table");
		else
			rc = fbdev_reply(send, ctx, "OKAY", "Successfully flashed partition table");
	} else {
		rc = update(d, hwf_lp_metadata(lp), send, ctx);
	}
	hwf_lp_close(lp);
	hwf_source_close(src);
	return rc;
}
