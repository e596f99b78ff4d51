// SPDX-License-Identifier: MIT
/*
 * Fastboot over TCP (AOSP "TCP Protocol v1"): the host sends "FB01", reads
 * the device's "FBxx"; then every packet is an 8-byte big-endian length and
 * the payload.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bytes.h"
#include "transport.h"

#define DEFAULT_PORT "5554"

struct tcp {
	struct hwf_transport base;
	int fd;
	uint64_t left;		/* bytes of the current incoming frame not read yet */
};

static int wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r;
}

static int send_all(struct tcp *t, const uint8_t *p, size_t len, int timeout_ms,
		    struct hwf_err *e)
{
	while (len) {
		ssize_t n;

		if (wait_fd(t->fd, POLLOUT, timeout_ms) <= 0)
			return hwf_err_set(e, HWF_ETIMEOUT, "%s: send timed out", t->base.name);
		n = send(t->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return hwf_err_set(e, HWF_EDISCONNECTED, "%s: connection lost: %s",
					   t->base.name, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(struct tcp *t, uint8_t *p, size_t len, int timeout_ms, struct hwf_err *e)
{
	while (len) {
		ssize_t n;
		int r = wait_fd(t->fd, POLLIN, timeout_ms);

		if (r == 0)
			return hwf_err_set(e, HWF_ETIMEOUT, "%s: no answer for %d s", t->base.name,
					   timeout_ms / 1000);
		n = recv(t->fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return hwf_err_set(e, HWF_EDISCONNECTED, "%s: the device closed the connection",
					   t->base.name);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int tcp_write(struct hwf_transport *bt, const void *buf, size_t len, int timeout_ms,
		     struct hwf_err *e)
{
	struct tcp *t = (struct tcp *)bt;
	uint8_t h[8];
	int rc;

	put_be64(h, len);
	rc = send_all(t, h, 8, timeout_ms, e);
	return rc ? rc : send_all(t, buf, len, timeout_ms, e);
}

static int64_t tcp_read(struct hwf_transport *bt, void *buf, size_t len, int timeout_ms,
			struct hwf_err *e)
{
	struct tcp *t = (struct tcp *)bt;
	uint8_t h[8];
	uint64_t n;
	int rc;

	if (!t->left) {
		rc = recv_all(t, h, 8, timeout_ms, e);
		if (rc)
			return rc;
		t->left = get_be64(h);
		if (!t->left)
			return 0;
	}
	if (t->left > len) {
		uint64_t l = t->left;

		t->left = 0;
		return hwf_err_set(e, HWF_EPROTO, "%s: the device sent a %llu-byte reply (at most %zu)",
				   t->base.name, (unsigned long long)l, len);
	}
	n = t->left;
	rc = recv_all(t, buf, (size_t)n, timeout_ms, e);
	if (rc)
		return rc;
	t->left = 0;
	return (int64_t)n;
}

static void tcp_close(struct hwf_transport *bt)
{
	struct tcp *t = (struct tcp *)bt;

	close(t->fd);
	free(t);
}

static const struct hwf_transport_ops tcp_ops = { tcp_write, tcp_read, tcp_close };

int hwf_tcp_open(struct hwf_transport **out, const char *hostport, int timeout_ms,
		 struct hwf_err *e)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char host[256];
	const char *port = DEFAULT_PORT, *colon = strrchr(hostport, ':');
	uint8_t hs[4];
	struct tcp *t;
	int fd = -1, rc, one = 1;

	*out = NULL;
	if (colon && !strchr(colon, ']')) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
		port = colon + 1;
	} else {
		snprintf(host, sizeof(host), "%s", hostport);
	}
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		return hwf_err_set(e, HWF_ENOTFOUND, "tcp:%s: %s", hostport, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return hwf_err_set(e, HWF_ENOTFOUND, "tcp:%s: cannot connect: %s (is the device in "
						     "fastboot mode and on the network?)",
				   hostport, strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	t->base.ops = &tcp_ops;
	t->fd = fd;
	snprintf(t->base.name, sizeof(t->base.name), "tcp:%s", hostport);
	rc = send_all(t, (const uint8_t *)"FB01", 4, timeout_ms, e);
	if (!rc)
		rc = recv_all(t, hs, 4, timeout_ms < 2000 ? timeout_ms : 2000, e);
	if (!rc && (hs[0] != 'F' || hs[1] != 'B' || hs[2] < '0' || hs[2] > '9' || hs[3] < '0' ||
		    hs[3] > '9' || (hs[2] == '0' && hs[3] == '0')))
		rc = hwf_err_set(e, HWF_EPROTO, "%s: not a fastboot device (handshake %02x %02x %02x %02x)",
				 t->base.name, hs[0], hs[1], hs[2], hs[3]);
	if (rc) {
		tcp_close(&t->base);
		return rc;
	}
	*out = &t->base;
	return 0;
}
