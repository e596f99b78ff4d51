/* SPDX-License-Identifier: MIT */
/*
 * win/include/sys/statfs.h: statfs() for the unit tests (the product uses
 * win/src/dload_os.c instead): sizes from GetDiskFreeSpaceW, f_type 0x4d44
 * (vfat) for FAT volumes, 0x5346544e for NTFS, 0 for any other.
 */
#ifndef HWF_WIN_SYS_STATFS_H
#define HWF_WIN_SYS_STATFS_H
#include <stdint.h>
struct statfs {
	long f_type;
	long f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail;
};
int hwfw_statfs(const char *path, struct statfs *out);
#define statfs(p, s) hwfw_statfs(p, s)
#endif
