/* SPDX-License-Identifier: MIT */
/*
 * win/net.h: the BSD socket calls of protocol/tcp.c on Winsock, for the
 * Windows build (the shims win/include/sys/socket.h, netdb.h, netinet/in.h,
 * netinet/tcp.h,
 * poll.h include it).  A SOCKET is kept in an int as the POSIX code does
 * (Windows hands out handle values far below 2^31); close() knows it from a
 * file (win/src/net.c keeps the open sockets).  Winsock is started on first
 * use; failures set errno from WSAGetLastError().
 */
#ifndef HWF_WIN_NET_H
#define HWF_WIN_NET_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif
typedef unsigned long nfds_t;
/* POSIX's struct pollfd (an int fd); hwfw_poll() hands WSAPoll its own. */
#define pollfd hwfw_pollfd
struct hwfw_pollfd {
	int fd;
	short events, revents;
};
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0
#endif

int hwfw_socket(int family, int type, int proto);
int hwfw_connect(int fd, const struct sockaddr *sa, int len);
ssize_t hwfw_send(int fd, const void *buf, size_t n, int flags);
ssize_t hwfw_recv(int fd, void *buf, size_t n, int flags);
int hwfw_setsockopt(int fd, int level, int name, const void *val, int len);
int hwfw_poll(struct hwfw_pollfd *p, nfds_t n, int timeout_ms);
int hwfw_getaddrinfo(const char *host, const char *port, const struct addrinfo *hints,
		     struct addrinfo **res);
int hwfw_socket_close(int fd); /* 1: it was a socket (closed), 0: not one */

#undef socket
#define socket	   hwfw_socket
#define connect	   hwfw_connect
#define send	   hwfw_send
#define recv	   hwfw_recv
#define setsockopt hwfw_setsockopt
#define poll	   hwfw_poll
#undef getaddrinfo
#define getaddrinfo hwfw_getaddrinfo

#endif
