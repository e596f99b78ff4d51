// SPDX-License-Identifier: MIT
/*
 * win/src/dload_os.c: formats/dload/os.c for Windows (the Windows build
 * compiles this file instead): the file system under a folder from
 * GetVolumeInformationW / GetDiskFreeSpaceW.  Physical drives
 * (\\.\PhysicalDriveN) are not supported on Windows yet: `dload prepare`
 * writes onto a card's folder (a mounted drive letter) or an image file.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include "win/src/compat_int.h"

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

static int is_device_path(const char *p)
{
	return (p[0] == '\\' || p[0] == '/') && (p[1] == '\\' || p[1] == '/') &&
	       (p[2] == '.' || p[2] == '?') && (p[3] == '\\' || p[3] == '/');
}

int hwf_dload_target_kind(const char *path, enum hwf_dload_target_kind *kind, struct hwf_err *e)
{
	struct stat st;

	if (is_device_path(path))
		return hwf_err_set(
		    e, HWF_EUNSUPPORTED,
		    "%s: writing a card as a device is not supported on Windows yet: "
		    "give the card's drive (E:\\) or an image file",
		    path);
	if (stat(path, &st))
		return hwf_err_set(e, HWF_EIO, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
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

/* No block devices on Windows yet (hwf_dload_target_kind refuses them). */
int hwf_dl_is_mounted(const struct stat *dev, char *where, size_t len)
{
	(void)dev;
	(void)where;
	(void)len;
	return 0;
}

int hwf_dl_is_removable(const struct stat *dev)
{
	(void)dev;
	return 0;
}

uint64_t hwf_dl_blkdev_size(int fd)
{
	(void)fd;
	return 0;
}

void hwf_dl_reread_partitions(int fd)
{
	(void)fd;
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
