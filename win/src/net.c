// SPDX-License-Identifier: MIT
/* win/src/net.c: win/net.h on Winsock 2. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "win/src/compat_int.h"
#include "win/net.h"

#undef socket
#undef connect
#undef send
#undef recv
#undef setsockopt
#undef poll
#undef getaddrinfo

/* The open sockets, so that close() knows one from a file descriptor. */
static SRWLOCK lock = SRWLOCK_INIT;
static int open_socks[64];
static int nsocks;

static int startup(void)
{
	static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
	static int rc;
	BOOL pending;

	if (InitOnceBeginInitialize(&once, 0, &pending, NULL) && pending) {
		WSADATA wd;

		rc = WSAStartup(MAKEWORD(2, 2), &wd) ? -1 : 0;
		InitOnceComplete(&once, 0, NULL);
	}
	if (rc)
		errno = EIO;
	return rc;
}

static int sock_fail(void)
{
	errno = hwf_win_errno((unsigned long)WSAGetLastError());
	return -1;
}

int hwfw_socket(int family, int type, int proto)
{
	SOCKET s;
	int fd;

	if (startup())
		return -1;
	s = socket(family, type, proto);
	if (s == INVALID_SOCKET)
		return sock_fail();
	fd = (int)s;
	AcquireSRWLockExclusive(&lock);
	if (nsocks == (int)(sizeof(open_socks) / sizeof(open_socks[0]))) {
		ReleaseSRWLockExclusive(&lock);
		closesocket(s);
		errno = EMFILE;
		return -1;
	}
	open_socks[nsocks++] = fd;
	ReleaseSRWLockExclusive(&lock);
	return fd;
}

int hwfw_socket_close(int fd)
{
	int hit = 0;

	AcquireSRWLockExclusive(&lock);
	for (int i = 0; i < nsocks; i++)
		if (open_socks[i] == fd) {
			open_socks[i] = open_socks[--nsocks];
			hit = 1;
			break;
		}
	ReleaseSRWLockExclusive(&lock);
	if (hit)
		closesocket((SOCKET)(uintptr_t)(unsigned)fd);
	return hit;
}

/*
 * A connected socket is made non-blocking: protocol/tcp.c polls (WSAPoll,
 * with the command's timeout) before every send and recv and takes EAGAIN
 * as "poll again", so no call can wait longer than the timeout.  A blocking
 * send was seen to wait forever under wine once the device had reset the
 * connection (t_faults, disconnect-at:0, about one run in fifty).
 */
int hwfw_connect(int fd, const struct sockaddr *sa, int len)
{
	SOCKET s = (SOCKET)(uintptr_t)(unsigned)fd;
	u_long on = 1;

	if (connect(s, sa, len))
		return sock_fail();
	return ioctlsocket(s, FIONBIO, &on) ? sock_fail() : 0;
}

ssize_t hwfw_send(int fd, const void *buf, size_t n, int flags)
{
	int r;

	if (n > 0x40000000)
		n = 0x40000000;
	r = send((SOCKET)(uintptr_t)(unsigned)fd, buf, (int)n, flags);
	return r == SOCKET_ERROR ? sock_fail() : r;
}

ssize_t hwfw_recv(int fd, void *buf, size_t n, int flags)
{
	int r;

	if (n > 0x40000000)
		n = 0x40000000;
	r = recv((SOCKET)(uintptr_t)(unsigned)fd, buf, (int)n, flags);
	return r == SOCKET_ERROR ? sock_fail() : r;
}

int hwfw_setsockopt(int fd, int level, int name, const void *val, int len)
{
	return setsockopt((SOCKET)(uintptr_t)(unsigned)fd, level, name, val, len) ? sock_fail() : 0;
}

int hwfw_poll(struct hwfw_pollfd *p, nfds_t n, int timeout_ms)
{
	WSAPOLLFD w[16];
	int r;

	if (n > 16) {
		errno = EINVAL;
		return -1;
	}
	for (nfds_t i = 0; i < n; i++) {
		w[i].fd = (SOCKET)(uintptr_t)(unsigned)p[i].fd;
		w[i].events = p[i].events;
		w[i].revents = 0;
	}
	r = WSAPoll(w, n, timeout_ms);
	if (r == SOCKET_ERROR)
		return sock_fail();
	for (nfds_t i = 0; i < n; i++)
		p[i].revents = w[i].revents;
	return r;
}

int hwfw_getaddrinfo(const char *host, const char *port, const struct addrinfo *hints,
		     struct addrinfo **res)
{
	if (startup())
		return EAI_FAIL;
	return getaddrinfo(host, port, hints, res);
}
