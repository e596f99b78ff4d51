// SPDX-License-Identifier: MIT
/*
 * The facts about a card that need the OS (Linux): the file system under a
 * folder, mounts, the removable flag, a block device's size, rereading a
 * partition table, durable folders, writeback.  The one place a port to
 * another OS replaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "formats/dload/dload_int.h"

int hwf_dl_statfs(const char *dir, struct hwf_dl_fs *out)
{
	static const struct {
		long magic;
		const char *name;
	} names[] = {
	    {0x2011BAB0, "exFAT"},
	    {0x5346544e, "NTFS"},
	    {0x7366746e, "NTFS"},
	    {0xEF53, "ext2/3/4"},
	    {0x01021994, "tmpfs"},
	    {0x9123683E, "btrfs"},
	    {0x58465342, "XFS"},
	    {0x794c7630, "overlayfs"},
	    {0x65735546, "FUSE (exFAT or NTFS through FUSE)"},
	    {0x6969, "NFS"},
	    {0xFF534D42, "CIFS"},
	    {0x2FC12FC1, "ZFS"},
	    {0xF2F52010, "F2FS"},
	};
	struct statfs sf;

	memset(out, 0, sizeof(*out));
	if (statfs(dir, &sf))
		return -errno;
	out->free = (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize;
	out->size = (uint64_t)sf.f_blocks * (uint64_t)sf.f_bsize;
	out->cluster = (uint32_t)sf.f_bsize;
	if (sf.f_type == 0x4d44) { /* MSDOS_SUPER_MAGIC: vfat/msdos reports clusters */
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

const char *hwf_dl_odd_file(mode_t m)
{
	if (S_ISFIFO(m))
		return "a named pipe (FIFO)";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int hwf_dload_target_kind(const char *path, enum hwf_dload_target_kind *kind, struct hwf_err *e)
{
	struct stat st;

	if (stat(path, &st))
		return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		*kind = HWF_DLOAD_FOLDER;
	else if (S_ISREG(st.st_mode))
		*kind = HWF_DLOAD_IMAGE;
	else if (S_ISBLK(st.st_mode))
		*kind = HWF_DLOAD_DEVICE;
	else
		return hwf_err_set(
		    e, HWF_EUNSUPPORTED,
		    "%s is %s: TARGET is the card's folder, an image file or a device", path,
		    hwf_dl_odd_file(st.st_mode));
	return 0;
}

int hwf_dl_open_target(struct hwf_dload_target *t, struct hwf_err *e)
{
	t->fd = open(t->path, O_RDWR | O_CLOEXEC);
	if (t->fd < 0 || fstat(t->fd, &t->st))
		return hwf_err_set(e, HWF_EIO, "%s: %s", t->path, strerror(errno));
	return 0;
}

/* The device of / is mounted: hwf_dl_is_mounted() refuses it. */
int hwf_dl_holds_system(const struct stat *dev, char *what, size_t len)
{
	(void)dev;
	(void)what;
	(void)len;
	return 0;
}

/* A mounted device was refused; the kernel needs nothing else. */
int hwf_dl_claim_device(struct hwf_dload_target *t, struct hwf_err *e)
{
	(void)t;
	(void)e;
	return 0;
}

int hwf_dl_is_mounted(const struct stat *dev, char *where, size_t len)
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
		if (st.st_rdev == dev->st_rdev || (rl && realpath(sys2, real2) &&
						   !strncmp(real2, real, rl) && real2[rl] == '/')) {
			snprintf(where, len, "%s", mnt);
			hit = 1;
		}
	}
	if (f)
		fclose(f);
	return hit;
}

int hwf_dl_is_removable(const struct stat *dev)
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

uint64_t hwf_dl_blkdev_size(int fd)
{
	uint64_t size = 0;

	if (ioctl(fd, BLKGETSIZE64, &size))
		size = 0;
	return size;
}

void hwf_dl_reread_partitions(int fd)
{
	ioctl(fd, BLKRRPART, 0);
}

int hwf_dl_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

#define WRITEBACK_STEP (32u << 20)

void hwf_dl_writeback_kick(struct hwf_dl_writeback *wb, uint64_t done)
{
	if (done - wb->last >= WRITEBACK_STEP) {
		sync_file_range(wb->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		wb->last = done;
	}
}

void hwf_dl_writeback_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct hwf_dl_writeback *wb = ctx;

	hwf_dl_writeback_kick(wb, done);
	hwf_dl_update(wb->cb, done, total);
}
