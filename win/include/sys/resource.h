/* SPDX-License-Identifier: MIT */
/* win/include/sys/resource.h: Windows has no resource limits: getrlimit/setrlimit fail (ENOSYS). */
#ifndef HWF_WIN_SYS_RESOURCE_H
#define HWF_WIN_SYS_RESOURCE_H
#include <errno.h>
typedef unsigned long long rlim_t;
struct rlimit {
	rlim_t rlim_cur, rlim_max;
};
#define RLIMIT_FSIZE  1
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0ULL)
static inline int getrlimit(int r, struct rlimit *l)
{
	(void)r;
	(void)l;
	errno = ENOSYS;
	return -1;
}
static inline int setrlimit(int r, const struct rlimit *l)
{
	(void)r;
	(void)l;
	errno = ENOSYS;
	return -1;
}
#endif
