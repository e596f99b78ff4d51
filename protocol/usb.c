// SPDX-License-Identifier: MIT
/*
 * Fastboot over USB with libusb-1.0 (reference §1.5-§1.9).
 *
 * Bulk OUT is write-behind: write() copies the caller's bytes into one of
 * NSLOTS buffers of up to URB_SIZE, submits it as an asynchronous transfer
 * and returns while it is on the wire; it only waits when every buffer is
 * in flight.  So while the client reads its next chunk from the source the
 * device is still busy with the previous ones, and the bus never idles
 * between chunks (AOSP moved to the same scheme, 256 KiB URBs, in 2024).
 * read() and close() first wait for everything written.  Data is never
 * re-read from the caller: a stalled transfer is resent from its own
 * buffer, after the halt is cleared, once.
 *
 * Bulk IN reads one reply into a buffer that is a whole number of max
 * packets (never less than 256 bytes), so an over-long reply cannot
 * overflow it (§1.8).  No zero-length packet is ever sent.
 */
#include "usb.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FB_CLASS 0xff
#define FB_SUBCLASS 0x42
#define FB_PROTOCOL 0x03

/* Transfers in flight and their size; -D them to measure other choices. */
#ifndef HWF_USB_URBS
#define HWF_USB_URBS 4
#endif
#ifndef HWF_USB_URB_KIB
#define HWF_USB_URB_KIB 256
#endif
#define NSLOTS HWF_USB_URBS
#define URB_SIZE ((size_t)HWF_USB_URB_KIB << 10)
#define URB_MIN (16u << 10)
#define RESP_MIN 256
#define MAX_PORTS 8

enum slot_state { SLOT_QUEUED, SLOT_FLIGHT, SLOT_DONE, SLOT_FAILED };

struct usb;

struct slot {
	struct usb *u;
	struct libusb_transfer *x;
	uint8_t *buf;
	size_t n;		/* bytes in the buffer */
	size_t sent;		/* of which the device took */
	size_t sub;		/* bytes of the transfer in flight (from @sent) */
	enum slot_state state;
	int status;		/* enum libusb_transfer_status of a failure */
	int retried;		/* resent once after a stall */
};

struct usb {
	struct hwf_transport base;
	libusb_context *ctx;
	libusb_device_handle *h;
	int iface;
	uint8_t ep_in, ep_out;
	uint16_t in_max, out_max;
	size_t urb_size;	/* halved on LIBUSB_ERROR_NO_MEM */
	unsigned limit;		/* transfers in flight at most (NSLOTS, less after NO_MEM) */
	struct slot slots[NSLOTS];
	unsigned head, count;	/* the ring of slots holding data, oldest first */
	int completed;		/* set by the callback: wakes the event loop */
	int timeout_ms;		/* of the writes in flight */
	int fatal;		/* a failure already reported: every later call fails */
	struct hwf_err fatal_err;
	uint8_t *rbuf;
	size_t rlen;
	struct hwf_usb_stats st;
};

/* One candidate found while scanning the bus. */
struct cand {
	libusb_device *dev;
	libusb_device_handle *h;	/* when opened to read strings */
	struct hwf_usb_device info;
	uint8_t ports[MAX_PORTS];
	int nports, bus;
	int strings_read;
	int iface, alt;
	uint8_t ep_in, ep_out;
	uint16_t in_max, out_max;
};

static const struct hwf_transport_ops usb_ops;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void secs(int ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%.1f s", ms / 1000.0);
	else
		snprintf(buf, len, "%d s", ms / 1000);
}

/* A libusb error code or transfer status as one sentence about the device. */
static int usb_fail(struct usb *u, int code, int is_status, int reading, struct hwf_err *e)
{
	const char *name = u->base.name;
	char t[32];

	secs(u->timeout_ms, t, sizeof(t));
	if (is_status) {
		switch (code) {
		case LIBUSB_TRANSFER_NO_DEVICE:
			code = LIBUSB_ERROR_NO_DEVICE;
			break;
		case LIBUSB_TRANSFER_TIMED_OUT:
			code = LIBUSB_ERROR_TIMEOUT;
			break;
		case LIBUSB_TRANSFER_STALL:
			code = LIBUSB_ERROR_PIPE;
			break;
		case LIBUSB_TRANSFER_OVERFLOW:
			code = LIBUSB_ERROR_OVERFLOW;
			break;
		case LIBUSB_TRANSFER_CANCELLED:
			code = LIBUSB_ERROR_INTERRUPTED;
			break;
		default:
			code = LIBUSB_ERROR_IO;
			break;
		}
	}
	switch (code) {
	case LIBUSB_ERROR_NO_DEVICE:
		return hwf_err_set(e, HWF_EDISCONNECTED, "%s: device disconnected", name);
	case LIBUSB_ERROR_TIMEOUT:
		if (reading)
			return hwf_err_set(e, HWF_ETIMEOUT, "%s: no answer for %s", name, t);
		return hwf_err_set(e, HWF_ETIMEOUT, "%s: the device took no data for %s", name, t);
	case LIBUSB_ERROR_PIPE:
		return hwf_err_set(e, HWF_EIO,
				   "%s: endpoint 0x%02x stalled again after its halt was cleared",
				   name, reading ? u->ep_in : u->ep_out);
	case LIBUSB_ERROR_OVERFLOW:
		return hwf_err_set(e, HWF_EPROTO, "%s: the device sent more than %zu bytes", name,
				   u->rlen);
	default:
		return hwf_err_set(e, HWF_EIO, "%s: USB %s failed: %s", name,
				   reading ? "read" : "write", libusb_strerror(code));
	}
}

/* --- bulk OUT: the write-behind ring ------------------------------------- */

static void LIBUSB_CALL out_done(struct libusb_transfer *x)
{
	struct slot *s = x->user_data;

	s->sent += (size_t)x->actual_length;
	s->u->completed = 1;
	if (x->status == LIBUSB_TRANSFER_COMPLETED && (size_t)x->actual_length == s->sub) {
		/* The rest of a slot sent in parts (after NO_MEM) goes next. */
		s->state = s->sent >= s->n ? SLOT_DONE : SLOT_QUEUED;
	} else {
		/* Short without an error: later data may be on its way, so no resend. */
		s->state = SLOT_FAILED;
		s->status = x->status == LIBUSB_TRANSFER_COMPLETED ? LIBUSB_TRANSFER_ERROR
								  : x->status;
	}
}

static unsigned in_flight(const struct usb *u)
{
	unsigned k = 0;

	for (unsigned i = 0; i < u->count; i++)
		k += u->slots[(u->head + i) % NSLOTS].state == SLOT_FLIGHT;
	return k;
}

/* Let libusb run callbacks for up to half a second, or until one completes. */
static void wait_events(struct usb *u)
{
	struct timeval tv = { 0, 500 * 1000 };

	u->completed = 0;
	libusb_handle_events_timeout_completed(u->ctx, &tv, &u->completed);
}

/* Cancel everything in flight and wait until libusb has handed it back. */
static void cancel_all(struct usb *u)
{
	double until = now_s() + 5;

	for (unsigned i = 0; i < u->count; i++) {
		struct slot *s = &u->slots[(u->head + i) % NSLOTS];

		if (s->state == SLOT_FLIGHT)
			libusb_cancel_transfer(s->x);
	}
	while (in_flight(u) && now_s() < until)
		wait_events(u);
}

/* Submit the queued slots in ring order; a partly submitted slot blocks the rest. */
static int submit_queued(struct usb *u, struct hwf_err *e)
{
	for (unsigned i = 0; i < u->count; i++) {
		struct slot *s = &u->slots[(u->head + i) % NSLOTS];
		int rc;

		if (s->state == SLOT_FLIGHT) {
			if (s->sent + s->sub < s->n)
				return 0;
			continue;
		}
		if (s->state != SLOT_QUEUED)
			continue;
		if (in_flight(u) >= u->limit)
			return 0;
		for (;;) {
			s->sub = s->n - s->sent;
			if (s->sub > u->urb_size)
				s->sub = u->urb_size;
			libusb_fill_bulk_transfer(s->x, u->h, u->ep_out, s->buf + s->sent,
						  (int)s->sub, out_done, s, (unsigned)u->timeout_ms);
			rc = libusb_submit_transfer(s->x);
			if (rc != LIBUSB_ERROR_NO_MEM)
				break;
			/* usbfs limits memory in flight: fewer, then smaller transfers. */
			if (in_flight(u)) {
				u->limit = in_flight(u);
				return 0;
			}
			if (u->urb_size <= URB_MIN)
				break;
			u->urb_size /= 2;
		}
		if (rc)
			return usb_fail(u, rc, 0, 0, e);
		s->state = SLOT_FLIGHT;
		u->st.transfers++;
		if (in_flight(u) > u->st.max_in_flight)
			u->st.max_in_flight = in_flight(u);
		if (s->sent + s->sub < s->n)
			return 0;
	}
	return 0;
}

/*
 * A transfer stalled: stop the others, clear the halt, and queue every
 * byte the device has not taken again, in order, from the buffers.  Only
 * possible when nothing after the stalled transfer went through.
 */
static int recover_stall(struct usb *u, struct slot *bad, struct hwf_err *e)
{
	int after = 0, rc;

	cancel_all(u);
	for (unsigned i = 0; i < u->count; i++) {
		struct slot *s = &u->slots[(u->head + i) % NSLOTS];

		if (s == bad) {
			after = 1;
			continue;
		}
		if (after && s->sent)
			return hwf_err_set(e, HWF_EIO, "%s: endpoint 0x%02x stalled and later data "
						       "went through; cannot resend in order",
					   u->base.name, u->ep_out);
	}
	rc = libusb_clear_halt(u->h, u->ep_out);
	if (rc)
		return usb_fail(u, rc, 0, 0, e);
	u->st.halts_cleared++;
	bad->retried = 1;
	for (unsigned i = 0; i < u->count; i++) {
		struct slot *s = &u->slots[(u->head + i) % NSLOTS];

		if (s->state == SLOT_FAILED && s->status == LIBUSB_TRANSFER_CANCELLED)
			s->state = SLOT_QUEUED;
	}
	bad->state = SLOT_QUEUED;
	return 0;
}

/* Remember a failure: this and every later call report it. */
static int latch(struct usb *u, int rc, const struct hwf_err *e)
{
	if (!u->fatal) {
		u->fatal = rc;
		u->fatal_err = *e;
	}
	return rc;
}

static int replay(struct usb *u, struct hwf_err *e)
{
	*e = u->fatal_err;
	return u->fatal;
}

/*
 * Retire what the device took, handle failures, submit what is queued, and
 * wait until there is a free slot (@need == 1) or nothing left (@need == 2);
 * @need == 0 only submits.
 */
static int settle(struct usb *u, int need, struct hwf_err *e)
{
	for (;;) {
		struct slot *bad = NULL;
		int rc;

		while (u->count && u->slots[u->head].state == SLOT_DONE) {
			u->head = (u->head + 1) % NSLOTS;
			u->count--;
		}
		for (unsigned i = 0; i < u->count && !bad; i++) {
			struct slot *s = &u->slots[(u->head + i) % NSLOTS];

			if (s->state == SLOT_FAILED && s->status != LIBUSB_TRANSFER_CANCELLED)
				bad = s;
		}
		if (bad) {
			if (bad->status == LIBUSB_TRANSFER_STALL && !bad->retried)
				rc = recover_stall(u, bad, e);
			else
				rc = usb_fail(u, bad->status, 1, 0, e);
			if (rc) {
				cancel_all(u);
				return latch(u, rc, e);
			}
		}
		rc = submit_queued(u, e);
		if (rc) {
			cancel_all(u);
			return latch(u, rc, e);
		}
		if (need == 0 || (need == 1 && u->count < NSLOTS) || (need == 2 && !u->count))
			return 0;
		wait_events(u);
	}
}

static int usb_write(struct hwf_transport *bt, const void *buf, size_t len, int timeout_ms,
		     struct hwf_err *e)
{
	struct usb *u = (struct usb *)bt;
	const uint8_t *p = buf;
	struct hwf_err local;

	if (!e)
		e = &local;	/* a failure is kept, with its message, for later calls */
	if (u->fatal)
		return replay(u, e);
	u->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	while (len) {
		struct slot *s;
		size_t n = len < URB_SIZE ? len : URB_SIZE;
		int rc = settle(u, 1, e);

		if (rc)
			return rc;
		s = &u->slots[(u->head + u->count) % NSLOTS];
		memcpy(s->buf, p, n);
		s->n = n;
		s->sent = s->sub = 0;
		s->retried = 0;
		s->state = SLOT_QUEUED;
		u->count++;
		u->st.bytes += n;
		p += n;
		len -= n;
		rc = settle(u, 0, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* --- bulk IN ------------------------------------------------------------- */

static int64_t usb_read(struct hwf_transport *bt, void *buf, size_t len, int timeout_ms,
			struct hwf_err *e)
{
	struct usb *u = (struct usb *)bt;
	int retried = 0, zlps = 0;
	struct hwf_err local;

	if (!e)
		e = &local;
	if (u->fatal)
		return replay(u, e);
	if (u->count) {
		int rc = settle(u, 2, e);

		if (rc)
			return rc;
	}
	u->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	for (;;) {
		int got = 0;
		int rc = libusb_bulk_transfer(u->h, u->ep_in, u->rbuf, (int)u->rlen, &got,
					      (unsigned)u->timeout_ms);

		if (rc == LIBUSB_ERROR_PIPE && !retried) {
			retried = 1;
			rc = libusb_clear_halt(u->h, u->ep_in);
			if (rc)
				return latch(u, usb_fail(u, rc, 0, 1, e), e);
			u->st.halts_cleared++;
			continue;
		}
		if (rc == LIBUSB_ERROR_TIMEOUT)
			return usb_fail(u, rc, 0, 1, e);	/* the caller may go on */
		if (rc)
			return latch(u, usb_fail(u, rc, 0, 1, e), e);
		if (!got && ++zlps < 16)
			continue;	/* a zero-length packet carries no reply */
		if ((size_t)got > len)
			return hwf_err_set(e, HWF_EPROTO, "%s: the device sent a %d-byte reply (at "
							  "most %zu)",
					   u->base.name, got, len);
		memcpy(buf, u->rbuf, (size_t)got);
		return got;
	}
}

static void usb_close(struct hwf_transport *bt)
{
	struct usb *u = (struct usb *)bt;

	if (!u)
		return;
	if (u->count && !u->fatal) {
		struct hwf_err e = { 0 };

		settle(u, 2, &e);
	}
	cancel_all(u);
	for (unsigned i = 0; i < NSLOTS; i++) {
		libusb_free_transfer(u->slots[i].x);
		free(u->slots[i].buf);
	}
	if (u->h) {
		libusb_release_interface(u->h, u->iface);
		libusb_close(u->h);
	}
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u->rbuf);
	free(u);
}

static const struct hwf_transport_ops usb_ops = {
	.write = usb_write,
	.read = usb_read,
	.close = usb_close,
};

void hwf_usb_get_stats(const struct hwf_transport *t, struct hwf_usb_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (t && t->ops == &usb_ops)
		*st = ((const struct usb *)t)->st;
}

/* --- finding devices ------------------------------------------------------ */

/* The fastboot interface of @dev, if it has one: fills c->iface, endpoints. */
static int fastboot_interface(libusb_device *dev, struct cand *c)
{
	struct libusb_config_descriptor *cfg = NULL;
	int found = 0;

	if (libusb_get_active_config_descriptor(dev, &cfg) &&
	    libusb_get_config_descriptor(dev, 0, &cfg))
		return 0;
	for (int i = 0; i < cfg->bNumInterfaces && !found; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		for (int a = 0; a < itf->num_altsetting && !found; a++) {
			const struct libusb_interface_descriptor *d = &itf->altsetting[a];

			if (d->bInterfaceClass != FB_CLASS || d->bInterfaceSubClass != FB_SUBCLASS ||
			    d->bInterfaceProtocol != FB_PROTOCOL)
				continue;
			c->ep_in = c->ep_out = 0;
			for (int k = 0; k < d->bNumEndpoints; k++) {
				const struct libusb_endpoint_descriptor *ep = &d->endpoint[k];

				if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
					continue;
				if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !c->ep_in) {
					c->ep_in = ep->bEndpointAddress;
					c->in_max = ep->wMaxPacketSize & 0x7ff;
				} else if (!(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
					   !c->ep_out) {
					c->ep_out = ep->bEndpointAddress;
					c->out_max = ep->wMaxPacketSize & 0x7ff;
				}
			}
			if (c->ep_in && c->ep_out) {
				c->iface = d->bInterfaceNumber;
				c->alt = d->bAlternateSetting;
				found = 1;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	return found;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->bus != y->bus)
		return x->bus - y->bus;
	for (int i = 0; i < x->nports && i < y->nports; i++)
		if (x->ports[i] != y->ports[i])
			return x->ports[i] - y->ports[i];
	return x->nports - y->nports;
}

static void free_cands(struct cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i].h)
			libusb_close(c[i].h);
		libusb_unref_device(c[i].dev);
	}
	free(c);
}

/*
 * The kernel's copy of a string descriptor (sysfs "serial", "product"):
 * read like this, a device in the middle of a flash by another process
 * gets no control requests, as AOSP's usb_linux.cpp explains.
 */
static int sysfs_string(const struct cand *c, const char *attr, char *buf, size_t len)
{
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/%s", c->info.path + 4, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return n ? 0 : -1;
}

/*
 * Open @c (kept in c->h) unless done; notes a permission refusal.  Opening
 * the node sends nothing to the device.  0 when c->h is open.
 */
static int try_open(struct cand *c)
{
	int rc;

	if (c->h)
		return 0;
	if (c->info.no_access)
		return -1;
	rc = libusb_open(c->dev, &c->h);
	if (rc) {
		c->h = NULL;
		c->info.no_access = rc == LIBUSB_ERROR_ACCESS;
		return -1;
	}
	return 0;
}

/*
 * The serial and product strings: from sysfs where it has them, else from
 * the device's string descriptors (which opens it, kept in c->h).
 */
static void read_strings(struct cand *c)
{
	struct libusb_device_descriptor dd;

	if (c->strings_read)
		return;
	c->strings_read = 1;
	if (c->nports > 0 && !sysfs_string(c, "serial", c->info.serial, sizeof(c->info.serial))) {
		sysfs_string(c, "product", c->info.product, sizeof(c->info.product));
		return;
	}
	if (try_open(c) || libusb_get_device_descriptor(c->dev, &dd))
		return;
	if (dd.iSerialNumber)
		libusb_get_string_descriptor_ascii(c->h, dd.iSerialNumber,
						   (unsigned char *)c->info.serial,
						   (int)sizeof(c->info.serial));
	if (dd.iProduct)
		libusb_get_string_descriptor_ascii(c->h, dd.iProduct,
						   (unsigned char *)c->info.product,
						   (int)sizeof(c->info.product));
}

/* Every fastboot interface on the bus, sorted by path; strings not read yet. */
static int scan(libusb_context *ctx, struct cand **out, size_t *nout, struct hwf_err *e)
{
	libusb_device **list = NULL;
	ssize_t n = libusb_get_device_list(ctx, &list);
	struct cand *c;
	size_t k = 0;

	*out = NULL;
	*nout = 0;
	if (n < 0)
		return hwf_err_set(e, HWF_EIO, "cannot list USB devices: %s",
				   libusb_strerror((int)n));
	c = calloc((size_t)n + 1, sizeof(*c));
	if (!c) {
		libusb_free_device_list(list, 1);
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor dd;
		struct cand *x = &c[k];
		size_t o;

		memset(x, 0, sizeof(*x));
		if (libusb_get_device_descriptor(list[i], &dd) || !fastboot_interface(list[i], x))
			continue;
		x->dev = libusb_ref_device(list[i]);
		x->bus = libusb_get_bus_number(list[i]);
		x->nports = libusb_get_port_numbers(list[i], x->ports, MAX_PORTS);
		x->info.vid = dd.idVendor;
		x->info.pid = dd.idProduct;
		if (x->nports <= 0) {
			x->nports = 0;
			snprintf(x->info.path, sizeof(x->info.path), "usb:%d-addr%d", x->bus,
				 libusb_get_device_address(list[i]));
		} else {
			o = (size_t)snprintf(x->info.path, sizeof(x->info.path), "usb:%d-%d",
					     x->bus, x->ports[0]);
			for (int p = 1; p < x->nports && o < sizeof(x->info.path); p++)
				o += (size_t)snprintf(x->info.path + o, sizeof(x->info.path) - o,
						      ".%d", x->ports[p]);
		}
		k++;
	}
	libusb_free_device_list(list, 1);
	qsort(c, k, sizeof(*c), cmp_cand);
	*out = c;
	*nout = k;
	return 0;
}

/*
 * A libusb context of our own.  libusb_init() starts a udev monitor; two
 * processes starting at once (hwflash --all) can collide on it where the
 * netlink socket is emulated (umockdev names it after the fd number), so a
 * failure is tried again a few times before it is reported.
 */
static int new_ctx(libusb_context **ctx, struct hwf_err *e)
{
	int rc = libusb_init(ctx);

	for (int i = 1; rc == LIBUSB_ERROR_OTHER && i <= 5; i++) {
		struct timespec ts = { 0, i * 20 * 1000 * 1000L };

		nanosleep(&ts, NULL);
		rc = libusb_init(ctx);
	}
	if (rc)
		return hwf_err_set(e, HWF_EIO, "cannot use USB: %s", libusb_strerror(rc));
	return 0;
}

int hwf_usb_list(struct hwf_usb_device **out, size_t *n, struct hwf_err *e)
{
	libusb_context *ctx;
	struct cand *c;
	size_t k;
	int rc;

	*out = NULL;
	*n = 0;
	rc = new_ctx(&ctx, e);
	if (rc)
		return rc;
	rc = scan(ctx, &c, &k, e);
	if (!rc && k) {
		*out = calloc(k, sizeof(**out));
		if (!*out)
			rc = hwf_err_set(e, HWF_ENOMEM, "out of memory");
		for (size_t i = 0; *out && i < k; i++) {
			read_strings(&c[i]);
			try_open(&c[i]);	/* to list "no permissions" */
			(*out)[i] = c[i].info;
		}
		if (*out)
			*n = k;
	}
	if (!rc)
		free_cands(c, k);
	libusb_exit(ctx);
	return rc;
}

static int is_path(const char *sel)
{
	return sel && !strncmp(sel, "usb:", 4);
}

/* Does @c match @sel?  Serials need the strings read. */
static int matches(struct cand *c, const char *sel)
{
	if (!sel || !*sel)
		return 1;
	if (is_path(sel))
		return !strcmp(c->info.path, sel);
	read_strings(c);
	return c->info.serial[0] && !strcmp(c->info.serial, sel);
}

/* "FBSIM01 (usb:1-1), ? (usb:1-2, no permission)" for messages. */
static void describe(struct cand *c, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		read_strings(&c[i]);
		try_open(&c[i]);
		o += (size_t)snprintf(buf + o, len - o, "%s%s (%s%s)", i ? ", " : "",
				      c[i].info.serial[0] ? c[i].info.serial : "?", c[i].info.path,
				      c[i].info.no_access ? ", no permission" : "");
	}
}

static int no_permission(const struct cand *c, struct hwf_err *e)
{
	return hwf_err_set(e, HWF_EACCES, "found %04x:%04x at %s but no permission: %s",
			   c->info.vid, c->info.pid, c->info.path, HWF_USB_PERMISSION_HINT);
}

/* Pick the one candidate @sel names; *which is its index. */
static int choose(struct cand *c, size_t n, const char *sel, size_t *which, struct hwf_err *e)
{
	char list[400];
	size_t hits = 0, first = 0;

	for (size_t i = 0; i < n; i++)
		if (matches(&c[i], sel) && !hits++)
			first = i;
	if (hits == 1) {
		*which = first;
		return 0;
	}
	if (hits > 1) {
		describe(c, n, list, sizeof(list));
		if (!sel || !*sel)
			return hwf_err_set(e, HWF_EINVAL, "%zu fastboot devices are connected: %s; "
							  "pick one with -s SERIAL or -s usb:PATH, "
							  "or use --all",
					   hits, list);
		return hwf_err_set(e, HWF_EINVAL, "%zu devices report serial %s (%s): pick one "
						  "with -s usb:PATH",
				   hits, sel, list);
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].info.no_access && !is_path(sel))
			return no_permission(&c[i], e);
	if (!n && (!sel || !*sel))
		return hwf_err_set(e, HWF_ENOTFOUND, "no fastboot device on USB (is it connected, "
						     "and in fastboot mode?)");
	if (!n)
		return hwf_err_set(e, HWF_ENOTFOUND, "no fastboot device %s %s: none is connected "
						     "to USB (is it in fastboot mode?)",
				   is_path(sel) ? "at" : "with serial", sel);
	describe(c, n, list, sizeof(list));
	return hwf_err_set(e, HWF_ENOTFOUND, "no fastboot device %s %s; connected: %s",
			   is_path(sel) ? "at" : "with serial", sel, list);
}

static int make_transport(struct cand *c, struct usb **out, struct hwf_err *e)
{
	struct usb *u = calloc(1, sizeof(*u));

	*out = u;
	if (!u)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	u->base.ops = &usb_ops;
	snprintf(u->base.name, sizeof(u->base.name), "%s", c->info.path);
	u->iface = c->iface;
	u->ep_in = c->ep_in;
	u->ep_out = c->ep_out;
	u->in_max = c->in_max ? c->in_max : 512;
	u->out_max = c->out_max ? c->out_max : 512;
	u->urb_size = URB_SIZE;
	u->limit = NSLOTS;
	u->rlen = (RESP_MIN + u->in_max - 1) / u->in_max * u->in_max;
	u->rbuf = malloc(u->rlen);
	if (!u->rbuf)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	for (unsigned i = 0; i < NSLOTS; i++) {
		u->slots[i].u = u;
		u->slots[i].buf = malloc(URB_SIZE);
		u->slots[i].x = libusb_alloc_transfer(0);
		if (!u->slots[i].buf || !u->slots[i].x)
			return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	}
	return 0;
}

int hwf_usb_open(struct hwf_transport **out, const char *sel, struct hwf_err *e)
{
	libusb_context *ctx;
	struct cand *c = NULL;
	struct usb *u = NULL;
	size_t n = 0, i = 0;
	int rc;

	*out = NULL;
	rc = new_ctx(&ctx, e);
	if (rc)
		return rc;
	rc = scan(ctx, &c, &n, e);
	if (!rc)
		rc = choose(c, n, sel, &i, e);
	if (!rc && !c[i].h) {
		rc = libusb_open(c[i].dev, &c[i].h);
		if (rc == LIBUSB_ERROR_ACCESS) {
			c[i].h = NULL;
			rc = no_permission(&c[i], e);
		} else if (rc) {
			c[i].h = NULL;
			rc = hwf_err_set(e, HWF_EIO, "%s: cannot open: %s", c[i].info.path,
					 libusb_strerror(rc));
		}
	}
	if (!rc) {
		rc = libusb_claim_interface(c[i].h, c[i].iface);
		if (rc == LIBUSB_ERROR_BUSY)
			rc = hwf_err_set(e, HWF_EIO, "%s is in use by another program (another "
						     "hwflash, fastboot or adb?)",
					 c[i].info.path);
		else if (rc)
			rc = hwf_err_set(e, HWF_EIO, "%s: cannot claim the fastboot interface: %s",
					 c[i].info.path, libusb_strerror(rc));
		else if (c[i].alt &&
			 libusb_set_interface_alt_setting(c[i].h, c[i].iface, c[i].alt)) {
			libusb_release_interface(c[i].h, c[i].iface);
			rc = hwf_err_set(e, HWF_EIO, "%s: cannot select the fastboot interface",
					 c[i].info.path);
		}
	}
	if (!rc) {
		rc = make_transport(&c[i], &u, e);
		if (rc) {
			libusb_release_interface(c[i].h, c[i].iface);
			if (u)
				usb_close(&u->base);	/* no handle, no context yet */
		}
	}
	if (rc) {
		free_cands(c, n);
		libusb_exit(ctx);
		return rc;
	}
	u->ctx = ctx;
	u->h = c[i].h;
	c[i].h = NULL;
	free_cands(c, n);
	*out = &u->base;
	return 0;
}

/* --- waiting for a device --------------------------------------------- */

static int LIBUSB_CALL arrived(libusb_context *ctx, libusb_device *dev,
			       libusb_hotplug_event ev, void *user)
{
	(void)ctx;
	(void)dev;
	(void)ev;
	*(int *)user = 1;
	return 0;
}

/* 1 when a device matching @sel is on the bus (permission or not). */
static int present(const char *sel)
{
	libusb_context *ctx;
	struct cand *c;
	size_t n;
	int found = 0;

	if (new_ctx(&ctx, NULL))
		return 0;
	if (!scan(ctx, &c, &n, NULL)) {
		for (size_t i = 0; i < n && !found; i++)
			found = matches(&c[i], sel) || (c[i].info.no_access && !is_path(sel));
		free_cands(c, n);
	}
	libusb_exit(ctx);
	return found;
}

int hwf_usb_wait(const char *sel, int timeout_ms, struct hwf_err *e)
{
	double until = now_s() + timeout_ms / 1000.0;
	libusb_context *hctx = NULL;
	libusb_hotplug_callback_handle cb;
	int flag = 0, hot = 0;
	char t[32];

	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) && !new_ctx(&hctx, NULL))
		hot = !libusb_hotplug_register_callback(hctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED,
							0, LIBUSB_HOTPLUG_MATCH_ANY,
							LIBUSB_HOTPLUG_MATCH_ANY,
							LIBUSB_HOTPLUG_MATCH_ANY, arrived, &flag,
							&cb);
	for (;;) {
		double left;
		int rc = present(sel);

		if (rc || (left = until - now_s()) <= 0) {
			if (hctx)
				libusb_exit(hctx);
			if (rc)
				return 0;
			secs(timeout_ms, t, sizeof(t));
			return hwf_err_set(e, HWF_ETIMEOUT, "no fastboot device%s%s appeared within %s",
					   sel ? " " : "", sel ? sel : "", t);
		}
		if (left > 0.5)
			left = 0.5;
		flag = 0;
		if (hot) {
			double stop = now_s() + left;

			while (!flag && now_s() < stop) {
				struct timeval tv = { 0, (long)((stop - now_s()) * 1e6) };

				if (tv.tv_usec < 0)
					break;
				libusb_handle_events_timeout_completed(hctx, &tv, &flag);
			}
		} else {
			struct timespec ts = { 0, (long)(left * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
}
