// SPDX-License-Identifier: MIT
/*
 * win/src/dload_os.c: formats/dload/os.c for Windows (the Windows build
 * compiles this file instead): the file system under a folder from
 * GetVolumeInformationW / GetDiskFreeSpaceW, and a whole card as
 * \\.\PhysicalDriveN (win/src/disk.c: sector-aligned I/O through the
 * descriptor): its size, removable or fixed, the disk of Windows (never
 * written), its volumes locked and dismounted right before the first write
 * (a Windows user cannot unmount: "mounted" is no refusal here), the
 * partition table read again after writing.
 *
 * Test hook: HWF_WIN_SECTOR=512 (any power of two up to 65536) in the
 * environment makes an image file TARGET of prepare read and write as a
 * disk of such sectors does (aligned, read-modify-write: win/src/sectorio.c),
 * so that the path a physical drive takes runs under wine, which has none.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winioctl.h>

#include "win/src/compat_int.h"
#include "win/src/disk.h"

#include "formats/dload/dload_int.h"

int hwf_dl_statfs(const char *dir, struct hwf_dl_fs *out)
{
	wchar_t *w = hwf_wide(dir), root[MAX_PATH + 1], fs[64];
	DWORD spc, bps, freec, totalc;
	ULARGE_INTEGER avail, total;
	char *name;

	memset(out, 0, sizeof(*out));
	if (!w)
		return -errno;
	if (!GetVolumePathNameW(w, root, MAX_PATH + 1) ||
	    !GetDiskFreeSpaceExW(w, &avail, &total, NULL)) {
		free(w);
		errno = hwf_win_errno(GetLastError());
		return -errno;
	}
	free(w);
	out->free = avail.QuadPart;
	out->size = total.QuadPart;
	if (GetDiskFreeSpaceW(root, &spc, &bps, &freec, &totalc))
		out->cluster = spc * bps;
	if (!GetVolumeInformationW(root, NULL, 0, NULL, NULL, NULL, fs, 64)) {
		snprintf(out->name, sizeof(out->name), "an unknown file system");
		return 0;
	}
	name = hwf_utf8(fs);
	if (name && !strcmp(name, "FAT"))
		snprintf(out->name, sizeof(out->name), "FAT12/16");
	else
		snprintf(out->name, sizeof(out->name), "%s", name ? name : "?");
	out->is_fat32 = name && !strcmp(name, "FAT32");
	free(name);
	return 0;
}

const char *hwf_dl_odd_file(mode_t m)
{
	if (S_ISFIFO(m))
		return "a named pipe (FIFO)";
	if (S_ISCHR(m))
		return "a character device";
	return "not a regular file";
}

int hwf_dl_open_target(struct hwf_dload_target *t, struct hwf_err *e)
{
	const char *hook = getenv("HWF_WIN_SECTOR");

	t->fd = open(t->path, O_RDWR | O_CLOEXEC);
	if (t->fd < 0 && errno == EACCES && hwf_disk_number(t->path) >= 0)
		return hwf_err_set(e, HWF_EIO,
				   "%s: Permission denied: a whole disk is written from an "
				   "administrator's console only (Run as administrator)",
				   t->path);
	if (t->fd < 0 || fstat(t->fd, &t->st))
		return hwf_err_set(e, HWF_EIO, "%s: %s", t->path, strerror(errno));
	if (hook && *hook && S_ISREG(t->st.st_mode) &&
	    hwfw_disk_attach(t->fd, (unsigned)strtoul(hook, NULL, 10)))
		return hwf_err_set(e, HWF_EINVAL, "HWF_WIN_SECTOR=%s: not a sector size", hook);
	return 0;
}

int hwf_dl_holds_system(const struct stat *dev, char *what, size_t len)
{
	return hwf_disk_holds_windows((int)dev->st_rdev, what, len);
}

int hwf_dl_claim_device(struct hwf_dload_target *t, struct hwf_err *e)
{
	char why[1024];

	if (!hwf_disk_claim(t->fd, why, sizeof(why)))
		return 0;
	return hwf_err_set(e, HWF_EACCES, "%s: %s", t->path, why);
}

static int is_device_path(const char *p)
{
	return (p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/') &&
	       (p[2] == '.' || p[2] == '?') && (p[3] == '\\' || p[3] == '/');
}

int hwf_dload_target_kind(const char *path, enum hwf_dload_target_kind *kind, struct hwf_err *e)
{
	struct stat st;

	if (is_device_path(path) && hwf_disk_number(path) < 0)
		return hwf_err_set(e, HWF_EUNSUPPORTED,
				   "%s: TARGET is the card's drive (E:\\), an image file or the "
				   "whole card as \\\\.\\PhysicalDriveN",
				   path);
	if (stat(path, &st))
		return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode))
		*kind = HWF_DLOAD_DEVICE;
	else if (S_ISDIR(st.st_mode))
		*kind = HWF_DLOAD_FOLDER;
	else if (S_ISREG(st.st_mode))
		*kind = HWF_DLOAD_IMAGE;
	else
		return hwf_err_set(
		    e, HWF_EUNSUPPORTED,
		    "%s is %s: TARGET is the card's folder, an image file or a device", path,
		    hwf_dl_odd_file(st.st_mode));
	return 0;
}

/* Volumes on the disk are locked and dismounted instead (hwf_dl_claim_device). */
int hwf_dl_is_mounted(const struct stat *dev, char *where, size_t len)
{
	(void)dev;
	(void)where;
	(void)len;
	return 0;
}

int hwf_dl_is_removable(const struct stat *dev)
{
	return hwf_disk_removable((int)dev->st_rdev);
}

uint64_t hwf_dl_blkdev_size(int fd)
{
	GET_LENGTH_INFORMATION len;
	DWORD got;

	if (!DeviceIoControl(handle_of(fd), IOCTL_DISK_GET_LENGTH_INFO, NULL, 0, &len, sizeof(len),
			     &got, NULL))
		return 0;
	return (uint64_t)len.Length.QuadPart;
}

void hwf_dl_reread_partitions(int fd)
{
	DWORD got;

	DeviceIoControl(handle_of(fd), IOCTL_DISK_UPDATE_PROPERTIES, NULL, 0, NULL, 0, &got, NULL);
}

/* NTFS and FAT keep a folder's entries with the files; nothing to flush. */
int hwf_dl_fsync_dir(const char *dir)
{
	(void)dir;
	return 0;
}

void hwf_dl_writeback_kick(struct hwf_dl_writeback *wb, uint64_t done)
{
	wb->last = done;
}

void hwf_dl_writeback_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct hwf_dl_writeback *wb = ctx;

	hwf_dl_writeback_kick(wb, done);
	hwf_dl_update(wb->cb, done, total);
}
