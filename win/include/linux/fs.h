/* SPDX-License-Identifier: MIT */
/* win/include/linux/fs.h: block-device request numbers; ioctl() refuses them on Windows. */
#ifndef HWF_WIN_LINUX_FS_H
#define HWF_WIN_LINUX_FS_H
#define BLKRRPART    0x125f
#define BLKSSZGET    0x1268
#define BLKGETSIZE64 0x80081272
#endif
