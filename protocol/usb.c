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
#include "protocol/usb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DATA_READ_MIN (64u << 10) /* a read this large is a data phase, not a reply */

static const struct hwf_transport_ops usb_ops;

double hwf_usb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hwf_usb_secs(int ms, char *buf, size_t len)
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

	hwf_usb_secs(u->timeout_ms, t, sizeof(t));
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
	double until = hwf_usb_now() + 5;

	for (unsigned i = 0; i < u->count; i++) {
		struct slot *s = &u->slots[(u->head + i) % NSLOTS];

		if (s->state == SLOT_FLIGHT)
			libusb_cancel_transfer(s->x);
	}
	while (in_flight(u) && hwf_usb_now() < until)
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
	unsigned char *rbuf = u->rbuf;
	size_t rlen = u->rlen;

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
	/*
	 * A data phase (fetch) reads into the caller's buffer, a whole number
	 * of max packets: the device's bytes fill it and go on in the next read.
	 */
	if (len >= DATA_READ_MIN && len >= 2 * u->rlen) {
		size_t n = len / u->in_max * u->in_max;

		rbuf = buf;
		rlen = n > INT32_MAX / 2 ? INT32_MAX / 2 / u->in_max * u->in_max : n;
	}
	for (;;) {
		int got = 0;
		int rc = libusb_bulk_transfer(u->h, u->ep_in, rbuf, (int)rlen, &got,
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
		if (rbuf != buf)
			memcpy(buf, rbuf, (size_t)got);
		return got;
	}
}

void hwf_usb_close(struct hwf_transport *bt)
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

static void usb_stats(const struct hwf_transport *t, struct hwf_transport_stats *st)
{
	*st = ((const struct usb *)t)->st;
}

static const struct hwf_transport_ops usb_ops = {
	.write = usb_write,
	.read = usb_read,
	.close = hwf_usb_close,
	.stats = usb_stats,
};

/* --- finding devices ------------------------------------------------------ */

int hwf_usb_make_transport(struct cand *c, struct usb **out, struct hwf_err *e)
{
	struct usb *u = calloc(1, sizeof(*u));

	*out = u;
	if (!u)
		return hwf_err_set(e, HWF_ENOMEM, "out of memory");
	u->base.ops = &usb_ops;
	snprintf(u->base.name, sizeof(u->base.name), "%s", c->info.path);
	/* After a reboot the device is found again by its serial, else at its port. */
	snprintf(u->base.spec, sizeof(u->base.spec), "%s",
		 c->info.serial[0] ? c->info.serial : c->info.path);
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
