// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: fastboot over TCP (protocol/tcp.c framing: the FBxx
 * handshake, 8-byte big-endian lengths, frames longer than the reader's
 * buffer, short and empty frames, a peer that hangs up anywhere) with the
 * fastboot client on top.  tcp.c is used as hwflash uses it, through
 * hwf_tcp_open on a real loopback connection: a listener made once, and
 * for each input a thread that accepts, writes the input as the device's
 * byte stream, half-closes and reads whatever the client sends until the
 * client closes.  Byte 0 is a config byte (download size and command set);
 * the rest is the stream.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol/fastboot.h"
#include "protocol/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct peer {
	int lfd;
	const uint8_t *p;
	size_t n;
};

static void *device(void *arg)
{
	struct peer *pr = arg;
	struct linger lg = { 1, 0 };
	char sink[65536];
	int fd = accept(pr->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	for (size_t off = 0; off < pr->n;) {
		ssize_t w = send(fd, pr->p + off, pr->n - off, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(fd, SHUT_WR);
	while (recv(fd, sink, sizeof(sink), 0) > 0)
		;
	/* Reset instead of FIN: no TIME_WAIT left behind per input. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	return NULL;
}

static int listener(char *hostport, size_t len)
{
	static int lfd = -1;
	static unsigned port;

	if (lfd < 0) {
		struct sockaddr_in a = { 0 };
		socklen_t alen = sizeof(a);

		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16) ||
		    getsockname(lfd, (struct sockaddr *)&a, &alen))
			abort();
		port = ntohs(a.sin_port);
	}
	snprintf(hostport, len, "127.0.0.1:%u", port);
	return lfd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t dl_sizes[4] = { 1, 64, 4096, 70000 };
	static uint8_t payload[70000];
	struct hwf_transport *t;
	struct hwf_source *src;
	struct hwf_err e = { 0 };
	struct hwf_fb fb;
	struct peer pr;
	pthread_t th;
	char hp[64], v[HWF_FB_RESP_MAX];
	uint64_t max;

	if (!size)
		return 0;
	pr.lfd = listener(hp, sizeof(hp));
	pr.p = data + 1;
	pr.n = size - 1;
	if (pthread_create(&th, NULL, device, &pr))
		abort();
	if (hwf_tcp_open(&t, hp, 2000, &e) == 0) {
		hwf_fb_init(&fb, t, NULL, NULL);
		fb.timeout_ms = 2000;	/* never reached: the peer always hangs up */
		hwf_fb_getvar(&fb, "product", v, sizeof(v), &e);
		if (data[0] & 1)
			hwf_fb_max_download(&fb, &max, &e);
		if (hwf_source_open_mem(&src, payload, sizeof(payload), "payload", &e) == 0) {
			if (hwf_fb_download(&fb, src, 0, dl_sizes[(data[0] >> 1) & 3], NULL, NULL,
					    &e) == 0)
				hwf_fb_command(&fb, "flash:system", NULL, 0, &e);
			hwf_source_close(src);
		}
		hwf_fb_command(&fb, "reboot", NULL, 0, &e);
		hwf_transport_close(t);
	}
	pthread_join(th, NULL);
	return 0;
}
