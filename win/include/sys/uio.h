/* SPDX-License-Identifier: MIT */
/* win/include/sys/uio.h: struct iovec (no readv/writev on Windows); see win/compat.h. */
#ifndef HWF_WIN_SYS_UIO_H
#define HWF_WIN_SYS_UIO_H
#include <stddef.h>
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif
