/* SPDX-License-Identifier: MIT */
/*
 * A transport moves fastboot packets: one write() is one packet (a command
 * or a chunk of download data), one read() returns at most one packet.
 * Protocol code sees only this table (qdl's struct qdl_device, libusb's
 * backends); tcp.c and usb.c implement it, tests/sim/simtransport.c puts
 * the simulated device behind it in process.
 *
 * A write() may return before its bytes are on the wire (usb.c keeps
 * several bulk transfers in flight so the link never idles between the
 * client's chunks); the next read() or close() waits for them, and a
 * failure of such a write is reported by the next write() or read().
 *
 * hwf_transport_open() (transport.c) is the one place that reads a device
 * spec ("tcp:HOST[:PORT]", "usb:PATH", a USB serial, or none): it picks the
 * implementation and waits for the device when asked to.  The transport it
 * returns is the caller's; hwf_transport_close() frees it.
 *
 * A device that reboots (into fastbootd and back) goes away and comes back
 * as a new connection: hwf_transport_wait_gone() sees it go, and
 * hwf_transport_reopen() opens the same device again from the spec the
 * transport keeps (the same tcp: address, the same USB serial).
 */
#ifndef HWF_TRANSPORT_H
#define HWF_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/core/err.h"

struct hwf_transport;

/*
 * Counters of a transport's OUT pipeline: transfers submitted, the most
 * that were in flight at once, bytes sent, halts cleared (USB).
 */
struct hwf_transport_stats {
	uint64_t transfers, bytes;
	unsigned max_in_flight, halts_cleared;
};

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
	/* Counters for -v and the tests; NULL when the transport keeps none (TCP). */
	void (*stats)(const struct hwf_transport *t, struct hwf_transport_stats *st);
};

struct hwf_transport {
	const struct hwf_transport_ops *ops;
	char name[128];		/* "tcp:127.0.0.1:5554" */
	/*
	 * The spec that opens this same device again (hwf_transport_reopen):
	 * the tcp: address, the USB serial (its port path when it has none);
	 * "" when it cannot be opened again.
	 */
	char spec[128];
};

static inline void hwf_transport_close(struct hwf_transport *t)
{
	if (t)
		t->ops->close(t);
}

/* @t's counters; all zero for a transport without any. */
static inline void hwf_transport_get_stats(const struct hwf_transport *t,
					   struct hwf_transport_stats *st)
{
	*st = (struct hwf_transport_stats){ 0 };
	if (t && t->ops->stats)
		t->ops->stats(t, st);
}

/* What a device spec (-s, $ANDROID_SERIAL) names. */
enum hwf_transport_kind {
	HWF_TRANSPORT_USB_ANY,		/* NULL or "": the only fastboot device on USB */
	HWF_TRANSPORT_USB_SERIAL,	/* "FBSIM0001": the USB device with that serial */
	HWF_TRANSPORT_USB_PATH,		/* "usb:1-1.2": the USB device at that port path */
	HWF_TRANSPORT_TCP,		/* "tcp:HOST[:PORT]" */
};

/* The one reading of a spec's prefix (inline: usb_find.c needs it below transport.c). */
static inline enum hwf_transport_kind hwf_transport_kind(const char *spec)
{
	if (!spec || !*spec)
		return HWF_TRANSPORT_USB_ANY;
	if (spec[0] == 't' && spec[1] == 'c' && spec[2] == 'p' && spec[3] == ':')
		return HWF_TRANSPORT_TCP;
	if (spec[0] == 'u' && spec[1] == 's' && spec[2] == 'b' && spec[3] == ':')
		return HWF_TRANSPORT_USB_PATH;
	return HWF_TRANSPORT_USB_SERIAL;
}

struct hwf_transport_opts {
	double wait_s;		/* > 0: wait up to this long for the device to appear */
	int connect_timeout_ms;	/* TCP connect and handshake; 0: 5 s */
	/*
	 * Called once when the device is not there and waiting begins, with
	 * what is waited for ("usb:1-1", "any device"); NULL: nothing said.
	 */
	void (*waiting)(void *ctx, const char *what);
	void *ctx;
};

/*
 * Open the device @spec names (see enum hwf_transport_kind); @o may be NULL
 * (no waiting).  With @o->wait_s, a TCP address is retried until the time
 * runs out, and a USB device is waited for (hotplug) and, once there,
 * retried while udev has not yet let us open it.  Errors are the
 * implementation's (hwf_tcp_open, hwf_usb_open): HWF_EINVAL for a bad
 * address, or for several USB devices and no @spec; HWF_ENOTFOUND,
 * HWF_EACCES, HWF_EIO, HWF_ETIMEOUT, each with a sentence for a person.
 */
int hwf_transport_open(struct hwf_transport **out, const char *spec,
		       const struct hwf_transport_opts *o, struct hwf_err *e);

/*
 * After a reboot command: wait up to @timeout_ms for @t's device to go away
 * (the connection closes, the USB device disconnects), as AOSP's
 * WaitForDisconnect does.  Anything the device still sends is dropped.
 * 1 when it went, 0 when it is still there.
 */
int hwf_transport_wait_gone(struct hwf_transport *t, int timeout_ms);

/*
 * The device of *@t came back (after a reboot): close *@t and open the
 * device its spec names again, waiting up to @o->wait_s for it; @o->waiting
 * is called once if it is not there at once.  *@t is the new transport, or
 * NULL on failure: HWF_ETIMEOUT "... did not come back within N s" (or the
 * last error of the factory), HWF_EUNSUPPORTED for a transport without a
 * spec.
 */
int hwf_transport_reopen(struct hwf_transport **t, const struct hwf_transport_opts *o,
			 struct hwf_err *e);

/*
 * Check @spec without opening anything: HWF_EINVAL with a sentence for a
 * tcp: address that cannot be one (bad port, no host).  0 for the rest.
 */
int hwf_transport_check(const char *spec, struct hwf_err *e);

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
