// SPDX-License-Identifier: MIT
/*
 * win/src/process.c: Ctrl-C for host/cleanup.c, fork() (not on Windows), and
 * close() that knows sockets.
 *
 * host/cleanup.c blocks SIGINT/SIGTERM/SIGHUP and waits for them in a thread
 * with sigwait().  Here the console control handler (SetConsoleCtrlHandler)
 * hands Ctrl-C and Ctrl-Break (SIGINT) and closing the window, logoff or
 * shutdown (SIGTERM) to that sigwait() and then waits: the waiting thread
 * removes the temporary files and ends the process through raise().
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <windows.h>

#include "win/src/compat_int.h"
#include "win/src/disk.h"
#include "win/net.h"

#undef close
#undef raise

static HANDLE sig_event;
static volatile LONG sig_got;

static BOOL WINAPI on_console(DWORD ev)
{
	LONG sig = (ev == CTRL_C_EVENT || ev == CTRL_BREAK_EVENT) ? SIGINT : SIGTERM;

	if (!sig_event)
		return FALSE; /* nobody waits: Windows ends the process */
	InterlockedCompareExchange(&sig_got, sig, 0);
	SetEvent(sig_event);
	/* The sigwait() thread ends the process; Windows would end it after this returns. */
	Sleep(INFINITE);
	return TRUE;
}

int hwfw_sigemptyset(hwfw_sigset_t *s)
{
	*s = 0;
	return 0;
}

int hwfw_sigaddset(hwfw_sigset_t *s, int sig)
{
	if (sig <= 0 || sig >= 32) {
		errno = EINVAL;
		return -1;
	}
	*s |= 1ul << sig;
	return 0;
}

/* Blocking SIGINT is what cleanup_start() does first: the console handler goes in then. */
int hwfw_pthread_sigmask(int how, const hwfw_sigset_t *s, hwfw_sigset_t *old)
{
	if (old)
		*old = 0;
	if (how == SIG_BLOCK && s && (*s & (1ul << SIGINT)) && !sig_event) {
		sig_event = CreateEventW(NULL, TRUE, FALSE, NULL);
		if (!sig_event || !SetConsoleCtrlHandler(on_console, TRUE))
			return EINVAL;
	}
	return 0;
}

int hwfw_sigwait(const hwfw_sigset_t *s, int *sig)
{
	if (!sig_event || WaitForSingleObject(sig_event, INFINITE) != WAIT_OBJECT_0)
		return EINVAL;
	*sig = (int)sig_got;
	if (!(*s & (1ul << *sig)))
		*sig = SIGINT;
	return 0;
}

/* What a console program ended by Ctrl-C returns on Windows. */
int hwfw_raise(int sig)
{
	if (sig == SIGINT || sig == SIGTERM)
		ExitProcess(sig == SIGINT ? STATUS_CONTROL_C_EXIT : 128 + SIGTERM);
	return raise(sig);
}

int hwfw_close(int fd)
{
	int rc;

	if (hwfw_socket_close(fd))
		return 0;
	if (hwf_disk_close(fd, &rc))
		return rc;
	return _close(fd);
}

int hwfw_fork(void)
{
	errno = ENOSYS;
	return -1;
}

int hwfw_waitpid(int pid, int *status, int options)
{
	(void)pid;
	(void)options;
	if (status)
		*status = 0;
	errno = ECHILD;
	return -1;
}
