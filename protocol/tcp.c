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

#include "formats/core/bytes.h"
#include "protocol/fastboot.h"
#include "protocol/transport.h"

#define DEFAULT_PORT "5554"
#define MAX_FRAME (1u << 20)	/* longer "frames" from a device are garbage */

struct tcp {
	struct hwf_transport base;
	int fd;
	uint64_t left;		/* bytes of the current incoming frame not read yet */
};

/* Poll @fd for @ev: 0 on timeout, -1 on error, else what it reported (revents). */
static int wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? (p.revents ? p.revents : ev) : r;
}

static int send_all(struct tcp *t, const uint8_t *p, size_t len, int timeout_ms,
		    struct hwf_err *e)
{
	while (len) {
		ssize_t n;

		int r = wait_fd(t->fd, POLLOUT, timeout_ms);

		if (r <= 0)
			return hwf_err_set(e, HWF_ETIMEOUT, "%s: send timed out", t->base.name);
		/* gone, and nothing more can be sent: say so rather than poll again */
		if (!(r & POLLOUT) && (r & (POLLERR | POLLHUP | POLLNVAL)))
			return hwf_err_set(e, HWF_EDISCONNECTED, "%s: connection lost",
					   t->base.name);
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

/* "no answer for 30 s", "no answer for 0.5 s" */
static int no_answer(const struct tcp *t, int timeout_ms, struct hwf_err *e)
{
	if (timeout_ms % 1000)
		return hwf_err_set(e, HWF_ETIMEOUT, "%s: no answer for %.1f s", t->base.name,
				   timeout_ms / 1000.0);
	return hwf_err_set(e, HWF_ETIMEOUT, "%s: no answer for %d s", t->base.name,
			   timeout_ms / 1000);
}

/* Read exactly @len bytes; *@got (may be NULL) says how many came before a failure. */
static int recv_all(struct tcp *t, uint8_t *p, size_t len, int timeout_ms, size_t *got,
		    struct hwf_err *e)
{
	size_t have = 0;

	if (got)
		*got = 0;
	while (have < len) {
		ssize_t n;
		int r = wait_fd(t->fd, POLLIN, timeout_ms);

		if (r == 0)
			return no_answer(t, timeout_ms, e);
		n = recv(t->fd, p + have, len - have, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return hwf_err_set(e, HWF_EDISCONNECTED, "%s: the device closed the connection",
					   t->base.name);
		have += (size_t)n;
		if (got)
			*got = have;
	}
	return 0;
}

/* Bytes that cannot be a frame header: say what came instead of waiting or misreading. */
static int not_fastboot(const struct tcp *t, const uint8_t *b, size_t n, struct hwf_err *e)
{
	char shown[64];

	hwf_printable(b, n, 12, shown, sizeof(shown));
	return hwf_err_set(e, HWF_EPROTO,
			   "%s: the device answered something that is not fastboot: '%s'",
			   t->base.name, shown);
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
		size_t got;

		rc = recv_all(t, h, 8, timeout_ms, &got, e);
		/* A few bytes and then silence (or a hang-up) are not a frame header. */
		if (rc && got)
			return not_fastboot(t, h, got, e);
		if (rc)
			return rc;
		t->left = get_be64(h);
		if (!t->left)
			return 0;
		/* No fastboot reply comes near 1 MiB: these bytes were never a length. */
		if (t->left > MAX_FRAME) {
			t->left = 0;
			return not_fastboot(t, h, 8, e);
		}
	}
	if (t->left > len) {
		uint64_t l = t->left;

		t->left = 0;
		return hwf_err_set(e, HWF_EPROTO, "%s: the device sent a %llu-byte reply (at most %zu)",
				   t->base.name, (unsigned long long)l, len);
	}
	n = t->left;
	rc = recv_all(t, buf, (size_t)n, timeout_ms, NULL, e);
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

static const struct hwf_transport_ops tcp_ops = {
	.write = tcp_write,
	.read = tcp_read,
	.close = tcp_close,
};

/*
 * HOST, HOST:PORT, [V6], [V6]:PORT, or a bare IPv6 literal (several colons,
 * no port).  The port must be a number 1-65535: getaddrinfo would take
 * 99999 modulo 65536, or a service name.
 */
static int split_address(const char *hostport, char *host, size_t hlen, char *port, size_t plen,
			 struct hwf_err *e)
{
	const char *p = hostport, *colon = NULL, *hend;
	unsigned long v;
	char *end;

	if (*p == '[') {
		hend = strchr(p, ']');
		if (!hend)
			return hwf_err_set(e, HWF_EINVAL, "tcp:%s: ']' missing after the IPv6 address",
					   hostport);
		p++;
		if (hend[1] == ':')
			colon = hend + 1;
		else if (hend[1])
			return hwf_err_set(e, HWF_EINVAL, "tcp:%s: give tcp:[ADDRESS]:PORT", hostport);
	} else {
		colon = strchr(p, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* an IPv6 literal without brackets: no port */
		hend = colon ? colon : p + strlen(p);
	}
	if (hend == p)
		return hwf_err_set(e, HWF_EINVAL, "tcp:%s: no host name or address", hostport);
	if ((size_t)(hend - p) >= hlen)
		return hwf_err_set(e, HWF_EINVAL, "tcp:%.40s...: host name too long", hostport);
	snprintf(host, hlen, "%.*s", (int)(hend - p), p);
	snprintf(port, plen, "%s", DEFAULT_PORT);
	if (!colon)
		return 0;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || errno || v < 1 || v > 65535)
		return hwf_err_set(e, HWF_EINVAL, "tcp:%s: port must be 1-65535", hostport);
	snprintf(port, plen, "%lu", v);
	return 0;
}

int hwf_tcp_check_address(const char *hostport, struct hwf_err *e)
{
	char host[256], port[8];

	return split_address(hostport, host, sizeof(host), port, sizeof(port), e);
}

int hwf_tcp_open(struct hwf_transport **out, const char *hostport, int timeout_ms,
		 struct hwf_err *e)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char host[256], port[8];
	uint8_t hs[4];
	struct tcp *t;
	size_t got = 0;
	int fd = -1, rc, one = 1;

	*out = NULL;
	rc = split_address(hostport, host, sizeof(host), port, sizeof(port), e);
	if (rc)
		return rc;
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
	snprintf(t->base.spec, sizeof(t->base.spec), "tcp:%s", hostport);
	rc = send_all(t, (const uint8_t *)"FB01", 4, timeout_ms, e);
	if (!rc)
		rc = recv_all(t, hs, 4, timeout_ms < 2000 ? timeout_ms : 2000, &got, e);
	if (rc && got)
		rc = not_fastboot(t, hs, got, e);
	else if (rc == HWF_ETIMEOUT)
		hwf_err_prefix(e, "no fastboot handshake (FB01)");
	else if (!rc && (hs[0] != 'F' || hs[1] != 'B' || hs[2] < '0' || hs[2] > '9' ||
			 hs[3] < '0' || hs[3] > '9' || (hs[2] == '0' && hs[3] == '0')))
		rc = not_fastboot(t, hs, 4, e);
	if (rc) {
		tcp_close(&t->base);
		return rc;
	}
	*out = &t->base;
	return 0;
}
