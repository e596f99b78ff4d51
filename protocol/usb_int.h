/* SPDX-License-Identifier: MIT */
/*
 * Inside protocol/usb: the transport's state (usb.c) and the devices found
 * on the bus (usb_find.c: enumeration, selection, open, wait).
 */
#ifndef HWF_USB_INT_H
#define HWF_USB_INT_H

#include <libusb.h>

#include "protocol/usb.h"

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
	struct hwf_transport_stats st;
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

double hwf_usb_now(void);
void hwf_usb_secs(int ms, char *buf, size_t len);
/* A transport for candidate @c (not yet opened: usb_find.c claims it). */
int hwf_usb_make_transport(struct cand *c, struct usb **out, struct hwf_err *e);
void hwf_usb_close(struct hwf_transport *bt);

#endif
