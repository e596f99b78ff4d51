// SPDX-License-Identifier: MIT
/*
 * usbsim: simulated fastboot devices on USB, for the real hwflash binary.
 *
 *   usbsim [--stats FILE] DEVICE... -- COMMAND [ARGS...]
 *   DEVICE: --device SERIAL --store DIR [--product P] [--max-download N]
 *           [--partition NAME:SIZE]... [--slots 0|N] [--current-slot X]
 *           [--fault KIND[:ARG]] [--usb-fault KIND=N]
 *           [--vid HEX] [--pid HEX] [--no-access] [--no-sysfs-strings]
 *           [--add-after SECONDS]
 *
 * It makes a umockdev testbed (a private /sys and /dev), declares each
 * device there as a high-speed USB device with one fastboot interface
 * (ff/42/03, bulk 0x81 IN and 0x01 OUT, 512-byte packets, serial and
 * product strings), answers the usbdevfs ioctls libusb sends to its node,
 * and runs COMMAND with the preload library that sends those ioctls here
 * (LD_PRELOAD=libumockdev-preload.so.0, UMOCKDEV_DIR).  Behind the ioctls
 * is the same device model as fbsim's (fbdev.c): one model, two wires.
 * usbsim exits with COMMAND's status.  Facts: reference §10.
 *
 * The device side runs in its own thread: an OUT URB completes when the
 * model has taken its bytes, an IN URB when the model has a reply for it,
 * so INFO lines reach the host while a command is still running.
 *
 * The serial and product strings are in sysfs (where hwflash reads them
 * first, as AOSP does) and in the string descriptors (control URBs);
 * --no-sysfs-strings leaves them out of sysfs.  --no-access makes the node
 * unopenable (mode 000, and no CAP_DAC_OVERRIDE for COMMAND when root).
 *
 * USB faults (--usb-fault), counted over the device's bulk URBs:
 *   stall-out=N         the Nth OUT URB stalls (EPIPE) until CLEAR_HALT
 *   stall-out-always=N  every OUT URB from the Nth on stalls
 *   stall-in=N          the Nth IN URB stalls
 *   disconnect=BYTES    unplugged once BYTES of OUT data went in: ENODEV
 * Model faults (--fault) are fbdev's: stall (never answer: a timeout),
 * disconnect-mid-download (ENODEV on reap half way through a download)...
 *
 * --stats FILE gets one line per device when COMMAND is done: URBs, bytes,
 * the most OUT URBs in flight at once, halts cleared, and the data rate
 * from the first to the last OUT URB.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <umockdev.h>

#include "tests/sim/fbdev.h"

#ifndef PR_CAPBSET_DROP
#define PR_CAPBSET_DROP 24
#endif
#define CAP_DAC_OVERRIDE_NR 1
#define CAP_DAC_READ_SEARCH_NR 2

#define MAX_DEVICES 16
#define EP_IN 0x81
#define EP_OUT 0x01

enum usb_fault { UF_NONE, UF_STALL_OUT, UF_STALL_OUT_ALWAYS, UF_STALL_IN, UF_DISCONNECT };

struct simclient;

/* One URB the host submitted, until it is reaped. */
struct urb {
	UMockdevIoctlData *data;	/* the resolved struct usbdevfs_urb (a ref) */
	struct usbdevfs_urb *u;		/* == data->data; u->buffer is the local copy */
	struct simclient *c;
};

/* One open file of the device node (libusb_open). */
struct simclient {
	int refs, dead;
	GQueue in;			/* IN URBs waiting for a reply */
	GQueue done;			/* completed, waiting for REAPURB */
};

struct simdev {
	/* configuration */
	struct fbdev_opts o;
	char serial[64];
	uint16_t vid, pid;
	int port, devnum, no_access, no_sysfs_strings;
	double add_after;
	enum usb_fault uf;
	uint64_t uf_n;
	/* state, under lock */
	GMutex lock;
	GCond cond;
	GThread *worker;
	int quit, added, gone;
	struct fbdev *fb;
	UMockdevIoctlBase *handler;
	GQueue work;			/* OUT URBs for the model, in order */
	struct urb *cur;		/* the one the model is reading */
	GQueue replies;			/* GBytes the model sent before an IN URB came */
	GQueue halted[2];		/* URBs parked while an endpoint is halted: OUT, IN */
	int halt[2];
	GList *clients;
	/* counters */
	uint64_t out_urbs, in_urbs, out_bytes, ctrl_urbs, discards, clears;
	unsigned out_pending, max_out_pending;
	uint64_t data_bytes;		/* download data, and the time it took */
	double t_first, t_last;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, const char *arg)
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

/* Copy a reply into the oldest waiting IN URB of @c; lock held. */
static int deliver_to(struct simdev *d, struct simclient *c, const void *buf, size_t len)
{
	struct urb *r = c && !g_atomic_int_get(&c->dead) ? g_queue_pop_head(&c->in) : NULL;
	size_t room;

	if (!r)
		return 0;
	room = (size_t)r->u->buffer_length;
	memcpy(r->u->buffer, buf, len < room ? len : room);
	finish(d, r, len > room ? -EOVERFLOW : 0, (int)(len < room ? len : room));
	return 1;
}

/* fbdev's send callback: runs in the worker thread. */
static int model_send(void *ctx, const void *buf, size_t len)
{
	struct simdev *d = ctx;
	int sent = 0;

	g_mutex_lock(&d->lock);
	if (!g_queue_is_empty(&d->replies) || d->halt[1]) {
		g_queue_push_tail(&d->replies, g_bytes_new(buf, len));
		g_mutex_unlock(&d->lock);
		return 0;
	}
	if (d->cur)
		sent = deliver_to(d, d->cur->c, buf, len);
	for (GList *l = d->clients; l && !sent; l = l->next)
		sent = deliver_to(d, l->data, buf, len);
	if (!sent)
		g_queue_push_tail(&d->replies, g_bytes_new(buf, len));
	g_mutex_unlock(&d->lock);
	return 0;
}

/* Replies that waited for an IN URB; lock held. */
static void flush_replies(struct simdev *d, struct simclient *c)
{
	GBytes *b;

	while (!d->halt[1] && !g_queue_is_empty(&c->in) && (b = g_queue_pop_head(&d->replies))) {
		gsize len;
		const void *p = g_bytes_get_data(b, &len);

		deliver_to(d, c, p, len);
		g_bytes_unref(b);
	}
}

static gpointer worker(gpointer arg)
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
			d->t_first = now_s();
		g_mutex_unlock(&d->lock);
		/* ZLPs carry nothing and are ignored (fastboot README). */
		if (len)
			rc = fbdev_input(d->fb, r->u->buffer, (size_t)len, model_send, d);
		g_mutex_lock(&d->lock);
		d->cur = NULL;
		d->out_bytes += (uint64_t)len;
		if (data) {
			d->data_bytes += (uint64_t)len;
			d->t_last = now_s();
		}
		if (rc < 0) {
			finish(d, r, -ENODEV, 0);
			unplug(d);
		} else {
			finish(d, r, 0, len);
		}
	}
	g_mutex_unlock(&d->lock);
	return NULL;
}

/* --- descriptors ------------------------------------------------------------ */

static size_t device_descriptors(const struct simdev *d, uint8_t *p)
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
		n = device_descriptors(d, desc);
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
	if (d->gone) {
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
		umockdev_ioctl_client_complete(client, -1, d->gone ? ENODEV : EAGAIN);
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

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer p)
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

		if (!d->gone)
			clear_halt(d, v ? *(guint32 *)v->data : 0);
		umockdev_ioctl_client_complete(client, d->gone ? -1 : 0, d->gone ? ENODEV : 0);
		if (v)
			umockdev_ioctl_data_unref(v);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
		umockdev_ioctl_client_complete(client, d->gone ? -1 : 0, d->gone ? ENODEV : 0);
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

/* --- the testbed ------------------------------------------------------------ */

static void add_device(UMockdevTestbed *tb, struct simdev *d)
{
	char node[64], *hex, *rec, *strings;
	uint8_t desc[64];
	size_t n = device_descriptors(d, desc);
	GError *err = NULL;

	snprintf(node, sizeof(node), "/dev/bus/usb/001/%03d", d->devnum);
	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), d);
	/* The handler first, so the node answers as soon as the device is seen. */
	if (!umockdev_testbed_attach_ioctl(tb, node, d->handler, &err))
		die("cannot attach the ioctl handler: %s", err->message);
	strings = d->no_sysfs_strings ? g_strdup("") :
		  g_strdup_printf("A: serial=%s\\n\nA: product=%s\\n\n", d->serial, d->o.product);
	hex = g_malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", desc[i]);
	rec = g_strdup_printf("P: /devices/usb1/1-%d\n"
			      "N: bus/usb/001/%03d\n"
			      "E: SUBSYSTEM=usb\n"
			      "E: DRIVER=usb\n"
			      "E: BUSNUM=001\n"
			      "E: DEVNUM=%03d\n"
			      "E: DEVNAME=/dev/bus/usb/001/%03d\n"
			      "E: DEVTYPE=usb_device\n"
			      "E: PRODUCT=%x/%x/100\n"
			      "A: bConfigurationValue=1\\n\n"
			      "A: busnum=1\\n\n"
			      "A: devnum=%d\\n\n"
			      "A: speed=480\\n\n"
			      "A: idVendor=%04x\\n\n"
			      "A: idProduct=%04x\\n\n"
			      "%s"
			      "H: descriptors=%s\n",
			      d->port, d->devnum, d->devnum, d->devnum, d->vid, d->pid, d->devnum,
			      d->vid, d->pid, strings, hex);
	if (!umockdev_testbed_add_from_string(tb, rec, &err))
		die("cannot add the device: %s", err->message);
	g_free(rec);
	g_free(hex);
	g_free(strings);
	if (d->no_access) {
		char *root = umockdev_testbed_get_root_dir(tb);
		char *path = g_strdup_printf("%s%s", root, node);

		if (chmod(path, 0) < 0)
			die("cannot chmod %s", path);
		g_free(path);
		g_free(root);
	}
	d->added = 1;
}

static void add_root_hub(UMockdevTestbed *tb)
{
	GError *err = NULL;

	if (!umockdev_testbed_add_from_string(
		    tb,
		    "P: /devices/usb1\n"
		    "N: bus/usb/001/001\n"
		    "E: SUBSYSTEM=usb\n"
		    "E: DRIVER=usb\n"
		    "E: BUSNUM=001\n"
		    "E: DEVNUM=001\n"
		    "E: DEVNAME=/dev/bus/usb/001/001\n"
		    "E: DEVTYPE=usb_device\n"
		    "A: bConfigurationValue=1\\n\n"
		    "A: busnum=1\\n\n"
		    "A: devnum=1\\n\n"
		    "A: speed=480\\n\n"
		    "H: descriptors=12010002090001406b1d020006060302010109021900010100e0000904"
		    "000001090000000705810304000c\n",
		    &err))
		die("cannot add the root hub: %s", err->message);
}

static void run_child(char **argv, int drop_dac, const char *root)
{
	const char *pre = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
	char *v;

	setenv("UMOCKDEV_DIR", root, 1);
	v = g_strdup_printf("libumockdev-preload.so.0%s%s", pre && *pre ? ":" : "",
			    pre ? pre : "");
	setenv("LD_PRELOAD", v, 1);
	/* ASan wants to come first; the preload library does. */
	v = g_strdup_printf("%s%sverify_asan_link_order=0", asan ? asan : "",
			    asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", v, 1);
	if (drop_dac && geteuid() == 0) {
		/* As root, a node with mode 000 is still readable: give up that power. */
		prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE_NR, 0, 0, 0);
		prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH_NR, 0, 0, 0);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "usbsim: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void parse_usb_fault(struct simdev *d, const char *s)
{
	static const struct {
		const char *name;
		enum usb_fault f;
	} t[] = { { "stall-out", UF_STALL_OUT },
		  { "stall-out-always", UF_STALL_OUT_ALWAYS },
		  { "stall-in", UF_STALL_IN },
		  { "disconnect", UF_DISCONNECT } };
	const char *eq = strchr(s, '=');

	for (size_t i = 0; eq && i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == (size_t)(eq - s) && !strncmp(s, t[i].name, (size_t)(eq - s)) &&
		    !fbdev_parse_size(eq + 1, &d->uf_n)) {
			d->uf = t[i].f;
			return;
		}
	die("unknown --usb-fault %s (stall-out=N, stall-out-always=N, stall-in=N, "
	    "disconnect=BYTES)", s);
}

static void default_parts(struct fbdev_opts *o)
{
	static const char *const def[] = { "boot_a", "boot_b", "recovery", "system",
					   "vendor", "userdata", "cache", "ptable" };

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		snprintf(o->parts[i].name, sizeof(o->parts[i].name), "%s", def[i]);
		o->parts[i].size = 1ull << 30;
	}
	o->nparts = sizeof(def) / sizeof(def[0]);
}

static void write_stats(const char *path, struct simdev *devs, int n)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (path && !f)
		die("cannot write %s", path);
	for (int i = 0; i < n; i++) {
		struct simdev *d = &devs[i];
		double dt = d->t_last > d->t_first ? d->t_last - d->t_first : 0;

		fprintf(f ? f : stderr,
			"%s out_urbs=%llu out_bytes=%llu max_out_in_flight=%u in_urbs=%llu "
			"control_urbs=%llu discards=%llu halts_cleared=%llu data_bytes=%llu "
			"data_seconds=%.3f data_MBps=%.1f\n",
			d->serial, (unsigned long long)d->out_urbs,
			(unsigned long long)d->out_bytes, d->max_out_pending,
			(unsigned long long)d->in_urbs, (unsigned long long)d->ctrl_urbs,
			(unsigned long long)d->discards, (unsigned long long)d->clears,
			(unsigned long long)d->data_bytes, dt,
			dt > 0 ? (double)d->data_bytes / dt / 1e6 : 0.0);
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	static struct simdev devs[MAX_DEVICES];
	UMockdevTestbed *tb;
	const char *stats = NULL;
	char *root;
	int n = 0, i, status = 0, drop = 0;
	pid_t pid;
	double t0;

	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct simdev *d = n ? &devs[n - 1] : NULL;

		if (!strcmp(a, "--no-access") || !strcmp(a, "--no-sysfs-strings")) {
			if (!d)
				die("%s comes after --device", a);
			if (a[5] == 'a')
				d->no_access = 1;
			else
				d->no_sysfs_strings = 1;
			continue;
		}
		if (!v)
			die("%s needs a value", a);
		i++;
		if (!strcmp(a, "--stats")) {
			stats = v;
			continue;
		}
		if (!strcmp(a, "--device")) {
			if (n == MAX_DEVICES)
				die("at most %s devices", "16");
			d = &devs[n++];
			fbdev_opts_init(&d->o);
			snprintf(d->serial, sizeof(d->serial), "%s", v);
			d->vid = 0x18d1;
			d->pid = 0x4ee0;
			d->port = n;
			d->devnum = n + 1;
			continue;
		}
		if (!d)
			die("%s comes after --device", a);
		switch (fbdev_parse_slot_option(a, v, &d->o)) {
		case 1:
			continue;
		case -1:
			die("%s: --slots takes 0 or 2-26, --current-slot a letter", a);
		}
		if (!strcmp(a, "--store")) {
			d->o.store = v;
		} else if (!strcmp(a, "--product")) {
			d->o.product = v;
		} else if (!strcmp(a, "--max-download")) {
			if (fbdev_parse_size(v, &d->o.max_download))
				die("--max-download %s: not a size", v);
		} else if (!strcmp(a, "--partition")) {
			const char *c = strchr(v, ':');

			if (!c || d->o.nparts >= FBDEV_MAX_PARTS || (size_t)(c - v) >= 64 ||
			    fbdev_parse_size(c + 1, &d->o.parts[d->o.nparts].size))
				die("--partition %s: give NAME:SIZE", v);
			memcpy(d->o.parts[d->o.nparts].name, v, (size_t)(c - v));
			d->o.nparts++;
		} else if (!strcmp(a, "--fault")) {
			if (fbdev_parse_fault_spec(v, &d->o))
				die("unknown --fault %s", v);
		} else if (!strcmp(a, "--usb-fault")) {
			parse_usb_fault(d, v);
		} else if (!strcmp(a, "--vid")) {
			d->vid = (uint16_t)strtoul(v, NULL, 16);
		} else if (!strcmp(a, "--pid")) {
			d->pid = (uint16_t)strtoul(v, NULL, 16);
		} else if (!strcmp(a, "--add-after")) {
			d->add_after = atof(v);
		} else {
			die("unknown option %s", a);
		}
	}
	if (i >= argc - 1 || !n) {
		fprintf(stderr, "usage: usbsim [--stats FILE] --device SERIAL --store DIR "
				"[device options] ... -- COMMAND [ARGS...]\n");
		return 125;
	}
	tb = umockdev_testbed_new();
	root = umockdev_testbed_get_root_dir(tb);
	add_root_hub(tb);
	for (int k = 0; k < n; k++) {
		struct simdev *d = &devs[k];

		if (!d->o.store)
			die("device %s has no --store", d->serial);
		if (!d->o.product)
			d->o.product = "fbsim";
		if (!d->o.nparts)
			default_parts(&d->o);
		d->o.serial = d->serial;
		d->fb = fbdev_new(&d->o);
		if (!d->fb)
			die("cannot make device %s", d->serial);
		g_mutex_init(&d->lock);
		g_cond_init(&d->cond);
		d->worker = g_thread_new("usbsim-dev", worker, d);
		drop |= d->no_access;
		if (d->add_after <= 0)
			add_device(tb, d);
	}
	fflush(NULL);
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		run_child(argv + i + 1, drop, root);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		for (int k = 0; k < n; k++)
			if (!devs[k].added && now_s() - t0 >= devs[k].add_after)
				add_device(tb, &devs[k]);
		nanosleep(&ts, NULL);
	}
	write_stats(stats, devs, stats ? n : 0);
	for (int k = 0; k < n; k++) {
		struct simdev *d = &devs[k];

		g_mutex_lock(&d->lock);
		d->quit = 1;
		g_cond_broadcast(&d->cond);
		g_mutex_unlock(&d->lock);
		g_thread_join(d->worker);
		fbdev_free(d->fb);
	}
	g_object_unref(tb);
	g_free(root);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
