// SPDX-License-Identifier: MIT
/*
 * usbsim's device side: the usbdevfs ioctls libusb sends to a device node
 * (SUBMITURB, REAPURB, DISCARDURB, CLEAR_HALT ...), control transfers and
 * descriptors, and the thread that feeds OUT URBs to the fbdev model and
 * completes IN URBs with its replies.  USB faults (--usb-fault) are made
 * here.  See usbsim_main.c for the whole picture.
 */
#include "tests/sim/usbsim.h"

#include <errno.h>
#include <linux/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double usbsim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void usbsim_die(const char *fmt, const char *arg)
{
	fprintf(stderr, "usbsim: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(125);
}

static void client_unref(struct simclient *c)
{
	if (g_atomic_int_dec_and_test(&c->refs))
		g_free(c);
}

static void urb_free(struct urb *r)
{
	umockdev_ioctl_data_unref(r->data);
	client_unref(r->c);
	g_free(r);
}

/* Hand @r back to its client with @status and @actual bytes; lock held. */
static void finish(struct simdev *d, struct urb *r, int status, int actual)
{
	r->u->status = status;
	r->u->actual_length = actual;
	if (r->u->endpoint == EP_OUT && r->u->type == USBDEVFS_URB_TYPE_BULK)
		d->out_pending--;
	if (g_atomic_int_get(&r->c->dead))
		urb_free(r);
	else
		g_queue_push_tail(&r->c->done, r);
	g_cond_broadcast(&d->cond);
}

static void fail_queue(struct simdev *d, GQueue *q, int status)
{
	struct urb *r;

	while ((r = g_queue_pop_head(q)))
		finish(d, r, status, 0);
}

/* Unplugged: everything pending ends with ENODEV; lock held. */
static void unplug(struct simdev *d)
{
	d->gone = 1;
	fail_queue(d, &d->work, -ENODEV);
	fail_queue(d, &d->halted[0], -ENODEV);
	fail_queue(d, &d->halted[1], -ENODEV);
	for (GList *l = d->clients; l; l = l->next)
		fail_queue(d, &((struct simclient *)l->data)->in, -ENODEV);
}

/* @c's device is gone: unplugged, or @c opened the device before it rebooted. */
static int dead_for(const struct simdev *d, const struct simclient *c)
{
	return d->gone || c->gen != d->gen;
}

void usbsim_unplug(struct simdev *d)
{
	g_mutex_lock(&d->lock);
	unplug(d);
	g_mutex_unlock(&d->lock);
}

void usbsim_replug(struct simdev *d)
{
	GBytes *b;

	g_mutex_lock(&d->lock);
	d->gen++;
	d->gone = 0;
	d->halt[0] = d->halt[1] = 0;
	while ((b = g_queue_pop_head(&d->replies)))
		g_bytes_unref(b);
	g_mutex_unlock(&d->lock);
}

/*
 * Copy a reply into the oldest waiting IN URB of @c; lock held.  Returns
 * the bytes it took (0: no URB).  A URB of whole max packets takes what
 * fits and the rest goes on in the next one, as bulk data does; any other
 * URB too small for the reply overflows.
 */
static size_t deliver_to(struct simdev *d, struct simclient *c, const void *buf, size_t len)
{
	struct urb *r = c && !g_atomic_int_get(&c->dead) && !dead_for(d, c)
			    ? g_queue_pop_head(&c->in)
			    : NULL;
	size_t room;

	if (!r)
		return 0;
	room = (size_t)r->u->buffer_length;
	memcpy(r->u->buffer, buf, len < room ? len : room);
	if (len > room && room && room % 512 == 0) {
		finish(d, r, 0, (int)room);
		return room;
	}
	finish(d, r, len > room ? -EOVERFLOW : 0, (int)(len < room ? len : room));
	return len;
}

/* fbdev's send callback: runs in the worker thread. */
static int model_send(void *ctx, const void *buf, size_t len)
{
	struct simdev *d = ctx;
	const uint8_t *p = buf;
	size_t took = 1;

	g_mutex_lock(&d->lock);
	while (len && took && g_queue_is_empty(&d->replies) && !d->halt[1]) {
		took = d->cur ? deliver_to(d, d->cur->c, p, len) : 0;
		for (GList *l = d->clients; l && !took; l = l->next)
			took = deliver_to(d, l->data, p, len);
		p += took;
		len -= took;
	}
	if (len)
		g_queue_push_tail(&d->replies, g_bytes_new(p, len));
	g_mutex_unlock(&d->lock);
	return 0;
}

/* Replies that waited for an IN URB; lock held. */
static void flush_replies(struct simdev *d, struct simclient *c)
{
	GBytes *b;

	while (!d->halt[1] && !g_queue_is_empty(&c->in) && (b = g_queue_pop_head(&d->replies))) {
		gsize len;
		const uint8_t *p = g_bytes_get_data(b, &len);
		size_t took = deliver_to(d, c, p, len);

		if (took < len)
			g_queue_push_head(&d->replies, g_bytes_new(p + took, len - took));
		g_bytes_unref(b);
	}
}

gpointer usbsim_worker(gpointer arg)
{
	struct simdev *d = arg;

	g_mutex_lock(&d->lock);
	for (;;) {
		struct urb *r;
		int rc = 0, len, data;

		while (!d->quit && (d->halt[0] || g_queue_is_empty(&d->work)))
			g_cond_wait(&d->cond, &d->lock);
		if (d->quit)
			break;
		r = g_queue_pop_head(&d->work);
		d->out_urbs++;
		len = r->u->buffer_length;
		if ((d->uf == UF_STALL_OUT && d->out_urbs == d->uf_n) ||
		    (d->uf == UF_STALL_OUT_ALWAYS && d->out_urbs >= d->uf_n)) {
			/* The endpoint halts: this URB and what follows wait for CLEAR_HALT. */
			d->halt[0] = 1;
			while (!g_queue_is_empty(&d->work))
				g_queue_push_tail(&d->halted[0], g_queue_pop_head(&d->work));
			finish(d, r, -EPIPE, 0);
			continue;
		}
		if (d->uf == UF_DISCONNECT && d->out_bytes + (uint64_t)len > d->uf_n) {
			finish(d, r, -ENODEV, 0);
			unplug(d);
			continue;
		}
		d->cur = r;
		data = fbdev_data_left(d->fb) > 0;
		if (data && !d->t_first)
			d->t_first = usbsim_now();
		g_mutex_unlock(&d->lock);
		/* ZLPs carry nothing and are ignored (fastboot README). */
		if (len)
			rc = fbdev_input(d->fb, r->u->buffer, (size_t)len, model_send, d);
		g_mutex_lock(&d->lock);
		d->cur = NULL;
		d->out_bytes += (uint64_t)len;
		if (data) {
			d->data_bytes += (uint64_t)len;
			d->t_last = usbsim_now();
		}
		if (rc < 0) {
			finish(d, r, -ENODEV, 0);
			unplug(d);
		} else {
			finish(d, r, 0, len);
			/* The main thread unplugs it once the OKAY went out (usbsim_main.c). */
			if (rc == FBDEV_REBOOT)
				d->rebooting = 1;
		}
	}
	g_mutex_unlock(&d->lock);
	return NULL;
}

/* --- descriptors ------------------------------------------------------------ */

size_t usbsim_device_descriptors(const struct simdev *d, uint8_t *p)
{
	static const uint8_t cfg[] = {
		9, 2, 32, 0, 1, 1, 0, 0x80, 250,		/* config, 1 interface */
		9, 4, 0, 0, 2, 0xff, 0x42, 0x03, 4,		/* fastboot interface */
		7, 5, EP_IN, 2, 0x00, 0x02, 0,			/* bulk IN, 512 */
		7, 5, EP_OUT, 2, 0x00, 0x02, 0,			/* bulk OUT, 512 */
	};
	uint8_t dev[18] = { 18, 1, 0x00, 0x02, 0, 0, 0, 64, (uint8_t)d->vid,
			    (uint8_t)(d->vid >> 8), (uint8_t)d->pid, (uint8_t)(d->pid >> 8),
			    0x00, 0x01, 1, 2, 3, 1 };

	memcpy(p, dev, sizeof(dev));
	memcpy(p + sizeof(dev), cfg, sizeof(cfg));
	return sizeof(dev) + sizeof(cfg);
}

/* String descriptor @idx as UTF-16LE; returns its length. */
static size_t string_descriptor(const struct simdev *d, unsigned idx, uint8_t *p, size_t room)
{
	const char *s;
	size_t n;

	if (idx == 0) {
		static const uint8_t langs[] = { 4, 3, 0x09, 0x04 };

		memcpy(p, langs, sizeof(langs));
		return sizeof(langs);
	}
	s = idx == 1 ? "hwflash usbsim" : idx == 2 ? d->o.product : idx == 3 ? d->serial :
	    idx == 4 ? "fastboot" : NULL;
	if (!s)
		return 0;
	n = strlen(s);
	if (2 + 2 * n > room)
		n = (room - 2) / 2;
	p[0] = (uint8_t)(2 + 2 * n);
	p[1] = 3;
	for (size_t i = 0; i < n; i++) {
		p[2 + 2 * i] = (uint8_t)s[i];
		p[3 + 2 * i] = 0;
	}
	return 2 + 2 * n;
}

/* A control URB: GET_DESCRIPTOR answered, anything else stalls.  Lock held. */
static void control(struct simdev *d, struct urb *r)
{
	uint8_t *b = r->u->buffer, desc[256];
	unsigned len = r->u->buffer_length >= 8 ? (unsigned)(b[6] | b[7] << 8) : 0;
	size_t n = 0;

	d->ctrl_urbs++;
	if (r->u->buffer_length < 8 || b[0] != 0x80 || b[1] != 6) {
		finish(d, r, -EPIPE, 0);
		return;
	}
	switch (b[3]) {
	case 1:
	case 2:
		n = usbsim_device_descriptors(d, desc);
		if (b[3] == 1)
			n = 18;
		else
			memmove(desc, desc + 18, n -= 18);
		break;
	case 3:
		n = string_descriptor(d, b[2], desc, sizeof(desc));
		break;
	default:
		break;
	}
	if (!n) {
		finish(d, r, -EPIPE, 0);
		return;
	}
	if (n > len)
		n = len;
	if (n > (size_t)r->u->buffer_length - 8)
		n = (size_t)r->u->buffer_length - 8;
	memcpy(b + 8, desc, n);
	finish(d, r, 0, (int)n);
}

/* --- the ioctl handler ------------------------------------------------------ */

/* The node was closed: what is still queued for this client goes nowhere. */
static void client_gone(gpointer p)
{
	struct simclient *c = p;

	g_atomic_int_set(&c->dead, 1);
	client_unref(c);
}

static struct simclient *client_of(struct simdev *d, UMockdevIoctlClient *client)
{
	struct simclient *c = g_object_get_data(G_OBJECT(client), "usbsim");

	if (!c) {
		c = g_new0(struct simclient, 1);
		c->refs = 2;	/* the client object's, the device list's */
		c->gen = d->gen;
		g_queue_init(&c->in);
		g_queue_init(&c->done);
		d->clients = g_list_append(d->clients, c);
		g_object_set_data_full(G_OBJECT(client), "usbsim", c, client_gone);
	}
	return c;
}

/* Find the URB at client address @addr in @q and take it out. */
static struct urb *take(GQueue *q, struct simclient *c, gulong addr)
{
	for (GList *l = q->head; l; l = l->next) {
		struct urb *r = l->data;

		if (r->c == c && r->data->client_addr == addr) {
			g_queue_delete_link(q, l);
			return r;
		}
	}
	return NULL;
}

static gboolean submit(struct simdev *d, struct simclient *c, UMockdevIoctlClient *client,
		       UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb),
							     NULL);
	UMockdevIoctlData *buf;
	struct usbdevfs_urb *u;
	struct urb *r;

	if (!ud)
		return FALSE;
	u = (struct usbdevfs_urb *)ud->data;
	buf = umockdev_ioctl_data_resolve(ud, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
					  (gsize)u->buffer_length, NULL);
	if (buf)
		umockdev_ioctl_data_unref(buf);	/* ud keeps it */
	if (dead_for(d, c)) {
		umockdev_ioctl_data_unref(ud);
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	if (!buf || (u->type != USBDEVFS_URB_TYPE_CONTROL && u->type != USBDEVFS_URB_TYPE_BULK) ||
	    (u->type == USBDEVFS_URB_TYPE_BULK && u->endpoint != EP_IN && u->endpoint != EP_OUT)) {
		umockdev_ioctl_data_unref(ud);
		umockdev_ioctl_client_complete(client, -1, EINVAL);
		return TRUE;
	}
	/* The submit's own completion writes the URB back first; then it is ours. */
	umockdev_ioctl_client_complete(client, 0, 0);
	r = g_new0(struct urb, 1);
	r->data = ud;
	r->u = u;
	r->c = c;
	g_atomic_int_inc(&c->refs);
	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		control(d, r);
	} else if (u->endpoint == EP_OUT) {
		if (++d->out_pending > d->max_out_pending)
			d->max_out_pending = d->out_pending;
		g_queue_push_tail(d->halt[0] ? &d->halted[0] : &d->work, r);
		g_cond_broadcast(&d->cond);
	} else {
		d->in_urbs++;
		if (d->uf == UF_STALL_IN && d->in_urbs == d->uf_n) {
			d->halt[1] = 1;
			finish(d, r, -EPIPE, 0);
		} else if (d->halt[1]) {
			g_queue_push_tail(&d->halted[1], r);
		} else {
			g_queue_push_tail(&c->in, r);
			flush_replies(d, c);
		}
	}
	return TRUE;
}

static gboolean reap(struct simdev *d, struct simclient *c, UMockdevIoctlClient *client,
		     UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ptr;
	struct urb *r = g_queue_pop_head(&c->done);

	/*
	 * libusb polls a node that is always ready, so it asks again at once:
	 * while the model is busy, give it a moment rather than a spin.
	 */
	if (!r && (d->cur || !g_queue_is_empty(&d->work))) {
		g_cond_wait_until(&d->cond, &d->lock, g_get_monotonic_time() + 2000);
		r = g_queue_pop_head(&c->done);
	}
	if (!r) {
		umockdev_ioctl_client_complete(client, -1, dead_for(d, c) ? ENODEV : EAGAIN);
		return TRUE;
	}
	ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
	umockdev_ioctl_data_set_ptr(ptr, 0, r->data);
	umockdev_ioctl_client_complete(client, 0, 0);
	umockdev_ioctl_data_unref(ptr);
	urb_free(r);
	return TRUE;
}

static gboolean discard(struct simdev *d, struct simclient *c, UMockdevIoctlClient *client,
			UMockdevIoctlData *arg)
{
	gulong addr = (gulong) * (void **)arg->data;
	struct urb *r = take(&c->in, c, addr);

	if (!r)
		r = take(&d->work, c, addr);
	if (!r)
		r = take(&d->halted[0], c, addr);
	if (!r)
		r = take(&d->halted[1], c, addr);
	if (!r) {
		/* Done already, or the model is reading it: it will be reaped as it is. */
		umockdev_ioctl_client_complete(client, -1, EINVAL);
		return TRUE;
	}
	d->discards++;
	finish(d, r, -ENOENT, 0);
	umockdev_ioctl_client_complete(client, 0, 0);
	return TRUE;
}

static void clear_halt(struct simdev *d, unsigned ep)
{
	int i = ep == EP_IN ? 1 : ep == EP_OUT ? 0 : -1;
	struct urb *r;

	if (i < 0 || !d->halt[i])
		return;
	d->clears++;
	d->halt[i] = 0;
	while ((r = g_queue_pop_tail(&d->halted[i]))) {
		if (i == 0) {
			g_queue_push_head(&d->work, r);
		} else {
			g_queue_push_head(&r->c->in, r);
			flush_replies(d, r->c);
		}
	}
	g_cond_broadcast(&d->cond);
}

gboolean usbsim_on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer p)
{
	struct simdev *d = p;
	gulong req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	struct simclient *c;
	gboolean handled = TRUE;

	(void)handler;
	g_mutex_lock(&d->lock);
	c = client_of(d, client);
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *v = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

		/* Scatter-gather: libusb submits one URB per transfer (§10). */
		*(guint32 *)v->data = USBDEVFS_CAP_BULK_SCATTER_GATHER |
				      USBDEVFS_CAP_BULK_CONTINUATION |
				      USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
				      USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
		umockdev_ioctl_client_complete(client, 0, 0);
		umockdev_ioctl_data_unref(v);
		break;
	}
	case USBDEVFS_CLEAR_HALT: {
		UMockdevIoctlData *v = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

		if (!dead_for(d, c))
			clear_halt(d, v ? *(guint32 *)v->data : 0);
		umockdev_ioctl_client_complete(client, dead_for(d, c) ? -1 : 0,
					       dead_for(d, c) ? ENODEV : 0);
		if (v)
			umockdev_ioctl_data_unref(v);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
		umockdev_ioctl_client_complete(client, dead_for(d, c) ? -1 : 0,
					       dead_for(d, c) ? ENODEV : 0);
		break;
	case USBDEVFS_SUBMITURB:
		handled = submit(d, c, client, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		handled = reap(d, c, client, arg);
		break;
	case USBDEVFS_DISCARDURB:
		handled = discard(d, c, client, arg);
		break;
	default:
		handled = FALSE;
		break;
	}
	g_mutex_unlock(&d->lock);
	return handled;
}
