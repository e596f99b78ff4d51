/* SPDX-License-Identifier: MIT */
/*
 * usbsim's parts (tests/sim/usbsim_main.c: options, the umockdev testbed,
 * COMMAND; tests/sim/usbsim_ioctl.c: the usbdevfs ioctls, URBs, descriptors
 * and the device thread in front of the fbdev model).  Built only into
 * usbsim, which links GLib and umockdev; test_unit and fbsim never see it.
 */
#ifndef HWF_USBSIM_H
#define HWF_USBSIM_H

#include <linux/usbdevice_fs.h>
#include <stdint.h>

#include <umockdev.h>

#include "tests/sim/fbdev.h"

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
	int gen;			/* the device's gen when it was opened */
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
	/*
	 * A reboot: the worker sets rebooting after the model's FBDEV_REBOOT;
	 * the main thread takes the device off the bus once the OKAY went out
	 * (down, until back_at; never back for reboot-never-returns) and puts
	 * it back as a new device node (gen + 1: what was opened before stays
	 * dead, as a file of a re-enumerated device does).
	 */
	int rebooting, down, never, gen;
	double back_at;
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

double usbsim_now(void);
/* "usbsim: " @fmt with @arg on stderr, exit 125. */
void usbsim_die(const char *fmt, const char *arg) __attribute__((noreturn));
/* The device thread of @arg (a struct simdev): feeds OUT URBs to the model. */
gpointer usbsim_worker(gpointer arg);
/* The "handle-ioctl" handler of a device node; @p is its struct simdev. */
gboolean usbsim_on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer p);
/* The device's descriptors (device, configuration, interface, endpoints) into @p. */
size_t usbsim_device_descriptors(const struct simdev *d, uint8_t *p);
/* Unplug @d: what is pending ends with ENODEV, new URBs too. */
void usbsim_unplug(struct simdev *d);
/* @d is back after a reboot: a new incarnation, nothing of the old one pending. */
void usbsim_replug(struct simdev *d);

#endif
