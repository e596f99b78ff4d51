/* SPDX-License-Identifier: MIT */
/*
 * win/include/sys/ioctl.h: the one ioctl the Windows build answers is
 * TIOCGWINSZ (the console's width, for progress bars); every other request
 * (block-device ones of linux/fs.h) fails with ENOTTY, as on a regular file.
 */
#ifndef HWF_WIN_SYS_IOCTL_H
#define HWF_WIN_SYS_IOCTL_H
struct winsize {
	unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};
#define TIOCGWINSZ 0x5413
int hwfw_ioctl(int fd, unsigned long req, ...);
#define ioctl hwfw_ioctl
#endif
