// SPDX-License-Identifier: MIT
/*
 * fbsim: the simulated fastboot device on TCP (AOSP TCP protocol v1).
 *   fbsim --tcp PORT --store DIR [--product P] [--max-download N]
 *         [--partition NAME:SIZE[:TYPE] ...] [--logical NAME:SIZE[:TYPE] ...]
 *         [--super SIZE]
 *         [--slots 0|N] [--current-slot X] [--mode bootloader|fastbootd]
 *         [--snapshot none|snapshotted|merging] [--reboot-ms N]
 *         [--fault KIND] [--once]
 * --slots 0 is a device without slots (slot-count, current-slot, has-slot
 * FAIL); N >= 2 an A/B device (default: 2 when a partition ends in _a).
 * KIND is a fault named in fbdev.h's fbdev_parse_fault tables, e.g.
 * fail-flash, or one with an argument: disconnect-at:PCT, stall-on:CMD,
 * overlong:N, reboot-slow:MS.
 * PORT 0 picks a free port; the port is printed as "fbsim: listening on
 * 127.0.0.1:PORT" on stdout.  Serves one connection at a time on 127.0.0.1.
 *
 * A reboot (reboot, reboot-bootloader, reboot-fastboot, reboot-recovery)
 * ends the connection after its OKAY and closes the port, as a device that
 * restarts does (a connection attempt is refused meanwhile); the port
 * listens again after the model's delay (--reboot-ms, reboot-slow:MS), in
 * the new mode, or never (reboot-never-returns).  --once ends fbsim after
 * a connection that did not end in a reboot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "formats/core/bytes.h"
#include "tests/sim/fbdev.h"

static int send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct conn {
	int fd;
	int bytewise;		/* fault byte-by-byte: one byte per TCP segment */
	int unframed;		/* fault unframed: no length before a reply */
};

static int send_frame(void *ctx, const void *buf, size_t len)
{
	const struct conn *c = ctx;
	uint8_t f[8 + 4096];

	if (c->unframed)
		return send_all(c->fd, buf, len);
	if (len > 4096) {
		/* Data (fetch): the header, then the bytes; Nagle's delay does not matter. */
		put_be64(f, len);
		return send_all(c->fd, f, 8) ? -1 : send_all(c->fd, buf, len);
	}
	/* One send per reply: a split header and payload meet Nagle's delay. */
	put_be64(f, len);
	memcpy(f + 8, buf, len);
	if (!c->bytewise)
		return send_all(c->fd, f, 8 + len);
	/* TCP_NODELAY is on: each byte leaves alone, the client reads them one by one. */
	for (size_t i = 0; i < 8 + len; i++) {
		if (send_all(c->fd, f + i, 1))
			return -1;
		usleep(200);
	}
	return 0;
}

/* One connection; FBDEV_REBOOT when it ended in a reboot. */
static int serve(int fd, struct fbdev *d, int bytewise, int unframed)
{
	uint8_t *buf = malloc(1 << 20), h[8], hs[4];
	struct conn c = { fd, bytewise, unframed };
	int one = 1, rc = 0;

	if (bytewise)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	if (!buf || recv_all(fd, hs, 4) || memcmp(hs, "FB", 2) || send_all(fd, "FB01", 4))
		goto out;
	for (;;) {
		uint64_t len;

		if (recv_all(fd, h, 8))
			break;
		len = get_be64(h);
		if (!fbdev_data_left(d) && len > 4096)
			break;
		/* Data frames can be large: feed them in pieces. */
		while (len) {
			size_t n = len < (1u << 20) ? (size_t)len : (1u << 20);

			if (recv_all(fd, buf, n) || (rc = fbdev_input(d, buf, n, send_frame, &c)))
				goto out;
			len -= n;
		}
	}
out:
	free(buf);
	return rc;
}

/* 127.0.0.1:@port (0: any free one), listening; -1 when it cannot. */
static int listen_on(struct sockaddr_in *a)
{
	socklen_t alen = sizeof(*a);
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0)
		return -1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)a, sizeof(*a)) || listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)a, &alen)) {
		close(lfd);
		return -1;
	}
	return lfd;
}

int main(int argc, char **argv)
{
	struct fbdev_opts o;
	struct sockaddr_in a;
	char why[256];
	int port = -1, once = 0, lfd;

	fbdev_opts_init(&o);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--once")) {
			once = 1;
			continue;
		}
		if (fbdev_parse_flag(argv[i], &o))
			continue;
		if (!v) {
			fprintf(stderr, "fbsim: %s needs a value\n", argv[i]);
			return 2;
		}
		i++;
		if (!strcmp(argv[i - 1], "--tcp")) {
			port = atoi(v);
			continue;
		}
		switch (fbdev_parse_option(argv[i - 1], v, &o, why, sizeof(why))) {
		case 1:
			continue;
		case -1:
			fprintf(stderr, "fbsim: %s\n", why);
			return 2;
		}
		fprintf(stderr, "fbsim: unknown option %s\n", argv[i - 1]);
		return 2;
	}
	if (port < 0 || !o.store) {
		fprintf(stderr, "usage: fbsim --tcp PORT --store DIR [--product P] "
				"[--max-download N] [--partition NAME:SIZE[:TYPE] ...] "
				"[--logical NAME:SIZE[:TYPE] ...] [--super SIZE] [--slots 0|N] "
				"[--current-slot X] "
				"[--mode bootloader|fastbootd] [--snapshot none|snapshotted|merging] "
				"[--reboot-ms N] [--fault KIND] [--huawei] [--locked] [--once]\n");
		return 2;
	}
	if (!o.nparts) {
		static const char *const def[] = { "boot_a", "boot_b", "recovery", "system",
						   "vendor", "userdata", "cache", "ptable" };

		for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
			snprintf(o.parts[i].name, sizeof(o.parts[i].name), "%s", def[i]);
			o.parts[i].size = 256ull << 20;
		}
		o.nparts = sizeof(def) / sizeof(def[0]);
	}
	memset(&a, 0, sizeof(a));
	a.sin_port = htons((uint16_t)port);
	lfd = listen_on(&a);
	if (lfd < 0) {
		fprintf(stderr, "fbsim: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	/* A dynamic device has its super.img before anyone connects. */
	if (o.super_size)
		fbdev_free(fbdev_new(&o));
	printf("fbsim: listening on 127.0.0.1:%u\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		struct fbdev *d;
		int fd = accept(lfd, NULL, NULL), rc = 0, delay;

		if (fd < 0)
			continue;
		d = fbdev_new(&o);
		if (d)
			rc = serve(fd, d, o.fault == FBDEV_FAULT_BYTE_BY_BYTE,
				   o.fault == FBDEV_FAULT_UNFRAMED);
		delay = d ? fbdev_reboot_delay_ms(d) : 0;
		fbdev_free(d);
		if (rc != FBDEV_REBOOT) {
			close(fd);
			if (once)
				break;
			continue;
		}
		/* Rebooting: the port is closed before the connection, so nothing gets in. */
		close(lfd);
		close(fd);
		if (delay < 0)
			for (;;)
				pause(); /* gone for good, until killed */
		usleep((useconds_t)delay * 1000);
		for (int tries = 0; (lfd = listen_on(&a)) < 0; tries++) {
			if (tries == 100) {
				fprintf(stderr, "fbsim: cannot listen again on 127.0.0.1:%u: %s\n",
					ntohs(a.sin_port), strerror(errno));
				return 1;
			}
			usleep(10 * 1000);
		}
	}
	close(lfd);
	return 0;
}
