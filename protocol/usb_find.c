// SPDX-License-Identifier: MIT
/*
 * Finding fastboot devices on USB: any interface of class/subclass/protocol
 * ff/42/03 with a bulk IN/OUT pair, no vendor list (reference §1.5);
 * serials from sysfs first, as AOSP, then the string descriptor; choosing
 * one by serial or usb:BUS-PORT.PORT path; waiting for one (hotplug).
 */
#include "protocol/usb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

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
	return hwf_transport_kind(sel) == HWF_TRANSPORT_USB_PATH;
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

int hwf_usb_open_error(const struct hwf_usb_device *d, int rc, struct hwf_err *e)
{
	switch (rc) {
	case LIBUSB_ERROR_ACCESS:
		return hwf_err_set(e, HWF_EACCES, "found %04x:%04x at %s but no permission: %s",
				   d->vid, d->pid, d->path, HWF_USB_PERMISSION_HINT);
	case LIBUSB_ERROR_NOT_SUPPORTED:
	case LIBUSB_ERROR_NOT_FOUND:
		return hwf_err_set(
		    e, HWF_EACCES, "found %04x:%04x at %s but %s: %s", d->vid, d->pid, d->path,
		    rc == LIBUSB_ERROR_NOT_FOUND ? "it has no driver" : "another driver owns it",
		    HWF_USB_DRIVER_HINT);
	default:
		return hwf_err_set(e, HWF_EIO, "%s: cannot open: %s", d->path, libusb_strerror(rc));
	}
}

static int no_permission(const struct cand *c, struct hwf_err *e)
{
	return hwf_usb_open_error(&c->info, LIBUSB_ERROR_ACCESS, e);
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
		if (rc) {
			c[i].h = NULL;
			rc = hwf_usb_open_error(&c[i].info, rc, e);
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
		/* Its serial names it when it comes back after a reboot (transport.h: spec). */
		read_strings(&c[i]);
		rc = hwf_usb_make_transport(&c[i], &u, e);
		if (rc) {
			libusb_release_interface(c[i].h, c[i].iface);
			if (u)
				hwf_usb_close(&u->base);	/* no handle, no context yet */
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
	double until = hwf_usb_now() + timeout_ms / 1000.0;
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

		if (rc || (left = until - hwf_usb_now()) <= 0) {
			if (hctx)
				libusb_exit(hctx);
			if (rc)
				return 0;
			hwf_usb_secs(timeout_ms, t, sizeof(t));
			return hwf_err_set(e, HWF_ETIMEOUT, "no fastboot device%s%s appeared within %s",
					   sel ? " " : "", sel ? sel : "", t);
		}
		if (left > 0.5)
			left = 0.5;
		flag = 0;
		if (hot) {
			double stop = hwf_usb_now() + left;

			while (!flag && hwf_usb_now() < stop) {
				struct timeval tv = { 0, (long)((stop - hwf_usb_now()) * 1e6) };

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
