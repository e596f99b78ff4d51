// SPDX-License-Identifier: MIT
/*
 * The transport factory: a device spec to an open transport, with --wait's
 * patience.  The spec's prefix is read by hwf_transport_kind() only.
 */
#include "protocol/transport.h"

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "protocol/usb.h"

#define CONNECT_TIMEOUT_MS  5000
#define TCP_RETRY_MS	    500
#define USB_ACCESS_WAIT_S   2.0 /* udev's rules may take a moment after the device appears */
#define USB_ACCESS_RETRY_MS 100

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* tcp:HOST[:PORT], retried until the wait runs out. */
static int open_tcp(struct hwf_transport **t, const char *addr, const struct hwf_transport_opts *o,
		    struct hwf_err *e)
{
	int timeout = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : CONNECT_TIMEOUT_MS;
	double until = now() + (o->wait_s > 0 ? o->wait_s : 0);
	int rc, said = 0;

	while ((rc = hwf_tcp_open(t, addr, timeout, e)) == HWF_ENOTFOUND && now() < until) {
		if (!said++ && o->waiting) {
			char what[160];

			snprintf(what, sizeof(what), "tcp:%s", addr);
			o->waiting(o->ctx, what);
		}
		pause_ms(TCP_RETRY_MS);
	}
	return rc;
}

/*
 * A USB device: usb:PATH, a serial, or (@sel NULL) the only one there is.
 * Waiting: for it to appear, then for udev to let us open it.
 */
static int open_usb(struct hwf_transport **t, const char *sel, const struct hwf_transport_opts *o,
		    struct hwf_err *e)
{
	int rc = hwf_usb_open(t, sel, e);
	double until;

	if (rc != HWF_ENOTFOUND || !(o->wait_s > 0))
		return rc;
	if (o->waiting)
		o->waiting(o->ctx, sel ? sel : "any device");
	rc = hwf_usb_wait(sel, (int)(o->wait_s * 1000), e);
	until = now() + USB_ACCESS_WAIT_S;
	while (!rc && (rc = hwf_usb_open(t, sel, e)) == HWF_EACCES && now() < until)
		pause_ms(USB_ACCESS_RETRY_MS);
	return rc;
}

int hwf_transport_open(struct hwf_transport **out, const char *spec,
		       const struct hwf_transport_opts *o, struct hwf_err *e)
{
	static const struct hwf_transport_opts none = { 0 };

	*out = NULL;
	if (!o)
		o = &none;
	switch (hwf_transport_kind(spec)) {
	case HWF_TRANSPORT_TCP: return open_tcp(out, spec + 4, o, e);
	case HWF_TRANSPORT_USB_ANY: return open_usb(out, NULL, o, e);
	case HWF_TRANSPORT_USB_PATH:
	case HWF_TRANSPORT_USB_SERIAL: break;
	}
	return open_usb(out, spec, o, e);
}

int hwf_transport_check(const char *spec, struct hwf_err *e)
{
	if (hwf_transport_kind(spec) != HWF_TRANSPORT_TCP)
		return 0;
	return hwf_tcp_check_address(spec + 4, e);
}

int hwf_transport_wait_gone(struct hwf_transport *t, int timeout_ms)
{
	double until = now() + timeout_ms / 1000.0;
	uint8_t buf[1024];

	while (now() < until) {
		struct hwf_err e = { 0 };
		int left = (int)((until - now()) * 1000) + 1;
		int64_t n = t->ops->read(t, buf, sizeof(buf), left < 100 ? left : 100, &e);

		/* A timeout: still there.  Anything else but data: gone. */
		if (n < 0 && n != HWF_ETIMEOUT && n != HWF_EPROTO)
			return 1;
	}
	return 0;
}

/* The factory's waiting callback, said once however often the factory is asked. */
struct once {
	const struct hwf_transport_opts *o;
	int said;
};

static void waiting_once(void *ctx, const char *what)
{
	struct once *w = ctx;

	if (!w->said++ && w->o->waiting)
		w->o->waiting(w->o->ctx, what);
}

int hwf_transport_reopen(struct hwf_transport **t, const struct hwf_transport_opts *o,
			 struct hwf_err *e)
{
	static const struct hwf_transport_opts none = { 0 };
	struct once w;
	struct hwf_transport_opts mine;
	char spec[sizeof((*t)->spec)], secs[32];
	double until;
	int rc;

	if (!o)
		o = &none;
	w = (struct once){ o, 0 };
	mine = *o;
	mine.waiting = waiting_once;
	mine.ctx = &w;
	snprintf(spec, sizeof(spec), "%s", *t ? (*t)->spec : "");
	hwf_transport_close(*t);
	*t = NULL;
	if (!spec[0])
		return hwf_err_set(e, HWF_EUNSUPPORTED, "this connection cannot be opened again");
	until = now() + (o->wait_s > 0 ? o->wait_s : 0);
	/*
	 * The device may be half there (its node still listed, a port that
	 * resets): what is not a wrong spec or a permission is tried again.
	 */
	for (;;) {
		mine.wait_s = until - now();
		if (mine.wait_s < 0.001)
			mine.wait_s = 0.001;
		rc = hwf_transport_open(t, spec, &mine, e);
		if (!rc || rc == HWF_EINVAL || rc == HWF_EACCES || rc == HWF_ENOMEM)
			return rc;
		if (now() >= until)
			break;
		waiting_once(&w, spec);
		pause_ms(USB_ACCESS_RETRY_MS);
	}
	if (o->wait_s >= 1 && (o->wait_s - (int)o->wait_s) < 0.05)
		snprintf(secs, sizeof(secs), "%d s", (int)o->wait_s);
	else
		snprintf(secs, sizeof(secs), "%.1f s", o->wait_s);
	return hwf_err_set(e, HWF_ETIMEOUT, "%s did not come back within %s", spec, secs);
}
