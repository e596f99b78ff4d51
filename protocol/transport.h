/* SPDX-License-Identifier: MIT */
/*
 * A transport moves fastboot packets: one write() is one packet (a command
 * or a chunk of download data), one read() returns at most one packet.
 * Protocol code sees only this table (qdl's struct qdl_device, libusb's
 * backends); tcp.c and usb.c implement it.
 *
 * A write() may return before its bytes are on the wire (usb.c keeps
 * several bulk transfers in flight so the link never idles between the
 * client's chunks); the next read() or close() waits for them, and a
 * failure of such a write is reported by the next write() or read().
 */
#ifndef HWF_TRANSPORT_H
#define HWF_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"

struct hwf_transport;

struct hwf_transport_ops {
	/* Send one packet of @len bytes. */
	int (*write)(struct hwf_transport *t, const void *buf, size_t len, int timeout_ms,
		     struct hwf_err *e);
	/*
	 * Receive one packet: returns its length (at most @len; a longer packet
	 * is an HWF_EPROTO error) or a negative code; HWF_ETIMEOUT after
	 * @timeout_ms without data.
	 */
	int64_t (*read)(struct hwf_transport *t, void *buf, size_t len, int timeout_ms,
			struct hwf_err *e);
	void (*close)(struct hwf_transport *t);
};

struct hwf_transport {
	const struct hwf_transport_ops *ops;
	char name[128];		/* "tcp:127.0.0.1:5554" */
};

static inline void hwf_transport_close(struct hwf_transport *t)
{
	if (t)
		t->ops->close(t);
}

/*
 * Connect to "HOST[:PORT]" (default port 5554) and do the FB01 handshake.
 * Fails with a sentence naming the address.
 */
int hwf_tcp_open(struct hwf_transport **out, const char *hostport, int timeout_ms,
		 struct hwf_err *e);
/*
 * Check "HOST[:PORT]" without connecting: HWF_EINVAL with a sentence for a
 * port that is not 1-65535 or a missing host ("tcp:HOST:99999: port must
 * be 1-65535").
 */
int hwf_tcp_check_address(const char *hostport, struct hwf_err *e);

#endif
