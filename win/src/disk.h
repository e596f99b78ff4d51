/* SPDX-License-Identifier: MIT */
/*
 * win/src/disk.h: whole disks (\\.\PhysicalDriveN) behind the descriptors
 * of win/compat.h, for win/src/ only.  hwfw_open() and hwfw_stat() hand a
 * disk's path to hwf_disk_open() / hwf_disk_stat(); a disk's descriptor is
 * kept in a small table (the sector size, the disk number, the volumes
 * locked on it) that hwfw_pread/pwrite (sector-aligned through
 * win/src/sectorio.c), hwfw_fstat (S_IFBLK, st_rdev = the disk number) and
 * hwfw_close (which also releases the volumes) consult.  Functions return
 * 0 (or a descriptor) or -1 with errno, unless said otherwise.
 */
#ifndef HWF_WIN_DISK_H
#define HWF_WIN_DISK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* N of \\.\PhysicalDriveN or //./PhysicalDriveN (any case), else -1. */
int hwf_disk_number(const char *path);
/* Open disk @number (O_RDONLY or O_RDWR in @flags): a descriptor, or -1. */
int hwf_disk_open(int number, int flags);
/* stat() of disk @number: S_IFBLK, st_rdev = @number. */
int hwf_disk_stat(int number, struct hwfw_stat *st);
/* fstat() of a disk's descriptor: 0, or -1 (errno untouched) when @fd is no disk. */
int hwf_disk_fstat(int fd, struct hwfw_stat *st);
/* The sector size I/O on @fd must keep to, 0 for an ordinary descriptor. */
unsigned hwf_disk_sector(int fd);
/* Close @fd when it is a disk's (and release its volumes): 1 and *@rc; 0 when it is none. */
int hwf_disk_close(int fd, int *rc);

/*
 * Lock and dismount every volume on the disk open as @fd, keeping them
 * until @fd is closed.  0, or -1 with @why (a sentence naming the volume's
 * drive letter and what to close).
 */
int hwf_disk_claim(int fd, char *why, size_t len);
/* Does disk @number hold the Windows folder?  1 and @what ("Windows (C:\)"), else 0. */
int hwf_disk_holds_windows(int number, char *what, size_t len);
/* Is disk @number a card (removable media, or an SD/MMC bus)?  0 when unknown. */
int hwf_disk_removable(int number);

/* win/src/sectorio.c: pread/pwrite at any offset and length on a disk of @sector bytes. */
ssize_t hwf_sector_pread(void *handle, unsigned sector, void *buf, size_t n, int64_t off);
ssize_t hwf_sector_pwrite(void *handle, unsigned sector, const void *buf, size_t n, int64_t off);
/* win/src/compat.c: one ReadFile/WriteFile at @off (0 at the end for a read). */
ssize_t hwf_raw_pread(void *handle, void *buf, size_t n, int64_t off);
ssize_t hwf_raw_pwrite(void *handle, const void *buf, size_t n, int64_t off);

#endif
