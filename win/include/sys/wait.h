/* SPDX-License-Identifier: MIT */
/* win/include/sys/wait.h: no child processes on Windows (fork() fails with ENOSYS). */
#ifndef HWF_WIN_SYS_WAIT_H
#define HWF_WIN_SYS_WAIT_H
#include <sys/types.h>
#define WIFEXITED(s)   1
#define WEXITSTATUS(s) ((s)&0xff)
#define WIFSIGNALED(s) 0
#define WTERMSIG(s)    0
#define WNOHANG	       1
int hwfw_waitpid(int pid, int *status, int options);
int hwfw_fork(void);
#define waitpid hwfw_waitpid
#define fork	hwfw_fork
#endif
